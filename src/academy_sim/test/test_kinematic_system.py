"""The kinematic hardware (academy_sim/KinematicSystem): joints follow commands, nothing else."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from academy_control.controller_manager import load_hardware
from academy_description.model_registry import load_model
from academy_sim.hardware_plugins import KinematicSystem

STATION_FILE = Path(__file__).resolve().parents[3] / "config" / "stations" / "tabletop.yaml"
ELBOW = "left_elbow"


def kinematic(disabled: tuple[str, ...] = ()) -> KinematicSystem:
    hardware = load_hardware(
        "academy_sim/KinematicSystem",
        robot=load_model("aurora_h1"),
        station_file=STATION_FILE,
        seed=3,
        disabled_joints=disabled,
    )
    assert isinstance(hardware, KinematicSystem)
    return hardware


def test_a_joint_reaches_its_command_at_its_velocity_limit() -> None:
    hardware = kinematic()
    index = hardware.joint_names.index(ELBOW)
    speed = hardware.station.robot.urdf.limits[ELBOW].velocity
    start = hardware.read().positions
    target = start.copy()
    target[index] += 0.5
    hardware.write(target)
    hardware.advance(0.1)
    moved = hardware.read()
    assert moved.positions[index] - start[index] == pytest.approx(min(0.5, speed * 0.1))
    assert moved.velocities[index] == pytest.approx(min(0.5, speed * 0.1) / 0.1)
    for _ in range(100):
        hardware.advance(0.1)
    done = hardware.read()
    assert np.allclose(done.positions, target)
    assert not done.velocities.any() and not done.efforts.any()


def test_props_stay_where_they_were_placed() -> None:
    hardware = kinematic()
    before = {n: hardware.station.object_pose(n).position for n in hardware.station.object_names}
    hardware.write(hardware.read().positions + 0.05)
    for _ in range(50):
        hardware.advance(0.1)
    after = {n: hardware.station.object_pose(n).position for n in hardware.station.object_names}
    assert after == before  # no gravity, no contacts: nothing but the robot moves


def test_twin_a_disabled_joint_does_not_follow() -> None:
    hardware = kinematic(disabled=(ELBOW,))
    index = hardware.joint_names.index(ELBOW)
    start = hardware.read().positions
    hardware.write(start + 0.2)
    for _ in range(20):
        hardware.advance(0.1)
    now = hardware.read().positions
    assert now[index] == start[index]
    speeds = np.array(
        [hardware.station.robot.urdf.limits[n].velocity for n in hardware.joint_names]
    )
    others = np.arange(len(start)) != index
    expected = start + np.minimum(0.2, speeds * 2.0)  # 20 x 0.1 s at each joint's limit
    assert np.allclose(now[others], expected[others])
