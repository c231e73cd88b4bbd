"""``instruction_parser`` node: trainer utterances -> instructions -> skill goals / e-stops.

Subscribes ``/trainer/utterance``; for each text it either publishes an Instruction on
``/trainer/instructions`` and carries it out — an ExecuteSkill goal to ``/<robot>/execute_skill``,
``/<robot>/estop`` for stop/reset, a cancel for "cancel" — or answers on ``/trainer/feedback``
why it could not (never a guess). Goal outcomes are reported on ``/trainer/feedback`` too.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

from rcl_interfaces.msg import ParameterDescriptor
from rclpy.action import ActionClient
from rclpy.action.client import ClientGoalHandle
from rclpy.callback_groups import ReentrantCallbackGroup
from rclpy.node import Node
from std_srvs.srv import SetBool

from academy_common.ids import new_id
from academy_common.interface_constants import FeedbackLevel, InstructionKind
from academy_common.node_main import run_node
from academy_common.parameters import MissingParameterError, required_string
from academy_common.qos import INSTRUCTIONS_QOS, RELIABLE_QOS
from academy_instructions.parser import (
    InstructionParser,
    ParsedInstruction,
    Rejection,
    StationObject,
)
from academy_interfaces.action import ExecuteSkill
from academy_interfaces.msg import Instruction, SkillOutcome, TrainerFeedback, Utterance
from academy_sim.station_config import load_station
from academy_skills.ros_conversions import parameters_to_msg
from academy_skills.skill_library import outcome_name

#: How long a robot's action server or e-stop service may take to answer (s).
ANSWER_TIMEOUT_S = 5.0


class InstructionParserNode(Node):
    """Parses trainer text and dispatches it to the robots of a station."""

    def __init__(self) -> None:
        super().__init__("instruction_parser")
        describe = ParameterDescriptor
        self.declare_parameter(
            "robot_ids", [""], describe(description="robots it may command, e.g. [robot_1]")
        )
        self.declare_parameter("default_robot", "", describe(description="robot when unnamed"))
        self.declare_parameter(
            "station_file", "", describe(description="station YAML naming the objects trainers say")
        )
        robots = [r for r in self.get_parameter("robot_ids").value or [] if r]
        if not robots:
            raise MissingParameterError(
                "parameter 'robot_ids' is required: the robots this parser may command, "
                "e.g. [robot_1]"
            )
        station = load_station(Path(required_string(self, "station_file")))
        objects = [StationObject(o.name, o.color, o.kind) for o in station.objects]
        default = self.get_parameter("default_robot").get_parameter_value().string_value
        self.parser = InstructionParser(robots, objects, default)
        group = ReentrantCallbackGroup()
        self._skills = {
            r: ActionClient(self, ExecuteSkill, f"/{r}/execute_skill", callback_group=group)
            for r in robots
        }
        self._estops = {
            r: self.create_client(SetBool, f"/{r}/estop", callback_group=group) for r in robots
        }
        self._goals: dict[str, ClientGoalHandle] = {}
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
            level = (
                TrainerFeedback.LEVEL_CLARIFY
                if result.level == FeedbackLevel.CLARIFY
                else TrainerFeedback.LEVEL_REJECTED
            )
            self._say(utterance, "", level, result.text)
            return
        instruction = self._publish_instruction(utterance, result)
        if result.kind == InstructionKind.EXECUTE_SKILL:
            self._dispatch_skill(utterance, result, instruction)
        elif result.kind in (InstructionKind.STOP, InstructionKind.RESET):
            robots = [result.robot_id] if result.robot_id else list(self._estops)
            for robot in robots:
                if result.kind == InstructionKind.STOP:
                    self._cancel(robot)
                self._estop(utterance, robot, engage=result.kind == InstructionKind.STOP)
        else:
            cancelled = self._cancel(result.robot_id)
            text = "cancelled the running skill" if cancelled else "nothing was running"
            self._say(utterance, result.robot_id, TrainerFeedback.LEVEL_INFO, text)

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
        if not client.wait_for_server(timeout_sec=ANSWER_TIMEOUT_S):
            self._say(utterance, robot, TrainerFeedback.LEVEL_ERROR, f"{robot} is not answering")
            return
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
        self, utterance: Utterance, robot: str, parsed: ParsedInstruction, future: object
    ) -> None:
        handle: ClientGoalHandle = future.result()  # type: ignore[attr-defined]
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
        handle: ClientGoalHandle,
        future: object,
    ) -> None:
        with self._lock:
            if self._goals.get(robot) is handle:
                del self._goals[robot]
        result: ExecuteSkill.Result = future.result().result  # type: ignore[attr-defined]
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

    def _estop(self, utterance: Utterance, robot: str, engage: bool) -> None:
        client = self._estops[robot]
        if not client.wait_for_service(timeout_sec=ANSWER_TIMEOUT_S):
            text = f"e-stop service of {robot} is not answering"
            self._say(utterance, robot, TrainerFeedback.LEVEL_ERROR, text)
            return
        future = client.call_async(SetBool.Request(data=engage))
        future.add_done_callback(
            lambda f: self._say(
                utterance,
                robot,
                TrainerFeedback.LEVEL_INFO,
                f.result().message,  # type: ignore[attr-defined]
            )
        )


def main(args: Sequence[str] | None = None) -> int:
    """Entry point of the ``instruction_parser`` executable."""
    return run_node(InstructionParserNode, args, threads=4)


if __name__ == "__main__":
    raise SystemExit(main())
