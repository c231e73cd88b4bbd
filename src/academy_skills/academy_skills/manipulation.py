"""Manipulation skills: ``reach``, ``grasp`` and ``lift``, judged by physics.

Each attempt resets the station (props at random start poses) unless told not to, plans with
inverse kinematics on the robot model, moves through the robot's controllers, and then *measures*
success from the robot's joint states and the props' poses:

- ``reach``: the open jaws end around the object (grasp point within 1.5 cm of the object's
  axis, at the planned height) without pushing it more than 2 cm;
- ``grasp``: reach, then close: the jaws stall on the object at its width (within 1.2 cm) with
  the object still between them;
- ``lift``: grasp, then raise the hand by ``height``: the object must rise by at least 90 % of
  ``height`` and stay in the hand (within 1.5 cm of where the grasp put it) for ``hold_time``
  (1 s).

Objects out of reach (IK cannot put the grasp point on them) and unknown objects are refused
(REJECTED) with the reason, before anything moves. The skills talk to the robot only through
:class:`RobotIO`, so they are tested against the simulator and would drive real hardware alike.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from academy_common.interface_constants import GripperErrorCode, TrajectoryErrorCode
from academy_description.model_registry import ArmSpec, HandSpec
from academy_description.model_schema import HandKind
from academy_skills.errors import SkillsError
from academy_skills.kinematics import ArmKinematics, IkSolution, grasp_yaws
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

#: Fingertips must stay this far above the table top (m); how far below the grasp point they
#: reach is the hand's own (ArmKinematics.hand_depth: the Aurora's pads 0.04 m).
TABLE_CLEARANCE = 0.008
#: How far above the grasp point the approach starts and the retreat ends (m).
APPROACH_HEIGHT = 0.10
#: IK must land the grasp point this close to its target, else the object is out of reach.
REACH_POSITION_TOLERANCE = 0.01  # m
REACH_ORIENTATION_TOLERANCE = 0.15  # rad
#: Success thresholds (m).
REACH_AXIS_TOLERANCE = 0.015
REACH_HEIGHT_TOLERANCE = 0.02
OBJECT_PUSH_TOLERANCE = 0.02
GRASP_WIDTH_TOLERANCE = 0.012
#: A grasped object's centre lies within this of where the plan put it (under the grasp point)...
GRASP_PLACE_TOLERANCE = 0.03
#: ... and, while lifted and held, moves less than this from where the grasp left it in the hand.
IN_HAND_TOLERANCE = 0.015
#: Closure (0 open .. 1 closed) beyond which revolute fingers closed on nothing, and below
#: which they did not close at all (too weak, or blocked).
FULLY_CLOSED = 0.95
CLOSED_SOME = 0.1
#: Mean finger effort, as a share of the commanded (URDF-clamped) one, that counts as a squeeze.
SQUEEZE_FRACTION = 0.1
LIFT_FRACTION = 0.9
#: Slowest allowed move (s) whatever the speed asked, so the servos can follow.
MIN_MOVE_S = 0.6
#: Fraction of a joint's URDF velocity limit a planned move may use (the controller refuses
#: trajectories above the limit; the margin absorbs the gap between measured and commanded).
VELOCITY_LIMIT_FRACTION = 0.8
#: Peak over mean speed of a move: moves start and end at rest (a cubic from zero velocity to
#: zero velocity, 1.5x its mean speed at mid-way), so the servos stop where the goal is.
PEAK_TO_MEAN_SPEED = 1.5
#: Fraction of a joint's effort-limited acceleration a planned move may use, and a cubic
#: rest-to-rest move's peak acceleration over travel / duration^2.
ACCELERATION_LIMIT_FRACTION = 0.25
PEAK_ACCELERATION = 6.0
#: Wait after a lift before the hold is measured (s): > two station/state periods at 10 Hz.
SETTLE_S = 0.3
#: Height above its resting place at which a placed object is let go (m).
PLACE_CLEARANCE = 0.005
#: A placed object must rest within this distance of its target (m), its centre within this
#: height of where it rested before (m): on the table, not tipped over or held up.
PLACE_TARGET_TOLERANCE = 0.03
PLACE_HEIGHT_TOLERANCE = 0.01
#: IK orientation weight when lifting (the approach uses 0.5): position first, some tilt allowed.
LIFT_ORIENTATION_COST = 0.05


def reach_excess(solution: IkSolution) -> float:
    """How far an IK answer is from reaching its pose, in tolerances (<= 1: reached)."""
    return max(
        solution.position_error / REACH_POSITION_TOLERANCE,
        solution.orientation_error / REACH_ORIENTATION_TOLERANCE,
    )


@dataclass(frozen=True)
class TopDownPoses:
    """The approach pose above a grasp point and the grasp pose at it, at one hand yaw."""

    above: IkSolution
    at: IkSolution
    yaw: float
    worst: str  # "above" or "at": the pose farther from reached
    excess: float  # reach_excess of that pose

    @property
    def reachable(self) -> bool:
        return self.excess <= 1.0


def top_down_poses(
    kinematics: ArmKinematics,
    arm: ArmSpec,
    target: tuple[float, float, float],
    yaws: Sequence[float],
    seed: Mapping[str, float],
) -> TopDownPoses:
    """The top-down grasp the skills plan at ``target``: the first of ``yaws`` whose approach
    and grasp poses are both reached, else the closest (the workspace probe tries the same)."""
    above_target = (target[0], target[1], target[2] + APPROACH_HEIGHT)
    best: TopDownPoses | None = None
    for yaw in yaws:
        above = kinematics.solve(arm, above_target, yaw, seed)
        # Straight down from above, no restarts: a restart may land the grasp pose a turn of
        # the wrist away, and the descent would sweep the hand through the object.
        at = kinematics.solve(arm, target, yaw, {**seed, **above.positions}, restarts=False)
        excess, worst = max((reach_excess(above), "above"), (reach_excess(at), "at"))
        if best is None or excess < best.excess:
            best = TopDownPoses(above, at, yaw, worst, excess)
        if best.reachable:
            break
    if best is None:
        raise ValueError("top_down_poses: no hand yaw to try")
    return best


def unknown_object(io: RobotIO, params: Mapping[str, ParamValue]) -> str | None:
    """Why a goal's ``object`` cannot be acted on at this station (None when it can)."""
    try:
        objects = io.station().objects
    except RobotIOError as error:
        return str(error)
    name = str(params["object"])
    if name not in objects:
        known = ", ".join(sorted(objects)) or "(none)"
        return f"unknown object {name!r}; this station has {known}"
    return None


class RobotIOError(SkillsError):
    """The robot could not be commanded or observed (controller down, timeout, e-stop)."""


@dataclass(frozen=True)
class ObjectObservation:
    """A prop as observed: identity, pose (m, w-x-y-z quaternion) and size (m)."""

    name: str
    kind: str
    color: str
    shape: str
    position: tuple[float, float, float]
    quaternion: tuple[float, float, float, float]
    size: tuple[float, float, float]

    @property
    def grip_width(self) -> float:
        """Width between the jaws when they close on it (smallest horizontal extent)."""
        return min(self.size[0], self.size[1])


