"""The instruction parser: what trainers say maps to exactly the right goal, or to a clear no."""

from __future__ import annotations

import pytest

from academy_common.interface_constants import FeedbackLevel, InstructionKind
from academy_instructions.parser import (
    InstructionParser,
    ParsedInstruction,
    Rejection,
    StationObject,
)

OBJECTS = [StationObject("red_cube", "red", "cube"), StationObject("blue_cup", "blue", "cup")]


@pytest.fixture
def parser() -> InstructionParser:
    return InstructionParser(["robot_1", "robot_2"], OBJECTS, default_robot="robot_1")


def skill(robot: str, name: str, reps: int = 1, **params: float | str) -> ParsedInstruction:
    return ParsedInstruction(InstructionKind.EXECUTE_SKILL, robot, name, dict(params), reps)


PHRASINGS = [
    ("robot one, pick up the red cube", skill("robot_1", "lift", object="red_cube")),
    ("robot one, look at the red cube", skill("robot_1", "look_at", object="red_cube")),
    ("robot one, nod", skill("robot_1", "nod")),
    ("bow twice", skill("robot_1", "bow", 2)),
    ("lift the cup ten centimetres", skill("robot_1", "lift", object="blue_cup", height=0.1)),
    ("grasp the cube five times", skill("robot_1", "grasp", 5, object="red_cube")),
    ("Robot two: grab the blue mug twice, gently",
     skill("robot_2", "grasp", 2, object="blue_cup", grip_force=8.0)),
    ("reach for the red block", skill("robot_1", "reach", object="red_cube")),
    ("lift the red cube by 15 cm", skill("robot_1", "lift", object="red_cube", height=0.15)),
    ("pick the cup up", skill("robot_1", "lift", object="blue_cup")),
    ("robot_2 lift the cube 0.12 m three times slowly",
     skill("robot_2", "lift", 3, object="red_cube", height=0.12, speed=0.15)),
    ("please grasp the cup", skill("robot_1", "grasp", object="blue_cup")),
    ("raise the cube twenty five millimetres",
     skill("robot_1", "lift", object="red_cube", height=0.025)),
    ("touch the cube", skill("robot_1", "reach", object="red_cube")),
    ("lift up the red cube 10 cm high", skill("robot_1", "lift", object="red_cube", height=0.1)),
    ("take hold of the blue cup", skill("robot_1", "grasp", object="blue_cup")),
    ("move your hand to the cube", skill("robot_1", "reach", object="red_cube")),
    ("Robot 2, reach the mug quickly", skill("robot_2", "reach", object="blue_cup", speed=0.5)),
    ("grip the red cube firmly, once",
     skill("robot_1", "grasp", object="red_cube", grip_force=40.0)),
    ("pick up the cube 3 times", skill("robot_1", "lift", 3, object="red_cube")),
    ("robot one stop", ParsedInstruction(InstructionKind.STOP, "robot_1")),
    ("Stop!", ParsedInstruction(InstructionKind.STOP, "")),
    ("emergency stop", ParsedInstruction(InstructionKind.STOP, "")),
    ("halt", ParsedInstruction(InstructionKind.STOP, "")),
    ("robot one, reset", ParsedInstruction(InstructionKind.RESET, "robot_1")),
    ("robot two, resume", ParsedInstruction(InstructionKind.RESET, "robot_2")),
    ("robot one cancel", ParsedInstruction(InstructionKind.CANCEL, "robot_1")),
    ("robot two, never mind", ParsedInstruction(InstructionKind.CANCEL, "robot_2")),
]  # fmt: skip


@pytest.mark.parametrize(("text", "expected"), PHRASINGS, ids=[t for t, _ in PHRASINGS])
def test_phrasings_map_to_the_right_instruction(
    parser: InstructionParser, text: str, expected: ParsedInstruction
) -> None:
    assert parser.parse(text) == expected


