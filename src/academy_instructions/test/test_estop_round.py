"""EstopRound: the trainer hears once per round which robot engaged and which did not answer."""

from __future__ import annotations

from academy_common.interface_constants import FeedbackLevel
from academy_instructions.estop_round import EstopReport, EstopRound

INFO, ERROR = FeedbackLevel.INFO, FeedbackLevel.ERROR


def test_the_round_is_reported_when_every_robot_answered() -> None:
    round_ = EstopRound(["robot_1", "robot_2"], engage=True, timeout_s=1.0)
    assert round_.answer("robot_2", True, "", 0.01) == []  # not complete yet: nothing to say
    assert round_.answer("robot_1", True, "held", 0.02) == [
        EstopReport("robot_1", INFO, "robot_1: held"),
        EstopReport("robot_2", INFO, "robot_2: e-stop engaged"),
    ]
    assert round_.reported and round_.expire() == []  # the deadline adds nothing


def test_silent_robots_are_errors_at_the_deadline_and_come_first() -> None:
    round_ = EstopRound(["robot_1", "robot_2", "robot_3"], engage=True, timeout_s=1.0)
    round_.answer("robot_1", True, "", 0.01)
    assert round_.expire() == [
        EstopReport("robot_2", ERROR, "robot_2 did not answer the e-stop within 1 s; it may still be moving"),  # noqa: E501
        EstopReport("robot_3", ERROR, "robot_3 did not answer the e-stop within 1 s; it may still be moving"),  # noqa: E501
        EstopReport("robot_1", INFO, "robot_1: e-stop engaged"),
    ]  # fmt: skip


def test_a_late_answer_is_reported_on_its_own() -> None:
    round_ = EstopRound(["robot_1"], engage=True, timeout_s=1.0)
    assert [r.level for r in round_.expire()] == [ERROR]
    assert round_.answer("robot_1", True, "", 2.04) == [
        EstopReport("robot_1", INFO, "robot_1: e-stop engaged (after 2.0 s)")
    ]
    assert round_.answer("robot_1", True, "", 3.0) == []  # one answer per robot


def test_a_refusal_and_a_failed_call_are_errors() -> None:
    round_ = EstopRound(["robot_1", "robot_2"], engage=False, timeout_s=1.0)
    round_.answer("robot_1", False, "hardware fault", 0.01)
    assert round_.fail("robot_2", "its service did not appear", 0.5) == [
        EstopReport("robot_1", ERROR, "robot_1 refused the e-stop release: hardware fault"),
        EstopReport("robot_2", ERROR, "robot_2 did not get the e-stop release: its service did not appear"),  # noqa: E501
    ]  # fmt: skip


def test_a_release_that_goes_unanswered_does_not_say_moving() -> None:
    round_ = EstopRound(["robot_1"], engage=False, timeout_s=0.5)
    assert round_.expire() == [
        EstopReport("robot_1", ERROR, "robot_1 did not answer the e-stop release within 0.5 s")
    ]