@dataclass(frozen=True)
class FixtureObservation:
    """A fixture as known: identity, the centre of its footprint on the table top (m), its
    outer size (m) and, for a bin, its wall thickness (m; 0 otherwise)."""

    name: str
    kind: str
    color: str
    position: tuple[float, float, float]
    size: tuple[float, float, float]
    wall: float = 0.0
    #: An articulated fixture's joint now (a button's depth, a knob's turn, a drawer's
    #: pull-out: m or rad, 0 at rest), its travel (0: static), and where a hand acts on it.
    joint: float = 0.0
    travel: float = 0.0
    handle: tuple[float, float, float] | None = None
    #: Height above the table (m) of what a prop set in or on it stands on: a bin's or a
    #: pegboard's floor, a shelf's top; 0 otherwise.
    floor: float = 0.0

    @property
    def hinge(self) -> tuple[float, float] | None:
        """A door's vertical hinge axis (x, y m): at the right end of its footprint, where the
        station builds it (academy_sim.station); None for any other fixture."""
        if self.kind != "door":
            return None
        return self.position[0], self.position[1] - self.size[1] / 2

    def inner_half_extents(self) -> tuple[float, float]:
        """Half the inside of its walls along x and y (m): the whole footprint for a pad."""
        return self.size[0] / 2 - self.wall, self.size[1] / 2 - self.wall


@dataclass(frozen=True)
class ParticlesObservation:
    """A set of loose bits (crumbs, dirt) as observed: identity, each bit's size (m) and
    where each bit's centre is (m)."""

    name: str
    kind: str
    color: str
    size: tuple[float, float, float]
    positions: tuple[tuple[float, float, float], ...]


@dataclass(frozen=True)
class StationObservation:
    """The props, fixtures and loose bits of a station at one instant."""

    table_height: float
    objects: dict[str, ObjectObservation]
    fixtures: dict[str, FixtureObservation] = field(default_factory=dict)
    #: The table top's edges (m): near x, far x, right y, left y (None: not known).
    table_extent: tuple[float, float, float, float] | None = None
    particles: dict[str, ParticlesObservation] = field(default_factory=dict)

    def surface_under(self, name: str) -> float:
        """Height (m) of what prop ``name`` stands on: the top of another prop under it (a
        stack), a bin's floor inside a bin, a shelf's top on a shelf, else the table top."""
        me = self.objects[name]
        x, y = me.position[0], me.position[1]
        floors = [
            f.position[2] + f.floor
            for f in self.fixtures.values()
            if f.floor > 0
            and f.position[2] + f.floor <= me.position[2]
            and abs(x - f.position[0]) <= f.inner_half_extents()[0]
            and abs(y - f.position[1]) <= f.inner_half_extents()[1]
        ]
        floors += [
            o.position[2] + o.size[2] / 2
            for o in self.objects.values()
            if o.name != name
            and o.position[2] + o.size[2] / 2 <= me.position[2]
            and math.hypot(x - o.position[0], y - o.position[1]) <= max(o.size[:2]) / 2
        ]
        return max(floors, default=self.table_height)

    def off_table(self, x: float, y: float, half_x: float, half_y: float) -> str | None:
        """Why a footprint of half extents (half_x, half_y) centred at (x, y) would not lie
        wholly on the table top (None when it would, or the edges are not known)."""
        if self.table_extent is None:
            return None
        near, far, right, left = self.table_extent
        if near + half_x <= x <= far - half_x and right + half_y <= y <= left - half_y:
            return None
        return (
            f"({x:.3f}, {y:.3f}) m, off the table top for it (its centre must stay within x "
            f"{near + half_x:.3f} .. {far - half_x:.3f} m and y {right + half_y:.3f} .. "
            f"{left - half_y:.3f} m: the table's edges less {half_x:.3f}, {half_y:.3f} m)"
        )


@dataclass(frozen=True)
class MotionResult:
    """How a commanded motion ended: the controller's typed code, and its reason to read."""

    code: TrajectoryErrorCode
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.code == TrajectoryErrorCode.SUCCESSFUL


@dataclass(frozen=True)
class GripResult:
    """How a gripper command ended (control_msgs' GripperCommand result plus a typed code)."""

    code: GripperErrorCode
    position: float  # m, final opening
    effort: float  # N
    stalled: bool
    reached_goal: bool
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.code == GripperErrorCode.SUCCESSFUL


def outcome_for_code(code: TrajectoryErrorCode | GripperErrorCode) -> SkillOutcome:
    """The attempt outcome when a motion or grip ends with ``code`` (anything but SUCCESSFUL).

    Decided on the typed code, never on the text: the e-stop gives ESTOPPED, a cancel or a
    preemption CANCELED, anything else (tolerance violated, refused, hardware fault) ABORTED.
    """
    if code in (TrajectoryErrorCode.ESTOPPED, GripperErrorCode.ESTOPPED):
        return SkillOutcome.ESTOPPED
    if code in _STOPPED_BY_REQUEST:
        return SkillOutcome.CANCELED
    return SkillOutcome.ABORTED


_STOPPED_BY_REQUEST = (
    TrajectoryErrorCode.CANCELED,
    TrajectoryErrorCode.PREEMPTED,
    GripperErrorCode.CANCELED,
    GripperErrorCode.PREEMPTED,
)


class RobotIO(Protocol):
    """What the manipulation skills need from one robot and its station."""

    def joint_positions(self) -> dict[str, float]:
        """Latest measured joint positions."""
        ...

    def station(self) -> StationObservation:
        """Latest observation of the props."""
        ...

    def reset_station(
        self,
        fixtures: Mapping[str, float] | None = None,
        places: Mapping[str, tuple[float, float, float]] | None = None,
    ) -> StationObservation:
        """Put the props at new random start poses, or upright with their centre at
        ``places`` (x, y, z m), and the articulated fixtures at rest, or at the share of their
        travel ``fixtures`` says; return the station."""
        ...

    def move(
        self, joints: Mapping[str, float], duration: float, stop: Callable[[], bool]
    ) -> MotionResult:
        """Move ``joints`` to positions over ``duration`` s, arriving at rest (zero end
        velocities); blocks; ``stop()`` cancels."""
        ...

    def grip(
        self, gripper: str, width: float, max_effort: float, stop: Callable[[], bool]
    ) -> GripResult:
        """Move ``gripper``'s jaws to ``width`` m with at most ``max_effort`` N; blocks."""
        ...


OBJECT = ParameterSpec("object", str, "object to act on, e.g. red_cube")
SPEED = ParameterSpec(
    "speed", float, "hand speed", default=0.3, unit="m/s", minimum=0.05, maximum=1.0
)
RESET = ParameterSpec(
    "reset_scene", bool, "put the props at new random start poses first", default=True
)
GRIP_WIDTH = ParameterSpec(
    "grip_width",
    float,
    "jaw opening before closing (at most the hand's max_opening)",
    default=0.085,
    unit="m",
    minimum=0.02,
    maximum=0.25,
)
GRIP_FORCE = ParameterSpec(
    "grip_force", float, "grip force per finger", default=20.0, unit="N", minimum=1.0, maximum=60.0
)
DISTANCE = ParameterSpec(
    "distance",
    float,
    "how far to carry it toward the robot's midline",
    default=0.10,
    unit="m",
    minimum=0.02,
    maximum=0.30,
)
HEIGHT = ParameterSpec(
    "height", float, "how high to lift", default=0.10, unit="m", minimum=0.03, maximum=0.15
)
HOLD_TIME = ParameterSpec(
    "hold_time",
    float,
    "how long the object must stay up",
    default=1.0,
    unit="s",
    minimum=0.2,
    maximum=10.0,
)