REJECTIONS = [
    ("", FeedbackLevel.REJECTED, "I heard no words"),
    ("dance", FeedbackLevel.REJECTED, "I don't know how to 'dance'"),
    ("fold the towel", FeedbackLevel.REJECTED, "I don't know how to 'fold the towel'"),
    ("lift the green ball", FeedbackLevel.REJECTED, "I don't know 'green ball'"),
    ("lift the red cup", FeedbackLevel.REJECTED, "there is no red cup here"),
    ("robot nine, lift the cube", FeedbackLevel.REJECTED, "there is no robot_9 here"),
    ("robot banana, lift the cube", FeedbackLevel.REJECTED, "'robot banana' is not a robot number"),
    ("lift the", FeedbackLevel.CLARIFY, "which object?"),
    ("grasp the cube a hundred times", FeedbackLevel.REJECTED, "not a number of repetitions"),
    ("grasp the cube 500 times", FeedbackLevel.REJECTED, "too many; at most 50"),
    ("reach the cube ten centimetres", FeedbackLevel.REJECTED, "a height makes sense for lift"),
    ("lift the cube ninety potatoes", FeedbackLevel.REJECTED, "I did not understand"),
    ("x" * 300, FeedbackLevel.REJECTED, "300 characters"),
    ("pick up\x00 the cube", FeedbackLevel.REJECTED, "control characters"),
    ("lift the cube; rm -rf /", FeedbackLevel.REJECTED, "I did not understand"),
    ("lift the cube banana cm", FeedbackLevel.REJECTED, "'banana cm' is not a height"),
    ("nod the red cube", FeedbackLevel.REJECTED, "nod takes no object"),
    ("bow slowly", FeedbackLevel.REJECTED, "'slowly' does not apply to bow"),
]


@pytest.mark.parametrize(
    ("text", "level", "why"), REJECTIONS, ids=[t[:30] for t, _, _ in REJECTIONS]
)
def test_bad_inputs_are_rejected_clearly(
    parser: InstructionParser, text: str, level: FeedbackLevel, why: str
) -> None:
    result = parser.parse(text)
    assert isinstance(result, Rejection), result
    assert result.level == level
    assert why in result.text


def test_unnamed_robot_needs_a_default_when_there_are_several() -> None:
    parser = InstructionParser(["robot_1", "robot_2"], OBJECTS)
    result = parser.parse("lift the cube")
    assert isinstance(result, Rejection) and result.level == FeedbackLevel.CLARIFY
    assert "which robot?" in result.text


def test_two_objects_of_one_kind_need_a_colour() -> None:
    objects = [*OBJECTS, StationObject("green_cube", "green", "cube")]
    parser = InstructionParser(["robot_1"], objects)
    result = parser.parse("grasp the cube")
    assert isinstance(result, Rejection) and result.level == FeedbackLevel.CLARIFY
    assert "the red cube or the green cube" in result.text
    assert parser.parse("grasp the green cube") == skill("robot_1", "grasp", object="green_cube")


def test_what_no_robot_can_do_is_refused_before_asking_which_robot() -> None:
    parser = InstructionParser(["robot_1", "robot_2"], OBJECTS)
    result = parser.parse("dance")
    assert isinstance(result, Rejection) and result.level == FeedbackLevel.REJECTED
    assert "I don't know how to 'dance'" in result.text


# -- robots addressed by their spoken names (the fleet file's spoken_name) ------------------------
FLEET_NAMES = {"aurora": "robot_1", "baxter": "robot_2", "big blue": "robot_3"}


def fleet_parser() -> InstructionParser:
    return InstructionParser(["robot_1", "robot_2", "robot_3"], OBJECTS, names=FLEET_NAMES)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("baxter, grasp the red cube", skill("robot_2", "grasp", object="red_cube")),
        ("Aurora please lift the cup twice", skill("robot_1", "lift", 2, object="blue_cup")),
        ("big blue, reach for the red cube", skill("robot_3", "reach", object="red_cube")),
        ("robot two, grasp the red cube", skill("robot_2", "grasp", object="red_cube")),
    ],
)
def test_a_robot_is_addressed_by_id_or_spoken_name(text: str, expected: ParsedInstruction) -> None:
    assert fleet_parser().parse(text) == expected


