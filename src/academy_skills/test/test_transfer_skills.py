"""pick_and_place, put_in_bin, take_out_of_bin, stack, unstack and rotate: the Aurora carries
the red cube to the goal and the judge reads where it rests. Each twin must fail: the same
attempt with the grippers unpowered (the jaws never close: nothing is carried), a goal naming
what the station lacks (refused before anything moves)."""

from __future__ import annotations

from pathlib import Path

import pytest

from academy_description.model_registry import load_model
from academy_skills.errors import SkillParameterError
from academy_skills.in_process_robot import practice_rig
from academy_skills.skill_library import AttemptResult, FailureReason, SkillOutcome

pytestmark = pytest.mark.physics

STATIONS = Path(__file__).resolve().parents[3] / "config" / "stations"

#: skill -> (station, parameters, a metric its success reports)
CASES = {
    "pick_and_place": ("targets", {}, "distance_to_target"),
    "put_in_bin": ("bins", {}, "below_rim"),
    "stack": ("stacking", {"onto": "yellow_block"}, "base_moved"),
    "rotate": ("tabletop", {"angle": 1.2}, "turned"),
    "take_out_of_bin": ("bins", {}, "distance_to_target"),
    "unstack": ("stacking", {"from": "yellow_block"}, "base_moved"),
    "sort_by_colour": ("sorting", {}, "below_rim"),
    "arrange_in_row": ("stacking", {"beside": "yellow_block"}, "gap"),
    "insert_peg": ("pegboard", {"object": "green_peg"}, "inserted_depth"),
    "place_on_shelf": ("shelf", {}, "distance_to_target"),
    "take_from_shelf": ("shelf", {}, "distance_to_target"),
}


def attempt(skill: str, unpowered_gripper: bool = False, **extra: object) -> AttemptResult:
    station, params, _ = CASES[skill]
    model = load_model("aurora_h1")
    joints = [j for g in model.grippers.values() for j in g] if unpowered_gripper else ()
    robot, library = practice_rig(
        model, STATIONS / f"{station}.yaml", seed=3, disabled_joints=joints
    )
    goal = library.validate(skill, {"object": "red_cube", **params, **extra})
    refused = library.get(skill).check_goal(goal)  # type: ignore[attr-defined]
    if refused is not None:
        return AttemptResult(SkillOutcome.REJECTED, refused, failure=FailureReason.REFUSED)
    return library.get(skill).run_attempt(robot, goal)


@pytest.mark.parametrize("skill", sorted(CASES))
def test_the_aurora_carries_the_cube_to_the_goal(skill: str) -> None:
    result = attempt(skill)
    assert result.outcome == SkillOutcome.SUCCEEDED, result.reason
    assert CASES[skill][2] in result.metrics


def test_rotate_measures_the_turn() -> None:
    result = attempt("rotate")
    assert abs(result.metrics["turned"][0] - 1.2) <= 0.2, result.metrics


@pytest.mark.parametrize("skill", sorted(CASES))
def test_twin_an_unpowered_gripper_carries_nothing(skill: str) -> None:
    result = attempt(skill, unpowered_gripper=True)
    assert result.outcome == SkillOutcome.FAILED, result.reason
    assert result.failure == FailureReason.MISSED, result.reason


@pytest.mark.parametrize(
    ("skill", "extra", "words"),
    [
        ("pick_and_place", {"target": "blue_pad"}, "no target_pad called 'blue_pad'"),
        ("put_in_bin", {"bin": "green_bin"}, "no bin called 'green_bin'"),
        ("stack", {"onto": "red_cube"}, "on itself"),
        ("stack", {"onto": "teapot"}, "unknown prop 'teapot'"),
        ("insert_peg", {"object": "blue_cup"}, "does not fit grey_pegboard's"),
    ],
)
def test_twin_a_goal_naming_what_the_station_lacks_is_refused(
    skill: str, extra: dict[str, object], words: str
) -> None:
    result = attempt(skill, **extra)
    assert result.outcome == SkillOutcome.REJECTED
    assert words in result.reason


def test_a_station_without_a_bin_refuses_put_in_bin() -> None:
    model = load_model("aurora_h1")
    _robot, library = practice_rig(model, STATIONS / "tabletop.yaml", seed=3)
    skill = library.get("put_in_bin")
    refused = skill.check_goal(library.validate("put_in_bin", {"object": "red_cube"}))  # type: ignore[attr-defined]
    assert refused is not None and "no bin" in refused


def test_twin_a_station_without_a_bin_of_its_colour_refuses_sorting() -> None:
    _robot, library = practice_rig(load_model("aurora_h1"), STATIONS / "bins.yaml", seed=3)
    skill = library.get("sort_by_colour")
    goal = library.validate("sort_by_colour", {"object": "red_cube"})
    refused = skill.check_goal(goal)  # type: ignore[attr-defined]
    assert refused is not None and "no red bin" in refused


def test_place_on_shelf_takes_the_half_asked() -> None:
    robot, library = practice_rig(load_model("aurora_h1"), STATIONS / "shelf.yaml", seed=3)
    goal = library.validate("place_on_shelf", {"object": "red_cube", "side": "right"})
    result = library.get("place_on_shelf").run_attempt(robot, goal)
    assert result.outcome == SkillOutcome.SUCCEEDED, result.reason
    assert robot.station().objects["red_cube"].position[1] < 0.0  # the shelf's right half


def test_twin_a_half_that_is_not_one_is_refused() -> None:
    _robot, library = practice_rig(load_model("aurora_h1"), STATIONS / "shelf.yaml", seed=3)
    with pytest.raises(SkillParameterError, match="'side' = 'up'"):
        library.validate("place_on_shelf", {"object": "red_cube", "side": "up"})
