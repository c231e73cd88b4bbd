"""``skill_executor`` node: serves ``execute_skill`` (ExecuteSkill action) and
``execute_scenario`` (ExecuteScenario: the integrated scenarios) for one robot.

Publishes ``skill_events`` (timing markers), serves ``list_skills``. One goal runs at a time; a
new goal preempts the running one (which ends CANCELED, reason "preempted"), as a trainer who
says "no, do this instead" expects.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from rcl_interfaces.msg import ParameterDescriptor  # type: ignore[import-untyped]
from rclpy.action.server import ActionServer, CancelResponse, GoalResponse, ServerGoalHandle
from rclpy.callback_groups import ReentrantCallbackGroup
from rclpy.executors import Executor
from rclpy.node import Node
from std_srvs.srv import SetBool  # type: ignore[import-untyped]

from academy_common.ids import uuid_bytes_to_hex
from academy_common.interface_constants import SkillEventKind as EventKind
from academy_common.node_main import run_node
from academy_common.qos import RELIABLE_QOS
from academy_description.model_registry import load_model
from academy_interfaces.action import ExecuteScenario, ExecuteSkill
from academy_interfaces.msg import SkillEvent, TrainerFeedback
from academy_interfaces.msg import SkillOutcome as SkillOutcomeMsg
from academy_interfaces.srv import ListSkills
from academy_sim.station import mount_height
from academy_sim.station_config import load_station
from academy_skills.errors import SkillsError
from academy_skills.kinematics import ArmKinematics
from academy_skills.manipulation import RobotIOError
from academy_skills.mastery import AttemptLog
from academy_skills.ros_conversions import (
    metrics_to_msg,
    parameters_from_msg,
    parameters_to_msg,
    seconds_to_duration,
)
from academy_skills.ros_robot_io import RosRobotIO
from academy_skills.scenarios import Command
from academy_skills.skill_executor import ExecutorEvent, GoalRun
from academy_skills.skill_library import (
    FailureReason,
    Skill,
    SkillDeps,
    SkillLibrary,
    SkillOutcome,
    default_library,
    registered_skills,
)

#: Granularity of sleeps inside skills (wall s): how fast a cancel or preemption is noticed.
STOP_POLL_S = 0.005
#: A sleep of ``s`` node-clock seconds gives up after ``SLEEP_WALL_CAP_FACTOR * s + 10`` wall
#: seconds: a simulation whose clock stopped is a fault to report, not a reason to hang.
SLEEP_WALL_CAP_FACTOR = 20.0
#: How long shutdown waits for the running goal to end (s).
SHUTDOWN_WAIT_S = 3.0

SkillGoalHandle = ServerGoalHandle[ExecuteSkill.Goal, ExecuteSkill.Result, ExecuteSkill.Feedback]
ScenarioGoalHandle = ServerGoalHandle[
    ExecuteScenario.Goal, ExecuteScenario.Result, ExecuteScenario.Feedback
]


class _GoalRuntime:
    """Clock and stop requests of one goal.

    Time is the node's clock: simulated time with ``use_sim_time`` (``/clock`` from the
    simulation), so that holds and settles last simulated seconds however loaded the host is.
    """

    def __init__(
        self, node: SkillExecutorNode, handle: SkillGoalHandle | ScenarioGoalHandle
    ) -> None:
        self._node = node
        self._handle = handle
        self.preempted = False

    def now(self) -> float:
        return self._node.get_clock().now().nanoseconds * 1e-9

    def stop_requested(self) -> SkillOutcome | None:
        if self._node.stopping:
            return SkillOutcome.CANCELED  # the node is shutting down (SIGINT/SIGTERM)
        io = self._node.robot_io
        if io is not None and io.estop_engaged():
            return SkillOutcome.ESTOPPED
        if self._handle.is_cancel_requested or self.preempted:
            return SkillOutcome.CANCELED
        return None

    def sleep(self, seconds: float) -> None:
        deadline = self.now() + seconds
        wall_cap = SLEEP_WALL_CAP_FACTOR * seconds + 10.0
        wall_deadline = time.monotonic() + wall_cap
        while self.stop_requested() is None:
            left = deadline - self.now()
            if left <= 0:
                return
            if time.monotonic() > wall_deadline:
                raise RobotIOError(
                    f"the clock advanced less than {seconds:.2f} s in {wall_cap:.0f} s of "
                    "wall time "
                    "(is the simulation publishing /clock?)"
                )
            time.sleep(min(STOP_POLL_S, left))


class _TrainerControl:
    """A scenario's trainer over ROS: paused by ``pause_scenario``, asked on /trainer/feedback
    (a cancel of the goal aborts the run: the runtime's stop)."""

    def __init__(self, node: SkillExecutorNode) -> None:
        self._node = node

    def command(self) -> Command:
        return Command.PAUSE if self._node._paused.is_set() else Command.RUN

    def ask(self, question: str) -> None:
        self._node.ask(question)


class SkillExecutorNode(Node):
    """Action server running skills of a :class:`SkillLibrary` for one robot."""

    def __init__(
        self,
        library: SkillLibrary | None = None,
        input_executor: Executor | None = None,
        **node_options: Any,
    ) -> None:
        """``node_options``: rclpy Node keyword arguments (as for a node in a container);
        ``input_executor``: the events executor for its high-rate inputs
        (:class:`~academy_common.input_node.InputNode`; default: one of their own)."""
        super().__init__("skill_executor", **node_options)
        self._input_executor = input_executor
        self.declare_parameter(
            "robot_id",
            "",
            ParameterDescriptor(description="robot id in events; default: the node's namespace"),
        )
        self.declare_parameter(
            "robot_model",
            "",
            ParameterDescriptor(
                description="registry model; enables reach/grasp/lift on its controllers"
            ),
        )
        self.declare_parameter(
            "station_file", "", ParameterDescriptor(description="station YAML (pelvis height)")
        )
        self.declare_parameter(
            "trajectory_controller",
            "joint_trajectory_controller",
            ParameterDescriptor(description="name of the arm's joint trajectory controller"),
        )
        self.declare_parameter(
            "pool_dir",
            "",
            ParameterDescriptor(
                description="pool directory: every attempt goes into <pool_dir>/mastery.sqlite "
                "(academy program status); '' records none"
            ),
        )
        robot_id = self.get_parameter("robot_id").get_parameter_value().string_value
        self.robot_id = robot_id or self.get_namespace().strip("/") or "robot"
        pool = self.get_parameter("pool_dir").get_parameter_value().string_value
        self.mastery = AttemptLog(Path(pool) / "mastery.sqlite") if pool else None
        self._lock = threading.Lock()
        self._active: _GoalRuntime | None = None
        self._run_lock = threading.Lock()  # one goal executes at a time
        self._stopping = threading.Event()
        self.robot_io: RosRobotIO | None = None  # set when manipulation skills are served
        group = ReentrantCallbackGroup()
        self.library = library or default_library()
        for skill in self._robot_skills():
            self.library.register(skill)
        self._events = self.create_publisher(SkillEvent, "skill_events", RELIABLE_QOS)
        self.create_service(ListSkills, "list_skills", self._list_skills, callback_group=group)
        self._server = ActionServer(
            self,
            ExecuteSkill,
            "execute_skill",
            execute_callback=self._execute,
            goal_callback=lambda goal: GoalResponse.ACCEPT,
            cancel_callback=lambda handle: CancelResponse.ACCEPT,
            callback_group=group,
        )
        self._paused = threading.Event()  # the trainer's pause of the running scenario
        self._scenario_running = False
        self.create_service(SetBool, "pause_scenario", self._pause, callback_group=group)
        self._feedback = self.create_publisher(TrainerFeedback, "/trainer/feedback", RELIABLE_QOS)
        self._scenarios = ActionServer(
            self,
            ExecuteScenario,
            "execute_scenario",
            execute_callback=self._execute_scenario,
            goal_callback=lambda goal: GoalResponse.ACCEPT,
            cancel_callback=lambda handle: CancelResponse.ACCEPT,
            callback_group=group,
        )
        self.get_logger().info(
            f"robot '{self.robot_id}': serving skills {', '.join(self.library.names())}"
        )

    def _robot_skills(self) -> list[Skill]:
        """Every registered skill the library lacks, built over this robot (none without a
        robot model and a station: they move the robot)."""
        model = self.get_parameter("robot_model").get_parameter_value().string_value
        if not model:
            return []
        station_file = self.get_parameter("station_file").get_parameter_value().string_value
        if not station_file:
            self.get_logger().info("no station_file: manipulation skills are not available")
            return []
        robot = load_model(model)
        station = load_station(Path(station_file))
        controller = self.get_parameter("trajectory_controller").get_parameter_value().string_value
        self.robot_io = RosRobotIO(self, controller, sorted(robot.grippers), self._input_executor)
        kinematics = ArmKinematics(robot, mount_height(station, robot))
        deps = SkillDeps(self.robot_io, kinematics)
        have = set(self.library.names())
        return [d.build(deps) for d in registered_skills().values() if d.name not in have]

    def _list_skills(
        self, request: ListSkills.Request, response: ListSkills.Response
    ) -> ListSkills.Response:
        response.skills = self.library.names()
        response.descriptions = [self.library.get(n).description for n in response.skills]
        return response

    def _execute(self, handle: SkillGoalHandle) -> ExecuteSkill.Result:
        goal: ExecuteSkill.Goal = handle.request
        goal_id = uuid_bytes_to_hex(handle.goal_id.uuid)
        runtime = _GoalRuntime(self, handle)
        self._begin(runtime)
        with self._run_lock:
            try:
                raw = parameters_from_msg(goal.parameters)
            except SkillsError as error:
                raw = {}
                reject_reason = str(error)
            else:
                reject_reason = ""

            def sink(event: ExecutorEvent) -> None:
                self._while_up(self._publish_event, event, goal_id, goal.instruction_id)
                if event.kind == EventKind.ATTEMPT_END and self.mastery is not None:
                    model = self.get_parameter("robot_model").get_parameter_value().string_value
                    lost = self.mastery.record(self.robot_id, model, event)
                    if lost:
                        self.get_logger().error(
                            f"mastery store {self.mastery.path}: attempt not recorded ({lost} "
                            f"lost so far): {self.mastery.last_error}"
                        )
                if event.kind in (EventKind.PHASE_START, EventKind.ATTEMPT_START):
                    feedback = ExecuteSkill.Feedback(
                        repetition=event.repetition, phase=event.phase, progress=event.progress
                    )
                    self._while_up(handle.publish_feedback, feedback)

            run = GoalRun(self.library, goal.skill, raw, goal.repetitions, runtime, sink)
            if reject_reason:
                outcome, reason = SkillOutcome.REJECTED, reject_reason
                refused = FailureReason.REFUSED.value
                result = ExecuteSkill.Result(reason=reason, failure=refused)
                run.emit(EventKind.GOAL_END, 0, outcome=outcome, reason=reason, failure=refused)
            else:
                goal_result = run.run()
                outcome, reason = goal_result.outcome, goal_result.reason
                if runtime.preempted and outcome == SkillOutcome.CANCELED:
                    reason = f"preempted by a newer goal ({reason})"
                result = ExecuteSkill.Result(
                    reason=reason,
                    failure=goal_result.failure,
                    duration=seconds_to_duration(goal_result.duration),
                    attempts=goal_result.attempts,
                    successes=goal_result.successes,
                    metrics=metrics_to_msg(goal_result.metrics),
                )
            result.outcome = SkillOutcomeMsg(value=int(outcome))
        self._end(handle, runtime, outcome, f"goal {goal_id[:8]} '{goal.skill}'", reason)
        return result

    def _begin(self, runtime: _GoalRuntime) -> None:
        """A new goal preempts the running one (of either action)."""
        with self._lock:
            if self._active is not None:
                self._active.preempted = True
            self._active = runtime

    def _end(
        self,
        handle: SkillGoalHandle | ScenarioGoalHandle,
        runtime: _GoalRuntime,
        outcome: SkillOutcome,
        label: str,
        reason: str,
    ) -> None:
        """Set the goal's final state from its outcome and log it."""
        with self._lock:
            if self._active is runtime:
                self._active = None
        if outcome == SkillOutcome.SUCCEEDED:
            self._while_up(handle.succeed)
        elif outcome == SkillOutcome.CANCELED and handle.is_cancel_requested:
            self._while_up(handle.canceled)
        else:
            self._while_up(handle.abort)
        level = (
            self.get_logger().info if outcome == SkillOutcome.SUCCEEDED else self.get_logger().warn
        )
        level(f"{label}: {outcome.name} {reason}".rstrip())

    def _execute_scenario(self, handle: ScenarioGoalHandle) -> ExecuteScenario.Result:
        """Run an ExecuteScenario goal (one at a time with execute_skill goals: either
        preempts the other), unless its skills are not mastered and it is not forced."""
        goal: ExecuteScenario.Goal = handle.request
        goal_id = uuid_bytes_to_hex(handle.goal_id.uuid)
        runtime = _GoalRuntime(self, handle)
        self._begin(runtime)
        with self._run_lock:
            result = self._run_scenario(handle, goal, goal_id, runtime)
        outcome = SkillOutcome(result.outcome.value)
        label = f"scenario {goal_id[:8]} '{goal.scenario}'"
        self._end(handle, runtime, outcome, label, result.reason)
        return result

    def _run_scenario(
        self,
        handle: ScenarioGoalHandle,
        goal: ExecuteScenario.Goal,
        goal_id: str,
        runtime: _GoalRuntime,
    ) -> ExecuteScenario.Result:
        from academy_skills.scenarios import ScenarioGoal, registered_scenarios

        refused = FailureReason.REFUSED.value
        declaration = registered_scenarios().get(goal.scenario)
        why = ""
        if declaration is None:
            why = f"unknown scenario {goal.scenario!r}; known: {', '.join(registered_scenarios())}"
        elif self.robot_io is None:
            why = "this skill executor moves no robot (no robot_model and station_file)"
        elif not goal.force:
            locked = self._not_mastered(declaration.skills)
            if locked:
                why = (
                    f"{goal.scenario} is locked for {self.robot_id}: it has not mastered "
                    f"{', '.join(locked)} (force overrides)"
                )
        if why:
            outcome = SkillOutcomeMsg(value=int(SkillOutcome.REJECTED))
            return ExecuteScenario.Result(outcome=outcome, reason=why, failure=refused)
        assert declaration is not None and self.robot_io is not None

        def sink(event: ExecutorEvent) -> None:
            self._while_up(self._publish_event, event, goal_id, goal.instruction_id)
            if event.kind in (EventKind.PHASE_START, EventKind.ATTEMPT_START):
                feedback = ExecuteScenario.Feedback(
                    run=event.repetition, step=event.phase, progress=event.progress
                )
                self._while_up(handle.publish_feedback, feedback)

        self._paused.clear()
        self._scenario_running = True
        try:
            ran = ScenarioGoal(
                declaration,
                self.robot_io,
                self.library,
                runtime,
                sink,
                runs=max(1, goal.runs),
                control=_TrainerControl(self),
            ).run()
        finally:
            self._scenario_running = False
            self._paused.clear()
        reason = ran.reason
        if runtime.preempted and ran.outcome == SkillOutcome.CANCELED:
            reason = f"preempted by a newer goal ({reason})"
        last = ran.last
        return ExecuteScenario.Result(
            outcome=SkillOutcomeMsg(value=int(ran.outcome)),
            reason=reason,
            failure=ran.failure,
            duration=seconds_to_duration(ran.duration),
            runs=ran.runs,
            successes=ran.successes,
            steps=[f"{s.step.label()}: {s.outcome.name.lower()}" for s in last.steps]
            if last is not None
            else [],
            metrics=metrics_to_msg(last.metrics if last is not None else {}),
        )

    def _pause(self, request: SetBool.Request, response: SetBool.Response) -> SetBool.Response:
        """``pause_scenario``: true pauses the running scenario between steps, false resumes it."""
        if not self._scenario_running:
            response.success = False
            response.message = "no scenario is running"
            return response
        if request.data:
            self._paused.set()
        else:
            self._paused.clear()
        response.success = True
        response.message = "scenario paused" if request.data else "scenario resumed"
        self.get_logger().info(response.message)
        return response

    def ask(self, question: str) -> None:
        """Ask the trainer (a scenario's question) on /trainer/feedback, in this robot's name."""
        msg = TrainerFeedback(robot_id=self.robot_id, level=TrainerFeedback.LEVEL_CLARIFY)
        msg.header.stamp = self.get_clock().now().to_msg()
        msg.text = question
        self._while_up(self._feedback.publish, msg)
        self.get_logger().warn(f"asks the trainer: {question}")

    def _not_mastered(self, skills: Sequence[str]) -> list[str]:
        """The skills this robot has not mastered (all of them without a mastery store)."""
        if self.mastery is None:
            return list(skills)
        from academy_skills.mastery import MasteryStore

        return MasteryStore(self.mastery.path).not_mastered(self.robot_id, skills)

    @property
    def stopping(self) -> bool:
        """True once shutdown began: running goals end CANCELED."""
        return self._stopping.is_set() or not self.context.ok()

    def _while_up(self, publish: Callable[..., object], *args: object) -> None:
        """Call ``publish``; after shutdown began (the context is gone), drop it quietly: a goal
        ending because of the shutdown has nobody left to tell."""
        try:
            publish(*args)
        except Exception:
            if not self.stopping:
                raise

    def stop(self) -> None:
        """End the running goal (CANCELED) and accept no more; returns once it ended (bounded
        by SHUTDOWN_WAIT_S)."""
        self._stopping.set()
        if self._run_lock.acquire(timeout=SHUTDOWN_WAIT_S):
            self._run_lock.release()

    def destroy_node(self) -> None:
        """End the running goal (CANCELED, bounded) before the node's handles go away."""
        self.stop()
        if self.robot_io is not None:
            self.robot_io.inputs.destroy()
        super().destroy_node()

    def _publish_event(self, event: ExecutorEvent, goal_id: str, instruction_id: str) -> None:
        msg = SkillEvent()
        msg.header.stamp = self.get_clock().now().to_msg()
        msg.robot_id = self.robot_id
        msg.goal_id = goal_id
        msg.instruction_id = instruction_id
        msg.skill = event.skill
        msg.repetition = event.repetition
        msg.repetitions = event.repetitions
        msg.event = int(event.kind)
        msg.phase = event.phase
        msg.outcome = SkillOutcomeMsg(value=int(event.outcome))
        msg.reason = event.reason
        msg.failure = event.failure
        msg.metrics = metrics_to_msg(event.metrics)
        msg.parameters = parameters_to_msg(event.parameters)
        self._events.publish(msg)


def main(args: Sequence[str] | None = None) -> int:
    """Entry point of the ``skill_executor`` executable."""
    return run_node(SkillExecutorNode, args, threads=4)


if __name__ == "__main__":
    raise SystemExit(main())
