"""``instruction_parser`` node: trainer utterances -> instructions -> skill goals / e-stops.

Subscribes ``/trainer/utterance``; for each text it either publishes an Instruction on
``/trainer/instructions`` and carries it out — an ExecuteSkill goal to ``/<robot>/execute_skill``,
``/<robot>/estop`` for stop/reset, a cancel for "cancel" — or answers on ``/trainer/feedback``
why it could not (never a guess). Goal outcomes are reported on ``/trainer/feedback`` too.

A stop for everyone calls every robot's ``estop`` at once (``call_async`` on all, before
anything else is done for the utterance); a robot whose service is not (yet) discovered is
waited for on a thread of its own, never in front of the others. Within
:data:`ESTOP_CONFIRM_TIMEOUT_S` the trainer hears per robot which e-stop engaged and which robot
did not answer (LEVEL_ERROR naming it); see :mod:`academy_instructions.estop_round`.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from rcl_interfaces.msg import ParameterDescriptor  # type: ignore[import-untyped]
from rclpy.action.client import ActionClient, ClientGoalHandle
from rclpy.callback_groups import ReentrantCallbackGroup
from rclpy.client import Client
from rclpy.node import Node
from rclpy.task import Future
from rclpy.timer import Timer
from rclpy.type_support import GetResultServiceResponse
from std_srvs.srv import SetBool  # type: ignore[import-untyped]

from academy_common.ids import new_id
from academy_common.interface_constants import InstructionKind
from academy_common.node_main import run_node
from academy_common.parameters import MissingParameterError, required_string
from academy_common.qos import INSTRUCTIONS_QOS, RELIABLE_QOS
from academy_description.fleet import load_fleet
from academy_instructions.estop_round import EstopReport, EstopRound
from academy_instructions.parser import (
    InstructionParser,
    ParsedInstruction,
    Rejection,
)
from academy_instructions.station_objects import load_station_objects
from academy_interfaces.action import ExecuteSkill
from academy_interfaces.msg import Instruction, SkillOutcome, TrainerFeedback, Utterance
from academy_skills.ros_conversions import parameters_to_msg
from academy_skills.skill_library import outcome_name

#: How long a robot's action server may take to appear, and how long a robot whose e-stop
#: service is not discovered yet is waited for (s).
ANSWER_TIMEOUT_S = 5.0
#: How long robots have to confirm an e-stop before the trainer hears which did not (s). Short:
#: a robot that has not confirmed may still be moving.
ESTOP_CONFIRM_TIMEOUT_S = 1.0

SkillClient = ActionClient[ExecuteSkill.Goal, ExecuteSkill.Result, ExecuteSkill.Feedback]
SkillGoalHandle = ClientGoalHandle[ExecuteSkill.Goal, ExecuteSkill.Result, ExecuteSkill.Feedback]
EstopClient = Client[SetBool.Request, SetBool.Response]


class InstructionParserNode(Node):
    """Parses trainer text and dispatches it to the robots of a station."""

    def __init__(self) -> None:
        super().__init__("instruction_parser")
        describe = ParameterDescriptor
        self.declare_parameter(
            "robot_ids", [""], describe(description="robots it may command, e.g. [robot_1]")
        )
        self.declare_parameter(
            "fleet_file",
            "",
            describe(description="fleet YAML: its robots (ids and spoken names) instead"),
        )
        self.declare_parameter("default_robot", "", describe(description="robot when unnamed"))
        self.declare_parameter(
            "station_file", "", describe(description="station YAML naming the objects trainers say")
        )
        self.declare_parameter(
            "pool_dir",
            "",
            describe(
                description="pool directory whose mastery store answers 'how are you doing on "
                "lifting?'; '' answers that no record is kept"
            ),
        )
        robots = [r for r in self.get_parameter("robot_ids").value or [] if r]
        names: dict[str, str] = {}
        fleet_file = self.get_parameter("fleet_file").get_parameter_value().string_value
        if fleet_file:
            # ids and spoken names only: the session checked the models (academy session check)
            fleet = load_fleet(Path(fleet_file), check_models=False)
            robots = robots or [r.id for r in fleet.robots]
            names = {r.spoken_name: r.id for r in fleet.robots if r.id in robots}
        if not robots:
            raise MissingParameterError(
                "parameter 'robot_ids' (or 'fleet_file') is required: the robots this parser "
                "may command, e.g. [robot_1]"
            )
        objects = load_station_objects(Path(required_string(self, "station_file")))
        default = self.get_parameter("default_robot").get_parameter_value().string_value
        self.parser = InstructionParser(robots, objects, default, names)
        group = self._group = ReentrantCallbackGroup()
        self._skills: dict[str, SkillClient] = {
            r: ActionClient(self, ExecuteSkill, f"/{r}/execute_skill", callback_group=group)
            for r in robots
        }
        self._estops: dict[str, EstopClient] = {
            r: self.create_client(SetBool, f"/{r}/estop", callback_group=group) for r in robots
        }
        self._pauses: dict[str, EstopClient] = {
            r: self.create_client(SetBool, f"/{r}/pause_scenario", callback_group=group)
            for r in robots
        }
        self._goals: dict[str, SkillGoalHandle] = {}
        self._lock = threading.Lock()
        self._instructions = self.create_publisher(
            Instruction, "/trainer/instructions", INSTRUCTIONS_QOS
        )
        self._feedback = self.create_publisher(TrainerFeedback, "/trainer/feedback", RELIABLE_QOS)
        self.create_subscription(
            Utterance, "/trainer/utterance", self._on_utterance, RELIABLE_QOS, callback_group=group
        )
        self.get_logger().info(f"listening to /trainer/utterance for {', '.join(robots)}")

    def _say(self, utterance: Utterance, robot: str, level: int, text: str) -> None:
        msg = TrainerFeedback(utterance_id=utterance.utterance_id, robot_id=robot, level=level)
        msg.header.stamp = self.get_clock().now().to_msg()
        msg.text = text
        self._feedback.publish(msg)
        log = (
            self.get_logger().info
            if level == TrainerFeedback.LEVEL_INFO
            else self.get_logger().warn
        )
        log(f"{robot or 'trainer'}: {text}")

    def _on_utterance(self, utterance: Utterance) -> None:
        result = self.parser.parse(utterance.text)
        if isinstance(result, Rejection):
            self._say(utterance, "", int(result.level), result.text)
            return
        robots = [result.robot_id] if result.robot_id else list(self._estops)
        if result.kind == InstructionKind.STOP:
            self._estop(utterance, robots, engage=True)  # first, before anything else
            self.get_logger().warn(f"stop: {result.reason}")
            self._publish_instruction(utterance, result)
            for robot in robots:
                self._cancel(robot)
            return
        instruction = self._publish_instruction(utterance, result)
        if result.kind == InstructionKind.EXECUTE_SKILL:
            self._dispatch_skill(utterance, result, instruction)
        elif result.kind == InstructionKind.QUERY_PROGRESS:
            self._say(
                utterance, result.robot_id, TrainerFeedback.LEVEL_INFO, self._progress(result)
            )
        elif result.kind == InstructionKind.RESET:
            self._estop(utterance, robots, engage=False)
            for robot in robots:  # "resume" also resumes a paused scenario (quietly)
                self._pause(utterance, robot, paused=False, answer=False)
        elif result.kind == InstructionKind.PAUSE:
            for robot in robots:
                self._pause(utterance, robot, paused=True, answer=True)
        else:
            for robot in robots:
                cancelled = self._cancel(robot)
                text = "cancelled the running skill" if cancelled else "nothing was running"
                self._say(utterance, robot, TrainerFeedback.LEVEL_INFO, f"{robot}: {text}")

    def _pause(self, utterance: Utterance, robot: str, paused: bool, answer: bool) -> None:
        """Pause (or resume) ``robot``'s running scenario; with ``answer``, say how it went."""
        client = self._pauses[robot]

        def done(future: Future[SetBool.Response]) -> None:
            if not answer:
                return
            response = future.result()
            if response is None:
                text, level = "did not answer the pause", TrainerFeedback.LEVEL_ERROR
            else:
                text, level = response.message, TrainerFeedback.LEVEL_INFO
            self._say(utterance, robot, level, f"{robot}: {text}")

        if not client.service_is_ready():
            if answer:
                self._say(
                    utterance, robot, TrainerFeedback.LEVEL_ERROR, f"{robot} is not answering"
                )
            return
        client.call_async(SetBool.Request(data=paused)).add_done_callback(done)

    def _progress(self, parsed: ParsedInstruction) -> str:
        """The robot's answer from the mastery store (``pool_dir``), or why there is none."""
        pool = self.get_parameter("pool_dir").get_parameter_value().string_value
        robot = parsed.robot_id
        if not pool:
            return "this session keeps no record of practice (no pool_dir)"
        from academy_skills.mastery import MasteryStore, progress_answer

        try:
            rows = MasteryStore(Path(pool) / "mastery.sqlite").progress(robot, parsed.skill or None)
        except sqlite3.Error as error:
            return f"I cannot read my practice record ({error})"
        return progress_answer(rows, robot, parsed.skill)

    def _publish_instruction(self, utterance: Utterance, parsed: ParsedInstruction) -> Instruction:
        msg = Instruction(
            instruction_id=new_id(),
            utterance_id=utterance.utterance_id,
            trainer_id=utterance.trainer_id,
            text=utterance.text,
            robot_id=parsed.robot_id,
            kind=parsed.kind.value,
            skill=parsed.skill,
            parameters=parameters_to_msg(parsed.parameters),
            repetitions=parsed.repetitions,
        )
        msg.header.stamp = self.get_clock().now().to_msg()
        self._instructions.publish(msg)
        return msg

    def _dispatch_skill(
        self, utterance: Utterance, parsed: ParsedInstruction, instruction: Instruction
    ) -> None:
        robot = parsed.robot_id
        client = self._skills[robot]
        if not client.server_is_ready():
            # Wait off the executor: a dead robot must not hold a thread a stop may need.
            threading.Thread(
                target=self._send_when_ready,
                args=(utterance, parsed, instruction),
                name=f"skill_{robot}",
                daemon=True,
            ).start()
            return
        self._send_goal(utterance, parsed, instruction)

    def _send_when_ready(
        self, utterance: Utterance, parsed: ParsedInstruction, instruction: Instruction
    ) -> None:
        robot = parsed.robot_id
        if not self._skills[robot].wait_for_server(timeout_sec=ANSWER_TIMEOUT_S):
            self._say(utterance, robot, TrainerFeedback.LEVEL_ERROR, f"{robot} is not answering")
            return
        self._send_goal(utterance, parsed, instruction)

    def _send_goal(
        self, utterance: Utterance, parsed: ParsedInstruction, instruction: Instruction
    ) -> None:
        robot = parsed.robot_id
        client = self._skills[robot]
        goal = ExecuteSkill.Goal(
            skill=parsed.skill,
            parameters=instruction.parameters,
            repetitions=parsed.repetitions,
            instruction_id=instruction.instruction_id,
        )
        details = ", ".join(f"{k}={v}" for k, v in parsed.parameters.items())
        times = f" x{parsed.repetitions}" if parsed.repetitions > 1 else ""
        self._say(
            utterance, robot, TrainerFeedback.LEVEL_INFO, f"{parsed.skill} {details}{times}: on it"
        )
        future = client.send_goal_async(goal)
        future.add_done_callback(lambda f: self._on_goal_response(utterance, robot, parsed, f))

    def _on_goal_response(
        self,
        utterance: Utterance,
        robot: str,
        parsed: ParsedInstruction,
        future: Future[SkillGoalHandle],
    ) -> None:
        handle = future.result()  # None only if the request was cancelled (e.g. at shutdown)
        if handle is None:
            self._say(utterance, robot, TrainerFeedback.LEVEL_ERROR, "the goal was never answered")
            return
        if not handle.accepted:
            self._say(utterance, robot, TrainerFeedback.LEVEL_ERROR, "the robot refused the goal")
            return
        with self._lock:
            self._goals[robot] = handle
        handle.get_result_async().add_done_callback(
            lambda f: self._on_result(utterance, robot, parsed, handle, f)
        )

    def _on_result(
        self,
        utterance: Utterance,
        robot: str,
        parsed: ParsedInstruction,
        handle: SkillGoalHandle,
        future: Future[GetResultServiceResponse[ExecuteSkill.Result]],
    ) -> None:
        with self._lock:
            if self._goals.get(robot) is handle:
                del self._goals[robot]
        response = future.result()  # None only if the request was cancelled (e.g. at shutdown)
        if response is None:
            self._say(utterance, robot, TrainerFeedback.LEVEL_ERROR, "the goal's result was lost")
            return
        result: ExecuteSkill.Result = response.result
        outcome = outcome_name(result.outcome.value)
        summary = f"{parsed.skill}: {result.successes}/{result.attempts} succeeded"
        if result.outcome.value == SkillOutcome.SUCCEEDED:
            self._say(utterance, robot, TrainerFeedback.LEVEL_INFO, f"done, {summary}")
        else:
            text = f"{outcome.lower()}, {summary}: {result.reason}"
            self._say(utterance, robot, TrainerFeedback.LEVEL_ERROR, text)

    def _cancel(self, robot: str) -> bool:
        with self._lock:
            handle = self._goals.get(robot)
        if handle is None:
            return False
        handle.cancel_goal_async()
        return True

    def _estop(self, utterance: Utterance, robots: Sequence[str], engage: bool) -> None:
        """Ask every robot of ``robots`` at once to engage (or release) its e-stop."""
        start = time.monotonic()
        round_ = EstopRound(robots, engage, ESTOP_CONFIRM_TIMEOUT_S)
        request = SetBool.Request(data=engage)
        late = []
        for robot in robots:
            client = self._estops[robot]
            if client.service_is_ready():
                self._call_estop(utterance, round_, robot, client, request, start)
            else:
                late.append(robot)
        for robot in late:  # after every discovered robot was called
            threading.Thread(
                target=self._call_estop_when_ready,
                args=(utterance, round_, robot, request, start),
                name=f"estop_{robot}",
                daemon=True,
            ).start()
        self._after(ESTOP_CONFIRM_TIMEOUT_S, lambda: self._report(utterance, round_.expire()))

    def _call_estop_when_ready(
        self,
        utterance: Utterance,
        round_: EstopRound,
        robot: str,
        request: SetBool.Request,
        start: float,
    ) -> None:
        client = self._estops[robot]
        if client.wait_for_service(timeout_sec=ANSWER_TIMEOUT_S):
            self._call_estop(utterance, round_, robot, client, request, start)
            return
        why = f"its service /{robot}/estop did not appear within {ANSWER_TIMEOUT_S:g} s"
        self._report(utterance, round_.fail(robot, why, time.monotonic() - start))

    def _call_estop(
        self,
        utterance: Utterance,
        round_: EstopRound,
        robot: str,
        client: EstopClient,
        request: SetBool.Request,
        start: float,
    ) -> None:
        def answered(future: Future[SetBool.Response]) -> None:
            elapsed = time.monotonic() - start
            error = future.exception()
            if error is not None:
                reports = round_.fail(robot, f"the call failed: {error}", elapsed)
            else:
                response: SetBool.Response = future.result()
                reports = round_.answer(robot, response.success, response.message, elapsed)
            self._report(utterance, reports)

        client.call_async(request).add_done_callback(answered)

    def _report(self, utterance: Utterance, reports: Sequence[EstopReport]) -> None:
        for report in reports:
            self._say(utterance, report.robot_id, int(report.level), report.text)

    def _after(self, delay_s: float, callback: Callable[[], None]) -> None:
        """Run ``callback`` once, ``delay_s`` from now, on the executor."""
        timers: list[Timer] = []

        def fire() -> None:
            timers[0].cancel()
            self.destroy_timer(timers[0])
            callback()

        timers.append(self.create_timer(delay_s, fire, callback_group=self._group))


def main(args: Sequence[str] | None = None) -> int:
    """Entry point of the ``instruction_parser`` executable."""
    return run_node(InstructionParserNode, args, threads=4)


if __name__ == "__main__":
    raise SystemExit(main())