def test_twin_a_name_no_robot_has_addresses_nobody() -> None:
    result = fleet_parser().parse("bender, grasp the red cube")
    assert isinstance(result, Rejection)  # "bender" is no robot: nothing goes to anyone
    assert fleet_parser().parse("big, grasp the red cube") != skill(
        "robot_3", "grasp", object="red_cube"
    )  # half a name is not the name


def test_a_stop_naming_a_robot_by_its_spoken_name_stops_that_robot_only() -> None:
    stop = fleet_parser().parse("baxter stop")
    assert isinstance(stop, ParsedInstruction) and stop.kind == InstructionKind.STOP
    assert stop.robot_id == "robot_2"
    everyone = fleet_parser().parse("stop")  # the twin: unnamed, every robot stops
    assert isinstance(everyone, ParsedInstruction) and everyone.robot_id == ""


def test_spoken_names_must_belong_to_robots_of_the_parser() -> None:
    with pytest.raises(ValueError, match="robot_9"):
        InstructionParser(["robot_1"], OBJECTS, names={"ghost": "robot_9"})


# -- destinations: "in the bin", "on the pad", "on the yellow block" ----------------------------
PLACES = [
    *OBJECTS,
    StationObject("yellow_block", "yellow", "block"),
    StationObject("grey_bin", "grey", "bin", fixture=True),
    StationObject("green_pad", "green", "target_pad", fixture=True),
]

DESTINATIONS = [
    ("put the red cube in the bin",
     skill("robot_1", "put_in_bin", object="red_cube", bin="grey_bin")),
    ("drop the cup into the grey basket",
     skill("robot_1", "put_in_bin", object="blue_cup", bin="grey_bin")),
    ("put the cube on the green pad",
     skill("robot_1", "pick_and_place", object="red_cube", target="green_pad")),
    ("move the cup to the pad",
     skill("robot_1", "pick_and_place", object="blue_cup", target="green_pad")),
    ("put the red cube on top of the yellow block",
     skill("robot_1", "stack", object="red_cube", onto="yellow_block")),
    ("stack the cube on the cup", skill("robot_1", "stack", object="red_cube", onto="blue_cup")),
    ("put the red cube", skill("robot_1", "place", object="red_cube")),
    ("take the cube out of the bin",
     skill("robot_1", "take_out_of_bin", object="red_cube", bin="grey_bin")),
    ("take the red cube off the yellow block",
     skill("robot_1", "unstack", object="red_cube", **{"from": "yellow_block"})),
]  # fmt: skip


@pytest.mark.parametrize(("text", "expected"), DESTINATIONS)
def test_a_destination_picks_the_carrying_skill_that_takes_it(
    text: str, expected: ParsedInstruction
) -> None:
    assert InstructionParser(["robot_1"], PLACES).parse(text) == expected


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("put the red cube in the green bin", "there is no green bin here"),
        ("push the red cube into the bin", "push does not take a place"),
        ("lift the cube onto the pad", "lift does not take a place"),
        ("grasp the bin", "I don't know 'bin'"),  # a fixture is a place, not a prop to take
    ],
)
def test_twin_a_destination_that_is_not_there_or_not_taken_is_refused(
    text: str, words: str
) -> None:
    result = InstructionParser(["robot_1"], PLACES).parse(text)
    assert isinstance(result, Rejection), result
    assert words in result.text


def test_twin_a_station_without_fixtures_has_no_bin() -> None:
    result = InstructionParser(["robot_1"], OBJECTS).parse("put the red cube in the bin")
    assert isinstance(result, Rejection) and "no bin or pad" in result.text


