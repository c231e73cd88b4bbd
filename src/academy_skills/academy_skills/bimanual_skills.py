"""Two-handed skills: ``lift_with_two_hands`` and ``carry_tray_level``, judged by physics.

Both take a tray (a prop with a post handle on its top at each end: ``shape: tray`` in the
station) with both hands, each from above on the handle on its side, and move both arms in one
trajectory, so the hands keep the tray between them:

- ``lift_with_two_hands``: raise it by ``height``; success: during the hold it stays at least
  90 % of ``height`` up, tilted at most 10 degrees, each handle within 2 cm of its hand;
- ``carry_tray_level``: raise it, carry it ``distance`` toward the robot and set it down;
  success: tilted at most 10 degrees all the way (sampled while carried), then standing on the
  table (tilt under 5 degrees, its centre at its resting height within 1 cm) within 3 cm of the
  spot.

A robot without two arms with hands, or a prop without handles, is refused before any motion.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from academy_description.model_registry import ArmSpec
from academy_sim.station_config import TRAY_HANDLE, TRAY_HANDLE_INSET
from academy_skills.kinematics import IkSolution, grasp_yaws
from academy_skills.manipulation import (
    GRIP_FORCE,
    HOLD_TIME,
    MIN_MOVE_S,
    OBJECT,
    PLACE_HEIGHT_TOLERANCE,
    PLACE_TARGET_TOLERANCE,
    REACH_FAILURES,
    REACH_POSITION_TOLERANCE,
    RESET,
    SETTLE_S,
    SPEED,
    TABLE_CLEARANCE,
    ManipulationSkill,
    ObjectObservation,
    RobotIOError,
    _AttemptEnd,
    top_down_poses,
)
from academy_skills.skill_library import (
    AttemptResult,
    Capability,
    FailureReason,
    ParameterSpec,
    ParamValue,
    SkillContext,
    SkillOutcome,
    failed,
    register_skill,
    stop_failure,
)

#: The tray may tilt at most this while held (rad), and this once set down.
LEVEL_TOLERANCE = math.radians(10.0)
STANDING_TILT = math.radians(5.0)
#: Each handle stays within this of its hand while held (m).
HANDLE_IN_HAND = 0.02
LIFT_SHARE = 0.9
CARRY_WAYPOINTS = 4
TWO_HAND_FAILURES = (*REACH_FAILURES, FailureReason.SLIPPED, FailureReason.DROPPED,
                     FailureReason.TIPPED_OVER)  # fmt: skip


def tilt(quaternion: tuple[float, float, float, float]) -> float:
    """Angle (rad) between a body's z axis and the vertical."""
    _, x, y, _ = quaternion
    return math.acos(max(-1.0, min(1.0, 1.0 - 2.0 * (x * x + y * y))))


def tray_handles(obj: ObjectObservation) -> dict[str, np.ndarray]:
    """Where a tray's handle posts are now (their centres, m): "right" (-y end) and "left"."""
    w, x, y, z = obj.quaternion
    rotation = np.array(
        [
            [1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y)],
            [2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x)],
            [2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)],
        ]
    )
    reach = obj.size[1] / 2 - TRAY_HANDLE_INSET
    up = obj.size[2] / 2 + TRAY_HANDLE[1] / 2
    centre = np.array(obj.position)
    return {
        side: centre + rotation @ np.array([0.0, sign * reach, up])
        for side, sign in (("right", -1.0), ("left", 1.0))
    }


