"""Hardware plugins exported to the controller manager (``<plugin>academy_sim/MujocoSystem``).

:class:`MujocoSystem` is the simulated counterpart of a humanoid's ros2_control hardware
interface: position command interfaces, position/velocity/effort state interfaces, backed by a
MuJoCo :class:`~academy_sim.station.Station`. It can simulate actuator faults: a joint listed in
``disabled_joints`` has no power (its servo exerts no force), as when a gripper motor is off.
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
