"""``controller_manager`` node: one robot's hardware and controllers on the ROS graph.

A lifecycle node (``rclpy.lifecycle``; it owns hardware), driven by the session runner:

- ``configure`` loads the robot model from the registry, the hardware plugin its URDF's
  ``<ros2_control>`` block names (``academy_sim/MujocoSystem`` in simulation) and the
  controllers of ``controllers_file``, and creates the interfaces below; a bad parameter or file
  fails the transition with the reason logged;
- ``activate`` starts read -> update -> write at ``update_rate`` on a dedicated thread, paced to
  the wall clock (``real_time: true``, times ``real_time_factor``) or as fast as it can
  (``false``, for benchmarks), and accepts goals (refused while inactive); the thread runs on
  SCHED_FIFO at ``thread_priority`` (50) where the system allows it, as ros2_control's does,
  and warns once where it does not;
- ``deactivate`` ends running goals (CANCELED, "deactivated: holding position") and stops the
  loop with the last position commands held; ``cleanup`` releases interfaces and hardware.

Interfaces (relative names, so the robot namespace applies):

- ``joint_states`` (sensor_msgs/JointState, reliable) from the joint_state_broadcaster;
- ``joint_trajectory_controller/joint_trajectory`` (topic) and
  ``joint_trajectory_controller/follow_joint_trajectory`` (action);
- ``<gripper>_controller/gripper_cmd`` (academy_interfaces/action/GripperCommand);
- ``<controller>/commanded_trajectory``: every command a controller accepted, for the recorder
  (rosbag2 cannot record action goals here);
- ``estop`` (std_srvs/SetBool): true stops every motion and latches, false releases;
- ``estop_engaged`` (std_msgs/Bool, latched): the e-stop's state, for clients deciding whether a
  goal that ended was stopped by it (they also get the typed ESTOPPED result code);
- ``/clock`` (rosgraph_msgs/Clock) when ``publish_clock`` is true: the simulation's time, one
  message per control cycle while anyone subscribes (checked every ``CLOCK_MATCH_EVERY``
  cycles), so that nodes with ``use_sim_time`` measure holds and timeouts in
  simulated seconds (the session runner remaps it to ``/<robot_id>/clock`` per robot, since every
  robot's station is its own simulation);
- ``/diagnostics`` (diagnostic_msgs/DiagnosticArray, 1 Hz): the control loop's achieved rate,
  its ratio to ``update_rate`` (WARN below 0.99) and period jitter over the last second;
- whatever ROS interfaces the hardware plugin offers (``create_ros_interfaces``): in simulation
  ``station/state`` (StationState) and ``station/reset`` (ResetStation).
"""

from __future__ import annotations

import functools
import threading
import time
from array import array
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from diagnostic_msgs.msg import (  # type: ignore[import-untyped]
    DiagnosticArray,
    DiagnosticStatus,
    KeyValue,
)
from rcl_interfaces.msg import ParameterDescriptor  # type: ignore[import-untyped]
from rclpy.action.server import ActionServer, CancelResponse, GoalResponse, ServerGoalHandle
from rclpy.callback_groups import ReentrantCallbackGroup
from rclpy.lifecycle import Node as LifecycleNode
from rclpy.lifecycle import State, TransitionCallbackReturn
from rosgraph_msgs.msg import Clock  # type: ignore[import-untyped]
from sensor_msgs.msg import JointState  # type: ignore[import-untyped]
from std_msgs.msg import Bool  # type: ignore[import-untyped]
from std_srvs.srv import SetBool  # type: ignore[import-untyped]
from trajectory_msgs.msg import JointTrajectory, JointTrajectoryPoint  # type: ignore[import-untyped]

from academy_common.interface_constants import GripperErrorCode, TrajectoryErrorCode
from academy_common.node_main import run_lifecycle_node
from academy_common.parameters import required_string
from academy_common.qos import CLOCK_QOS, LATCHED_QOS, RELIABLE_QOS
from academy_control.controller_manager import (
    ControllerManager,
    LoopStatistics,
    gripper_error_code,
    load_hardware,
    manager_for,
    trajectory_error_code,
)
from academy_control.controllers import GoalState, TrajectoryGoal
from academy_control.errors import ControlError
from academy_control.realtime import configure_sched_fifo
from academy_control.trajectory import TrajectoryPoint
from academy_description.model_registry import load_model
from academy_interfaces.action import FollowJointTrajectory, GripperCommand

