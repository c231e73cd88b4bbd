"""Hardware plugins exported to the controller manager (``<plugin>academy_sim/MujocoSystem``).

:class:`MujocoSystem` is the simulated counterpart of a humanoid's ros2_control hardware
interface: position command interfaces, position/velocity/effort state interfaces, backed by a
MuJoCo :class:`~academy_sim.station.Station`. It can simulate actuator faults: a joint listed in
``disabled_joints`` has no power (its servo exerts no force), as when a gripper motor is off.

:class:`KinematicSystem` (``academy_sim/KinematicSystem``) is the kinematic mode, for rehearsing
large fleets: no dynamics and no contacts, each joint follows its position command as
ros2_control's ``mock_components/GenericSystem`` does (here within the joint's velocity limit,
so motions keep their real durations), and the props stay where they were placed. A disabled
joint does not move. Nothing touches the props, so only kinematic judgements hold (a reach ends
where it should); a grasp closes on air and is judged so.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from academy_control.controller_manager import JointStateSample
from academy_description.model_registry import RobotModel
from academy_sim.errors import SimError
from academy_sim.station import Station
from academy_sim.station_config import load_station

if TYPE_CHECKING:
    from rclpy.callback_groups import CallbackGroup
    from rclpy.node import Node

    from academy_sim.station_io import StationIO


class MujocoSystem:
    """Simulated hardware: one robot at one station."""

    def __init__(
        self,
        robot: RobotModel,
        station_file: Path,
        seed: int | None = None,
        disabled_joints: Sequence[str] = (),
    ) -> None:
        self.station = Station(robot, load_station(station_file), seed)
        self.joint_names = self.station.joint_names
        unknown = [j for j in disabled_joints if j not in self.joint_names]
        if unknown:
            raise SimError(f"disabled_joints: {unknown}: not joints of {robot.name}")
        self.disabled = frozenset(disabled_joints)
        for joint in self.disabled:
            self.station.set_effort_limit(joint, 0.0)

    def read(self) -> JointStateSample:
        """Joint positions, velocities, efforts."""
        return JointStateSample(
            self.station.positions(), self.station.velocities(), self.station.efforts()
        )

    def write(self, positions: np.ndarray) -> None:
        """Position targets for every joint's servo."""
        self.station.command(positions)

    def set_effort_limit(self, joint: str, effort: float) -> None:
        """Limit a servo's force; a disabled joint stays at zero."""
        if joint not in self.disabled:
            self.station.set_effort_limit(joint, effort)

    def advance(self, period: float) -> None:
        """Step physics until the simulated time has moved by ``period`` s."""
        steps = max(1, round(period / self.station.model.opt.timestep))
        self.station.step(steps)

    def create_ros_interfaces(
        self, node: Node, lock: threading.RLock, group: CallbackGroup
    ) -> StationIO:
        """``station/state`` and ``station/reset`` on ``node`` (the controller manager's)."""
        from academy_sim.station_io import StationIO  # rclpy only where a node exists

        return StationIO(node, self.station, lock, group)


class KinematicSystem(MujocoSystem):
    """Kinematic hardware: joints follow their commands, no physics (see the module doc)."""

    def __init__(
        self,
        robot: RobotModel,
        station_file: Path,
        seed: int | None = None,
        disabled_joints: Sequence[str] = (),
    ) -> None:
        super().__init__(robot, station_file, seed, disabled_joints)
        station = self.station
        self._position = station.positions()
        self._velocity = np.zeros_like(self._position)
        self._command = self._position.copy()
        self._speed_limits = np.array([robot.urdf.limits[n].velocity for n in self.joint_names])
        self._moving = np.array([n not in self.disabled for n in self.joint_names])

    def read(self) -> JointStateSample:
        """Joint positions and velocities (efforts are zero: nothing is simulated that pushes)."""
        return JointStateSample(
            self._position.copy(), self._velocity.copy(), np.zeros_like(self._position)
        )

    def write(self, positions: np.ndarray) -> None:
        """Position commands; each joint moves towards its command from the next advance."""
        self._command = np.array(positions, dtype=float)

    def set_effort_limit(self, joint: str, effort: float) -> None:
        """No forces in this mode: a limit changes nothing."""

    def advance(self, period: float) -> None:
        """Move each powered joint towards its command, at most its velocity limit x period."""
        step = np.clip(
            self._command - self._position,
            -self._speed_limits * period,
            self._speed_limits * period,
        )
        step[~self._moving] = 0.0
        self._position = self._position + step
        self._velocity = step / period
        self.station.data.time += period