#: A carried object's bottom passes this far above what stands at its goal (m).
CARRY_CLEARANCE = 0.03
#: Props within this of a carried object's way (m) are carried over.
CARRY_CORRIDOR = 0.12
#: Over its goal, the carried object is brought within this of it (m), in up to ALIGN_STEPS
#: measured corrections.
ALIGN_TOLERANCE = 0.002
ALIGN_STEPS = 2


@dataclass(frozen=True)
class PlaceGoal:
    """Where a carried object is set down: its centre over (x, y) m, resting on a surface
    ``base`` m above the table top (0: the table; a bin's floor, a block's top, a shelf's
    board), carried over things ``clear`` m tall there, the hand turned by ``turn`` rad from
    the grasp."""

    x: float
    y: float
    base: float = 0.0
    clear: float = 0.0
    turn: float = 0.0


class _AttemptEnd(Exception):  # noqa: N818 (control flow, not an error)
    """Internal: the attempt must end now with ``outcome`` (and its ``failure`` class)."""

    def __init__(
        self, outcome: SkillOutcome, reason: str, failure: FailureReason | None = None
    ) -> None:
        super().__init__(reason)
        self.outcome = outcome
        self.reason = reason
        self.failure = failure


@dataclass
class _Plan:
    arm_name: str
    gripper: str
    target: tuple[float, float, float]
    yaw: float
    above: IkSolution
    at: IkSolution
    obj: ObjectObservation
    #: Object centre minus grasp point once the hand closed on it (m): the hold is judged
    #: against where the grasp left it (fingers may pull it toward the palm as they close).
    held: np.ndarray | None = None
    #: Height above the table top of what the object stood on at the start (m): 0 on the
    #: table, a bin's floor, a cart's or another prop's top.
    surface: float = 0.0


