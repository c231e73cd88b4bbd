"""Trainer instructions fail safe (issue 7): any stop word stops, releases and cancels name their
robot, bad numbers and contradictions are refused or asked back, never guessed."""

from __future__ import annotations

import pytest

from academy_common.interface_constants import FeedbackLevel, InstructionKind
from academy_instructions.parser import (
    MAX_TEXT_LENGTH,
    InstructionParser,
    ParsedInstruction,
    Rejection,
    StationObject,
)

OBJECTS = [StationObject("red_cube", "red", "cube"), StationObject("blue_cup", "blue", "cup")]
FLEET = ["robot_1", "robot_2", "robot_3"]


@pytest.fixture
def parser() -> InstructionParser:
    # A default robot for skills: it must not be used for stops, releases or cancels.
    return InstructionParser(FLEET, OBJECTS, default_robot="robot_1")


def stop(robot: str = "") -> ParsedInstruction:
    return ParsedInstruction(InstructionKind.STOP, robot)


# -- any stop word stops ---------------------------------------------------------------------------
STOPS = [
    ("stop", ""),
    ("STOP!", ""),
    ("stop.", ""),
    ("Stop, stop, STOP", ""),
    ("stop it", ""),
    ("stop stop", ""),
    ("wait, stop", ""),
    ("please stop the robot", ""),
    ("halt", ""),
    ("HALT!!!", ""),
    ("freeze", ""),
    ("emergency stop", ""),
    ("e-stop", ""),
    ("estop", ""),
    ("E-STOP now", ""),
    ("stop everything", ""),
    ("everyone stop", ""),
    ("don't stop", ""),  # fail safe: a stop word stops, whatever surrounds it
    ("robot two stop", "robot_2"),
    ("robot_3, halt", "robot_3"),
    ("stop robot two", "robot_2"),
    ("Robot 2: freeze!", "robot_2"),
    ("robot one, pick up the cube, no stop!", "robot_1"),
    ("release the stop", ""),  # "stop" is in it: it stops, it never releases
    ("reset the e-stop", ""),
    ("lift the cube -10 cm stop", ""),  # a bad number does not swallow the stop
    ("lift the cube nan cm, stop", ""),
    ("robot nine stop", ""),  # an unknown robot: stop everyone
    ("robot one stop robot two", ""),  # two robots named: stop everyone
    ("robot banana, stop", ""),
    ("robot one, everyone stop", ""),
    ("robot twenty five stop", ""),  # robot_25 is not here: everyone, never robot_20
    ("x" * (MAX_TEXT_LENGTH + 1) + " stop", ""),  # over-long
    ("robot two " + "blah " * 10_000 + "stop", ""),  # over-long: address not trusted
    ("stop\x00", ""),  # non-printable
    ("robot two\x07 stop", "robot_2"),
    ("\x1b STOP \x1b", ""),
    ("ｓｔｏｐ", ""),  # full-width letters (NFKC)
    ("lift the red cube; stop; dance", ""),
    ("stop_", ""),
]


@pytest.mark.parametrize(("text", "robot"), STOPS, ids=[repr(t[:40]) for t, _ in STOPS])
def test_any_stop_word_stops(parser: InstructionParser, text: str, robot: str) -> None:
    assert parser.parse(text) == stop(robot)


def test_a_stop_says_why_it_goes_to_everyone(parser: InstructionParser) -> None:
    unknown = parser.parse("robot nine, halt")
    assert isinstance(unknown, ParsedInstruction)
    assert unknown.reason == "heard 'halt'; there is no robot_9 here"
    several = parser.parse("robot one stop robot two")
    assert isinstance(several, ParsedInstruction)
    assert several.reason == "heard 'stop'; robot_1 and robot_2 named"


NOT_STOPS = [
    "stopwatch",
    "lift the unstoppable cube",
    "grasp the cube, nonstop",
    "lift the cube stopped",
    "lift the cube stops",
    "put it in the freezer",
    "halting",
    "halts",
    "s t o p",
    "lift the cube",
    "robot two, reach the cup",
    "estopped",
    "tops",
    "spot the cube",
]


