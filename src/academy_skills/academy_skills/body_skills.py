"""Body and head skills: gestures and gaze, judged from the simulated robot's measured pose.

``look_at``, ``nod``, ``bow`` and ``wave`` (the hand raised beside the head, swung side to side).

``look_at`` turns the head to an object. The head's gaze is the direction the robot faces (+x
of the station) seen from the head link with every head joint at zero, carried by the head's
measured posture; success is that gaze within LOOK_TOLERANCE of the direction from the head to
the object where the station has it now.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping

import numpy as np

from academy_skills.kinematics import ArmKinematics
from academy_skills.manipulation import (
    OBJECT,
    RESET,
    RobotIO,
    RobotIOError,
    outcome_for_code,
    unknown_object,
)
from academy_skills.skill_library import (
    AttemptResult,
    Capability,
    FailureReason,
    ParameterSpec,
    ParamValue,
    SkillContext,
    SkillOutcome,
    register_skill,
    stop_failure,
)

#: The gaze must end within this angle of the object (rad): 5 degrees.
LOOK_TOLERANCE = math.radians(5.0)
#: Head IK: damped least squares on the gaze direction, numeric Jacobian.
GAZE_ITERATIONS = 100
GAZE_DAMPING = 1e-3
GAZE_MAX_STEP = 0.1  # rad per iteration
GAZE_STEP = 1e-4  # rad: finite-difference step
MIN_HEAD_MOVE_S = 0.5
#: A body move's mean joint speed stays under this share of the URDF velocity limit (a cubic's
#: peak is 1.5 x its mean).
VELOCITY_SHARE = 0.6
SETTLE_S = 0.3
HEAD_SPEED = ParameterSpec(
    "speed", float, "head turning speed", default=0.8, unit="rad/s", minimum=0.1, maximum=3.0
)


def gaze_error(gaze: np.ndarray, direction: np.ndarray) -> float:
    """Angle (rad) between two directions."""
    cosine = float(np.dot(gaze, direction) / (np.linalg.norm(gaze) * np.linalg.norm(direction)))
    return math.acos(max(-1.0, min(1.0, cosine)))


def _ahead(position: np.ndarray, azimuth: float, elevation: float) -> np.ndarray:
    """The point 1 m from ``position`` along a direction given by its angles (rad)."""
    direction = np.array(
        [
            math.cos(elevation) * math.cos(azimuth),
            math.cos(elevation) * math.sin(azimuth),
            math.sin(elevation),
        ]
    )
    return np.asarray(position + direction)


def _angles(direction: np.ndarray) -> tuple[float, float]:
    """Azimuth and elevation (rad) of a direction in the station frame."""
    x, y, z = (float(v) for v in direction)
    return math.atan2(y, x), math.atan2(z, math.hypot(x, y))


class HeadGaze:
    """Gaze of a robot's head: where it points for a posture, and the posture that points it
    at a point (within the head joints' limits)."""

    def __init__(self, kinematics: ArmKinematics) -> None:
        self.kinematics = kinematics
        robot = kinematics.robot
        self.joints = tuple(robot.head)
        self.head = kinematics.joint_body(self.joints[-1])
        neutral = {**robot.urdf.initial_positions, **dict.fromkeys(self.joints, 0.0)}
        _, rotation = kinematics.body_pose(self.head, neutral)
        self._local = rotation.T @ np.array([1.0, 0.0, 0.0])  # the gaze in the head's frame
        limits = robot.urdf.limits
        self._lower = np.array([limits[j].lower for j in self.joints])
        self._upper = np.array([limits[j].upper for j in self.joints])

    def ray(self, joints: Mapping[str, float]) -> tuple[np.ndarray, np.ndarray]:
        """The head's position and gaze direction (unit) at ``joints``."""
        position, rotation = self.kinematics.body_pose(self.head, joints)
        return position, rotation @ self._local

    def error(self, joints: Mapping[str, float], target: np.ndarray) -> float:
        """Angle (rad) between the gaze at ``joints`` and the direction to ``target``."""
        position, gaze = self.ray(joints)
        return gaze_error(gaze, target - position)

    def solve(self, posture: Mapping[str, float], target: np.ndarray) -> dict[str, float]:
        """Head joint positions pointing the gaze at ``target`` as closely as the limits let."""
        q = np.clip([posture.get(j, 0.0) for j in self.joints], self._lower, self._upper)

        def residual(values: np.ndarray) -> np.ndarray:
            # Azimuth and elevation errors (rad): a 3-D difference of unit vectors lets two
            # parallel pitch joints (Romeo's neck and head) fight over its tiny side effects.
            joints = {**posture, **dict(zip(self.joints, values, strict=True))}
            position, gaze = self.ray(joints)
            want, have = _angles(target - position), _angles(gaze)
            return np.array([math.remainder(want[0] - have[0], math.tau), want[1] - have[1]])

        for _ in range(GAZE_ITERATIONS):
            r = residual(q)
            if float(np.linalg.norm(r)) < 1e-6:
                break
            jacobian = np.column_stack(
                [
                    (r - residual(q + GAZE_STEP * np.eye(len(q))[i])) / GAZE_STEP
                    for i in range(len(q))
                ]
            )
            step = np.linalg.solve(
                jacobian.T @ jacobian + GAZE_DAMPING * np.eye(len(q)), jacobian.T @ r
            )
            norm = float(np.linalg.norm(step))
            if norm > GAZE_MAX_STEP:  # small steps: a long one overshoots into a joint limit
                step *= GAZE_MAX_STEP / norm
            q = np.clip(q + step, self._lower, self._upper)
        return {j: float(v) for j, v in zip(self.joints, q, strict=True)}


#: How body skills fail.
BODY_FAILURES = (
    FailureReason.MISSED,
    FailureReason.COLLIDED,
    FailureReason.OUT_OF_REACH,
    FailureReason.MOTION_FAILED,
    FailureReason.REFUSED,
    FailureReason.ESTOPPED,
    FailureReason.CANCELED,
)


class _Stop(Exception):  # noqa: N818 (control flow: the attempt ends with ``result``)
    def __init__(self, result: AttemptResult) -> None:
        super().__init__(result.reason)
        self.result = result


class _BodySkill:
    """What the body skills share: the gaze model, the refusal without a head, and a joint
    move that ends the attempt on a stop or a controller failure."""

    name = ""

    def __init__(self, io: RobotIO, kinematics: ArmKinematics) -> None:
        self.io = io
        self.kinematics = kinematics
        self._gaze: HeadGaze | None = None

    def _head(self) -> HeadGaze:
        if self._gaze is None:
            self._gaze = HeadGaze(self.kinematics)
        return self._gaze

    def _refusal(self, params: Mapping[str, ParamValue]) -> str | None:
        """Why no attempt can run on this robot (None when one can): by default, no head."""
        robot = self.kinematics.robot
        if robot.head:
            return None
        return f"{robot.name} cannot {self.name}: it has no head joints (model.yaml head)"

    def check_goal(self, params: Mapping[str, ParamValue]) -> str | None:
        """Refuse before any attempt what no attempt could do (the executor asks once)."""
        return self._refusal(params)

    def run_attempt(self, ctx: SkillContext, params: Mapping[str, ParamValue]) -> AttemptResult:
        """The refusal, then :meth:`_attempt`; a stop or a controller failure ends it."""
        refused = self._refusal(params)
        if refused is not None:
            return AttemptResult(SkillOutcome.REJECTED, refused, failure=FailureReason.REFUSED)
        metrics: dict[str, tuple[float, str]] = {}
        try:
            return self._attempt(ctx, params, metrics)
        except _Stop as stop:
            return stop.result
        except RobotIOError as error:
            failure = FailureReason.MOTION_FAILED
            return AttemptResult(SkillOutcome.ABORTED, str(error), metrics, failure)

    def _attempt(
        self,
        ctx: SkillContext,
        params: Mapping[str, ParamValue],
        metrics: dict[str, tuple[float, str]],
    ) -> AttemptResult:
        raise NotImplementedError

    def _turn(
        self,
        ctx: SkillContext,
        goal: Mapping[str, float],
        speed: float,
        minimum: float,
        metrics: dict[str, tuple[float, str]],
    ) -> None:
        """Move the joints in ``goal`` there at ``speed`` rad/s (at least ``minimum`` s).

        Raises:
            _Stop: stopped by the trainer, or the controller failed the motion.
        """
        now = self.io.joint_positions()
        limits = self.kinematics.robot.urdf.limits
        # Each joint at most ``speed``, and at most VELOCITY_SHARE of its URDF limit (peak).
        duration = max(
            [minimum]
            + [
                abs(goal[j] - now.get(j, 0.0))
                / min(speed, VELOCITY_SHARE * limits[j].velocity if j in limits else speed)
                for j in goal
            ]
        )
        result = self.io.move(goal, duration, lambda: ctx.stop_requested() is not None)
        stop = ctx.stop_requested()
        if stop is not None:
            reason = f"stopped ({stop.name.lower()})"
            raise _Stop(AttemptResult(stop, reason, metrics, stop_failure(stop)))
        if not result.ok:
            raise _Stop(
                AttemptResult(
                    outcome_for_code(result.code),
                    f"motion failed ({result.code.name}): {result.reason}",
                    metrics,
                    FailureReason.MOTION_FAILED,
                )
            )


@register_skill(
    category="body",
    verbs=("look at", "look towards", "look toward", "face"),
    requires=(Capability.HEAD,),
    success="the head's gaze (the robot's forward direction carried by its measured head "
    "joints) ends within 5 degrees of the direction from the head to the object",
    failures=BODY_FAILURES,
)
class LookAtSkill(_BodySkill):
    """Turn the head to look at an object."""

    name = "look_at"
    description = "turn the head to an object (success: gaze within 5 degrees of it)"
    parameters = (OBJECT, HEAD_SPEED, RESET)

    def check_goal(self, params: Mapping[str, ParamValue]) -> str | None:
        return super().check_goal(params) or unknown_object(self.io, params)

    def _attempt(
        self,
        ctx: SkillContext,
        params: Mapping[str, ParamValue],
        metrics: dict[str, tuple[float, str]],
    ) -> AttemptResult:
        name = str(params["object"])
        if params.get("reset_scene", True):
            ctx.phase("reset_scene", 0.0)
            self.io.reset_station()
        unknown = unknown_object(self.io, params)
        if unknown is not None:
            return AttemptResult(SkillOutcome.REJECTED, unknown, failure=FailureReason.REFUSED)
        objects = self.io.station().objects
        ctx.phase("plan", 0.1)
        gaze = self._head()
        target = np.array(objects[name].position)
        current = self.io.joint_positions()
        goal = gaze.solve(current, target)
        planned = gaze.error({**current, **goal}, target)
        metrics["planned_gaze_error"] = (math.degrees(planned), "deg")
        if planned > LOOK_TOLERANCE:
            return AttemptResult(
                SkillOutcome.REJECTED,
                f"{name} is out of the head's range: the best gaze the joint limits allow "
                f"ends {math.degrees(planned):.1f} deg from it (tolerance "
                f"{math.degrees(LOOK_TOLERANCE):.0f} deg)",
                metrics,
                FailureReason.OUT_OF_REACH,
            )
        ctx.phase("turn_head", 0.2)
        self._turn(ctx, goal, float(params["speed"]), MIN_HEAD_MOVE_S, metrics)
        ctx.sleep(SETTLE_S)
        ctx.phase("judge", 0.9)
        now = np.array(self.io.station().objects[name].position)
        measured = gaze.error(self.io.joint_positions(), now)
        metrics["gaze_error"] = (math.degrees(measured), "deg")
        if measured > LOOK_TOLERANCE:
            return AttemptResult(
                SkillOutcome.FAILED,
                f"the gaze ended {math.degrees(measured):.1f} deg from {name} (tolerance "
                f"{math.degrees(LOOK_TOLERANCE):.0f} deg)",
                metrics,
                FailureReason.MISSED,
            )
        return AttemptResult(SkillOutcome.SUCCEEDED, "", metrics)


NOD_ANGLE = ParameterSpec(
    "angle", float, "how far the gaze dips", default=0.3, unit="rad", minimum=0.1, maximum=0.6
)
NOD_TIMES = ParameterSpec("times", int, "how many nods", default=2, minimum=1, maximum=5)
#: Each dip must reach this share of ``angle``, each return come back within NOD_RETURN.
NOD_DEPTH_SHARE = 0.8
NOD_RETURN = math.radians(3.0)


@register_skill(
    category="body",
    verbs=("nod", "nod your head"),
    requires=(Capability.HEAD,),
    success="each nod's measured gaze dips by at least 80 % of angle and comes back within 3 "
    "degrees of where it started",
    failures=BODY_FAILURES,
)
class NodSkill(_BodySkill):
    """Nod: dip the gaze and bring it back, ``times`` times."""

    name = "nod"
    description = "nod the head (success: each dip reaches 80 % of angle and comes back)"
    parameters = (NOD_ANGLE, NOD_TIMES, HEAD_SPEED)

    def _attempt(
        self,
        ctx: SkillContext,
        params: Mapping[str, ParamValue],
        metrics: dict[str, tuple[float, str]],
    ) -> AttemptResult:
        gaze = self._head()
        angle, speed, times = float(params["angle"]), float(params["speed"]), int(params["times"])
        dips: list[float] = []
        returns: list[float] = []
        start = self.io.joint_positions()
        position, direction = gaze.ray(start)
        azimuth, elevation = _angles(direction)
        down = gaze.solve(start, _ahead(position, azimuth, elevation - angle))
        planned = _angles(gaze.ray({**start, **down})[1])[1]
        if elevation - planned < NOD_DEPTH_SHARE * angle:
            return AttemptResult(
                SkillOutcome.REJECTED,
                f"the head cannot dip its gaze {math.degrees(angle):.0f} deg: its joint "
                f"limits allow {math.degrees(elevation - planned):.1f} deg",
                metrics,
                FailureReason.OUT_OF_REACH,
            )
        up = {j: start[j] for j in down}
        for index in range(times):
            for phase, goal, seen in (("down", down, dips), ("up", up, returns)):
                ctx.phase(f"nod_{index + 1}_{phase}", (index + 0.5) / times)
                self._turn(ctx, goal, speed, MIN_HEAD_MOVE_S / 2, metrics)
                seen.append(_angles(gaze.ray(self.io.joint_positions())[1])[1])
        shallowest = min(elevation - d for d in dips)
        farthest = max(abs(r - elevation) for r in returns)
        metrics["shallowest_dip"] = (math.degrees(shallowest), "deg")
        metrics["farthest_return"] = (math.degrees(farthest), "deg")
        if shallowest < NOD_DEPTH_SHARE * angle or farthest > NOD_RETURN:
            return AttemptResult(
                SkillOutcome.FAILED,
                f"the nods dipped {math.degrees(shallowest):.1f} deg at the least (needs "
                f"{math.degrees(NOD_DEPTH_SHARE * angle):.1f}) and came back within "
                f"{math.degrees(farthest):.1f} deg (needs {math.degrees(NOD_RETURN):.0f})",
                metrics,
                FailureReason.MISSED,
            )
        return AttemptResult(SkillOutcome.SUCCEEDED, "", metrics)


SHAKE_ANGLE = ParameterSpec(
    "angle", float, "how far the gaze turns to each side", default=0.4, unit="rad",
    minimum=0.1, maximum=0.8,
)  # fmt: skip
SHAKE_TIMES = ParameterSpec("times", int, "how many shakes", default=2, minimum=1, maximum=5)


@register_skill(
    category="body",
    verbs=("shake your head", "shake head", "say no"),
    requires=(Capability.HEAD,),
    success="each shake's measured gaze turns at least 80 % of angle to the left and to the "
    "right, and the head comes back within 3 degrees of where it started",
    failures=BODY_FAILURES,
)
class ShakeHeadSkill(_BodySkill):
    """Shake the head: turn the gaze left and right, ``times`` times, then face ahead again."""

    name = "shake_head"
    description = (
        "shake the head (success: each turn reaches 80 % of angle each way, and it comes back)"
    )
    parameters = (SHAKE_ANGLE, SHAKE_TIMES, HEAD_SPEED)

    def _attempt(
        self,
        ctx: SkillContext,
        params: Mapping[str, ParamValue],
        metrics: dict[str, tuple[float, str]],
    ) -> AttemptResult:
        gaze = self._head()
        angle, speed, times = float(params["angle"]), float(params["speed"]), int(params["times"])
        start = self.io.joint_positions()
        position, direction = gaze.ray(start)
        azimuth, elevation = _angles(direction)
        sides = {
            side: gaze.solve(start, _ahead(position, azimuth + sign * angle, elevation))
            for side, sign in (("left", 1.0), ("right", -1.0))
        }
        for side, goal in sides.items():
            reached = abs(math.remainder(_angles(gaze.ray({**start, **goal})[1])[0] - azimuth,
                                         math.tau))  # fmt: skip
            if reached < NOD_DEPTH_SHARE * angle:
                return AttemptResult(
                    SkillOutcome.REJECTED,
                    f"the head cannot turn its gaze {math.degrees(angle):.0f} deg to the "
                    f"{side}: its joint limits allow {math.degrees(reached):.1f} deg",
                    metrics,
                    FailureReason.OUT_OF_REACH,
                )
        turns: list[float] = []
        for index in range(times):
            for side, goal in sides.items():
                ctx.phase(f"shake_{index + 1}_{side}", (index + 0.5) / times)
                self._turn(ctx, goal, speed, MIN_HEAD_MOVE_S / 2, metrics)
                seen = _angles(gaze.ray(self.io.joint_positions())[1])[0]
                turns.append(abs(math.remainder(seen - azimuth, math.tau)))
        ctx.phase("face_ahead", 0.95)
        self._turn(ctx, {j: start[j] for j in sides["left"]}, speed, MIN_HEAD_MOVE_S / 2, metrics)
        back = gaze_error(gaze.ray(self.io.joint_positions())[1], direction)
        metrics["smallest_turn"] = (math.degrees(min(turns)), "deg")
        metrics["return_error"] = (math.degrees(back), "deg")
        if min(turns) < NOD_DEPTH_SHARE * angle or back > NOD_RETURN:
            return AttemptResult(
                SkillOutcome.FAILED,
                f"the shakes turned {math.degrees(min(turns)):.1f} deg at the least (needs "
                f"{math.degrees(NOD_DEPTH_SHARE * angle):.1f}) and came back within "
                f"{math.degrees(back):.1f} deg (needs {math.degrees(NOD_RETURN):.0f})",
                metrics,
                FailureReason.MISSED,
            )
        return AttemptResult(SkillOutcome.SUCCEEDED, "", metrics)


BOW_ANGLE = ParameterSpec(
    "angle", float, "how far the upper body tilts forward", default=0.3, unit="rad",
    minimum=0.1, maximum=0.6,
)  # fmt: skip
BOW_HOLD = ParameterSpec(
    "hold_time", float, "how long the bow is held", default=0.5, unit="s", minimum=0.0,
    maximum=5.0,
)  # fmt: skip
#: The bow must reach this share of ``angle`` and come back within BOW_RETURN.
BOW_DEPTH_SHARE = 0.8
BOW_RETURN = math.radians(3.0)
BOW_SPEED = 0.5  # rad/s


def forward_tilt(rotation: np.ndarray, neutral: np.ndarray) -> float:
    """How far (rad) a body turned by ``rotation`` leans toward +x, relative to ``neutral``:
    the angle its neutral up axis makes with the vertical, signed by the lean's x."""
    up = rotation @ (neutral.T @ np.array([0.0, 0.0, 1.0]))
    return math.atan2(float(up[0]), float(up[2]))


@register_skill(
    category="body",
    verbs=("bow", "take a bow"),
    requires=(Capability.TORSO,),
    success="the upper body's measured forward tilt reaches 80 % of angle and comes back "
    "within 3 degrees of upright",
    failures=BODY_FAILURES,
)
class BowSkill(_BodySkill):
    """Bow: tilt the upper body forward with the torso's pitch joint, hold, stand up again."""

    name = "bow"
    description = "bow from the torso (success: the tilt reaches 80 % of angle and comes back)"
    parameters = (BOW_ANGLE, BOW_HOLD)

    @functools.cached_property
    def _found(self) -> tuple[str, float, str, np.ndarray] | None:
        """The torso joint that leans the upper body forward, its sign, the body it tilts
        (the head's, else the last torso joint's) and that body's neutral rotation; None
        without one (found once: the model's kinematics do not change)."""
        kinematics, robot = self.kinematics, self.kinematics.robot
        if not robot.torso:
            return None
        top = kinematics.joint_body(robot.head[-1] if robot.head else robot.torso[-1])
        neutral = dict(robot.urdf.initial_positions)
        _, upright = kinematics.body_pose(top, neutral)
        best: tuple[float, str, float] | None = None
        for joint in robot.torso:
            if robot.urdf.joint_types.get(joint) not in ("revolute", "continuous"):
                continue
            for sign in (1.0, -1.0):
                _, turned = kinematics.body_pose(top, {**neutral, joint: sign * 0.1})
                lean = forward_tilt(turned, upright)
                if best is None or lean > best[0]:
                    best = (lean, joint, sign)
        if best is None or best[0] < 0.05:  # no joint leans it forward (yaw, lift only)
            return None
        return best[1], best[2], top, upright

    def _cannot(self) -> str:
        robot = self.kinematics.robot
        joints = ", ".join(robot.torso) or "none"
        return f"{robot.name} cannot bow: no torso joint leans it forward (torso joints: {joints})"

    def _refusal(self, params: Mapping[str, ParamValue]) -> str | None:
        return None if self._found is not None else self._cannot()

    def _attempt(
        self,
        ctx: SkillContext,
        params: Mapping[str, ParamValue],
        metrics: dict[str, tuple[float, str]],
    ) -> AttemptResult:
        robot = self.kinematics.robot
        found = self._found
        if found is None:  # run_attempt refused it already
            raise RuntimeError(self._cannot())
        joint, sign, top, upright = found
        angle = float(params["angle"])
        limits = robot.urdf.limits[joint]
        start = self.io.joint_positions()
        goal = float(np.clip(start[joint] + sign * angle, limits.lower, limits.upper))
        _, planned = self.kinematics.body_pose(top, {**start, joint: goal})
        if forward_tilt(planned, upright) < BOW_DEPTH_SHARE * angle:
            return AttemptResult(
                SkillOutcome.REJECTED,
                f"the torso cannot lean {math.degrees(angle):.0f} deg: {joint}'s limits "
                f"allow {math.degrees(forward_tilt(planned, upright)):.1f} deg",
                metrics,
                FailureReason.OUT_OF_REACH,
            )
        ctx.phase("bow", 0.1)
        self._turn(ctx, {joint: goal}, BOW_SPEED, MIN_HEAD_MOVE_S, metrics)
        ctx.sleep(float(params["hold_time"]))
        _, bowed = self.kinematics.body_pose(top, self.io.joint_positions())
        ctx.phase("stand_up", 0.6)
        self._turn(ctx, {joint: start[joint]}, BOW_SPEED, MIN_HEAD_MOVE_S, metrics)
        ctx.sleep(SETTLE_S)
        _, back = self.kinematics.body_pose(top, self.io.joint_positions())
        before = forward_tilt(self.kinematics.body_pose(top, start)[1], upright)
        reached = forward_tilt(bowed, upright) - before
        residual = abs(forward_tilt(back, upright) - before)
        metrics["bow_tilt"] = (math.degrees(reached), "deg")
        metrics["return_error"] = (math.degrees(residual), "deg")
        if reached < BOW_DEPTH_SHARE * angle or residual > BOW_RETURN:
            return AttemptResult(
                SkillOutcome.FAILED,
                f"the bow leaned {math.degrees(reached):.1f} deg (needs "
                f"{math.degrees(BOW_DEPTH_SHARE * angle):.1f}) and came back within "
                f"{math.degrees(residual):.1f} deg (needs {math.degrees(BOW_RETURN):.0f})",
                metrics,
                FailureReason.MISSED,
            )
        return AttemptResult(SkillOutcome.SUCCEEDED, "", metrics)


WAVE_TIMES = ParameterSpec("times", int, "how many swings", default=2, minimum=1, maximum=5)
WAVE_ARM = ParameterSpec("arm", str, "which arm waves", default="right", choices=("right", "left"))
#: Where the hand goes, in arm lengths from the shoulder: forward, outward, up; and the swing.
WAVE_RAISE = (0.30, 0.25, 0.40)
WAVE_SWING = 0.15  # arm lengths each side
WAVE_UP_SHARE = 0.8  # the hand must stay at least this share of the raise above the shoulder
WAVE_SWING_SHARE = 0.8  # and swing at least this share of the planned span
WAVE_SPEED = 1.5  # rad/s
WAVE_IK_TOLERANCE = 0.03  # m: the judge measures the real swing; a point 3 cm short is fine


@register_skill(
    category="body",
    verbs=("wave", "wave your hand", "wave hello"),
    requires=(Capability.ARM,),
    success="the measured hand stays raised above the shoulder (>= 80 % of 0.4 arm lengths) "
    "and swings side to side over >= 80 % of the planned 0.3 arm lengths",
    failures=BODY_FAILURES,
)
class WaveSkill(_BodySkill):
    """Wave: raise the hand beside the head and swing it side to side."""

    name = "wave"
    description = "wave a hand (success: raised above the shoulder, swinging side to side)"
    parameters = (WAVE_ARM, WAVE_TIMES)

    def _refusal(self, params: Mapping[str, ParamValue]) -> str | None:
        robot = self.kinematics.robot
        side = str(params["arm"])
        if side not in robot.arms:
            return f"{robot.name} has no {side} arm; its arms: {', '.join(sorted(robot.arms))}"
        return None

    def _attempt(
        self,
        ctx: SkillContext,
        params: Mapping[str, ParamValue],
        metrics: dict[str, tuple[float, str]],
    ) -> AttemptResult:
        kinematics = self.kinematics
        arm = kinematics.robot.arms[str(params["arm"])]
        start = self.io.joint_positions()
        shoulder = kinematics.body_pose(kinematics.joint_body(arm.joints[0]), start)[0]
        elbow = kinematics.body_pose(kinematics.joint_body(arm.elbow), start)[0]
        hand = kinematics.grasp_point(arm, start)
        length = float(np.linalg.norm(elbow - shoulder) + np.linalg.norm(hand - elbow))
        outward = 1.0 if shoulder[1] >= 0 else -1.0
        forward, out, up = (share * length for share in WAVE_RAISE)
        centre = shoulder + np.array([forward, outward * out, up])
        swing = WAVE_SWING * length
        targets = [centre] + [
            centre + np.array([0.0, sign * swing, 0.0])
            for _ in range(int(params["times"]))
            for sign in (1.0, -1.0)
        ]
        postures, seed = [], dict(start)
        for index, target in enumerate(targets):
            solution = kinematics.solve(
                arm,
                (float(target[0]), float(target[1]), float(target[2])),
                0.0,
                seed,
                orientation_cost=0.05,
                restarts=index == 0,  # the swings stay near the raised arm
            )
            if solution.position_error > WAVE_IK_TOLERANCE:
                return AttemptResult(
                    SkillOutcome.REJECTED,
                    f"the {arm.name} hand cannot wave there: IK ends "
                    f"{solution.position_error:.3f} m from a swing point",
                    metrics,
                    FailureReason.OUT_OF_REACH,
                )
            postures.append(solution.positions)
            seed = {**seed, **solution.positions}
        heights, sideways = [], []
        for index, posture in enumerate(postures):
            ctx.phase("raise" if index == 0 else f"swing_{index}", index / len(postures))
            self._turn(ctx, posture, WAVE_SPEED, MIN_HEAD_MOVE_S / 2, metrics)
            measured = kinematics.grasp_point(arm, self.io.joint_positions())
            heights.append(float(measured[2] - shoulder[2]))
            sideways.append(float(measured[1]))
        ctx.phase("lower", 0.95)
        self._turn(ctx, arm.ready, WAVE_SPEED, MIN_HEAD_MOVE_S, metrics)
        lowest = min(heights)
        span = max(sideways[1:]) - min(sideways[1:])
        metrics["lowest_hand_above_shoulder"] = (lowest, "m")
        metrics["swing_span"] = (span, "m")
        if lowest < WAVE_UP_SHARE * up or span < WAVE_SWING_SHARE * 2 * swing:
            return AttemptResult(
                SkillOutcome.FAILED,
                f"the hand was at least {lowest:.3f} m above the shoulder (needs "
                f"{WAVE_UP_SHARE * up:.3f}) and swung {span:.3f} m (needs "
                f"{WAVE_SWING_SHARE * 2 * swing:.3f})",
                metrics,
                FailureReason.MISSED,
            )
        return AttemptResult(SkillOutcome.SUCCEEDED, "", metrics)


#: A pointing hand stops this far short of the object (m) and at most this share of the arm's
#: length from the shoulder; the shoulder-to-hand line must pass within POINT_TOLERANCE (rad).
POINT_STANDOFF = 0.15
POINT_REACH_SHARE = 0.85
POINT_TOLERANCE = math.radians(8.0)
POINT_SPEED = 1.0  # rad/s


@register_skill(
    category="body",
    verbs=("point at", "point to", "point towards", "show me"),
    requires=(Capability.ARM,),
    success="the measured line from the shoulder through the hand points within 8 degrees of "
    "the object, the hand short of it and the object not moved",
    failures=BODY_FAILURES,
)
class PointAtSkill(_BodySkill):
    """Point at an object with the arm on its side (the hand held short of it)."""

    name = "point_at"
    description = "point the arm at an object (success: shoulder-hand line within 8 degrees)"
    parameters = (OBJECT, RESET)

    def _refusal(self, params: Mapping[str, ParamValue]) -> str | None:
        return None  # any robot with an arm (the registry checks that)

    def check_goal(self, params: Mapping[str, ParamValue]) -> str | None:
        return unknown_object(self.io, params)

    def _attempt(
        self,
        ctx: SkillContext,
        params: Mapping[str, ParamValue],
        metrics: dict[str, tuple[float, str]],
    ) -> AttemptResult:
        if params.get("reset_scene", True):
            ctx.phase("reset_scene", 0.0)
            self.io.reset_station()
        unknown = unknown_object(self.io, params)
        if unknown is not None:
            return AttemptResult(SkillOutcome.REJECTED, unknown, failure=FailureReason.REFUSED)
        name = str(params["object"])
        before = np.array(self.io.station().objects[name].position)
        kinematics = self.kinematics
        arm = kinematics.arm_for(float(before[1]))
        start = self.io.joint_positions()
        shoulder = kinematics.body_pose(kinematics.joint_body(arm.joints[0]), start)[0]
        elbow = kinematics.body_pose(kinematics.joint_body(arm.elbow), start)[0]
        length = float(
            np.linalg.norm(elbow - shoulder)
            + np.linalg.norm(kinematics.grasp_point(arm, start) - elbow)
        )
        ctx.phase("plan", 0.1)
        direction = before - shoulder
        distance = float(np.linalg.norm(direction))
        reach = min(POINT_REACH_SHARE * length, distance - POINT_STANDOFF)
        target = shoulder + direction / distance * reach
        solution = kinematics.solve(
            arm, (float(target[0]), float(target[1]), float(target[2])), 0.0, start,
            orientation_cost=0.02,
        )  # fmt: skip
        planned = gaze_error(
            kinematics.grasp_point(arm, {**start, **solution.positions}) - shoulder, direction
        )
        metrics["planned_pointing_error"] = (math.degrees(planned), "deg")
        if planned > POINT_TOLERANCE:
            return AttemptResult(
                SkillOutcome.REJECTED,
                f"the {arm.name} arm cannot point at {name}: the best posture points "
                f"{math.degrees(planned):.1f} deg away (tolerance "
                f"{math.degrees(POINT_TOLERANCE):.0f} deg)",
                metrics,
                FailureReason.OUT_OF_REACH,
            )
        ctx.phase("point", 0.3)
        self._turn(ctx, solution.positions, POINT_SPEED, MIN_HEAD_MOVE_S, metrics)
        ctx.sleep(SETTLE_S)
        ctx.phase("judge", 0.8)
        now = self.io.joint_positions()
        hand = kinematics.grasp_point(arm, now)
        obj = np.array(self.io.station().objects[name].position)
        error = gaze_error(hand - shoulder, obj - shoulder)
        moved = float(np.linalg.norm(obj - before))
        metrics["pointing_error"] = (math.degrees(error), "deg")
        metrics["hand_to_object"] = (float(np.linalg.norm(obj - hand)), "m")
        ctx.phase("lower", 0.9)
        self._turn(ctx, arm.ready, POINT_SPEED, MIN_HEAD_MOVE_S, metrics)
        if moved > 0.01:
            return AttemptResult(
                SkillOutcome.FAILED,
                f"pointing moved {name} {moved:.3f} m: the hand touched it",
                metrics,
                FailureReason.COLLIDED,
            )
        if error > POINT_TOLERANCE:
            return AttemptResult(
                SkillOutcome.FAILED,
                f"the arm pointed {math.degrees(error):.1f} deg away from {name} (tolerance "
                f"{math.degrees(POINT_TOLERANCE):.0f} deg)",
                metrics,
                FailureReason.MISSED,
            )
        return AttemptResult(SkillOutcome.SUCCEEDED, "", metrics)