class ManipulationSkill:
    """Shared attempt structure of reach, grasp and lift (a skill runs up to its ``depth``)."""

    name = ""
    description = ""
    parameters: tuple[ParameterSpec, ...] = ()
    depth = 0  # 1 reach, 2 grasp, 3 lift
    #: Whether the hand must open around the object (a push does not: it is not refused for
    #: an object wider than the hand opens).
    closes_on_object = True
    #: How far above the object's centre the grasp point goes (m): pour holds a mug by the top
    #: of its walls, the palm clear of its mouth.
    grasp_raise = 0.0

    def __init__(self, io: RobotIO, kinematics: ArmKinematics) -> None:
        self.io = io
        self.kinematics = kinematics

    #: What the robot must have for this skill (reach, grasp and lift close a hand on an object).
    requires = "a hand or gripper that can hold an object (kind parallel_jaw or multi_finger)"

    def missing_capability(self) -> str | None:
        """Why this robot cannot do the skill at all (None when it can)."""
        robot = self.kinematics.robot
        if robot.grippers:
            return None
        kinds = ", ".join(f"{n}: {h.kind.value}" for n, h in sorted(robot.hands.items()))
        return (
            f"{robot.name} cannot {self.name}: it needs {self.requires}; its hands are "
            f"{kinds or '(none)'} (model.yaml hands)"
        )

    def check_goal(self, params: Mapping[str, ParamValue]) -> str | None:
        """Refuse a goal this robot cannot do, or naming an object this station does not have
        (before any attempt)."""
        missing = self.missing_capability()
        if missing is not None:
            return missing
        return unknown_object(self.io, params)

    # -- the attempt ---------------------------------------------------------------------------
    def run_attempt(self, ctx: SkillContext, params: Mapping[str, ParamValue]) -> AttemptResult:
        metrics: dict[str, tuple[float, str]] = {}
        missing = self.missing_capability()
        if missing is not None:
            return AttemptResult(SkillOutcome.REJECTED, missing, metrics, FailureReason.REFUSED)
        try:
            plan = self._plan(ctx, params, metrics)
            return self._execute(ctx, params, plan, metrics)
        except _AttemptEnd as stop:
            stopped = stop.outcome in (SkillOutcome.ESTOPPED, SkillOutcome.CANCELED)
            failure = stop_failure(stop.outcome) if stopped else stop.failure
            return AttemptResult(stop.outcome, stop.reason, metrics, failure)
        except RobotIOError as error:
            return AttemptResult(
                SkillOutcome.ABORTED, str(error), metrics, FailureReason.MOTION_FAILED
            )

    def _scene(self, ctx: SkillContext, params: Mapping[str, ParamValue]) -> StationObservation:
        """The station at the attempt's start: reset to new random poses unless the goal says
        ``reset_scene: false``."""
        if params.get("reset_scene", True):
            ctx.phase("reset_scene", 0.0)
            return self.io.reset_station()
        return self.io.station()

    def _plan(
        self,
        ctx: SkillContext,
        params: Mapping[str, ParamValue],
        metrics: dict[str, tuple[float, str]],
    ) -> _Plan:
        observation = self._scene(ctx, params)
        name = str(params["object"])
        obj = observation.objects.get(name)
        if obj is None:
            known = ", ".join(sorted(observation.objects)) or "(none)"
            raise _AttemptEnd(
                SkillOutcome.REJECTED,
                f"unknown object {name!r}; this station has {known}",
                FailureReason.REFUSED,
            )
        ctx.phase("plan", 0.05)
        arm = self.kinematics.arm_for(obj.position[1])
        hand = self.kinematics.robot.hands[arm.gripper]
        needed = obj.grip_width + GRASP_WIDTH_TOLERANCE
        if self.closes_on_object and needed > hand.max_opening:
            raise _AttemptEnd(
                SkillOutcome.REJECTED,
                f"{name} is {obj.grip_width:.3f} m across: too wide for the {arm.name} arm's "
                f"{hand.name}, which opens {hand.max_opening:.3f} m (it needs {needed:.3f} m: "
                f"the object plus {GRASP_WIDTH_TOLERANCE} m)",
                failure=FailureReason.REFUSED,
            )
        depth = self.kinematics.hand_depth(arm)
        surface = observation.surface_under(name)
        grasp_z = max(obj.position[2] + self.grasp_raise, surface + TABLE_CLEARANCE + depth)
        target = (obj.position[0], obj.position[1], grasp_z)
        yaws = grasp_yaws(obj.quaternion, obj.shape)
        poses = top_down_poses(self.kinematics, arm, target, yaws, self.io.joint_positions())
        above, at, yaw = poses.above, poses.at, poses.yaw
        metrics["ik_position_error"] = (max(above.position_error, at.position_error), "m")
        if not poses.reachable:
            solution = above if poses.worst == "above" else at
            x, y, z = obj.position
            raise _AttemptEnd(
                SkillOutcome.REJECTED,
                f"{name} at ({x:.2f}, {y:.2f}, {z:.2f}) m is out of reach of the {arm.name} "
                f"arm: the best pose {poses.worst} it ends {solution.position_error:.3f} m and "
                f"{solution.orientation_error:.2f} rad from the grasp pose (hand yaw "
                f"{yaw:.2f} rad, best of {len(yaws)} tried)",
                failure=FailureReason.OUT_OF_REACH,
            )
        start = surface - observation.table_height
        return _Plan(arm.name, arm.gripper, target, yaw, above, at, obj, surface=start)

    def _execute(
        self,
        ctx: SkillContext,
        params: Mapping[str, ParamValue],
        plan: _Plan,
        metrics: dict[str, tuple[float, str]],
    ) -> AttemptResult:
        speed = float(params["speed"])
        # Never more than the hand opens: the jaws would stop short and never report the goal.
        # A multi-finger hand opens fully: part-way along its synergy the fingers curl under
        # the palm, into the object's way.
        hand = self._hand_spec(plan)
        width = (
            hand.max_opening
            if hand.kind is HandKind.MULTI_FINGER
            else min(float(params["grip_width"]), hand.max_opening)
        )
        ctx.phase("open_gripper", 0.1)
        opened = self._grip(ctx, plan.gripper, width, 0.0)
        needed = plan.obj.grip_width + GRASP_WIDTH_TOLERANCE
        if opened.position < needed:
            metrics["jaw_opening"] = (opened.position, "m")
            return AttemptResult(
                SkillOutcome.FAILED,
                f"the jaws did not open around {plan.obj.name}: opening {opened.position:.3f} m, "
                f"it needs {needed:.3f} m (gripper result: {opened.reason})",
                metrics,
                failure=FailureReason.MISSED,
            )
        ctx.phase("approach", 0.15)
        self._move(ctx, plan.above.positions, speed)
        ctx.phase("descend", 0.3)
        self._move(ctx, plan.at.positions, speed)
        ctx.sleep(0.2)  # let the servos settle before measuring
        result = self._judge_reach(plan, metrics)
        if self.depth == 1 or result is not None:
            self._retreat(ctx, plan, speed, None)
            return result or AttemptResult(SkillOutcome.SUCCEEDED, "", metrics)
        ctx.phase("close_gripper", 0.45)
        grip = self._grip(ctx, plan.gripper, 0.0, float(params["grip_force"]))
        ctx.sleep(0.2)
        result = self._judge_grasp(plan, grip, float(params["grip_force"]), metrics)
        if result is None:
            obj = self.io.station().objects[plan.obj.name]
            plan.held = np.array(obj.position) - self._hand(plan)
        if self.depth == 2 or result is not None:
            self._retreat(ctx, plan, speed, width)
            return result or AttemptResult(SkillOutcome.SUCCEEDED, "", metrics)
        height = float(params["height"])
        ctx.phase("lift", 0.6)
        lifted = (plan.target[0], plan.target[1], plan.target[2] + height)
        arm = self.kinematics.robot.arms[plan.arm_name]
        # Holding the object, the height matters more than keeping the hand exactly vertical.
        up = self._solve_holding(arm, lifted, plan.yaw)
        if up.position_error > REACH_POSITION_TOLERANCE:
            self._retreat(ctx, plan, speed, width)
            return AttemptResult(
                SkillOutcome.REJECTED,
                f"cannot raise the hand {height:.3f} m here: IK ends {up.position_error:.3f} m "
                "short",
                metrics,
                failure=FailureReason.OUT_OF_REACH,
            )
        self._move(ctx, up.positions, speed)
        # Let the servos finish the last millimetres and the station publish poses taken after
        # the motion (station/state comes at 10 Hz), so the hold measures the held object only.
        ctx.sleep(SETTLE_S)
        ctx.phase("hold", 0.75)
        result = self._judge_lift(ctx, plan, height, float(params["hold_time"]), metrics)
        if self.depth >= 4 and result is None:
            return self._carry_and_place(ctx, params, plan, lifted, width, metrics)
        ctx.phase("place", 0.9)
        self._place(ctx, plan, speed)
        self._retreat(ctx, plan, speed, width)
        return result or AttemptResult(SkillOutcome.SUCCEEDED, "", metrics)

    def _carry_and_place(
        self,
        ctx: SkillContext,
        params: Mapping[str, ParamValue],
        plan: _Plan,
        lifted: tuple[float, float, float],
        width: float,
        metrics: dict[str, tuple[float, str]],
    ) -> AttemptResult:
        """Carry the lifted object over the skill's :meth:`_goal` (high enough to clear what
        stands there), set it down, let go, rise straight up; then :meth:`_judge_goal`."""
        speed = float(params["speed"])
        goal = self._goal(params, plan)
        if isinstance(goal, AttemptResult):  # the goal names what the station lacks
            self._place(ctx, plan, speed)
            self._retreat(ctx, plan, speed, width)
            return AttemptResult(goal.outcome, goal.reason, metrics, goal.failure)
        arm = self.kinematics.robot.arms[plan.arm_name]
        yaw = plan.yaw + goal.turn
        carry_z = max(lifted[2], self._carry_height(plan, goal))
        ctx.phase("carry", 0.8)
        hand_x, hand_y = self._hand_over(plan, goal)
        over = self._solve_holding(arm, (hand_x, hand_y, carry_z), yaw)
        if over.position_error > REACH_POSITION_TOLERANCE:
            self._place(ctx, plan, speed)
            self._retreat(ctx, plan, speed, width)
            return AttemptResult(
                SkillOutcome.REJECTED,
                f"cannot carry {plan.obj.name} to ({goal.x:.2f}, {goal.y:.2f}) m: IK ends "
                f"{over.position_error:.3f} m short",
                metrics,
                failure=FailureReason.OUT_OF_REACH,
            )
        self._move(ctx, over.positions, speed)
        self._align_over(ctx, plan, goal, carry_z, yaw, speed)
        ctx.phase("place", 0.88)
        self._place(ctx, plan, speed, goal)
        ctx.phase("release", 0.92)
        self._grip(ctx, plan.gripper, width, 0.0)
        ctx.phase("retreat", 0.95)
        self._rise_to_ready(ctx, plan, speed, yaw)
        return self._judge_goal(plan, goal, metrics)

    def _carry_height(self, plan: _Plan, goal: PlaceGoal) -> float:
        """The grasp point's height that carries the object's bottom CARRY_CLEARANCE over what
        stands at the goal (``goal.clear`` above the table) and over the tops of the other
        props near its way there (goods already on a shelf)."""
        world = self.io.station()
        start = np.array(plan.obj.position[:2])
        end = np.array([goal.x, goal.y])
        tallest = goal.clear
        for other in world.objects.values():
            if other.name == plan.obj.name:
                continue
            point = np.array(other.position[:2])
            way = end - start
            share = float(np.clip(np.dot(point - start, way) / max(np.dot(way, way), 1e-9), 0, 1))
            if np.linalg.norm(point - (start + share * way)) <= CARRY_CORRIDOR:
                top = other.position[2] + other.size[2] / 2 - world.table_height
                tallest = max(tallest, top)
        bottom_to_grasp = plan.target[2] - (plan.obj.position[2] - plan.obj.size[2] / 2)
        return world.table_height + tallest + CARRY_CLEARANCE + bottom_to_grasp

    def _align_over(
        self,
        ctx: SkillContext,
        plan: _Plan,
        goal: PlaceGoal,
        height: float,
        yaw: float,
        speed: float,
    ) -> None:
        """Measure where the carried object is and move the hand by what it is off the goal
        (the hand tilts a little under load: a held peg's bottom swings off the hole), up to
        ALIGN_STEPS times."""
        arm = self.kinematics.robot.arms[plan.arm_name]
        for _ in range(ALIGN_STEPS):
            ctx.sleep(SETTLE_S)
            obj = self.io.station().objects[plan.obj.name]
            dx, dy = goal.x - obj.position[0], goal.y - obj.position[1]
            if math.hypot(dx, dy) <= ALIGN_TOLERANCE:
                return
            hand = self._hand(plan)
            fix = self._solve_holding(arm, (hand[0] + dx, hand[1] + dy, height), yaw)
            if fix.position_error > REACH_POSITION_TOLERANCE:
                return
            self._move(ctx, fix.positions, speed / 2)

    def _hand_over(self, plan: _Plan, goal: PlaceGoal) -> tuple[float, float]:
        """Where the hand goes so that the object, where the grasp left it in the hand (its
        offset turned with the hand), comes over the goal: a peg off the grasp point by 5 mm
        would miss a hole 4 mm wider than it."""
        if plan.held is None:
            return goal.x, goal.y
        dx, dy = float(plan.held[0]), float(plan.held[1])
        c, s = math.cos(goal.turn), math.sin(goal.turn)
        return goal.x - (c * dx - s * dy), goal.y - (s * dx + c * dy)

    def _goal(self, params: Mapping[str, ParamValue], plan: _Plan) -> PlaceGoal | AttemptResult:
        """Where the carried object goes (``place``: ``distance`` toward the robot's midline);
        an AttemptResult refuses (the goal names a fixture this station lacks)."""
        start = plan.obj.position
        toward_middle = -1.0 if start[1] > 0 else 1.0
        return PlaceGoal(start[0], start[1] + toward_middle * float(params["distance"]))

    def _judge_goal(
        self, plan: _Plan, goal: PlaceGoal, metrics: dict[str, tuple[float, str]]
    ) -> AttemptResult:
        """Success for ``place``: :meth:`_judge_placed` at the goal."""
        return self._judge_placed(plan, (goal.x, goal.y), metrics)

    def _rise_to_ready(
        self, ctx: SkillContext, plan: _Plan, speed: float, yaw: float | None = None
    ) -> None:
        """Raise the hand straight up by APPROACH_HEIGHT from where it is (not sweeping across
        what it just left), at hand yaw ``yaw`` (default the grasp's), go to the ready posture
        and let the props settle."""
        arm = self.kinematics.robot.arms[plan.arm_name]
        x, y, z = (float(v) for v in self._hand(plan))
        turn = plan.yaw if yaw is None else yaw
        up = self._solve_holding(arm, (x, y, z + APPROACH_HEIGHT), turn)
        self._move(ctx, up.positions, speed)
        self._move(ctx, arm.ready, speed)
        ctx.sleep(SETTLE_S)

    def _not_standing(
        self, plan: _Plan, height: float, metrics: dict[str, tuple[float, str]]
    ) -> AttemptResult | None:
        """A failure when the object's centre is off its resting height (tipped over, held up,
        fallen): ``height`` m from where it rested before the attempt."""
        metrics["height_above_start"] = (height, "m")
        if abs(height) <= PLACE_HEIGHT_TOLERANCE:
            return None
        return AttemptResult(
            SkillOutcome.FAILED,
            f"{plan.obj.name} does not stand on the table: its centre is {height:+.3f} m from "
            f"its resting height (tolerance {PLACE_HEIGHT_TOLERANCE} m)",
            metrics,
            failure=FailureReason.TIPPED_OVER,
        )

    def _judge_placed(
        self, plan: _Plan, goal: tuple[float, float], metrics: dict[str, tuple[float, str]]
    ) -> AttemptResult:
        """Success: the object rests on the table (its centre at the height it started at,
        within PLACE_HEIGHT_TOLERANCE) within PLACE_TARGET_TOLERANCE of the target."""
        obj = self.io.station().objects[plan.obj.name]
        off = math.hypot(obj.position[0] - goal[0], obj.position[1] - goal[1])
        metrics["distance_to_target"] = (off, "m")
        name = plan.obj.name
        fallen = self._not_standing(plan, obj.position[2] - plan.obj.position[2], metrics)
        if fallen is not None:
            return fallen
        if off > PLACE_TARGET_TOLERANCE:
            return AttemptResult(
                SkillOutcome.FAILED,
                f"{name} rests {off:.3f} m from the target ({goal[0]:.2f}, {goal[1]:.2f}) m "
                f"(tolerance {PLACE_TARGET_TOLERANCE} m)",
                metrics,
                failure=FailureReason.MISSED,
            )
        return AttemptResult(SkillOutcome.SUCCEEDED, "", metrics)

    def _place(
        self, ctx: SkillContext, plan: _Plan, speed: float, goal: PlaceGoal | None = None
    ) -> None:
        """Lower what the jaws still hold until it is just above where it rested (or, at a
        ``goal``, above the surface there: the table, a bin's floor, a block's top).

        The hand goes down by the object's own rise, not back to the grasp pose: an object that
        slipped in the jaws would otherwise be pressed into the table, and the arm, blocked, would
        never come to rest. An object no longer between the jaws is not placed: lowering an empty
        hand onto it would push into it.
        """
        distance, obj = self._in_hand_distance(plan)
        if distance > self._pad_depth(plan) + plan.obj.size[2] / 2:
            return
        base = 0.0 if goal is None else goal.base - plan.surface  # from where it stood
        rise = obj.position[2] - plan.obj.position[2] - base - PLACE_CLEARANCE
        if rise <= 0:
            return
        hand = self._hand(plan)
        # Over a goal, straight down from where the carry (and its alignment) left the hand.
        x, y = (plan.target[0], plan.target[1]) if goal is None else (hand[0], hand[1])
        target = (float(x), float(y), float(hand[2]) - rise)
        arm = self.kinematics.robot.arms[plan.arm_name]
        yaw = plan.yaw + (0.0 if goal is None else goal.turn)
        down = self._solve_holding(arm, target, yaw)
        self._move(ctx, down.positions, speed)

    def _solve_holding(
        self, arm: ArmSpec, target: tuple[float, float, float], yaw: float
    ) -> IkSolution:
        """IK for a hand that holds something: from where the arm is, no restarts (a jump to
        another posture would swing the object), height before exact verticality."""
        return self.kinematics.solve(
            arm,
            target,
            yaw,
            self.io.joint_positions(),
            orientation_cost=LIFT_ORIENTATION_COST,
            restarts=False,
        )

    # -- measurements --------------------------------------------------------------------------
    def _hand(self, plan: _Plan) -> np.ndarray:
        arm = self.kinematics.robot.arms[plan.arm_name]
        return self.kinematics.grasp_point(arm, self.io.joint_positions())

    def _judge_reach(
        self, plan: _Plan, metrics: dict[str, tuple[float, str]]
    ) -> AttemptResult | None:
        hand = self._hand(plan)
        obj = self.io.station().objects[plan.obj.name]
        now = np.array(obj.position)
        axis_error = float(np.hypot(*(hand[:2] - now[:2])))
        height_error = abs(float(hand[2]) - plan.target[2])
        pushed = float(np.linalg.norm(now - np.array(plan.obj.position)))
        metrics["reach_axis_error"] = (axis_error, "m")
        metrics["reach_height_error"] = (height_error, "m")
        metrics["object_pushed"] = (pushed, "m")
        name = plan.obj.name
        if pushed > OBJECT_PUSH_TOLERANCE:
            return AttemptResult(
                SkillOutcome.FAILED,
                f"the hand pushed {name} {pushed:.3f} m while reaching",
                metrics,
                failure=FailureReason.PUSHED_AWAY,
            )
        if axis_error > REACH_AXIS_TOLERANCE or height_error > REACH_HEIGHT_TOLERANCE:
            return AttemptResult(
                SkillOutcome.FAILED,
                f"the hand ended {axis_error:.3f} m off {name}'s axis and {height_error:.3f} m "
                f"off the grasp height (tolerances {REACH_AXIS_TOLERANCE} m, "
                f"{REACH_HEIGHT_TOLERANCE} m)",
                metrics,
                failure=FailureReason.MISSED,
            )
        return None

    def _pad_depth(self, plan: _Plan) -> float:
        return self.kinematics.hand_depth(self.kinematics.robot.arms[plan.arm_name])

    def _hand_spec(self, plan: _Plan) -> HandSpec:
        return self.kinematics.robot.hands[plan.gripper]

    def _in_hand_distance(self, plan: _Plan) -> tuple[float, ObjectObservation]:
        """How far the object is from where it should be in the hand: once grasped, where the
        grasp left it (``plan.held``); before, its centre under the grasp point by the planned
        offset (a hand whose fingers reach deeper than a short object is tall takes it with the
        lower part of its pads: Talos, 5 cm below the grasp point)."""
        hand = self._hand(plan)
        obj = self.io.station().objects[plan.obj.name]
        if plan.held is not None:
            expected = hand + plan.held
        else:
            expected = hand - np.array([0.0, 0.0, plan.target[2] - plan.obj.position[2]])
        return float(np.linalg.norm(np.array(obj.position) - expected)), obj

    def _judge_grasp(
        self,
        plan: _Plan,
        grip: GripResult,
        grip_force: float,
        metrics: dict[str, tuple[float, str]],
    ) -> AttemptResult | None:
        """Prismatic jaws: their opening (exact: the sum of the fingers' travel) is the object's
        width. Revolute fingers (a linkage gripper, a multi-finger hand): the opening read from
        their closure is only an estimate, so they must have stopped on something short of
        closed (a stall), with the object at the grasp point."""
        hand = self._hand_spec(plan)
        positions = self.io.joint_positions()
        opening = hand.opening(positions)
        distance, _ = self._in_hand_distance(plan)
        expected = plan.obj.grip_width
        metrics["jaw_opening"] = (opening, "m")
        metrics["grip_effort"] = (grip.effort, "N")
        metrics["object_to_grasp_point"] = (distance, "m")
        name = plan.obj.name
        if self._exact_opening(plan):
            closed_on_it = opening <= expected + GRASP_WIDTH_TOLERANCE
            inside = opening >= expected - GRASP_WIDTH_TOLERANCE
        else:
            closure = hand.closure(positions)
            metrics["hand_closure"] = (closure, "")
            # It squeezes: a limp (unpowered) hand pushed shut by the object exerts nothing.
            limits = self.kinematics.robot.urdf.limits
            commanded = float(np.mean([min(grip_force, limits[j].effort) for j in hand.joints]))
            squeezing = grip.effort >= SQUEEZE_FRACTION * commanded
            closed_on_it = (
                (grip.stalled or grip.reached_goal) and closure >= CLOSED_SOME and squeezing
            )
            inside = closure < FULLY_CLOSED
        if not closed_on_it:
            return AttemptResult(
                SkillOutcome.FAILED,
                f"the jaws did not close on {name}: opening {opening:.3f} m, object "
                f"{expected:.3f} m wide (gripper result: {grip.reason or 'no motion'})",
                metrics,
                failure=FailureReason.MISSED,
            )
        if not inside or distance > GRASP_PLACE_TOLERANCE:
            return AttemptResult(
                SkillOutcome.FAILED,
                f"{name} is not between the jaws: opening {opening:.3f} m for a "
                f"{expected:.3f} m object, {distance:.3f} m from the grasp point",
                metrics,
                failure=FailureReason.MISSED,
            )
        return None

    def _exact_opening(self, plan: _Plan) -> bool:
        types = self.kinematics.robot.urdf.joint_types
        return all(types[j] == "prismatic" for j in self._hand_spec(plan).joints)

    def _judge_lift(
        self,
        ctx: SkillContext,
        plan: _Plan,
        height: float,
        hold_time: float,
        metrics: dict[str, tuple[float, str]],
    ) -> AttemptResult | None:
        lowest, highest = math.inf, -math.inf
        farthest = 0.0
        first = last = math.nan  # object to grasp point at the first and last samples (m)
        began = ctx.now()
        while ctx.now() - began < hold_time:
            distance, obj = self._in_hand_distance(plan)
            rise = obj.position[2] - plan.obj.position[2]
            lowest, highest = min(lowest, rise), max(highest, rise)
            farthest = max(farthest, distance)
            first = distance if math.isnan(first) else first
            last = distance
            self._check_stop(ctx)
            ctx.sleep(0.05)
        metrics["lift_height_min"] = (lowest, "m")
        metrics["lift_height_max"] = (highest, "m")
        metrics["object_to_grasp_point_max"] = (farthest, "m")
        name = plan.obj.name
        asked = f"of the {height:.3f} m asked during the {hold_time:.1f} s hold"
        # Farther than this from the grasp point the object is no longer between the pads.
        out_of_jaws = self._pad_depth(plan) + plan.obj.size[2] / 2
        if farthest <= IN_HAND_TOLERANCE:
            if lowest < LIFT_FRACTION * height:
                return AttemptResult(
                    SkillOutcome.FAILED,
                    f"{name} rose only {max(lowest, 0.0):.3f} m {asked}, held in the hand "
                    f"(within {farthest:.3f} m of the grasp point): the hand did not raise it",
                    metrics,
                    failure=FailureReason.MOTION_FAILED,
                )
            return None
        if last > out_of_jaws and first <= out_of_jaws:
            return AttemptResult(
                SkillOutcome.FAILED,
                f"{name} dropped out of the hand during the hold: it rose {highest:.3f} m "
                f"{asked}, then ended {last:.3f} m from the grasp point",
                metrics,
                failure=FailureReason.DROPPED,
            )
        if last > out_of_jaws:
            return AttemptResult(
                SkillOutcome.FAILED,
                f"{name} slipped out of the jaws while lifting: it rose only "
                f"{max(highest, 0.0):.3f} m {asked} and stayed {last:.3f} m from the grasp "
                "point (the grip did not hold its weight)",
                metrics,
                failure=FailureReason.DROPPED,
            )
        return AttemptResult(
            SkillOutcome.FAILED,
            f"{name} slipped in the hand: {farthest:.3f} m from the grasp point (tolerance "
            f"{IN_HAND_TOLERANCE} m); it rose {max(lowest, 0.0):.3f} to {highest:.3f} m {asked}",
            metrics,
            failure=FailureReason.SLIPPED,
        )

    # -- motion helpers --------------------------------------------------------------------------
    def _check_stop(self, ctx: SkillContext) -> None:
        stop = ctx.stop_requested()
        if stop is not None:
            raise _AttemptEnd(stop, f"stopped ({stop.name.lower()})", stop_failure(stop))

    def _move(self, ctx: SkillContext, joints: Mapping[str, float], speed: float) -> None:
        self._check_stop(ctx)
        arm = next(a for a in self.kinematics.robot.arms.values() if set(joints) <= set(a.joints))
        current = self.io.joint_positions()
        start = self.kinematics.grasp_point(arm, current)
        end = self.kinematics.grasp_point(arm, {**current, **joints})
        duration = max(
            MIN_MOVE_S,
            float(np.linalg.norm(end - start)) / speed,
            self._joint_limited_duration(current, joints),
        )
        result = self.io.move(joints, duration, lambda: ctx.stop_requested() is not None)
        if not result.ok:
            self._check_stop(ctx)
            raise _AttemptEnd(
                outcome_for_code(result.code),
                f"motion failed ({result.code.name}): {result.reason}",
                failure=FailureReason.MOTION_FAILED,
            )

    def _joint_limited_duration(
        self, current: Mapping[str, float], joints: Mapping[str, float]
    ) -> float:
        """Shortest time (s) that keeps every joint's peak speed under its share of the URDF
        velocity limit, and its peak acceleration under its share of what its effort limit
        gives it (a weak wrist carrying a hand lags behind a fast cubic: Romeo's wrist pitch,
        0.6 N.m, gets 50 rad/s^2)."""
        limits = self.kinematics.robot.urdf.limits
        accelerations = self.kinematics.acceleration_limits(current)
        longest = 0.0
        for name, target in joints.items():
            travel = abs(target - current[name])
            velocity = limits[name].velocity
            if velocity > 0:
                peak = PEAK_TO_MEAN_SPEED * travel
                longest = max(longest, peak / (VELOCITY_LIMIT_FRACTION * velocity))
            acceleration = ACCELERATION_LIMIT_FRACTION * accelerations[name]
            if acceleration > 0:  # a cubic rest-to-rest move peaks at 6 travel / T^2
                longest = max(longest, math.sqrt(PEAK_ACCELERATION * travel / acceleration))
        return longest

    def _grip(self, ctx: SkillContext, gripper: str, width: float, effort: float) -> GripResult:
        self._check_stop(ctx)
        result = self.io.grip(gripper, width, effort, lambda: ctx.stop_requested() is not None)
        if not result.ok:
            self._check_stop(ctx)
            raise _AttemptEnd(
                outcome_for_code(result.code),
                f"gripper {gripper} failed ({result.code.name}): {result.reason}",
                failure=FailureReason.MOTION_FAILED,
            )
        return result

    def _retreat(
        self, ctx: SkillContext, plan: _Plan, speed: float, release_width: float | None
    ) -> None:
        """Open the jaws to ``release_width`` (unless None), back up above, then go to ready."""
        if release_width is not None:
            ctx.phase("release", 0.95)
            self._grip(ctx, plan.gripper, release_width, 0.0)
        ctx.phase("retreat", 0.97)
        self._move(ctx, plan.above.positions, speed)
        arm = self.kinematics.robot.arms[plan.arm_name]
        self._move(ctx, arm.ready, speed)  # the model's posture between attempts