class _TwoHandSkill(ManipulationSkill):
    """Grasp a tray's two handles, one hand each, and move both arms together."""

    requires = "two arms, each with a hand or gripper (model.yaml arms and hands)"

    def missing_capability(self) -> str | None:
        robot = self.kinematics.robot
        sides = [s for s in ("right", "left") if s in robot.arms]
        with_hands = [s for s in sides if robot.arms[s].gripper in robot.grippers]
        if len(with_hands) == 2:
            return None
        return f"{robot.name} cannot {self.name}: it needs {self.requires}"

    def check_goal(self, params: Mapping[str, ParamValue]) -> str | None:
        missing = self.missing_capability()
        if missing is not None:
            return missing
        try:
            obj = self.io.station().objects.get(str(params["object"]))
        except RobotIOError as error:
            return str(error)
        if obj is None:
            return f"unknown object {params['object']!r}"
        if obj.shape != "tray":
            return f"{obj.name} has no handles for two hands (a tray has: shape tray)"
        return None

    def run_attempt(self, ctx: SkillContext, params: Mapping[str, ParamValue]) -> AttemptResult:
        metrics: dict[str, tuple[float, str]] = {}
        refused = self.check_goal(params)
        if refused is not None:
            return AttemptResult(SkillOutcome.REJECTED, refused, metrics, FailureReason.REFUSED)
        try:
            return self._both(ctx, params, metrics)
        except _AttemptEnd as stop:
            stopped = stop.outcome in (SkillOutcome.ESTOPPED, SkillOutcome.CANCELED)
            failure = stop_failure(stop.outcome) if stopped else stop.failure
            return AttemptResult(stop.outcome, stop.reason, metrics, failure)
        except RobotIOError as error:
            return AttemptResult(
                SkillOutcome.ABORTED, str(error), metrics, FailureReason.MOTION_FAILED
            )

    # -- motion ---------------------------------------------------------------------------------
    def _arms(self) -> dict[str, ArmSpec]:
        return {s: self.kinematics.robot.arms[s] for s in ("right", "left")}

    def _move_both(
        self, ctx: SkillContext, postures: Mapping[str, IkSolution], speed: float
    ) -> None:
        """One trajectory for both arms (the hands move together, arriving at once)."""
        joints = {j: v for solution in postures.values() for j, v in solution.positions.items()}
        current = self.io.joint_positions()
        travel = max(
            float(np.linalg.norm(
                self.kinematics.grasp_point(arm, {**current, **joints})
                - self.kinematics.grasp_point(arm, current)
            ))
            for arm in self._arms().values()
        )  # fmt: skip
        duration = max(MIN_MOVE_S, travel / speed, self._joint_limited_duration(current, joints))
        self._check_stop(ctx)
        result = self.io.move(joints, duration, lambda: ctx.stop_requested() is not None)
        if not result.ok:
            self._check_stop(ctx)
            raise _AttemptEnd(
                SkillOutcome.ABORTED,
                f"motion failed ({result.code.name}): {result.reason}",
                FailureReason.MOTION_FAILED,
            )

    def _solve_both(
        self, targets: Mapping[str, np.ndarray], yaws: Mapping[str, float]
    ) -> dict[str, IkSolution]:
        """Both hands' postures at ``targets``, from where the arms are (as a hand holding
        something is solved: no jump to another posture)."""
        solutions = {}
        for side, arm in self._arms().items():
            x, y, z = (float(v) for v in targets[side])
            solutions[side] = self._solve_holding(arm, (x, y, z), yaws[side])
            if solutions[side].position_error > REACH_POSITION_TOLERANCE:
                raise _AttemptEnd(
                    SkillOutcome.REJECTED,
                    f"the {side} hand cannot reach ({x:.2f}, {y:.2f}, {z:.2f}) m: IK ends "
                    f"{solutions[side].position_error:.3f} m short",
                    FailureReason.OUT_OF_REACH,
                )
        return solutions

    def _hands(self) -> dict[str, np.ndarray]:
        current = self.io.joint_positions()
        return {s: self.kinematics.grasp_point(a, current) for s, a in self._arms().items()}

    def _both(
        self,
        ctx: SkillContext,
        params: Mapping[str, ParamValue],
        metrics: dict[str, tuple[float, str]],
    ) -> AttemptResult:
        name, speed = str(params["object"]), float(params["speed"])
        if params.get("reset_scene", True):
            ctx.phase("reset_scene", 0.0)
            self.io.reset_station()
        world = self.io.station()
        start = world.objects[name]
        ctx.phase("plan", 0.05)
        handles = tray_handles(start)
        targets, yaws, above, at = {}, {}, {}, {}
        for side, arm in self._arms().items():
            depth = self.kinematics.hand_depth(arm)
            bottom = handles[side][2] - TRAY_HANDLE[1] / 2
            point = handles[side].copy()
            point[2] = max(point[2], bottom + TABLE_CLEARANCE + depth)
            poses = top_down_poses(
                self.kinematics, arm, tuple(float(v) for v in point),  # type: ignore[arg-type]
                grasp_yaws((1.0, 0.0, 0.0, 0.0), "cylinder"), self.io.joint_positions(),
            )  # fmt: skip
            if not poses.reachable:
                return AttemptResult(
                    SkillOutcome.REJECTED,
                    f"the {side} hand cannot reach {name}'s {side} handle (the best pose "
                    f"{poses.worst} ends {poses.at.position_error:.3f} m from it)",
                    metrics,
                    FailureReason.OUT_OF_REACH,
                )
            targets[side], yaws[side] = point, poses.yaw
            above[side], at[side] = poses.above, poses.at
        grippers = {s: a.gripper for s, a in self._arms().items()}
        ctx.phase("open_grippers", 0.1)
        for gripper in grippers.values():
            self._grip(ctx, gripper, self.kinematics.robot.hands[gripper].max_opening, 0.0)
        ctx.phase("approach", 0.15)
        self._move_both(ctx, above, speed)
        ctx.phase("descend", 0.25)
        self._move_both(ctx, at, speed)
        ctx.phase("close_grippers", 0.35)
        for gripper in grippers.values():
            self._grip(ctx, gripper, 0.0, float(params["grip_force"]))
        ctx.sleep(0.2)
        hands = self._hands()
        held = {s: handles[s] - hands[s] for s in hands}  # handle minus hand, as grasped
        result = self._carry(ctx, params, start, targets, yaws, held, metrics)
        ctx.phase("release", 0.9)
        for gripper in grippers.values():
            self._grip(ctx, gripper, self.kinematics.robot.hands[gripper].max_opening, 0.0)
        ctx.phase("retreat", 0.95)
        hands = self._hands()
        up = self._solve_both({s: h + np.array([0.0, 0.0, 0.1]) for s, h in hands.items()}, yaws)
        self._move_both(ctx, up, speed)
        ready = {s: IkSolution(dict(a.ready), 0.0, 0.0, 0) for s, a in self._arms().items()}
        self._move_both(ctx, ready, speed)
        ctx.sleep(SETTLE_S)
        return result if result is not None else self._judge_end(start, metrics)

    def _sample(
        self,
        name: str,
        held: Mapping[str, np.ndarray],
        worst: dict[str, float],
    ) -> ObjectObservation:
        """Read the tray now: keep its largest tilt and its handles' farthest drift from the
        hands."""
        obj = self.io.station().objects[name]
        handles, hands = tray_handles(obj), self._hands()
        drift = max(float(np.linalg.norm(handles[s] - hands[s] - held[s])) for s in hands)
        worst["tilt"] = max(worst["tilt"], tilt(obj.quaternion))
        worst["drift"] = max(worst["drift"], drift)
        return obj

    def _carry(
        self,
        ctx: SkillContext,
        params: Mapping[str, ParamValue],
        start: ObjectObservation,
        targets: Mapping[str, np.ndarray],
        yaws: Mapping[str, float],
        held: Mapping[str, np.ndarray],
        metrics: dict[str, tuple[float, str]],
    ) -> AttemptResult | None:
        raise NotImplementedError

    def _judge_end(
        self, start: ObjectObservation, metrics: dict[str, tuple[float, str]]
    ) -> AttemptResult:
        return AttemptResult(SkillOutcome.SUCCEEDED, "", metrics)

    def _hold(
        self,
        ctx: SkillContext,
        name: str,
        held: Mapping[str, np.ndarray],
        seconds: float,
        worst: dict[str, float],
    ) -> float:
        """Sample the tray for ``seconds``; the lowest height of its centre (m)."""
        lowest = math.inf
        began = ctx.now()
        while ctx.now() - began < seconds:
            obj = self._sample(name, held, worst)
            lowest = min(lowest, obj.position[2])
            self._check_stop(ctx)
            ctx.sleep(0.05)
        return lowest

    def _judge_level(
        self, name: str, worst: Mapping[str, float], metrics: dict[str, tuple[float, str]]
    ) -> AttemptResult | None:
        metrics["max_tilt"] = (math.degrees(worst["tilt"]), "deg")
        metrics["max_handle_drift"] = (worst["drift"], "m")
        if worst["drift"] > HANDLE_IN_HAND:
            return failed(
                f"{name} slipped in the hands: a handle drifted {worst['drift']:.3f} m from its "
                f"hand (at most {HANDLE_IN_HAND} m)",
                metrics,
                FailureReason.SLIPPED,
            )
        if worst["tilt"] > LEVEL_TOLERANCE:
            return failed(
                f"{name} tilted {math.degrees(worst['tilt']):.1f} deg while held (at most "
                f"{math.degrees(LEVEL_TOLERANCE):.0f})",
                metrics,
                FailureReason.TIPPED_OVER,
            )
        return None


