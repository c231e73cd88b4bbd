"""The controller manager: hardware read -> controllers update -> hardware write, at a fixed rate.

Mirrors ros2_control's split: a :class:`HardwareInterface` (loaded from the plugin named in the
URDF's ``<ros2_control>`` block) exposes joint states and position commands; controllers loaded
from the YAML configuration share them. The e-stop halts every controller and latches until an
explicit reset. Thread safety: callers hold :attr:`ControllerManager.lock` around every call.
"""

from __future__ import annotations

import importlib
import threading
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from academy_common.interface_constants import GripperErrorCode, TrajectoryErrorCode
from academy_control.controller_config import (
    HAND_CONTROLLER,
    JOINT_TRAJECTORY_CONTROLLER,
    BroadcasterConfig,
    ControllerManagerConfig,
    HandControllerConfig,
    TrajectoryControllerConfig,
    load_controllers,
)
from academy_control.controllers import (
    GripperGoal,
    HandController,
    JointTrajectoryController,
    TrajectoryGoal,
)
from academy_control.errors import (
    ControlError,
    EStopEngagedError,
    HardwareError,
    InvalidJointsError,
)
from academy_control.trajectory import TrajectoryPoint, validate_trajectory
from academy_description.model_registry import HandSpec, RobotModel
from academy_description.urdf_model import JointLimits


@dataclass(frozen=True)
class JointStateSample:
    """One read of the hardware: positions, velocities, efforts in ``joint_names`` order."""

    positions: np.ndarray
    velocities: np.ndarray
    efforts: np.ndarray


class HardwareInterface(Protocol):
    """What a controller manager needs from a robot (simulated or real).

    A plugin may also offer ``create_ros_interfaces(node, lock, group)`` returning an object
    with ``publish_state()``: the node then serves those interfaces (e.g. a simulated station's
    ``station/state`` and ``station/reset``) and publishes at ``station_state_rate``.
    """

    joint_names: tuple[str, ...]

    def read(self) -> JointStateSample:
        """The joints' current state."""

    def write(self, positions: np.ndarray) -> None:
        """Position commands for every joint (finite, within limits)."""

    def set_effort_limit(self, joint: str, effort: float) -> None:
        """Limit a joint's force/torque (N or N.m)."""

    def advance(self, period: float) -> None:
        """Let ``period`` s pass (a simulator steps its physics; real hardware does nothing)."""


def load_hardware(plugin: str, **kwargs: Any) -> HardwareInterface:
    """Instantiate the hardware plugin ``package/Class`` named in ``<ros2_control>``.

    As pluginlib does for C++, the name resolves to class ``Class`` exported by the Python module
    ``package.hardware_plugins``.
    """
    package, _, cls = plugin.partition("/")
    if not package or not cls:
        raise HardwareError(f"hardware plugin {plugin!r}: expected 'package/Class'")
    try:
        module = importlib.import_module(f"{package}.hardware_plugins")
        factory = getattr(module, cls)
    except (ImportError, AttributeError) as error:
        raise HardwareError(f"hardware plugin {plugin!r} not found: {error}") from error
    hardware: HardwareInterface = factory(**kwargs)
    return hardware


#: Starts every reason a goal ends or is refused because of the e-stop (for people to read;
#: clients decide on the typed ESTOPPED code).
ESTOP_REASON = "e-stop engaged"


def trajectory_error_code(error: ControlError) -> TrajectoryErrorCode:
    """The FollowJointTrajectory code for a goal refused with ``error``."""
    if isinstance(error, EStopEngagedError):
        return TrajectoryErrorCode.ESTOPPED
    if isinstance(error, HardwareError):
        return TrajectoryErrorCode.HARDWARE_FAULT
    if isinstance(error, InvalidJointsError):
        return TrajectoryErrorCode.INVALID_JOINTS
    return TrajectoryErrorCode.INVALID_GOAL