#: How reaching for an object fails (grasp fails the same ways; lift also slips and drops).
REACH_FAILURES = (
    FailureReason.MISSED,
    FailureReason.PUSHED_AWAY,
    FailureReason.OUT_OF_REACH,
    FailureReason.MOTION_FAILED,
    FailureReason.REFUSED,
    FailureReason.ESTOPPED,
    FailureReason.CANCELED,
)


@register_skill(
    category="manipulation",
    verbs=("reach for", "reach to", "reach towards", "reach", "touch", "move to",
           "move your hand to", "go to"),
    requires=(Capability.ARM, Capability.HAND),
    success="the open hand is around the object (within the jaws' opening and the grasp "
    "height tolerance) and the object was not pushed more than 2 cm",
    failures=REACH_FAILURES,
)  # fmt: skip
class ReachSkill(ManipulationSkill):
    """Bring the open hand around an object."""

    name = "reach"
    description = "bring the open hand around an object (success: jaws around it, not pushed)"
    parameters = (OBJECT, SPEED, RESET, GRIP_WIDTH)
    depth = 1


@register_skill(
    category="manipulation",
    verbs=("grasp", "grab", "grip", "take hold of"),
    requires=(Capability.ARM, Capability.HAND),
    success="the jaws closed on the object: prismatic jaws at its width (+-12 mm), revolute "
    "fingers stalled short of closed and squeezing, the object within 3 cm of the grasp point",
    failures=REACH_FAILURES,
)  # fmt: skip
class GraspSkill(ManipulationSkill):
    """Reach an object and close the jaws on it."""

    name = "grasp"
    description = "reach an object and close the jaws on it (success: jaws stall on it)"
    parameters = (OBJECT, SPEED, RESET, GRIP_WIDTH, GRIP_FORCE)
    depth = 2