TWO_HAND_HEIGHT = ParameterSpec(
    "height", float, "how high to lift it", default=0.08, unit="m", minimum=0.03, maximum=0.15
)


@register_skill(
    category="bimanual",
    verbs=("lift with both hands", "lift with two hands", "raise with both hands"),
    station="tray",
    requires=(Capability.TWO_ARMS, Capability.HAND),
    success="the tray, taken by both handles, stays at least 90 % of height up for hold_time, "
    "tilted at most 10 degrees, each handle within 2 cm of its hand",
    failures=TWO_HAND_FAILURES,
)  # fmt: skip
class LiftWithTwoHandsSkill(_TwoHandSkill):
    """Take a tray by both handles and lift it level."""

    name = "lift_with_two_hands"
    description = "lift a tray by both handles (success: up 90 % of height, level within 10 deg)"
    parameters = (OBJECT, SPEED, RESET, GRIP_FORCE, TWO_HAND_HEIGHT, HOLD_TIME)

    def _carry(
        self,
        ctx: SkillContext,
        params: Mapping[str, ParamValue],
        start: ObjectObservation,
        targets: Mapping[str, np.ndarray],
        yaws: Mapping[str, float],
        held: Mapping[str, np.ndarray],
        metrics: dict[str, tuple[float, str]],
    ) -> AttemptResult | None:
        height, speed = float(params["height"]), float(params["speed"])
        ctx.phase("lift", 0.5)
        up = self._solve_both(
            {s: t + np.array([0.0, 0.0, height]) for s, t in targets.items()}, yaws
        )
        self._move_both(ctx, up, speed)
        ctx.sleep(SETTLE_S)
        ctx.phase("hold", 0.7)
        worst = {"tilt": 0.0, "drift": 0.0}
        lowest = self._hold(ctx, start.name, held, float(params["hold_time"]), worst)
        rise = lowest - start.position[2]
        metrics["lift_height_min"] = (rise, "m")
        ctx.phase("set_down", 0.8)
        down = self._solve_both(dict(targets), yaws)
        self._move_both(ctx, down, speed)
        level = self._judge_level(start.name, worst, metrics)
        if level is not None:
            return level
        if rise < LIFT_SHARE * height:
            return failed(
                f"{start.name} rose only {max(rise, 0.0):.3f} m of the {height:.3f} m asked",
                metrics,
                FailureReason.DROPPED,
            )
        return None


