"""place: lift an object, carry it toward the midline, set it down; judged where it rests.

Twins that must fail: the hand unpowered (nothing is picked up), and the same resting object
judged against a target 10 cm away (the judge reads the world, not the plan).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from academy_description.model_registry import load_model
from academy_skills.in_process_robot import practice_rig
from academy_skills.manipulation import PLACE_TARGET_TOLERANCE, PlaceSkill
from academy_skills.skill_library import FailureReason, SkillOutcome

pytestmark = pytest.mark.physics

STATION = Path(__file__).resolve().parents[3] / "config" / "stations" / "tabletop.yaml"


def setup(unpowered: bool = False):  # type: ignore[no-untyped-def]
    model = load_model("aurora_h1")
    disabled = model.hands["right_gripper"].joints if unpowered else ()
    return practice_rig(model, STATION, seed=3, disabled_joints=disabled)


def test_the_aurora_places_the_cube_ten_centimetres_toward_its_midline() -> None:
    robot, library = setup()
    start = robot.station().objects["red_cube"].position
    result = library.get("place").run_attempt(
        robot, library.validate("place", {"object": "red_cube", "reset_scene": False})
    )
    assert result.outcome == SkillOutcome.SUCCEEDED, result.reason
    end = robot.station().objects["red_cube"].position
    assert abs((end[1] - start[1]) - 0.10) < PLACE_TARGET_TOLERANCE  # cube on the right: +y
    assert result.metrics["distance_to_target"][0] <= PLACE_TARGET_TOLERANCE


def test_twin_with_the_hand_unpowered_nothing_is_placed() -> None:
    robot, library = setup(unpowered=True)
    result = library.get("place").run_attempt(
        robot, library.validate("place", {"object": "red_cube"})
    )
    assert result.outcome == SkillOutcome.FAILED, result.reason
    assert result.failure is FailureReason.MISSED


def test_twin_the_judge_reads_where_the_object_rests_not_where_it_was_meant_to_go() -> None:
    robot, library = setup()
    skill = library.get("place")
    assert isinstance(skill, PlaceSkill)
    library.get("place").run_attempt(robot, library.validate("place", {"object": "red_cube"}))
    resting = robot.station().objects["red_cube"]
    plan = type("P", (), {"obj": resting})()  # the judge needs the object's start only
    wrong = (resting.position[0] + 0.10, resting.position[1])
    result = skill._judge_placed(plan, wrong, {})  # type: ignore[arg-type]
    assert result.outcome == SkillOutcome.FAILED and result.failure is FailureReason.MISSED
    right = (resting.position[0], resting.position[1])
    assert skill._judge_placed(plan, right, {}).outcome == SkillOutcome.SUCCEEDED  # type: ignore[arg-type]