@register_skill(
    category="manipulation",
    verbs=("lift up", "lift", "pick up", "raise"),
    requires=(Capability.ARM, Capability.HAND),
    success="the object rose by the requested height and stayed within 1.5 cm of where the "
    "grasp left it in the hand for hold_time",
    failures=(*REACH_FAILURES, FailureReason.SLIPPED, FailureReason.DROPPED),
)  # fmt: skip
class LiftSkill(ManipulationSkill):
    """Grasp an object, lift it, hold it, put it back."""

    name = "lift"
    description = "grasp an object and lift it (success: it stays up in the hand for hold_time)"
    parameters = (OBJECT, SPEED, RESET, GRIP_WIDTH, GRIP_FORCE, HEIGHT, HOLD_TIME)
    depth = 3


@register_skill(
    category="manipulation",
    verbs=("place", "put", "carry", "set down"),
    requires=(Capability.ARM, Capability.HAND),
    carries=True,
    success="the object, lifted and carried distance m toward the robot's midline, rests on "
    "the table (centre within 1 cm of its resting height) within 3 cm of the target",
    failures=(
        *REACH_FAILURES, FailureReason.SLIPPED, FailureReason.DROPPED, FailureReason.TIPPED_OVER
    ),
)  # fmt: skip
class PlaceSkill(ManipulationSkill):
    """Pick an object up, carry it toward the midline and set it down at the target."""

    name = "place"
    description = (
        "pick an object up and set it down distance m toward the robot's midline (success: it "
        "rests on the table within 3 cm of the target)"
    )
    parameters = (OBJECT, SPEED, RESET, GRIP_WIDTH, GRIP_FORCE, HEIGHT, HOLD_TIME, DISTANCE)
    depth = 4