FollowHandle = ServerGoalHandle[
    FollowJointTrajectory.Goal, FollowJointTrajectory.Result, FollowJointTrajectory.Feedback
]
GripHandle = ServerGoalHandle[GripperCommand.Goal, GripperCommand.Result, GripperCommand.Feedback]
AnyGoalHandle = ServerGoalHandle[Any, Any, Any]

#: How often an action callback checks its goal (s): bounds cancel latency.
GOAL_POLL_S = 0.02
#: FollowJointTrajectory feedback rate (Hz): ros2_controllers' JTC ``action_monitor_rate``
#: default. Every feedback wakes the client's executor, so a fleet host keeps it low.
ACTION_MONITOR_RATE = 20.0
#: The control loop's SCHED_FIFO priority: ros2_control's ``thread_priority`` default.
THREAD_PRIORITY = 50
#: /clock is published only while it has subscribers, looked up once this many cycles.
CLOCK_MATCH_EVERY = 10
#: /diagnostics period (s), and the achieved/configured control rate below which it warns.
DIAGNOSTICS_PERIOD_S = 1.0
RATE_OK_RATIO = 0.99


def points_from_msg(msg: JointTrajectory) -> list[TrajectoryPoint]:
    """trajectory_msgs points as plain :class:`TrajectoryPoint` values."""
    return [
        TrajectoryPoint(
            p.time_from_start.sec + p.time_from_start.nanosec * 1e-9,
            tuple(p.positions),
            tuple(p.velocities),
        )
        for p in msg.points
    ]