TRAY_DISTANCE = ParameterSpec(
    "distance", float, "how far to carry it toward the robot", default=0.06, unit="m",
    minimum=0.02, maximum=0.15,
)  # fmt: skip


@register_skill(
    category="bimanual",
    verbs=("carry the tray", "carry level", "bring the tray"),
    station="tray",
    requires=(Capability.TWO_ARMS, Capability.HAND),
    success="the tray, carried distance m toward the robot by both handles, tilted at most 10 "
    "degrees all the way, then stands on the table (tilt under 5 degrees) within 3 cm of the "
    "spot",
    failures=TWO_HAND_FAILURES,
)  # fmt: skip
class CarryTrayLevelSkill(_TwoHandSkill):
    """Take a tray by both handles, carry it level toward the robot and set it down."""

    name = "carry_tray_level"
    description = (
        "carry a tray level by both handles and set it down distance m nearer (success: level "
        "within 10 deg, set down within 3 cm)"
    )
    parameters = (OBJECT, SPEED, RESET, GRIP_FORCE, TWO_HAND_HEIGHT, TRAY_DISTANCE)

    def _carry(
        self,
        ctx: SkillContext,
        params: Mapping[str, ParamValue],
        start: ObjectObservation,
        targets: Mapping[str, np.ndarray],
        yaws: Mapping[str, float],
        held: Mapping[str, np.ndarray],
        metrics: dict[str, tuple[float, str]],
    ) -> AttemptResult | None:
        height, speed = float(params["height"]), float(params["speed"])
        distance = float(params["distance"])
        worst = {"tilt": 0.0, "drift": 0.0}
        ctx.phase("lift", 0.45)
        lift = np.array([0.0, 0.0, height])
        self._move_both(ctx, self._solve_both(
            {s: t + lift for s, t in targets.items()}, yaws
        ), speed)  # fmt: skip
        self._sample(start.name, held, worst)
        ctx.phase("carry", 0.6)
        for step in range(1, CARRY_WAYPOINTS + 1):
            shift = np.array([-distance * step / CARRY_WAYPOINTS, 0.0, height])
            self._move_both(ctx, self._solve_both(
                {s: t + shift for s, t in targets.items()}, yaws
            ), speed / 2)  # fmt: skip
            self._sample(start.name, held, worst)
        ctx.phase("set_down", 0.8)
        down = np.array([-distance, 0.0, 0.0])
        self._move_both(ctx, self._solve_both(
            {s: t + down for s, t in targets.items()}, yaws
        ), speed / 2)  # fmt: skip
        self._spot = (start.position[0] - distance, start.position[1])
        return self._judge_level(start.name, worst, metrics)

    def _judge_end(
        self, start: ObjectObservation, metrics: dict[str, tuple[float, str]]
    ) -> AttemptResult:
        obj = self.io.station().objects[start.name]
        off = math.hypot(obj.position[0] - self._spot[0], obj.position[1] - self._spot[1])
        height = obj.position[2] - start.position[2]
        metrics["distance_to_target"] = (off, "m")
        metrics["final_tilt"] = (math.degrees(tilt(obj.quaternion)), "deg")
        if tilt(obj.quaternion) > STANDING_TILT or abs(height) > PLACE_HEIGHT_TOLERANCE:
            return failed(
                f"{obj.name} does not stand on the table: tilted "
                f"{math.degrees(tilt(obj.quaternion)):.1f} deg, its centre {height:+.3f} m "
                "from its resting height",
                metrics,
                FailureReason.TIPPED_OVER,
            )
        if off > PLACE_TARGET_TOLERANCE:
            return failed(
                f"{obj.name} stands {off:.3f} m from the spot (at most {PLACE_TARGET_TOLERANCE} m)",
                metrics,
                FailureReason.MISSED,
            )
        return AttemptResult(SkillOutcome.SUCCEEDED, "", metrics)