PUSH_DISTANCE = ParameterSpec(
    "distance", float, "how far to move it", default=0.08, unit="m", minimum=0.02, maximum=0.20,
)  # fmt: skip
#: The closed hand comes down this far behind the object's face it pushes (m).
PUSH_GAP = 0.03
#: It pushes this much higher than it would grasp (m), in PUSH_WAYPOINTS straight steps: a
#: single joint-space move from behind to ahead sags and drags the fingertips on the table.
PUSH_RAISE = 0.015
PUSH_WAYPOINTS = 4
#: A push must move the object at least this share of ``distance`` the way it was pushed, at
#: most PUSH_LATERAL_TOLERANCE across it, and leave it standing (PLACE_HEIGHT_TOLERANCE).
PUSH_SHARE = 0.8
PUSH_LATERAL_TOLERANCE = 0.03
#: A pushed object's centre must end this far inside the table's edges (m).
EDGE_MARGIN = 0.01
PUSH_FAILURES = (*REACH_FAILURES, FailureReason.TIPPED_OVER)


class PushSkill(ManipulationSkill):
    """Move an object across the table with the closed hand, the way :meth:`_direction` says:
    the hand comes down behind the face opposite that way and moves through it."""

    name = "push"
    description = (
        "push an object distance m away across the table with the closed hand (success: it "
        "slid at least 80 % of that, straight, still standing)"
    )
    parameters: tuple[ParameterSpec, ...] = (OBJECT, SPEED, RESET, GRIP_FORCE, PUSH_DISTANCE)
    depth = 0  # its own motion: see _execute
    closes_on_object = False
    verb = "pushed"

    def _direction(
        self, params: Mapping[str, ParamValue], obj: ObjectObservation
    ) -> tuple[float, float]:
        """The unit vector (x, y) the object is moved along: away from the robot."""
        return (1.0, 0.0)

    def _execute(
        self,
        ctx: SkillContext,
        params: Mapping[str, ParamValue],
        plan: _Plan,
        metrics: dict[str, tuple[float, str]],
    ) -> AttemptResult:
        speed, distance = float(params["speed"]), float(params["distance"])
        ux, uy = self._direction(params, plan.obj)
        # It stays on the table while its centre of mass is over the table top.
        end = (plan.obj.position[0] + distance * ux, plan.obj.position[1] + distance * uy)
        off = self.io.station().off_table(*end, EDGE_MARGIN, EDGE_MARGIN)
        if off is not None:
            return AttemptResult(
                SkillOutcome.REJECTED,
                f"cannot {self.name} {plan.obj.name} {distance:.2f} m: it would end at {off}",
                metrics,
                failure=FailureReason.OUT_OF_REACH,
            )
        arm = self.kinematics.robot.arms[plan.arm_name]
        back = max(plan.obj.size[0], plan.obj.size[1]) / 2 + PUSH_GAP
        behind = (
            plan.target[0] - back * ux,
            plan.target[1] - back * uy,
            plan.target[2] + PUSH_RAISE,
        )
        poses = top_down_poses(self.kinematics, arm, behind, [plan.yaw], self.io.joint_positions())
        if not poses.reachable:
            return AttemptResult(
                SkillOutcome.REJECTED,
                f"the hand cannot come down behind {plan.obj.name}: the best pose ends "
                f"{poses.at.position_error:.3f} m from it",
                metrics,
                failure=FailureReason.OUT_OF_REACH,
            )
        ctx.phase("close_gripper", 0.1)
        self._grip(ctx, plan.gripper, 0.0, float(params["grip_force"]))
        ctx.phase("approach", 0.2)
        self._move(ctx, poses.above.positions, speed)
        ctx.phase("descend", 0.35)
        self._move(ctx, poses.at.positions, speed)
        ctx.phase(self.name, 0.5)
        travel = PUSH_GAP + distance
        for step in range(1, PUSH_WAYPOINTS + 1):
            share = travel * step / PUSH_WAYPOINTS
            ahead = (behind[0] + share * ux, behind[1] + share * uy, behind[2])
            through = self._solve_holding(arm, ahead, plan.yaw)
            if through.position_error > REACH_POSITION_TOLERANCE:
                self._move(ctx, poses.above.positions, speed)
                self._move(ctx, arm.ready, speed)
                return AttemptResult(
                    SkillOutcome.REJECTED,
                    f"the hand cannot {self.name} it {distance:.2f} m here: IK ends "
                    f"{through.position_error:.3f} m short",
                    metrics,
                    failure=FailureReason.OUT_OF_REACH,
                )
            self._move(ctx, through.positions, speed / 2)
        ctx.phase("retreat", 0.8)
        self._rise_to_ready(ctx, plan, speed)
        obj = self.io.station().objects[plan.obj.name]
        dx, dy = obj.position[0] - plan.obj.position[0], obj.position[1] - plan.obj.position[1]
        along, across = dx * ux + dy * uy, abs(dy * ux - dx * uy)
        metrics["moved_along"] = (along, "m")
        metrics["moved_across"] = (across, "m")
        name = plan.obj.name
        fallen = self._not_standing(plan, obj.position[2] - plan.obj.position[2], metrics)
        if fallen is not None:
            return fallen
        if along < PUSH_SHARE * distance or across > PUSH_LATERAL_TOLERANCE:
            return AttemptResult(
                SkillOutcome.FAILED,
                f"{name} was {self.verb} {along:.3f} m (needs {PUSH_SHARE * distance:.3f}) and "
                f"moved {across:.3f} m across that (at most {PUSH_LATERAL_TOLERANCE})",
                metrics,
                failure=FailureReason.MISSED,
            )
        return AttemptResult(SkillOutcome.SUCCEEDED, "", metrics)