def gripper_error_code(error: ControlError) -> GripperErrorCode:
    """The GripperCommand code for a command refused with ``error``."""
    if isinstance(error, EStopEngagedError):
        return GripperErrorCode.ESTOPPED
    if isinstance(error, HardwareError):
        return GripperErrorCode.HARDWARE_FAULT
    return GripperErrorCode.INVALID_GOAL


class LoopStatistics:
    """Start times of control cycles (s, monotonic): achieved rate and period jitter."""

    def __init__(self, capacity: int = 100_000) -> None:
        self._starts: deque[float] = deque(maxlen=capacity)

    def tick(self, start: float) -> None:
        """Record the start of one cycle."""
        self._starts.append(start)

    def summary(self, configured_rate: float) -> dict[str, float]:
        """Achieved rate (Hz), its ratio to ``configured_rate``, p99/max period jitter (ms)."""
        starts = np.array(self._starts)
        if len(starts) < 3:
            return {"cycles": float(len(starts))}
        periods = np.diff(starts)
        jitter = np.abs(periods - 1.0 / configured_rate) * 1000.0
        achieved = (len(starts) - 1) / float(starts[-1] - starts[0])
        return {
            "cycles": float(len(starts)),
            "configured_rate_hz": configured_rate,
            "achieved_rate_hz": achieved,
            "achieved_ratio": achieved / configured_rate,
            "jitter_p99_ms": float(np.percentile(jitter, 99)),
            "jitter_max_ms": float(jitter.max()),
        }


def hand_joints(robot: RobotModel) -> dict[str, tuple[str, ...]]:
    """Each hand of ``robot`` with its driven joints (what hand controllers are checked against)."""
    return {name: hand.joints for name, hand in robot.hands.items()}


def manager_for(
    robot: RobotModel,
    hardware: HardwareInterface,
    controllers_file: Path,
    update_rate: float = 0.0,
) -> ControllerManager:
    """The controller manager of ``robot`` on ``hardware``, its controllers loaded and checked
    against the hardware's joints and the model's hands.

    ``update_rate`` (Hz, > 0) overrides the file's, and caps its broadcasters' publish rates.
    """
    config = load_controllers(controllers_file, hardware.joint_names, hand_joints(robot))
    if update_rate < 0:
        raise ControlError(f"update_rate: {update_rate}: must be > 0 Hz, or 0 for the file's")
    if update_rate > 0:
        controllers = {
            name: c.model_copy(update={"publish_rate": min(c.publish_rate, update_rate)})
            if isinstance(c, BroadcasterConfig)
            else c
            for name, c in config.controllers.items()
        }
        config = config.model_copy(update={"update_rate": update_rate, "controllers": controllers})
    return ControllerManager(hardware, config, robot.urdf.limits, robot.hands)


