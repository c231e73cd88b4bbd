"""lift_with_two_hands and carry_tray_level: the Aurora takes the tray by both handles and the
judges read its height, tilt and final pose. Each twin must fail: the grippers unpowered (the
hands do not hold it), a prop without handles, and a robot without two hands (refused)."""

from __future__ import annotations

from pathlib import Path

import pytest

from academy_description.model_registry import load_model
from academy_skills.in_process_robot import practice_rig
from academy_skills.skill_library import AttemptResult, FailureReason, SkillOutcome

pytestmark = pytest.mark.physics

STATIONS = Path(__file__).resolve().parents[3] / "config" / "stations"
SKILLS = ("lift_with_two_hands", "carry_tray_level")


def attempt(
    skill: str, model: str = "aurora_h1", unpowered: bool = False, station: str = "tray",
    obj: str = "green_tray",
) -> AttemptResult:  # fmt: skip
    robot_model = load_model(model)
    joints = [j for g in robot_model.grippers.values() for j in g] if unpowered else ()
    robot, library = practice_rig(
        robot_model, STATIONS / f"{station}.yaml", seed=6, disabled_joints=joints
    )
    return library.get(skill).run_attempt(robot, library.validate(skill, {"object": obj}))


@pytest.mark.parametrize("skill", SKILLS)
def test_the_aurora_moves_the_tray_with_both_hands(skill: str) -> None:
    result = attempt(skill)
    assert result.outcome == SkillOutcome.SUCCEEDED, result.reason
    assert result.metrics["max_tilt"][0] <= 10.0


def test_the_lift_is_measured() -> None:
    assert attempt("lift_with_two_hands").metrics["lift_height_min"][0] >= 0.9 * 0.08


@pytest.mark.parametrize("skill", SKILLS)
def test_twin_unpowered_grippers_do_not_hold_the_tray(skill: str) -> None:
    result = attempt(skill, unpowered=True)
    assert result.outcome != SkillOutcome.SUCCEEDED, result.reason
    assert result.failure in (
        FailureReason.SLIPPED, FailureReason.DROPPED, FailureReason.TIPPED_OVER,
        FailureReason.MISSED, FailureReason.MOTION_FAILED,
    ), result.reason  # fmt: skip


def test_twin_a_prop_without_handles_is_refused() -> None:
    result = attempt("lift_with_two_hands", station="tabletop", obj="red_cube")
    assert result.outcome == SkillOutcome.REJECTED and "no handles" in result.reason


def test_twin_a_robot_without_two_hands_is_refused() -> None:
    result = attempt("carry_tray_level", model="iit_icub")
    assert result.outcome == SkillOutcome.REJECTED and "two arms, each with a hand" in result.reason
