"""Every start pose a station can draw is within reach: no attempt is refused for its spawn.

For each prop of each station file, a grid over its spawn ranges (corners included, and every
yaw that makes the hand turn to either limit of ``MAX_GRASP_YAW``) is planned with the skills' own
planner (``ManipulationSkill._plan``: the arm ``arm_for`` picks, IK above and at the grasp pose,
``REACH_POSITION_TOLERANCE`` / ``REACH_ORIENTATION_TOLERANCE``) and the lift's raised pose at the
highest ``height`` a trainer may ask, as ``_execute`` solves it. No ROS graph, no physics: this
is what the planner decides before anything moves, so an unreachable start pose here is an
attempt REJECTED as "out of reach" in a demo.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from academy_description.model_registry import RobotModel, load_model
from academy_sim.station import fit_station
from academy_sim.station_config import ObjectSpec, StationConfig, load_station
from academy_skills.kinematics import MAX_GRASP_YAW, ArmKinematics, grasp_yaw
from academy_skills.manipulation import (
    HEIGHT,
    LIFT_ORIENTATION_COST,
    REACH_POSITION_TOLERANCE,
    GripResult,
    LiftSkill,
    MotionResult,
    ObjectObservation,
    StationObservation,
    _AttemptEnd,
)
from academy_skills.skill_library import SkillOutcome

ROOT = Path(__file__).resolve().parents[3]
STATIONS = sorted((ROOT / "config" / "stations").glob("*.yaml"))
#: Grid points per spawn range (x and y); the ends of each range are always among them.
GRID = 5


@dataclass(frozen=True)
class Verdict:
    """Whether the planner reaches one start pose, and the worst margin to its tolerance (m)."""

    reachable: bool
    margin: float  # REACH_POSITION_TOLERANCE minus the largest IK position error; < 0: refused
    reason: str


class _PlannerOnly:
    """RobotIO + SkillContext for planning alone: the prop where the grid puts it, arms ready."""

    def __init__(self, station: StationObservation, joints: Mapping[str, float]) -> None:
        self._station = station
        self._joints = dict(joints)

    def joint_positions(self) -> dict[str, float]:
        return dict(self._joints)

    def station(self) -> StationObservation:
        return self._station

    def reset_station(self, fixtures: object = None) -> StationObservation:  # pragma: no cover
        raise AssertionError("the grid places the prop itself")

    def move(
        self, joints: Mapping[str, float], duration: float, stop: Callable[[], bool]
    ) -> MotionResult:  # pragma: no cover
        raise AssertionError("planning never moves")

    def grip(
        self, gripper: str, width: float, max_effort: float, stop: Callable[[], bool]
    ) -> GripResult:  # pragma: no cover
        raise AssertionError("planning never grips")

    def now(self) -> float:
        return 0.0

    def stop_requested(self) -> SkillOutcome | None:
        return None

    def phase(self, name: str, progress: float) -> None:
        pass

    def sleep(self, seconds: float) -> None:
        pass


class ReachChecker:
    """Plans a lift of one prop at one start pose exactly as the lift skill would."""

    def __init__(self, robot: RobotModel, config: StationConfig) -> None:
        self.robot = robot
        self.config = config = fit_station(config, robot)
        self.kinematics = ArmKinematics(robot, config.pelvis_height)
        # The arms start every attempt in the ready posture the robot starts in (URDF initial
        # values), which is also where the skills' retreat leaves them.
        self.ready = dict(robot.urdf.initial_positions)

    def check(self, spec: ObjectSpec, x: float, y: float, yaw: float) -> Verdict:
        table = self.config.table.size[2]
        position = (x, y, table + spec.size[2] / 2)  # at rest on the table
        quaternion = (math.cos(yaw / 2), 0.0, 0.0, math.sin(yaw / 2))
        obj = ObjectObservation(
            spec.name, spec.kind, spec.color, spec.shape, position, quaternion, spec.size
        )
        io = _PlannerOnly(StationObservation(table, {spec.name: obj}), self.ready)
        skill = LiftSkill(io, self.kinematics)
        metrics: dict[str, tuple[float, str]] = {}
        try:
            plan = skill._plan(io, {"object": spec.name, "reset_scene": False}, metrics)
        except _AttemptEnd as refused:
            error = metrics.get("ik_position_error", (math.inf, "m"))[0]
            return Verdict(False, REACH_POSITION_TOLERANCE - error, refused.reason)
        # The raised pose, as _execute solves it: from the joints at the grasp pose.
        height = float(HEIGHT.maximum or 0.0)
        arm = self.robot.arms[plan.arm_name]
        lifted = (plan.target[0], plan.target[1], plan.target[2] + height)
        up = self.kinematics.solve(
            arm,
            lifted,
            plan.yaw,
            {**self.ready, **plan.at.positions},
            orientation_cost=LIFT_ORIENTATION_COST,
        )
        margin = REACH_POSITION_TOLERANCE - max(metrics["ik_position_error"][0], up.position_error)
        if up.position_error > REACH_POSITION_TOLERANCE:
            return Verdict(
                False, margin, f"cannot raise it {height} m: IK ends {up.position_error:.3f} m off"
            )
        return Verdict(True, margin, "")


def spawn_yaws(spec: ObjectSpec) -> list[float]:
    """Yaws to try: the range's ends and middle, and every yaw that turns the hand to a limit."""
    low, high = spec.spawn_yaw
    yaws = {low, high, (low + high) / 2}
    if spec.shape == "box":  # grasp_yaw squares the jaws on a box: nearest quarter turn, clipped
        for k in range(-4, 5):
            for limit in (-MAX_GRASP_YAW, MAX_GRASP_YAW):
                yaw = limit + k * math.pi / 2
                if low <= yaw <= high:
                    yaws.add(yaw)
    # Yaws that give the same hand yaw plan the same way: try each hand yaw once.
    by_hand = {round(grasp_yaw((math.cos(y / 2), 0.0, 0.0, math.sin(y / 2)), spec.shape), 9): y
               for y in sorted(yaws)}  # fmt: skip
    return sorted(by_hand.values())