@pytest.mark.parametrize("text", NOT_STOPS)
def test_words_that_only_look_like_stop_words_do_not_stop(
    parser: InstructionParser, text: str
) -> None:
    result = parser.parse(text)
    assert not (isinstance(result, ParsedInstruction) and result.kind == InstructionKind.STOP)


def test_a_huge_text_with_a_stop_word_is_parsed_in_bounded_time(parser: InstructionParser) -> None:
    import time

    text = "lift the cube " * 200_000 + "stop"  # 2.8 MB
    start = time.perf_counter()
    assert parser.parse(text) == stop("")
    assert time.perf_counter() - start < 1.0


def test_over_long_text_without_stop_word_is_still_rejected(parser: InstructionParser) -> None:
    result = parser.parse("x" * 300)
    assert isinstance(result, Rejection) and "300 characters" in result.text


# -- releases and cancels name their robot ---------------------------------------------------------
RELEASES = [
    ("robot one, reset", InstructionKind.RESET, "robot_1"),
    ("robot two resume", InstructionKind.RESET, "robot_2"),
    ("robot_3 continue", InstructionKind.RESET, "robot_3"),
    ("reset robot two", InstructionKind.RESET, "robot_2"),
    ("everyone reset", InstructionKind.RESET, ""),
    ("everybody, resume", InstructionKind.RESET, ""),
    ("all robots continue", InstructionKind.RESET, ""),
    ("reset all robots", InstructionKind.RESET, ""),
    ("resume everyone", InstructionKind.RESET, ""),
    ("robot two, cancel", InstructionKind.CANCEL, "robot_2"),
    ("robot one never mind", InstructionKind.CANCEL, "robot_1"),
    ("robot 3, abort", InstructionKind.CANCEL, "robot_3"),
    ("robot one, cancel everything", InstructionKind.CANCEL, "robot_1"),
    ("cancel all robots", InstructionKind.CANCEL, ""),
    ("everyone, cancel", InstructionKind.CANCEL, ""),
]


@pytest.mark.parametrize(("text", "kind", "robot"), RELEASES, ids=[t for t, _, _ in RELEASES])
def test_addressed_releases_and_cancels(
    parser: InstructionParser, text: str, kind: InstructionKind, robot: str
) -> None:
    assert parser.parse(text) == ParsedInstruction(kind, robot)


UNADDRESSED = [
    "reset",
    "resume",
    "continue",
    "please reset",
    "reset everything",
    "cancel",
    "never mind",
    "abort",
    "cancel everything",
]


@pytest.mark.parametrize("text", UNADDRESSED)
def test_unaddressed_release_or_cancel_asks_which_robot(
    parser: InstructionParser, text: str
) -> None:
    result = parser.parse(text)
    assert isinstance(result, Rejection), result
    assert result.level == FeedbackLevel.CLARIFY
    assert "which robot" in result.text
    assert "everyone" in result.text and "robot_1, robot_2, robot_3" in result.text


@pytest.mark.parametrize("text", ["reset", "continue", "cancel", "never mind"])
def test_with_a_single_robot_an_unaddressed_release_or_cancel_targets_it(text: str) -> None:
    parser = InstructionParser(["robot_7"], OBJECTS)
    result = parser.parse(text)
    assert isinstance(result, ParsedInstruction) and result.robot_id == "robot_7"


def test_a_release_naming_two_robots_asks_back(parser: InstructionParser) -> None:
    result = parser.parse("robot one, reset robot two")
    assert isinstance(result, Rejection) and result.level == FeedbackLevel.CLARIFY
    assert "robot_1" in result.text and "robot_2" in result.text


def test_a_release_naming_an_unknown_robot_is_rejected(parser: InstructionParser) -> None:
    result = parser.parse("robot nine, reset")
    assert isinstance(result, Rejection) and "there is no robot_9 here" in result.text


