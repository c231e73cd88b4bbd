"""Controllers over the simulated hardware: follow, tolerate, preempt, e-stop, gripper stalls."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from academy_control.controller_config import load_controllers, parse_controllers
from academy_control.controller_manager import ControllerManager, load_hardware
from academy_control.controllers import GoalState, TrajectoryErrorCode
from academy_control.errors import ControlError, HardwareError, InvalidControllerConfigError
from academy_control.trajectory import TrajectoryPoint
from academy_description.model_registry import load_model

ROOT = Path(__file__).resolve().parents[3]
JTC = "joint_trajectory_controller"


def make_manager(disabled: tuple[str, ...] = ()) -> ControllerManager:
    robot = load_model("aurora_h1")
    hardware = load_hardware(
        robot.urdf.hardware_plugin,
        robot=robot,
        station_file=ROOT / "config" / "stations" / "tabletop.yaml",
        seed=3,
        disabled_joints=disabled,
    )
    config = load_controllers(
        ROOT / "config" / "controllers" / "aurora_h1.yaml", hardware.joint_names
    )
    return ControllerManager(hardware, config, robot.urdf.limits)


def trajectory(joint: str, *points: tuple[float, float]) -> tuple[list[str], list]:
    """(joint_names, points) of a one-joint trajectory; the manager validates it."""
    return [joint], [TrajectoryPoint(t, (p,)) for t, p in points]


def position(manager: ControllerManager, joint: str) -> float:
    return float(manager.hardware.read().positions[manager.hardware.joint_names.index(joint)])


def run_until_done(manager: ControllerManager, goal, limit_s: float = 5.0) -> None:
    while not goal.done.is_set() and manager.time < limit_s + 100:
        manager.update()


def test_follows_a_trajectory_within_goal_tolerance() -> None:
    manager = make_manager()
    goal = manager.follow(JTC, *trajectory("right_elbow", (1.0, -1.2)))
    run_until_done(manager, goal)
    assert goal.state == GoalState.SUCCEEDED
    assert position(manager, "right_elbow") == pytest.approx(-1.2, abs=0.02)


def test_a_joint_without_power_violates_the_goal_tolerance() -> None:
    manager = make_manager(disabled=("right_elbow",))
    goal = manager.follow(JTC, *trajectory("right_elbow", (0.5, -1.0)))
    run_until_done(manager, goal)
    assert goal.state == GoalState.ABORTED
    assert goal.error_code in (
        TrajectoryErrorCode.GOAL_TOLERANCE_VIOLATED,
        TrajectoryErrorCode.PATH_TOLERANCE_VIOLATED,
    )
    assert "right_elbow" in goal.reason


def test_a_newer_goal_preempts_the_running_one() -> None:
    manager = make_manager()
    first = manager.follow(JTC, *trajectory("right_elbow", (2.0, -0.5)))
    for _ in range(20):
        manager.update()
    second = manager.follow(JTC, *trajectory("right_elbow", (1.0, -1.0)))
    assert first.done.is_set() and first.state == GoalState.ABORTED
    assert "preempted" in first.reason
    run_until_done(manager, second)
    assert second.state == GoalState.SUCCEEDED


def test_estop_stops_motion_and_latches_until_reset() -> None:
    manager = make_manager()
    goal = manager.follow(JTC, *trajectory("right_shoulder_pitch", (2.0, -1.2)))
    for _ in range(50):  # 0.5 s into the motion
        manager.update()
    manager.engage_estop()
    assert goal.done.is_set() and "e-stop" in goal.reason
    for _ in range(10):  # 100 ms to come to rest
        manager.update()
    held = position(manager, "right_shoulder_pitch")
    for _ in range(100):  # then 1 s: it must stay put
        manager.update()
    assert position(manager, "right_shoulder_pitch") == pytest.approx(held, abs=0.005)
    with pytest.raises(ControlError, match="e-stop engaged"):
        manager.follow(JTC, *trajectory("right_shoulder_pitch", (1.0, -1.2)))
    with pytest.raises(ControlError, match="e-stop engaged"):
        manager.grip("right_gripper_controller", 0.08, 10.0)
    manager.reset_estop()
    resumed = manager.follow(JTC, *trajectory("right_shoulder_pitch", (1.0, -1.2)))
    run_until_done(manager, resumed)
    assert resumed.state == GoalState.SUCCEEDED


def test_gripper_reaches_an_opening_in_free_air() -> None:
    manager = make_manager()
    goal = manager.grip("right_gripper_controller", 0.06, 20.0)
    run_until_done(manager, goal)
    assert goal.reached_goal and not goal.stalled
    assert goal.position == pytest.approx(0.06, abs=0.002)


def test_a_disabled_gripper_stalls_without_moving() -> None:
    manager = make_manager(disabled=("right_finger_a_joint", "right_finger_b_joint"))
    goal = manager.grip("right_gripper_controller", 0.08, 20.0)
    run_until_done(manager, goal)
    assert goal.stalled and not goal.reached_goal
    assert goal.position < 0.005


def test_non_finite_commands_never_reach_the_hardware() -> None:
    manager = make_manager()
    manager.trajectory_controllers[JTC].hold[0] = np.nan  # a controller bug
    manager.update()
    assert manager.estopped
    written = manager.hardware.station.data.ctrl  # type: ignore[attr-defined]
    assert np.all(np.isfinite(written))


def test_unknown_hardware_plugin_is_named() -> None:
    with pytest.raises(HardwareError, match="no_such_pkg/Foo"):
        load_hardware("no_such_pkg/Foo")


def test_controller_config_problems_are_listed() -> None:
    data = {
        "controller_manager": {
            "ros__parameters": {
                "update_rate": 0,
                "arm": {"type": "nope/Controller"},
                "jtc": {"type": "joint_trajectory_controller/JointTrajectoryController"},
            }
        },
        "jtc": {"ros__parameters": {"joints": ["ghost"]}},
    }
    with pytest.raises(InvalidControllerConfigError) as error:
        parse_controllers(data, ("elbow",), "c.yaml")
    text = str(error.value)
    assert "update_rate: 0" in text
    assert "arm.type: 'nope/Controller'" in text
    assert "jtc.ros__parameters.command_interfaces" in text