def grid(spec: ObjectSpec) -> list[tuple[float, float, float]]:
    xs = np.linspace(*spec.spawn_x, GRID)
    ys = np.linspace(*spec.spawn_y, GRID)
    return [(float(x), float(y), yaw) for x in xs for y in ys for yaw in spawn_yaws(spec)]


@pytest.fixture(scope="module")
def robot() -> RobotModel:
    return load_model("aurora_h1")


def props(path: Path) -> list[tuple[Path, str]]:
    """The props one hand lifts (a tray is taken by two: test_bimanual)."""
    return [(path, obj.name) for obj in load_station(path).objects if obj.shape != "tray"]


@pytest.mark.parametrize(
    ("station_file", "name"),
    [case for path in STATIONS for case in props(path)],
    ids=lambda v: v.stem if isinstance(v, Path) else v,
)
def test_every_spawn_pose_is_within_reach(robot: RobotModel, station_file: Path, name: str) -> None:
    config = load_station(station_file)
    spec = next(o for o in config.objects if o.name == name)
    checker = ReachChecker(robot, config)
    points = grid(spec)
    verdicts = [(point, checker.check(spec, *point)) for point in points]
    refused = [
        f"x={x:.3f} y={y:.3f} yaw={yaw:.3f}: {v.reason}"
        for (x, y, yaw), v in verdicts
        if not v.reachable
    ]
    assert not refused, (
        f"{station_file.name}: {name}: {len(refused)} of {len(points)} spawn poses out of reach "
        f"(spawn_x {list(spec.spawn_x)}, spawn_y {list(spec.spawn_y)}, "
        f"spawn_yaw {list(spec.spawn_yaw)}):\n" + "\n".join(refused)
    )
    # Each arm works on its own side of the table (arm_for): the grid never crosses the middle.
    arms = {checker.kinematics.arm_for(y).name for _, y, _ in points}
    assert len(arms) == 1, f"{name}'s spawn area straddles both arms' sides: {sorted(arms)}"


def test_an_out_of_reach_pose_is_reported_unreachable(robot: RobotModel) -> None:
    """The twin: the checker does refuse what the skills refuse (the table's far edge)."""
    config = load_station(STATIONS[0])
    cube = next(o for o in config.objects if o.shape == "box")
    checker = ReachChecker(robot, config)
    far = checker.check(cube, 0.70, -0.20, 0.0)
    assert not far.reachable and "out of reach" in far.reason
    assert checker.check(cube, 0.33, -0.17, 0.0).reachable  # and reaches the middle of the area


def test_the_old_demo_ranges_had_unreachable_corners(robot: RobotModel) -> None:
    """The twin of the grid test: the ranges of the demo run in which every lift was refused
    (x 0.27..0.45 m, y -0.30..-0.12 m, yaw +-0.8 rad) fail this check."""
    config = load_station(STATIONS[0])
    cube = next(o for o in config.objects if o.shape == "box")
    old = cube.model_copy(
        update={"spawn_x": (0.27, 0.45), "spawn_y": (-0.30, -0.12), "spawn_yaw": (-0.8, 0.8)}
    )
    checker = ReachChecker(robot, config)
    refused = [p for p in grid(old) if not checker.check(old, *p).reachable]
    assert refused, "the old ranges should contain out-of-reach start poses"
    assert any(x == pytest.approx(0.45) for x, _, _ in refused)  # the far end of spawn_x
