""":class:`RobotIO` over the ROS graph: the skill executor's view of its robot.

Joint states and the station's props come from subscriptions (latest message kept); motions go
to the joint trajectory controller's ``follow_joint_trajectory`` action, jaws to
``<gripper>_controller/gripper_cmd``, resets to ``station/reset``. Every call is bounded in time
and raises :class:`RobotIOError` with what did not answer.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping

from builtin_interfaces.msg import Duration
from rclpy.action import ActionClient
from rclpy.callback_groups import CallbackGroup
from rclpy.node import Node
from sensor_msgs.msg import JointState
from trajectory_msgs.msg import JointTrajectory, JointTrajectoryPoint

from academy_common.futures import wait_for_future
from academy_common.qos import RELIABLE_QOS
from academy_control.controller_manager import ESTOP_REASON
from academy_interfaces.action import FollowJointTrajectory, GripperCommand
from academy_interfaces.msg import StationState
from academy_interfaces.srv import ResetStation
from academy_skills.manipulation import (
    GripResult,
    MotionResult,
    ObjectObservation,
    RobotIOError,
    StationObservation,
)

#: A motion may take this much longer than planned before it counts as lost (s).
MOTION_SLACK_S = 5.0
#: Answer time for services, goal acceptance and gripper motions (s).
CALL_TIMEOUT_S = 5.0
CANCEL_POLL_S = 0.01


def station_from_msg(msg: StationState) -> StationObservation:
    """A StationState message as a plain observation."""
    objects = {}
    for o in msg.objects:
        p, q = o.pose.position, o.pose.orientation
        objects[o.name] = ObjectObservation(
            o.name,
            o.kind,
            o.color,
            o.shape,
            (p.x, p.y, p.z),
            (q.w, q.x, q.y, q.z),
            (o.size.x, o.size.y, o.size.z),
        )
    return StationObservation(msg.table_height, objects)


class RosRobotIO:
    """The robot's controllers and station, reached over topics, actions and services."""

    def __init__(
        self, node: Node, group: CallbackGroup, trajectory_controller: str, grippers: list[str]
    ) -> None:
        self._node = node
        self._lock = threading.Lock()
        self._joints: dict[str, float] = {}
        self._station: StationState | None = None
        node.create_subscription(
            JointState, "joint_states", self._on_joint_states, RELIABLE_QOS, callback_group=group
        )
        node.create_subscription(
            StationState, "station/state", self._on_station, RELIABLE_QOS, callback_group=group
        )
        self._follow = ActionClient(
            node,
            FollowJointTrajectory,
            f"{trajectory_controller}/follow_joint_trajectory",
            callback_group=group,
        )
        self._grippers = {
            g: ActionClient(
                node, GripperCommand, f"{g}_controller/gripper_cmd", callback_group=group
            )
            for g in grippers
        }
        self._reset = node.create_client(ResetStation, "station/reset", callback_group=group)

    def _on_joint_states(self, msg: JointState) -> None:
        with self._lock:
            self._joints = dict(zip(msg.name, msg.position, strict=False))

    def _on_station(self, msg: StationState) -> None:
        with self._lock:
            self._station = msg

    def ready(self) -> bool:
        """True once joint states and the station have been heard."""
        with self._lock:
            return bool(self._joints) and self._station is not None

    def joint_positions(self) -> dict[str, float]:
        with self._lock:
            if not self._joints:
                raise RobotIOError("no joint_states received yet (is the controller_manager up?)")
            return dict(self._joints)

    def station(self) -> StationObservation:
        with self._lock:
            if self._station is None:
                raise RobotIOError("no station/state received yet (is the simulator up?)")
            return station_from_msg(self._station)

    def reset_station(self) -> StationObservation:
        if not self._reset.wait_for_service(timeout_sec=CALL_TIMEOUT_S):
            raise RobotIOError("station/reset is not available")
        request = ResetStation.Request(seed=-1)
        try:
            response = wait_for_future(self._reset.call_async(request), CALL_TIMEOUT_S)
        except TimeoutError as error:
            raise RobotIOError(f"station/reset: {error}") from error
        if not response.success:
            raise RobotIOError(f"station/reset refused: {response.message}")
        # The reply carries the poses after the reset: use them until the next station/state.
        with self._lock:
            self._station = response.state
        return station_from_msg(response.state)

    def move(
        self, joints: Mapping[str, float], duration: float, stop: Callable[[], bool]
    ) -> MotionResult:
        trajectory = JointTrajectory(joint_names=list(joints))
        seconds = int(duration)
        trajectory.points = [
            JointTrajectoryPoint(
                positions=[float(v) for v in joints.values()],
                time_from_start=Duration(sec=seconds, nanosec=int((duration - seconds) * 1e9)),
            )
        ]
        goal = FollowJointTrajectory.Goal(trajectory=trajectory)
        result = self._run_action(self._follow, goal, duration + MOTION_SLACK_S, stop)
        if result is None:
            return MotionResult(False, "canceled")
        ok = result.error_code == FollowJointTrajectory.Result.SUCCESSFUL
        reason = result.error_string
        return MotionResult(ok, reason, estopped=ESTOP_REASON in reason)

    def grip(self, gripper: str, width: float, max_effort: float) -> GripResult:
        client = self._grippers.get(gripper)
        if client is None:
            raise RobotIOError(f"no gripper {gripper!r}; known: {sorted(self._grippers)}")
        goal = GripperCommand.Goal(position=width, max_effort=max_effort)
        result = self._run_action(client, goal, CALL_TIMEOUT_S, lambda: False)
        if result is None:
            return GripResult(False, 0.0, 0.0, False, False, "canceled or refused")
        reason = "stalled" if result.stalled else ("reached" if result.reached_goal else "")
        return GripResult(
            True, result.position, result.effort, result.stalled, result.reached_goal, reason
        )

    def _run_action(
        self, client: ActionClient, goal: object, timeout: float, stop: Callable[[], bool]
    ) -> object | None:
        name = client._action_name
        if not client.wait_for_server(timeout_sec=CALL_TIMEOUT_S):
            raise RobotIOError(f"action server {name} is not available")
        try:
            handle = wait_for_future(client.send_goal_async(goal), CALL_TIMEOUT_S)
        except TimeoutError as error:
            raise RobotIOError(f"{name}: goal not answered: {error}") from error
        if not handle.accepted:
            return None
        future = handle.get_result_async()
        finished = threading.Event()
        future.add_done_callback(lambda _: finished.set())
        deadline = time.monotonic() + timeout
        # Wake on the result at once; every CANCEL_POLL_S otherwise, to honour a stop request.
        while not finished.wait(CANCEL_POLL_S):
            if stop():
                handle.cancel_goal_async()
                return None
            if time.monotonic() > deadline:
                handle.cancel_goal_async()
                raise RobotIOError(f"{name}: no result within {timeout:.1f} s")
        return future.result().result
