"""The controller manager as a lifecycle node, driven the way the session runner drives it:
configure loads (a bad file fails the transition and leaves it unconfigured), activate starts the
control loop and goals, deactivate ends the running goal CANCELED and holds, cleanup releases.
No traceback on SIGINT."""

from __future__ import annotations

import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest
from builtin_interfaces.msg import Duration
from rclpy.action import ActionClient
from ros_client import DISCOVERY_SETTLE_S, spinning_node
from sensor_msgs.msg import JointState
from session_harness import REPO, start_alone, wait_lifecycle_available, wait_until
from trajectory_msgs.msg import JointTrajectory, JointTrajectoryPoint

from academy_common.futures import wait_for_future
from academy_common.node_main import LifecycleClient
from academy_common.qos import RELIABLE_QOS
from academy_control.controller_manager_node import DIAGNOSTICS_PERIOD_S
from academy_interfaces.action import FollowJointTrajectory

pytestmark = [pytest.mark.integration, pytest.mark.timeout(150)]

NODE = "/robot_1/controller_manager"
ACTION = f"{NODE.rsplit('/', 1)[0]}/joint_trajectory_controller/follow_joint_trajectory"


def controller_alone(controllers_file: Path) -> subprocess.Popen[str]:
    return start_alone(
        "academy_control",
        "controller_manager",
        {
            "robot_model": "aurora_h1",
            "controllers_file": controllers_file,
            "station_file": REPO / "config/stations/tabletop.yaml",
            "seed": 5,
        },
    )


def elbow_goal(seconds: float, position: float) -> FollowJointTrajectory.Goal:
    sec = int(seconds)
    point = JointTrajectoryPoint(
        positions=[position],
        time_from_start=Duration(sec=sec, nanosec=int((seconds - sec) * 1e9)),
    )
    return FollowJointTrajectory.Goal(
        trajectory=JointTrajectory(joint_names=["right_elbow"], points=[point])
    )


def test_configure_fails_on_a_missing_controllers_file(domain_id: int, tmp_path: Path) -> None:
    process = controller_alone(tmp_path / "missing.yaml")
    client = LifecycleClient(domain_id)
    try:
        wait_lifecycle_available(client, NODE)
        error = client.change_state(NODE, "configure", 20.0)
        assert error is not None and "configure failed" in error
        assert client.get_state(NODE, 10.0) == "unconfigured"
    finally:
        client.close()
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=30)
    assert process.returncode == 0, output
    assert "configure failed" in output and "missing.yaml" in output
    assert "Traceback" not in output


def test_transitions_start_hold_and_release_the_controllers(domain_id: int) -> None:
    process = controller_alone(REPO / "urdf/aurora_h1/controllers.yaml")
    client = LifecycleClient(domain_id)
    try:
        with spinning_node("control_lifecycle_test") as node:
            heard: list[float] = []
            lock = threading.Lock()

            def on_joints(msg: JointState) -> None:
                with lock:
                    heard.append(time.monotonic())

            def heard_since(start: float) -> int:
                with lock:
                    return sum(1 for t in heard if t >= start)

            node.create_subscription(JointState, "/robot_1/joint_states", on_joints, RELIABLE_QOS)
            action = ActionClient(node, FollowJointTrajectory, ACTION)
            wait_lifecycle_available(client, NODE)

            assert client.change_state(NODE, "configure", 30.0) is None
            assert action.wait_for_server(timeout_sec=20)
            time.sleep(DISCOVERY_SETTLE_S)  # let the server match our reply reader
            quiet = time.monotonic()
            time.sleep(0.5)
            assert heard_since(quiet) == 0, "the loop runs while inactive"
            refused = wait_for_future(action.send_goal_async(elbow_goal(0.5, -1.2)), 5.0)
            assert not refused.accepted, "an inactive controller manager accepted a goal"

            assert client.change_state(NODE, "activate", 10.0) is None
            started = time.monotonic()
            # 100 Hz: a hundred a second; five within 5 s leaves room for a busy host
            assert wait_until(lambda: heard_since(started) >= 5, 5.0), (
                f"{heard_since(started)} joint_states in 5 s while active"
            )
            handle = wait_for_future(action.send_goal_async(elbow_goal(3.0, -1.9)), 5.0)
            assert handle.accepted
            time.sleep(0.5)
            assert client.change_state(NODE, "deactivate", 10.0) is None
            result = wait_for_future(handle.get_result_async(), 5.0).result
            assert result.error_code == FollowJointTrajectory.Result.CANCELED, result.error_string
            assert "deactivated" in result.error_string
            time.sleep(0.3)
            stopped = time.monotonic()
            time.sleep(0.5)
            assert heard_since(stopped) == 0, "joint_states after deactivate"

            # Twin: active again, a goal runs to its end.
            assert client.change_state(NODE, "activate", 10.0) is None
            again = wait_for_future(action.send_goal_async(elbow_goal(0.8, -1.2)), 5.0)
            assert again.accepted
            done = wait_for_future(again.get_result_async(), 10.0).result
            assert done.error_code == FollowJointTrajectory.Result.SUCCESSFUL, done.error_string

            assert client.change_state(NODE, "deactivate", 10.0) is None
            assert client.change_state(NODE, "cleanup", 10.0) is None
            assert client.get_state(NODE, 10.0) == "unconfigured"
            assert wait_until(lambda: not action.server_is_ready(), 10.0), (
                "cleanup left the action server up"
            )
            # past a diagnostics period: no timer of the configured node may fire on now
            time.sleep(1.5 * DIAGNOSTICS_PERIOD_S)
            assert client.get_state(NODE, 5.0) == "unconfigured", "the node died unconfigured"
            assert client.change_state(NODE, "configure", 30.0) is None  # configurable again
            assert client.change_state(NODE, "activate", 10.0) is None
    finally:
        client.close()
        process.send_signal(signal.SIGINT)
        text, _ = process.communicate(timeout=30)
    assert process.returncode == 0, text
    assert "Traceback" not in text, text