class ControllerManager:
    """Runs the controllers of one robot over its hardware."""

    def __init__(
        self,
        hardware: HardwareInterface,
        config: ControllerManagerConfig,
        limits: Mapping[str, JointLimits],
        hands: Mapping[str, HandSpec],
    ) -> None:
        self.hardware = hardware
        self.config = config
        self.limits = limits
        self.period = 1.0 / config.update_rate
        self.lock = threading.RLock()
        self.time = 0.0  # s of control time since start (advances one period per update)
        self.estopped = False
        self.updates = 0
        joints = hardware.joint_names
        self.trajectory_controllers: dict[str, JointTrajectoryController] = {}
        self.gripper_controllers: dict[str, HandController] = {}
        for name, kind in config.types.items():
            params = config.controllers[name]
            if kind == JOINT_TRAJECTORY_CONTROLLER:
                assert isinstance(params, TrajectoryControllerConfig)
                indices = [joints.index(j) for j in params.joints]
                self.trajectory_controllers[name] = JointTrajectoryController(name, params, indices)
            elif kind == HAND_CONTROLLER:
                assert isinstance(params, HandControllerConfig)
                indices = [joints.index(j) for j in params.joints]
                # load_controllers(..., hands) has checked the hand exists with these joints
                self.gripper_controllers[name] = HandController(
                    name, params, indices, hands[params.hand]
                )
        self.state = hardware.read()
        self.commands = self.state.positions.copy()
        for controller in self._controllers():
            controller.start(self.state.positions)

    def _controllers(self) -> list[JointTrajectoryController | HandController]:
        return [*self.trajectory_controllers.values(), *self.gripper_controllers.values()]

    def update(self) -> JointStateSample:
        """One control cycle. Returns the state read at its start."""
        state = self.hardware.read()
        self.state = state
        for jtc in self.trajectory_controllers.values():
            jtc.update(self.time, state.positions, state.velocities, self.commands)
        for gripper in self.gripper_controllers.values():
            gripper.update(
                self.time, state.positions, state.velocities, state.efforts, self.commands
            )
        if not np.all(np.isfinite(self.commands)):
            # Never reach the hardware with a non-finite value, whatever a controller computed.
            self.engage_estop(f"{ESTOP_REASON}: a controller produced a non-finite command")
            self.commands = state.positions.copy()
        self.hardware.write(self.commands)
        self.hardware.advance(self.period)
        self.time += self.period
        self.updates += 1
        return state

    def follow(
        self, controller: str, joint_names: Sequence[str], points: Sequence[TrajectoryPoint]
    ) -> TrajectoryGoal:
        """Validate a trajectory and hand it to ``controller``.

        Raises:
            InvalidTrajectoryError: malformed, or faster than the URDF's velocity limits from
                where the joints are commanded now (``InvalidJointsError`` for joint names).
            EStopEngagedError: the e-stop is engaged.
        """
        jtc = self.trajectory_controllers[controller]
        start = dict(zip(jtc.joints, jtc.desired.tolist(), strict=True))
        trajectory = validate_trajectory(joint_names, points, jtc.joints, self.limits, start)
        self._check_estop()
        return jtc.accept(trajectory, self.time, self.state.positions)

    def grip(self, controller: str, width: float, max_effort: float) -> GripperGoal:
        """Command gripper ``controller``; refused while the e-stop is engaged."""
        self._check_estop()
        gripper = self.gripper_controllers[controller]
        goal = gripper.accept(width, max_effort, self.time)
        for joint in gripper.joints:  # the grip force is the fingers' force limit
            self.hardware.set_effort_limit(joint, goal.max_effort)
        return goal

    def engage_estop(self, reason: str = ESTOP_REASON) -> None:
        """Stop every motion now: end goals ESTOPPED, hold the arms where they are, latch.

        Grippers keep squeezing what they hold (see :meth:`HandController.halt`).
        """
        self.estopped = True
        self.stop_goals(TrajectoryErrorCode.ESTOPPED, GripperErrorCode.ESTOPPED, reason)
        self.commands = self.state.positions.copy()
        for gripper in self.gripper_controllers.values():
            self.commands[gripper.indices] = gripper.command_positions()

    def stop_goals(
        self, trajectory_code: TrajectoryErrorCode, gripper_code: GripperErrorCode, reason: str
    ) -> None:
        """End every active goal with these codes; arms hold where they are, jaws keep
        squeezing what they hold (the e-stop, a deactivation)."""
        positions = self.state.positions
        for jtc in self.trajectory_controllers.values():
            jtc.halt(positions, trajectory_code, reason)
        for gripper in self.gripper_controllers.values():
            gripper.halt(positions, gripper_code, reason)

    def reset_estop(self) -> None:
        """Release the latch: controllers keep holding and accept goals again."""
        self.estopped = False

    def _check_estop(self) -> None:
        if self.estopped:
            raise EStopEngagedError(
                f"{ESTOP_REASON}: no motion until it is reset (estop, data: false)"
            )