register_skill(
    category="manipulation",
    verbs=("push", "shove", "push away"),
    requires=(Capability.ARM, Capability.HAND),
    success="the object slid at least 80 % of distance away from the robot, at most 3 cm "
    "sideways, and still stands on the table (centre within 1 cm of its resting height)",
    failures=PUSH_FAILURES,
)(PushSkill)


@register_skill(
    category="manipulation",
    verbs=("pull", "pull back", "drag", "pull towards you", "pull toward you"),
    requires=(Capability.ARM, Capability.HAND),
    success="the object slid at least 80 % of distance toward the robot, at most 3 cm "
    "sideways, and still stands on the table",
    failures=PUSH_FAILURES,
)  # fmt: skip
class PullSkill(PushSkill):
    """Pull an object toward the robot with the closed hand behind it."""

    name = "pull"
    description = (
        "pull an object distance m toward the robot with the closed hand (success: it slid at "
        "least 80 % of that, straight, still standing)"
    )
    verb = "pulled"
    # Props stand near the table's front edge: a short pull by default (a longer one that
    # would pull it off the table is refused).
    parameters = (
        OBJECT, SPEED, RESET, GRIP_FORCE,
        ParameterSpec("distance", float, "how far to pull it", default=0.04, unit="m",
                      minimum=0.02, maximum=0.20),
    )  # fmt: skip

    def _direction(
        self, params: Mapping[str, ParamValue], obj: ObjectObservation
    ) -> tuple[float, float]:
        return (-1.0, 0.0)


SLIDE_DIRECTION = ParameterSpec(
    "direction", str, "which way: inward (toward the robot's midline), left or right",
    default="inward", choices=("inward", "left", "right"),
)  # fmt: skip


@register_skill(
    category="manipulation",
    verbs=("slide", "slide over", "move sideways", "shift"),
    requires=(Capability.ARM, Capability.HAND),
    success="the object slid at least 80 % of distance sideways the way asked, at most 3 cm "
    "off that line, and still stands on the table",
    failures=PUSH_FAILURES,
)  # fmt: skip
class SlideSkill(PushSkill):
    """Slide an object sideways across the table with the closed hand."""

    name = "slide"
    description = (
        "slide an object distance m sideways (inward, left or right) with the closed hand "
        "(success: it slid at least 80 % of that, straight, still standing)"
    )
    parameters = (OBJECT, SPEED, RESET, GRIP_FORCE, PUSH_DISTANCE, SLIDE_DIRECTION)
    verb = "slid"

    def _direction(
        self, params: Mapping[str, ParamValue], obj: ObjectObservation
    ) -> tuple[float, float]:
        way = str(params["direction"])
        if way == "inward":
            return (0.0, -1.0 if obj.position[1] > 0 else 1.0)
        return (0.0, 1.0 if way == "left" else -1.0)


def manipulation_skills(io: RobotIO, kinematics: ArmKinematics) -> list[ManipulationSkill]:
    """The three manipulation skills over one robot."""
    return [ReachSkill(io, kinematics), GraspSkill(io, kinematics), LiftSkill(io, kinematics)]