FIXTURE_PLACES = [
    *OBJECTS,
    StationObject("red_button", "red", "button", fixture=True),
    StationObject("wooden_drawer", "brown", "drawer", fixture=True),
]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("press the red button", skill("robot_1", "press_button", fixture="red_button")),
        ("open the brown drawer", skill("robot_1", "open_drawer", fixture="wooden_drawer")),
        ("close the drawer", skill("robot_1", "close_drawer")),  # the station's drawer
    ],
)
def test_a_fixture_skill_names_its_fixture(text: str, expected: ParsedInstruction) -> None:
    assert InstructionParser(["robot_1"], FIXTURE_PLACES).parse(text) == expected


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("press the green button", "there is no green button here"),
        ("open the button", "open_drawer works a drawer, not the red button"),
    ],
)
def test_twin_a_fixture_that_is_not_there_or_not_worked_so_is_refused(
    text: str, words: str
) -> None:
    result = InstructionParser(["robot_1"], FIXTURE_PLACES).parse(text)
    assert isinstance(result, Rejection) and words in result.text, result


CRUMB_PLACES = [
    StationObject("yellow_sponge", "yellow", "sponge"),
    StationObject("grey_pad", "grey", "target_pad", fixture=True),
]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("wipe the table", skill("robot_1", "wipe")),  # the station's crumbs, its sponge
        ("wipe the table clean with the yellow sponge",
         skill("robot_1", "wipe", object="yellow_sponge")),
        ("sweep up the crumbs", skill("robot_1", "sweep")),
        ("sweep the crumbs onto the grey pad", skill("robot_1", "sweep", target="grey_pad")),
    ],
)  # fmt: skip
def test_a_surface_skill_clears_the_stations_bits(text: str, expected: ParsedInstruction) -> None:
    assert InstructionParser(["robot_1"], CRUMB_PLACES).parse(text) == expected


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("wipe the table with the red cube", "there is no red cube here"),
        ("sweep the crumbs into the bin", "there is no bin here"),
    ],
)
def test_twin_a_surface_skill_with_a_tool_or_place_not_there_is_refused(
    text: str, words: str
) -> None:
    result = InstructionParser(["robot_1"], CRUMB_PLACES).parse(text)
    assert isinstance(result, Rejection) and words in result.text, result


def progress(robot: str, name: str = "") -> ParsedInstruction:
    return ParsedInstruction(InstructionKind.QUERY_PROGRESS, robot, name)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("robot two, how are you doing on lifting?", progress("robot_2", "lift")),
        ("how good are you at stacking", progress("robot_1", "stack")),
        ("how is your grasping going", progress("robot_1", "grasp")),
        ("how are you doing with pick and place", progress("robot_1", "pick_and_place")),
        ("how are you doing", progress("robot_1")),
    ],
)
def test_a_progress_question_names_the_robot_and_the_skill(
    parser: InstructionParser, text: str, expected: ParsedInstruction
) -> None:
    assert parser.parse(text) == expected


def test_twin_a_progress_question_on_an_unknown_skill_is_refused(
    parser: InstructionParser,
) -> None:
    result = parser.parse("how are you doing on juggling")
    assert isinstance(result, Rejection) and "I don't know the skill 'juggling'" in result.text


def test_pause_is_a_control_instruction(parser: InstructionParser) -> None:
    assert parser.parse("robot two, pause") == ParsedInstruction(InstructionKind.PAUSE, "robot_2")
    everyone = parser.parse("everyone pause")
    assert isinstance(everyone, ParsedInstruction) and everyone.robot_id == ""


def test_twin_an_unaddressed_pause_among_robots_asks_which(parser: InstructionParser) -> None:
    two = InstructionParser(["robot_1", "robot_2"], OBJECTS)
    result = two.parse("pause")
    assert isinstance(result, Rejection) and result.level == FeedbackLevel.CLARIFY