def test_skills_are_not_for_everyone(parser: InstructionParser) -> None:
    result = parser.parse("everyone, lift the red cube")
    assert isinstance(result, Rejection) and result.level == FeedbackLevel.REJECTED
    assert "one robot" in result.text


# -- numbers ---------------------------------------------------------------------------------------
BAD_NUMBERS = [
    ("lift the red cube -10 cm", "'-10'"),
    ("lift the red cube nan cm", "'nan'"),
    ("lift the red cube inf cm", "'inf'"),
    ("lift the red cube infinity cm", "'infinity'"),
    ("lift the red cube 1_0 cm", "'1_0'"),
    ("lift the red cube 1e1 cm", "'1e1'"),
    ("lift the red cube -0.1 m", "'-0.1'"),
    ("lift the red cube 0.1.0 m", "'0.1.0'"),
    ("grasp the cube -3 times", "'-3'"),
    ("grasp the cube nan times", "'nan'"),
    ("grasp the cube 1_0 times", "'1_0'"),
    ("lift the cube -10", "'-10'"),
]


@pytest.mark.parametrize(("text", "value"), BAD_NUMBERS, ids=[t for t, _ in BAD_NUMBERS])
def test_negative_and_non_finite_numbers_are_rejected_naming_the_value(
    parser: InstructionParser, text: str, value: str
) -> None:
    result = parser.parse(text)
    assert isinstance(result, Rejection), result
    assert result.level == FeedbackLevel.REJECTED
    assert value in result.text
    assert "positive" in result.text and "0.15" in result.text  # what would be valid


GOOD_NUMBERS = [
    ("lift the red cube 10 cm", 0.10),
    ("lift the red cube 0.1 m", 0.10),
    ("lift the red cube .05 m", 0.05),
    ("lift the red cube twenty-five mm", 0.025),
    ("lift the red cube by 15 cm.", 0.15),
]


@pytest.mark.parametrize(("text", "height"), GOOD_NUMBERS, ids=[t for t, _ in GOOD_NUMBERS])
def test_positive_numbers_still_work(parser: InstructionParser, text: str, height: float) -> None:
    result = parser.parse(text)
    assert isinstance(result, ParsedInstruction), result
    assert result.parameters["height"] == pytest.approx(height)


def test_a_zero_height_is_rejected(parser: InstructionParser) -> None:
    result = parser.parse("lift the red cube 0 cm")
    assert isinstance(result, Rejection) and "height" in result.text and "above 0" in result.text


# -- manner ----------------------------------------------------------------------------------------
CONTRADICTIONS = [
    ("lift the cube slowly quickly", "'slowly' and 'quickly'"),
    ("grasp the cube gently, firmly", "'gently' and 'firmly'"),
    ("grasp the cube fast, carefully", "'fast' and 'carefully'"),
]


@pytest.mark.parametrize(("text", "words"), CONTRADICTIONS, ids=[t for t, _ in CONTRADICTIONS])
def test_contradictory_manner_words_are_asked_back(
    parser: InstructionParser, text: str, words: str
) -> None:
    result = parser.parse(text)
    assert isinstance(result, Rejection), result
    assert result.level == FeedbackLevel.CLARIFY
    assert words in result.text


AGREEING = [
    ("lift the cube slowly, carefully", {"speed": 0.15}),
    ("grasp the cube quickly and gently", {"speed": 0.5, "grip_force": 8.0}),
    ("lift the cube slowly slowly", {"speed": 0.15}),
]


@pytest.mark.parametrize(("text", "expected"), AGREEING, ids=[t for t, _ in AGREEING])
def test_agreeing_manner_words_are_combined(
    parser: InstructionParser, text: str, expected: dict[str, float]
) -> None:
    result = parser.parse(text)
    assert isinstance(result, ParsedInstruction), result
    assert {k: v for k, v in result.parameters.items() if k != "object"} == expected
