""":class:`RobotIO` over the ROS graph: the skill executor's view of its robot.

Joint states, the station's props and the e-stop state (``estop_engaged``, latched) come from
subscriptions (latest message kept); motions go to the joint trajectory controller's
``follow_joint_trajectory`` action, jaws to ``<gripper>_controller/gripper_cmd``, resets to
``station/reset``. Results carry the controllers' typed codes (ESTOPPED, CANCELED, ...). Every
call is bounded in time and raises :class:`RobotIOError` with what did not answer: a motion's
deadline runs on the node's clock (simulated time with ``use_sim_time``), with a wall-clock cap
so that a stalled simulation is reported rather than waited for.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from enum import IntEnum
from typing import TypeVar, cast

from builtin_interfaces.msg import Duration  # type: ignore[import-untyped]
from geometry_msgs.msg import Pose  # type: ignore[import-untyped]
from rclpy.action.client import ActionClient
from rclpy.client import Client
from rclpy.executors import Executor
from rclpy.node import Node
from rclpy.serialization import deserialize_message
from rclpy.task import Future
from rclpy.type_support import GetResultServiceResponse, Msg
from sensor_msgs.msg import JointState  # type: ignore[import-untyped]
from std_msgs.msg import Bool  # type: ignore[import-untyped]
from trajectory_msgs.msg import JointTrajectory, JointTrajectoryPoint  # type: ignore[import-untyped]

from academy_common.futures import wait_for_future
from academy_common.input_node import InputNode, quiet_events
from academy_common.interface_constants import GripperErrorCode, TrajectoryErrorCode
from academy_common.qos import LATCHED_QOS, LATEST_QOS
from academy_interfaces.action import FollowJointTrajectory, GripperCommand
from academy_interfaces.msg import StationState
from academy_interfaces.srv import ResetStation
from academy_skills.manipulation import (
    FixtureObservation,
    GripResult,
    MotionResult,
    ObjectObservation,
    ParticlesObservation,
    RobotIOError,
    StationObservation,
)

#: A motion may take this much longer than planned before it counts as lost (s).
MOTION_SLACK_S = 5.0
#: Answer time for services, goal acceptance and gripper motions (s).
CALL_TIMEOUT_S = 5.0
CANCEL_POLL_S = 0.01
#: joint_states messages to wait for after a motion's result before the skill measures.
FRESH_JOINT_STATES = 2
#: Wall-clock cap of a wait, as a multiple of its timeout in node-clock seconds (plus
#: CALL_TIMEOUT_S): generous, since a loaded host runs the simulation slower than real time.
WALL_CAP_FACTOR = 10.0

GoalT = TypeVar("GoalT", bound=Msg)
ResultT = TypeVar("ResultT", bound=Msg)
FeedbackT = TypeVar("FeedbackT", bound=Msg)
CodeT = TypeVar("CodeT", bound=IntEnum)

FollowClient = ActionClient[
    FollowJointTrajectory.Goal, FollowJointTrajectory.Result, FollowJointTrajectory.Feedback
]
GripperClient = ActionClient[GripperCommand.Goal, GripperCommand.Result, GripperCommand.Feedback]
ResetClient = Client[ResetStation.Request, ResetStation.Response]


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
    fixtures = {
        f.name: FixtureObservation(
            f.name,
            f.kind,
            f.color,
            (f.pose.position.x, f.pose.position.y, f.pose.position.z),
            (f.size.x, f.size.y, f.size.z),
            f.wall,
            f.joint,
            f.travel,
            (f.handle.x, f.handle.y, f.handle.z) if f.travel > 0 else None,
            f.floor,
        )
        for f in msg.fixtures
    }
    particles = {
        p.name: ParticlesObservation(
            p.name,
            p.kind,
            p.color,
            (p.size.x, p.size.y, p.size.z),
            tuple((q.x, q.y, q.z) for q in p.positions),
        )
        for p in msg.particles
    }
    x_range, y_range = tuple(msg.table_x_range), tuple(msg.table_y_range)
    return StationObservation(msg.table_height, objects, fixtures, (*x_range, *y_range), particles)


class RosRobotIO:
    """The robot's controllers and station, reached over topics, actions and services."""

    def __init__(
        self,
        node: Node,
        trajectory_controller: str,
        grippers: list[str],
        input_executor: Executor | None = None,
    ) -> None:
        self._node = node
        self._lock = threading.Lock()
        self._joints: dict[str, float] = {}
        #: The latest joint_states as received (CDR bytes): decoded only when positions are
        #: asked for (a few times per attempt), not 100 times a second.
        self._joint_states_raw: bytes | None = None
        self._station: StationState | None = None
        self._estop_engaged = False
        self._joint_updates = 0  # joint_states messages heard so far
        self._updated = threading.Condition(self._lock)
        # 100 Hz joint states (and /clock) on a single-threaded sibling: in the node's own
        # multi-threaded executor they would keep it spinning (academy_common.input_node).
        self.inputs = InputNode(node, input_executor)
        sensors = self.inputs.node
        quiet = quiet_events()
        sensors.create_subscription(
            JointState,
            "joint_states",
            self._on_joint_states,
            LATEST_QOS,
            raw=True,
            event_callbacks=quiet,
        )
        sensors.create_subscription(
            StationState, "station/state", self._on_station, LATEST_QOS, event_callbacks=quiet
        )
        sensors.create_subscription(
            Bool, "estop_engaged", self._on_estop, LATCHED_QOS, event_callbacks=quiet
        )
        # The clients too: their feedback, status and results would wake the multi-threaded
        # executor (and be re-dispatched there); the goal threads block on their futures,
        # which the sibling's executor completes.
        self._follow: FollowClient = ActionClient(
            sensors, FollowJointTrajectory, f"{trajectory_controller}/follow_joint_trajectory"
        )
        self._grippers: dict[str, GripperClient] = {
            g: ActionClient(sensors, GripperCommand, f"{g}_controller/gripper_cmd")
            for g in grippers
        }
        self._reset: ResetClient = sensors.create_client(ResetStation, "station/reset")
        self.inputs.start()  # everything is on the sibling: spin it now

    def _on_joint_states(self, raw: bytes) -> None:
        with self._lock:
            self._joint_states_raw = raw
            self._joint_updates += 1
            self._updated.notify_all()

    def _decoded_joints(self) -> dict[str, float]:
        """Positions of the latest joint_states (lock held), decoding it once."""
        if self._joint_states_raw is not None:
            msg = deserialize_message(self._joint_states_raw, JointState)
            self._joints = dict(zip(msg.name, msg.position, strict=False))
            self._joint_states_raw = None
        return self._joints

    def _await_fresh_joint_states(self) -> None:
        """Wait for joint states published after now (two more messages: one may have been on
        its way already), so that what a skill measures after a motion is the motion's end."""
        with self._lock:
            wanted = self._joint_updates + FRESH_JOINT_STATES
            if not self._updated.wait_for(
                lambda: self._joint_updates >= wanted, timeout=CALL_TIMEOUT_S
            ):
                raise RobotIOError(
                    f"no new joint_states within {CALL_TIMEOUT_S:g} s after a motion ended"
                )

    def _on_station(self, msg: StationState) -> None:
        with self._lock:
            self._station = msg
            self._updated.notify_all()

    def _on_estop(self, msg: Bool) -> None:
        with self._lock:
            self._estop_engaged = bool(msg.data)

    def estop_engaged(self) -> bool:
        """True while the controller manager reports its e-stop engaged (latched topic)."""
        with self._lock:
            return self._estop_engaged

    def ready(self) -> bool:
        """True once joint states and the station have been heard."""
        with self._lock:
            return bool(self._decoded_joints()) and self._station is not None

    def joint_positions(self) -> dict[str, float]:
        with self._lock:
            # Just after start-up the first message may still be on its way: wait, bounded.
            if not self._updated.wait_for(
                lambda: bool(self._decoded_joints()), timeout=CALL_TIMEOUT_S
            ):
                raise RobotIOError(
                    f"no joint_states received within {CALL_TIMEOUT_S:g} s "
                    "(is the controller_manager up?)"
                )
            return dict(self._decoded_joints())

    def station(self) -> StationObservation:
        with self._lock:
            if not self._updated.wait_for(
                lambda: self._station is not None, timeout=CALL_TIMEOUT_S
            ):
                raise RobotIOError(
                    f"no station/state received within {CALL_TIMEOUT_S:g} s (is the simulator up?)"
                )
            assert self._station is not None
            return station_from_msg(self._station)

    def reset_station(
        self,
        fixtures: Mapping[str, float] | None = None,
        places: Mapping[str, tuple[float, float, float]] | None = None,
    ) -> StationObservation:
        if not self._reset.wait_for_service(timeout_sec=CALL_TIMEOUT_S):
            raise RobotIOError("station/reset is not available")
        shares = dict(fixtures or {})
        request = ResetStation.Request(
            seed=-1,
            fixture_names=list(shares),
            fixture_positions=[float(v) for v in shares.values()],
        )
        for name, (x, y, z) in (places or {}).items():
            pose = Pose()
            pose.position.x, pose.position.y, pose.position.z = x, y, z
            pose.orientation.w = 1.0
            request.object_names.append(name)
            request.poses.append(pose)
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
                velocities=[0.0] * len(joints),  # arrive at rest: a cubic, not a ramp
                time_from_start=Duration(sec=seconds, nanosec=int((duration - seconds) * 1e9)),
            )
        ]
        goal = FollowJointTrajectory.Goal(trajectory=trajectory)
        result = self._run_action(self._follow, goal, duration + MOTION_SLACK_S, stop)
        if result is None:
            return MotionResult(TrajectoryErrorCode.CANCELED, "canceled by the skill")
        code = _known(TrajectoryErrorCode, result.error_code, self._follow._action_name)
        self._await_fresh_joint_states()
        return MotionResult(code, result.error_string)

    def grip(
        self, gripper: str, width: float, max_effort: float, stop: Callable[[], bool]
    ) -> GripResult:
        client = self._grippers.get(gripper)
        if client is None:
            raise RobotIOError(f"no gripper {gripper!r}; known: {sorted(self._grippers)}")
        goal = GripperCommand.Goal(position=width, max_effort=max_effort)
        result = self._run_action(client, goal, CALL_TIMEOUT_S, stop)
        if result is None:
            return GripResult(GripperErrorCode.CANCELED, 0.0, 0.0, False, False, "canceled")
        code = _known(GripperErrorCode, result.error_code, client._action_name)
        self._await_fresh_joint_states()
        reason = result.error_string or (
            "stalled" if result.stalled else ("reached" if result.reached_goal else "")
        )
        return GripResult(
            code, result.position, result.effort, result.stalled, result.reached_goal, reason
        )

    def _run_action(
        self,
        client: ActionClient[GoalT, ResultT, FeedbackT],
        goal: GoalT,
        timeout: float,
        stop: Callable[[], bool],
    ) -> ResultT | None:
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
        clock = self._node.get_clock()
        deadline = clock.now().nanoseconds * 1e-9 + timeout
        wall_deadline = time.monotonic() + WALL_CAP_FACTOR * timeout + CALL_TIMEOUT_S
        # Wake on the result at once; every CANCEL_POLL_S otherwise, to honour a stop request.
        while not finished.wait(CANCEL_POLL_S):
            if stop():
                handle.cancel_goal_async()
                # The server answers a cancel with its own typed result (e.g. ESTOPPED when
                # the e-stop ended the goal first): prefer it, bounded in time.
                if finished.wait(CALL_TIMEOUT_S):
                    return _finished_result(future)
                return None
            if clock.now().nanoseconds * 1e-9 > deadline or time.monotonic() > wall_deadline:
                handle.cancel_goal_async()
                raise RobotIOError(f"{name}: no result within {timeout:.1f} s")
        return _finished_result(future)


def _finished_result(future: Future[GetResultServiceResponse[ResultT]]) -> ResultT:
    """The result carried by a done ``get_result_async`` future."""
    # Called once the future is done; rclpy types result() T | None because an unfinished or
    # cancelled future returns None.
    return cast(GetResultServiceResponse[ResultT], future.result()).result


def _known(enum: type[CodeT], value: int, action: str) -> CodeT:
    """``value`` as a member of ``enum``; an unknown code is a protocol error, not a success."""
    try:
        return enum(value)
    except ValueError as error:
        valid = ", ".join(f"{m.name} ({m.value})" for m in enum)
        raise RobotIOError(f"{action}: unknown result code {value}; valid: {valid}") from error
