"""A robot run in this process on simulated time: controller manager + MuJoCo station, no DDS.

:class:`InProcessRobot` implements :class:`~academy_skills.manipulation.RobotIO` and a skill
context over the *same* controllers and physics the ``controller_manager`` node runs, stepping
them synchronously: time advances only as the skill waits. Unit tests and the success-rate
benchmark use it to run hundreds of attempts quickly; what they measure is the physics, not a
stand-in.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from academy_common.interface_constants import GripperErrorCode, TrajectoryErrorCode
from academy_control.controller_manager import (
    gripper_error_code,
    load_hardware,
    manager_for,
    trajectory_error_code,
)
from academy_control.errors import ControlError
from academy_control.trajectory import TrajectoryPoint
from academy_description.model_registry import RobotModel
from academy_sim.station import ObjectPose, Station
from academy_skills.kinematics import ArmKinematics
from academy_skills.manipulation import (
    FixtureObservation,
    GripResult,
    MotionResult,
    ObjectObservation,
    ParticlesObservation,
    StationObservation,
)
from academy_skills.skill_library import SkillDeps, SkillLibrary, SkillOutcome, library_for

TRAJECTORY_CONTROLLER = "joint_trajectory_controller"


class InProcessRobot:
    """One simulated robot at its station, driven synchronously (RobotIO + SkillContext)."""

    def __init__(
        self,
        robot: RobotModel,
        station_file: Path,
        controllers_file: Path,
        seed: int | None = None,
        disabled_joints: Sequence[str] = (),
    ) -> None:
        self.robot = robot
        hardware = load_hardware(
            robot.urdf.hardware_plugin,
            robot=robot,
            station_file=station_file,
            seed=seed,
            disabled_joints=disabled_joints,
        )
        self.station_sim: Station = hardware.station  # type: ignore[attr-defined]
        self.manager = manager_for(robot, hardware, controllers_file)
        self.phases: list[str] = []

    # -- SkillContext ---------------------------------------------------------------------------
    def now(self) -> float:
        return self.manager.time

    def stop_requested(self) -> SkillOutcome | None:
        return SkillOutcome.ESTOPPED if self.manager.estopped else None

    def phase(self, name: str, progress: float) -> None:
        self.phases.append(name)

    def sleep(self, seconds: float) -> None:
        end = self.manager.time + seconds
        while self.manager.time < end - 1e-9:
            self.manager.update()

    # -- RobotIO --------------------------------------------------------------------------------
    def joint_positions(self) -> dict[str, float]:
        state = self.manager.hardware.read()
        return dict(zip(self.manager.hardware.joint_names, state.positions.tolist(), strict=True))

    def station(self) -> StationObservation:
        sim = self.station_sim
        objects = {}
        for name in sim.object_names:
            spec = sim.object_spec(name)
            pose = sim.object_pose(name)
            objects[name] = ObjectObservation(
                name,
                spec.kind,
                spec.color,
                spec.shape,
                tuple(float(v) for v in pose.position),  # type: ignore[arg-type]
                tuple(float(v) for v in pose.quaternion),  # type: ignore[arg-type]
                spec.size,
            )
        table = sim.config.table
        particles = {
            bits.name: ParticlesObservation(
                bits.name,
                bits.kind,
                bits.color,
                bits.size,
                tuple(tuple(float(v) for v in p) for p in sim.particle_positions(bits.name)),  # type: ignore[misc]
            )
            for bits in sim.particles
        }
        return StationObservation(
            float(sim.table_height),
            objects,
            fixture_observations(sim),
            (*table.x_range, *table.y_range),
            particles,
        )

    def reset_station(
        self,
        fixtures: Mapping[str, float] | None = None,
        places: Mapping[str, tuple[float, float, float]] | None = None,
    ) -> StationObservation:
        poses = [ObjectPose(n, p, (1.0, 0.0, 0.0, 0.0)) for n, p in (places or {}).items()]
        self.station_sim.reset_objects(poses=poses, fixtures=fixtures)
        self.sleep(0.1)  # let the props settle on the table
        return self.station()

    def move(
        self, joints: Mapping[str, float], duration: float, stop: Callable[[], bool]
    ) -> MotionResult:
        names = list(joints)
        # Arrive at rest (zero end velocities: a cubic, not a ramp), as RosRobotIO does.
        point = TrajectoryPoint(duration, tuple(joints[n] for n in names), (0.0,) * len(names))
        try:
            goal = self.manager.follow(TRAJECTORY_CONTROLLER, names, [point])
        except ControlError as error:
            return MotionResult(trajectory_error_code(error), str(error))
        while not goal.done.is_set():
            if stop():
                self.manager.trajectory_controllers[TRAJECTORY_CONTROLLER].halt(
                    self.manager.state.positions, TrajectoryErrorCode.CANCELED, "canceled"
                )
                break
            self.manager.update()
        return MotionResult(TrajectoryErrorCode(goal.error_code), goal.reason)

    def grip(
        self, gripper: str, width: float, max_effort: float, stop: Callable[[], bool]
    ) -> GripResult:
        controller = f"{gripper}_controller"
        try:
            goal = self.manager.grip(controller, width, max_effort)
        except ControlError as error:
            return GripResult(gripper_error_code(error), 0.0, 0.0, False, False, str(error))
        while not goal.done.is_set():
            if stop():
                self.manager.gripper_controllers[controller].halt(
                    self.manager.state.positions, GripperErrorCode.CANCELED, "canceled"
                )
                break
            self.manager.update()
        reason = "stalled" if goal.stalled else ("reached" if goal.reached_goal else goal.reason)
        return GripResult(
            GripperErrorCode(goal.error_code),
            goal.position,
            goal.effort,
            goal.stalled,
            goal.reached_goal,
            reason,
        )


def fixture_observations(sim: Station) -> dict[str, FixtureObservation]:
    """The station's fixtures as the skills see them (static: from its fitted layout)."""
    seen = {}
    for f in sim.fixtures:
        joint = sim.fixture_joint(f.name)
        seen[f.name] = FixtureObservation(
            f.name,
            f.kind,
            f.color,
            (f.x, f.y, float(sim.table_height)),
            f.size,
            f.wall or 0.0,
            joint.position if joint is not None else 0.0,
            joint.travel if joint is not None else 0.0,
            joint.handle if joint is not None else None,
            f.floor,
        )
    return seen


def practice_rig(
    robot: RobotModel,
    station_file: Path,
    seed: int | None = None,
    disabled_joints: Sequence[str] = (),
) -> tuple[InProcessRobot, SkillLibrary]:
    """``robot`` at its station in this process, and every registered skill built over it:
    what ``academy practice``, the benchmarks and the skill tests run attempts on."""
    rig = InProcessRobot(
        robot, station_file, robot.controllers_file, seed=seed, disabled_joints=disabled_joints
    )
    kinematics = ArmKinematics(robot, rig.station_sim.config.pelvis_height)
    return rig, library_for(SkillDeps(rig, kinematics))
