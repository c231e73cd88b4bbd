"""ConversationState: when the trainer's side has heard the end of an utterance (ROS-free)."""

from __future__ import annotations

import pytest

from academy_common.interface_constants import FeedbackLevel, InstructionKind
from academy_instructions.conversation_state import ConversationState
from academy_instructions.estop_round import EstopRound

INFO, ERROR = FeedbackLevel.INFO, FeedbackLevel.ERROR
ROBOTS = ["robot_1", "robot_2", "robot_3"]
FAN_OUT = [InstructionKind.STOP, InstructionKind.RESET, InstructionKind.CANCEL]


@pytest.mark.parametrize("kind", FAN_OUT)
def test_an_instruction_for_everyone_waits_for_every_robots_answer(kind: InstructionKind) -> None:
    state = ConversationState(ROBOTS)
    assert not state.on_instruction(kind, "")
    assert state.awaiting == tuple(ROBOTS)
    assert not state.on_feedback("robot_2", ERROR)  # one robot's error is not the end
    assert not state.on_feedback("robot_1", INFO)
    assert state.awaiting == ("robot_3",)
    assert state.on_feedback("robot_3", INFO)
    assert state.finished and state.awaiting == ()


def test_a_stop_round_with_a_silent_robot_ends_with_its_last_report() -> None:
    # What the instruction parser publishes for "everyone stop" when robot_2 never answers: the
    # round's reports at the deadline, errors first, one TrainerFeedback per robot.
    round_ = EstopRound(ROBOTS, engage=True, timeout_s=1.0)
    round_.answer("robot_1", True, "", 0.01)
    round_.answer("robot_3", True, "", 0.02)
    reports = round_.expire()
    state = ConversationState(ROBOTS)
    state.on_instruction(InstructionKind.STOP, "")
    finished = [state.on_feedback(r.robot_id, r.level) for r in reports]
    assert [r.robot_id for r in reports] == ["robot_2", "robot_1", "robot_3"]
    assert finished == [False, False, True]


def test_a_second_answer_of_one_robot_does_not_stand_in_for_another() -> None:
    state = ConversationState(["robot_1", "robot_2"])
    state.on_instruction(InstructionKind.STOP, "")
    state.on_feedback("robot_1", ERROR)  # did not answer within the deadline
    assert not state.on_feedback("robot_1", INFO)  # its late answer
    assert state.awaiting == ("robot_2",)


def test_answers_before_the_instruction_count_once_it_is_known() -> None:
    state = ConversationState(["robot_1", "robot_2"])
    assert not state.on_feedback("robot_1", INFO)
    assert not state.on_feedback("robot_2", ERROR)  # not known yet to be a stop, not the end
    assert state.on_instruction(InstructionKind.STOP, "")


def test_an_instruction_naming_one_robot_waits_for_that_robot_only() -> None:
    state = ConversationState(["robot_1"])  # the trainer does not follow robot_2
    state.on_instruction(InstructionKind.STOP, "robot_2")
    assert state.awaiting == ("robot_2",)
    assert not state.on_feedback("robot_1", INFO)
    assert state.on_feedback("robot_2", INFO)


def test_a_skill_ends_with_its_goal_or_an_error() -> None:
    ended = ConversationState(ROBOTS)
    ended.on_instruction(InstructionKind.EXECUTE_SKILL, "robot_1")
    assert not ended.on_feedback("robot_1", INFO)  # "lift ...: on it"
    assert not ended.finished and ended.awaiting == ()  # a goal is awaited, not an answer
    assert not ended.on_goal_end()  # the robot has not said how it went yet
    assert ended.on_feedback("robot_1", INFO)  # "done, lift: 1/1 succeeded"

    answered_first = ConversationState(ROBOTS)  # the answer overtook the event
    answered_first.on_instruction(InstructionKind.EXECUTE_SKILL, "robot_1")
    answered_first.on_feedback("robot_1", INFO)
    assert not answered_first.on_feedback("robot_1", INFO)  # no goal end yet
    assert answered_first.on_goal_end()

    silent = ConversationState(ROBOTS)  # the final answer never comes: the grace ends it
    silent.on_instruction(InstructionKind.EXECUTE_SKILL, "robot_1")
    silent.on_feedback("robot_1", INFO)
    assert not silent.on_goal_end()
    assert silent.stop_waiting()

    failed = ConversationState(ROBOTS)
    assert not failed.on_feedback("robot_1", ERROR)  # before the instruction: a stop's, maybe
    assert failed.on_instruction(InstructionKind.EXECUTE_SKILL, "robot_1")


@pytest.mark.parametrize("level", [FeedbackLevel.REJECTED, FeedbackLevel.CLARIFY])
def test_a_refusal_or_a_question_ends_it_without_an_instruction(level: FeedbackLevel) -> None:
    state = ConversationState(ROBOTS)
    assert state.on_feedback("", level)
    assert state.kind is None


def test_following_no_robot_an_instruction_for_everyone_ends_with_the_first_answer() -> None:
    state = ConversationState([])
    assert not state.on_instruction(InstructionKind.STOP, "")  # nobody answered yet
    assert state.on_feedback("robot_1", INFO)