class ControllerManagerNode(LifecycleNode):
    """Hardware + controllers of one robot, with their ROS interfaces (a lifecycle node)."""

    def __init__(self, **node_options: Any) -> None:
        """``node_options``: rclpy Node keyword arguments (a container passes its namespace,
        parameter overrides and ``use_global_arguments=False``)."""
        super().__init__("controller_manager", **node_options)
        describe = ParameterDescriptor
        self.declare_parameter(
            "robot_model", "", describe(description="registry model name, e.g. aurora_h1")
        )
        self.declare_parameter(
            "controllers_file",
            "",
            describe(description="controllers YAML; empty: the model's (model.yaml controllers)"),
        )
        self.declare_parameter(
            "station_file", "", describe(description="station YAML (config/stations/), simulation")
        )
        self.declare_parameter(
            "hardware_plugin",
            "",
            describe(
                description="hardware plugin 'package/Class'; empty: the one the URDF's "
                "<ros2_control> names (as ros2_control's use_mock_hardware swaps it, "
                "academy_sim/KinematicSystem is the kinematic mode)"
            ),
        )
        self.declare_parameter(
            "update_rate",
            0.0,
            describe(
                description="Hz of the control loop and joint_states, overriding the "
                "controllers file's (0: the file's; a kinematic fleet rehearsal runs slower)"
            ),
        )
        self.declare_parameter("seed", -1, describe(description="sim random seed; -1 = random"))
        self.declare_parameter(
            "disabled_joints",
            [""],
            describe(description="sim fault injection: joints whose motors have no power"),
        )
        self.declare_parameter("real_time", True, describe(description="pace to wall clock"))
        self.declare_parameter(
            "real_time_factor",
            1.0,
            describe(
                description="simulated s per wall s when real_time (< 1: slower than real time, "
                "as on an overloaded host)"
            ),
        )
        self.declare_parameter(
            "publish_clock",
            True,
            describe(description="publish the simulation time on /clock (one per cycle)"),
        )
        self.declare_parameter(
            "action_monitor_rate",
            ACTION_MONITOR_RATE,
            describe(description="Hz of follow_joint_trajectory feedback (at most update_rate)"),
        )
        self.declare_parameter(
            "thread_priority",
            THREAD_PRIORITY,
            describe(
                description="SCHED_FIFO priority of the control loop thread, as ros2_control's "
                "(1-99; 0 = the default scheduler). Needs CAP_SYS_NICE or an rtprio limit; "
                "without it the loop runs on the default scheduler, with a warning"
            ),
        )
        self.declare_parameter(
            "station_state_rate",
            10.0,
            describe(description="Hz of the hardware's own state topic (station/state in sim)"),
        )
        self.active = False  # goals are accepted and the loop runs only while active
        self._manager: ControllerManager | None = None
        self._loop: threading.Thread | None = None
        self._running = False
        self._action_servers: list[ActionServer[Any, Any, Any]] = []
        # Entities of the lifecycle machinery itself (change_state, ...): cleanup keeps these.
        self._own_entities = self._entity_ids()

    @property
    def manager(self) -> ControllerManager:
        """The hardware and controllers (from configure until cleanup)."""
        if self._manager is None:
            raise ControlError("the controller manager is not configured")
        return self._manager

    # -- lifecycle ----------------------------------------------------------------------------
    def on_configure(self, state: State) -> TransitionCallbackReturn:
        """Load model, hardware and controllers; create the ROS interfaces (loop not running)."""
        try:
            self._load()
        except Exception as error:  # every cause is the configuration's: say which, stay put
            self.get_logger().error(f"configure failed: {error}")
            self._destroy_entities()
            self._manager = None
            return TransitionCallbackReturn.FAILURE
        return TransitionCallbackReturn.SUCCESS

    def on_activate(self, state: State) -> TransitionCallbackReturn:
        """Start the control loop and accept goals."""
        self._running = True
        self._loop = threading.Thread(target=self._control_loop, name="control_loop", daemon=True)
        self._loop.start()
        self.active = True
        return TransitionCallbackReturn.SUCCESS

    def on_deactivate(self, state: State) -> TransitionCallbackReturn:
        """Refuse new goals, end the running ones, hold position and stop the loop."""
        self.active = False
        manager = self._manager
        if manager is not None:
            with manager.lock:
                manager.stop_goals(
                    TrajectoryErrorCode.CANCELED,
                    GripperErrorCode.CANCELED,
                    "controller manager deactivated: holding position",
                )
        self._stop_loop()
        return TransitionCallbackReturn.SUCCESS

    def on_cleanup(self, state: State) -> TransitionCallbackReturn:
        """Release what configure created (interfaces, hardware)."""
        self._destroy_entities()
        self._manager = None
        return TransitionCallbackReturn.SUCCESS

    def on_shutdown(self, state: State) -> TransitionCallbackReturn:
        self.active = False
        self._stop_loop()
        return TransitionCallbackReturn.SUCCESS

    def _entities(self) -> list[tuple[list[Any], Callable[[Any], Any]]]:
        """Every kind of entity this node has, with the method that destroys one."""
        return [
            (list(self.publishers), self.destroy_publisher),
            (list(self.subscriptions), self.destroy_subscription),
            (list(self.services), self.destroy_service),
            (list(self.clients), self.destroy_client),
            (list(self.timers), self.destroy_timer),  # diagnostics read the manager cleanup drops
        ]

    def _entity_ids(self) -> set[int]:
        return {id(e) for entities, _ in self._entities() for e in entities}

    def _destroy_entities(self) -> None:
        for server in self._action_servers:
            server.destroy()
        self._action_servers.clear()
        for entities, destroy in self._entities():
            for entity in entities:
                if id(entity) not in self._own_entities:
                    destroy(entity)

    def _stop_loop(self) -> None:
        self._running = False
        if self._loop is not None and self._loop.is_alive():
            self._loop.join(timeout=2.0)
        self._loop = None

    def _load(self) -> None:
        self._thread_priority = int(self.get_parameter("thread_priority").value)
        try:
            configure_sched_fifo(self._thread_priority, check_only=True)
        except ValueError as error:
            raise ControlError(str(error)) from None
        model_name = required_string(self, "robot_model")
        robot = load_model(model_name)
        self.robot = robot
        seed = self.get_parameter("seed").get_parameter_value().integer_value
        disabled = [j for j in self.get_parameter("disabled_joints").value or [] if j]
        plugin = str(self.get_parameter("hardware_plugin").value) or robot.urdf.hardware_plugin
        hardware = load_hardware(
            plugin,
            robot=robot,
            station_file=Path(required_string(self, "station_file")),
            seed=None if seed < 0 else seed,
            disabled_joints=disabled,
        )
        controllers = self.get_parameter("controllers_file").get_parameter_value().string_value
        self._manager = manager_for(
            robot,
            hardware,
            Path(controllers) if controllers else robot.controllers_file,
            float(self.get_parameter("update_rate").value),
        )
        config = self._manager.config
        self.real_time = bool(self.get_parameter("real_time").value)
        factor = float(self.get_parameter("real_time_factor").value)
        if not 0.0 < factor <= 100.0:
            raise ControlError(f"parameter real_time_factor: {factor}: must be in (0, 100]")
        self.real_time_factor = factor
        monitor = float(self.get_parameter("action_monitor_rate").value)
        if not monitor > 0.0:
            raise ControlError(f"parameter action_monitor_rate: {monitor}: must be > 0 Hz")
        self.action_monitor_rate = monitor
        group = ReentrantCallbackGroup()

        broadcaster_rates = [getattr(c, "publish_rate", 0.0) for c in config.controllers.values()]
        rate = max(broadcaster_rates) if broadcaster_rates else config.update_rate
        self._joint_state_every = max(1, round(config.update_rate / rate))
        self._joint_states = self.create_publisher(JointState, "joint_states", RELIABLE_QOS)
        self._joint_state_msg = JointState(name=list(hardware.joint_names))
        self._commanded: dict[str, object] = {}
        self._group = group
        for name in self.manager.trajectory_controllers:
            self.create_subscription(
                JointTrajectory,
                f"{name}/joint_trajectory",
                lambda msg, c=name: self._on_trajectory_topic(c, msg),
                RELIABLE_QOS,
                callback_group=group,
            )
            self._serve(name, FollowJointTrajectory, "follow_joint_trajectory", self._follow)
        for name in self.manager.gripper_controllers:
            self._serve(name, GripperCommand, "gripper_cmd", self._grip)
        self.create_service(SetBool, "estop", self._estop, callback_group=group)
        self._estop_state = self.create_publisher(Bool, "estop_engaged", LATCHED_QOS)
        self._estop_state.publish(Bool(data=False))
        self._clock_pub = (
            self.create_publisher(Clock, "/clock", CLOCK_QOS)
            if self.get_parameter("publish_clock").value
            else None
        )
        self._clock_msg = Clock()
        self._clock_listeners: bool | None = None
        create_ros_interfaces = getattr(hardware, "create_ros_interfaces", None)
        self.hardware_io = (
            create_ros_interfaces(self, self.manager.lock, group) if create_ros_interfaces else None
        )
        station_rate = float(self.get_parameter("station_state_rate").value)
        self._station_every = max(1, round(config.update_rate / station_rate))
        self.loop_statistics = LoopStatistics()
        # /diagnostics once a second: the control loop's rate and jitter over that second, so a
        # hall operator (rqt_robot_monitor, a fleet benchmark) sees a robot fall behind.
        self._window_statistics = LoopStatistics()
        self._diagnostics = self.create_publisher(DiagnosticArray, "/diagnostics", RELIABLE_QOS)
        self.create_timer(DIAGNOSTICS_PERIOD_S, self._publish_diagnostics, callback_group=group)
        self._robot_label = f"{robot.manufacturer} {robot.name}"
        self.get_logger().info(
            f"{robot.manufacturer} {robot.name}: {len(hardware.joint_names)} joints on "
            f"{plugin}; controllers {', '.join(config.types)} at "
            f"{config.update_rate:g} Hz"
        )

    def _serve(
        self,
        controller: str,
        action_type: type,
        action: str,
        execute: Callable[[str, AnyGoalHandle], Any],
    ) -> None:
        """Serve ``<controller>/<action>`` and publish ``<controller>/commanded_trajectory``."""
        self._commanded[controller] = self.create_publisher(
            JointTrajectory, f"{controller}/commanded_trajectory", RELIABLE_QOS
        )
        server = ActionServer(
            self,
            action_type,
            f"{controller}/{action}",
            execute_callback=functools.partial(execute, controller),
            goal_callback=lambda goal: GoalResponse.ACCEPT if self.active else GoalResponse.REJECT,
            cancel_callback=lambda handle: CancelResponse.ACCEPT,
            callback_group=self._group,
        )
        self._action_servers.append(server)

    def _publish_diagnostics(self) -> None:
        window, self._window_statistics = self._window_statistics, LoopStatistics()
        summary = window.summary(self.manager.config.update_rate)
        ratio = summary.get("achieved_ratio", 0.0)
        status = DiagnosticStatus(
            level=DiagnosticStatus.OK if ratio >= RATE_OK_RATIO else DiagnosticStatus.WARN,
            name=f"{self.get_namespace().rstrip('/')}/{self.get_name()}: control loop",
            message=f"{summary.get('achieved_rate_hz', 0.0):.1f} Hz" if self.active else "inactive",
            hardware_id=self._robot_label,
            values=[KeyValue(key=k, value=f"{v:.6g}") for k, v in summary.items()],
        )
        array = DiagnosticArray(status=[status])
        array.header.stamp = self.get_clock().now().to_msg()
        self._diagnostics.publish(array)

    # -- control loop -------------------------------------------------------------------------
    def _control_loop(self) -> None:
        refused = configure_sched_fifo(self._thread_priority)
        if refused:
            self.get_logger().warn(
                f"control loop on the default scheduler, not SCHED_FIFO: {refused} (grant "
                "CAP_SYS_NICE or an rtprio limit, as for ros2_control, to keep its rate on a "
                "loaded host)"
            )
        period = self.manager.period / self.real_time_factor  # wall s per cycle
        next_time = time.perf_counter()
        while self._running:
            now = time.perf_counter()
            self.loop_statistics.tick(now)
            self._window_statistics.tick(now)
            with self.manager.lock:
                state = self.manager.update()
                cycle = self.manager.updates
                sim_time = self.manager.time
            try:
                self._publish_cycle(
                    cycle, sim_time, state.positions, state.velocities, state.efforts
                )
            except Exception:
                if not self.context.ok():
                    return  # a signal shut the context down: stopping, not a fault
                raise
            if not self.real_time:
                continue
            next_time += period
            delay = next_time - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            elif delay < -10 * period:
                next_time = time.perf_counter()  # far behind: restart the schedule

    def _publish_cycle(
        self,
        cycle: int,
        sim_time: float,
        positions: np.ndarray,
        velocities: np.ndarray,
        efforts: np.ndarray,
    ) -> None:
        if self._clock_pub is not None and self._clock_heard(cycle):
            nanos = round(sim_time * 1e9)
            self._clock_msg.clock.sec, self._clock_msg.clock.nanosec = divmod(nanos, 1_000_000_000)
            self._clock_pub.publish(self._clock_msg)
        if cycle % self._joint_state_every == 0:
            self._publish_joint_states(positions, velocities, efforts)
        if self.hardware_io is not None and cycle % self._station_every == 0:
            with self.manager.lock:
                self.hardware_io.publish_state()

    def _clock_heard(self, cycle: int) -> bool:
        """Whether anyone subscribes to ``/clock``, asked every ``CLOCK_MATCH_EVERY`` cycles:
        with no subscriber (no node on sim time, no recorder of it) a message per cycle is work
        for no one (at 100 Hz it was a tenth of a fleet container's interpreter time)."""
        if cycle % CLOCK_MATCH_EVERY == 1 or self._clock_listeners is None:
            assert self._clock_pub is not None
            self._clock_listeners = self._clock_pub.get_subscription_count() > 0
        return self._clock_listeners

    def _publish_joint_states(
        self, positions: np.ndarray, velocities: np.ndarray, efforts: np.ndarray
    ) -> None:
        msg = self._joint_state_msg
        msg.header.stamp = self.get_clock().now().to_msg()
        # array('d') passes rclpy's type check in one step; lists are checked element by element.
        msg.position = array("d", positions)
        msg.velocity = array("d", velocities)
        msg.effort = array("d", efforts)
        self._joint_states.publish(msg)

    # -- trajectory controller ----------------------------------------------------------------
    def _accept_trajectory(self, controller: str, msg: JointTrajectory) -> TrajectoryGoal:
        with self.manager.lock:
            goal = self.manager.follow(controller, msg.joint_names, points_from_msg(msg))
        msg.header.stamp = self.get_clock().now().to_msg()
        self._commanded[controller].publish(msg)  # type: ignore[attr-defined]
        return goal

    def _on_trajectory_topic(self, controller: str, msg: JointTrajectory) -> None:
        if not self.active:
            self.get_logger().error(
                f"{controller}: trajectory ignored: the controller manager is "
                f"{'inactive' if self._manager else 'unconfigured'}; activate it first"
            )
            return
        try:
            self._accept_trajectory(controller, msg)
        except ControlError as error:
            self.get_logger().error(f"{controller}: trajectory rejected: {error}")

    def _follow(self, controller: str, handle: FollowHandle) -> FollowJointTrajectory.Result:
        result = FollowJointTrajectory.Result()
        try:
            goal = self._accept_trajectory(controller, handle.request.trajectory)
        except ControlError as error:
            code = trajectory_error_code(error)
            return self._end(handle, result, int(code), f"rejected: {error}", GoalState.ABORTED)
        jtc = self.manager.trajectory_controllers[controller]
        assert goal.trajectory is not None  # accepted goals carry their trajectory
        feedback = FollowJointTrajectory.Feedback(joint_names=list(goal.trajectory.joint_names))
        feedback_period = 1.0 / min(self.action_monitor_rate, self.manager.config.update_rate)
        next_feedback = time.perf_counter()
        while not goal.done.wait(GOAL_POLL_S):
            with self.manager.lock:
                if handle.is_cancel_requested:
                    jtc.halt(self.manager.state.positions, TrajectoryErrorCode.CANCELED, "canceled")
                    handle.canceled()
                    result.error_code = int(TrajectoryErrorCode.CANCELED)
                    result.error_string = "canceled"
                    return result
                if time.perf_counter() < next_feedback:
                    continue
                next_feedback += feedback_period
                desired = jtc.desired[goal.indices]
                actual = self.manager.state.positions[jtc.indices][goal.indices]
            feedback.header.stamp = self.get_clock().now().to_msg()
            feedback.desired.positions = array("d", desired)
            feedback.actual.positions = array("d", actual)
            feedback.error.positions = array("d", desired - actual)
            handle.publish_feedback(feedback)
        return self._end(handle, result, goal.error_code, goal.reason, goal.state)

    @staticmethod
    def _end(
        handle: FollowHandle,
        result: FollowJointTrajectory.Result,
        code: int,
        reason: str,
        state: GoalState,
    ) -> FollowJointTrajectory.Result:
        result.error_code = code
        result.error_string = reason
        if state == GoalState.SUCCEEDED:
            handle.succeed()
        else:
            handle.abort()
        return result

    # -- gripper controllers ------------------------------------------------------------------
    def _grip(self, controller: str, handle: GripHandle) -> GripperCommand.Result:
        request: GripperCommand.Goal = handle.request
        result = GripperCommand.Result()
        try:
            with self.manager.lock:
                goal = self.manager.grip(controller, request.position, request.max_effort)
        except ControlError as error:
            self.get_logger().error(f"{controller}: {error}")
            result.error_code = int(gripper_error_code(error))
            result.error_string = f"rejected: {error}"
            handle.abort()
            return result
        gripper = self.manager.gripper_controllers[controller]
        command = JointTrajectory(joint_names=list(gripper.joints))
        command.header.stamp = self.get_clock().now().to_msg()
        command.points = [JointTrajectoryPoint(positions=gripper.command_positions().tolist())]
        self._commanded[controller].publish(command)  # type: ignore[attr-defined]
        while not goal.done.wait(GOAL_POLL_S):
            if handle.is_cancel_requested:
                with self.manager.lock:
                    gripper.halt(
                        self.manager.state.positions, GripperErrorCode.CANCELED, "canceled"
                    )
        result.error_code = goal.error_code
        result.error_string = goal.reason
        result.position = goal.position
        result.effort = goal.effort
        result.stalled = goal.stalled
        result.reached_goal = goal.reached_goal
        if goal.state == GoalState.SUCCEEDED:
            handle.succeed()
        elif goal.error_code == GripperErrorCode.CANCELED and handle.is_cancel_requested:
            handle.canceled()
        else:
            handle.abort()
        return result

    # -- e-stop -------------------------------------------------------------------------------
    def _estop(self, request: SetBool.Request, response: SetBool.Response) -> SetBool.Response:
        with self.manager.lock:
            if request.data:
                self.manager.engage_estop()
                response.message = "e-stop engaged: every controller holds position"
            else:
                self.manager.reset_estop()
                response.message = "e-stop released"
            self._estop_state.publish(Bool(data=self.manager.estopped))
        response.success = True
        self.get_logger().warn(response.message)
        return response

    def destroy_node(self) -> None:
        """Stop the control loop before the node goes away."""
        self._stop_loop()
        super().destroy_node()


def main(args: Sequence[str] | None = None) -> int:
    """Entry point of the ``controller_manager`` executable."""
    return run_lifecycle_node(ControllerManagerNode, args, threads=4)


if __name__ == "__main__":
    raise SystemExit(main())
