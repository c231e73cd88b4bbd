"""look_at: the head turns until its gaze is within 5 degrees of the object, by measured pose.

Its twins must fail: the same attempt with the head unpowered (aborted off its path), an object
below the neck's range (Baxter's head only pans), and a robot without head joints (the G1).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from academy_description.model_registry import load_model
from academy_skills.in_process_robot import practice_rig
from academy_skills.skill_executor import GoalRun
from academy_skills.skill_library import (
    AttemptResult,
    FailureReason,
    SkillOutcome,
)

pytestmark = pytest.mark.physics

STATION = Path(__file__).resolve().parents[3] / "config" / "stations" / "tabletop.yaml"


def run_skill(
    model_name: str, skill: str, params: dict[str, object], disabled: str = ""
) -> AttemptResult:
    """One attempt of ``skill`` on ``model_name`` (seed 1); ``disabled``: "head" or "torso"
    leaves those joints unpowered."""
    model = load_model(model_name)
    joints = tuple(getattr(model, disabled)) if disabled else ()
    robot, library = practice_rig(model, STATION, seed=1, disabled_joints=joints)
    return library.get(skill).run_attempt(robot, library.validate(skill, params))


def look(model_name: str, obj: str, unpowered_head: bool = False) -> AttemptResult:
    return run_skill(model_name, "look_at", {"object": obj}, "head" if unpowered_head else "")


def test_tiago_looks_at_the_cube() -> None:
    result = look("pal_tiago_dual", "red_cube")
    assert result.outcome == SkillOutcome.SUCCEEDED, result.reason
    assert result.metrics["gaze_error"][0] < 5.0


def test_twin_with_its_head_unpowered_the_head_does_not_get_there() -> None:
    result = look("pal_tiago_dual", "red_cube", unpowered_head=True)
    # The limp head sags off the trajectory: the controller aborts it (path tolerance).
    assert result.outcome == SkillOutcome.ABORTED, result.reason
    assert result.failure is FailureReason.MOTION_FAILED
    assert "head_" in result.reason


def test_twin_a_head_that_only_pans_cannot_look_down_at_the_table() -> None:
    result = look("rethink_baxter", "red_cube")
    assert result.outcome == SkillOutcome.REJECTED, result.reason
    assert result.failure is FailureReason.OUT_OF_REACH
    assert "out of the head's range" in result.reason


def test_a_robot_without_head_joints_is_refused() -> None:
    result = look("unitree_g1", "red_cube")
    assert result.outcome == SkillOutcome.REJECTED
    assert result.failure is FailureReason.REFUSED
    assert "no head joints" in result.reason


def test_romeo_shares_the_pitch_between_its_neck_and_head_joints() -> None:
    # Two parallel pitch joints (NeckPitch, HeadPitch): neither alone tilts far enough.
    result = look("aldebaran_romeo", "blue_cup")
    assert result.outcome == SkillOutcome.SUCCEEDED, result.reason


def nod(model_name: str, unpowered_head: bool = False) -> AttemptResult:
    return run_skill(model_name, "nod", {}, "head" if unpowered_head else "")


def test_icub_nods_twice() -> None:
    result = nod("iit_icub")
    assert result.outcome == SkillOutcome.SUCCEEDED, result.reason
    assert result.metrics["shallowest_dip"][0] >= 0.8 * 17.1


def test_twin_an_unpowered_head_does_not_nod() -> None:
    result = nod("iit_icub", unpowered_head=True)
    assert result.outcome != SkillOutcome.SUCCEEDED, result.reason
    assert result.failure in (FailureReason.MISSED, FailureReason.MOTION_FAILED)


def test_twin_a_head_that_only_pans_cannot_nod() -> None:
    result = nod("rethink_baxter")
    assert result.outcome == SkillOutcome.REJECTED
    assert result.failure is FailureReason.OUT_OF_REACH


def shake(model_name: str, unpowered_head: bool = False) -> AttemptResult:
    return run_skill(model_name, "shake_head", {}, "head" if unpowered_head else "")


@pytest.mark.parametrize("model", ["aurora_h1", "rethink_baxter"])  # Baxter's head only pans
def test_a_head_shakes_left_and_right(model: str) -> None:
    result = shake(model)
    assert result.outcome == SkillOutcome.SUCCEEDED, result.reason
    assert result.metrics["smallest_turn"][0] >= 0.8 * 22.9
    assert result.metrics["return_error"][0] <= 3.0


def test_twin_an_unpowered_head_does_not_shake() -> None:
    result = shake("aurora_h1", unpowered_head=True)
    assert result.outcome != SkillOutcome.SUCCEEDED, result.reason
    assert result.failure in (FailureReason.MISSED, FailureReason.MOTION_FAILED)


def bow(model_name: str, unpowered_torso: bool = False) -> AttemptResult:
    return run_skill(model_name, "bow", {}, "torso" if unpowered_torso else "")


def test_the_g1_bows_from_its_waist_pitch_joint() -> None:
    result = bow("unitree_g1")
    assert result.outcome == SkillOutcome.SUCCEEDED, result.reason
    assert result.metrics["bow_tilt"][0] >= 0.8 * 17.1


def test_twin_an_unpowered_torso_does_not_bow() -> None:
    result = bow("unitree_g1", unpowered_torso=True)
    assert result.outcome != SkillOutcome.SUCCEEDED, result.reason
    assert result.failure in (FailureReason.MISSED, FailureReason.MOTION_FAILED)


def test_a_goal_the_robot_cannot_do_is_refused_once_not_per_attempt() -> None:
    robot, library = practice_rig(load_model("rethink_baxter"), STATION, seed=1)
    result = GoalRun(library, "bow", {}, 5, robot, lambda event: None).run()
    assert (result.outcome, result.attempts, result.failure) == (
        SkillOutcome.REJECTED,
        0,
        "refused",
    )
    assert "cannot bow" in result.reason


def test_twin_a_torso_that_only_lifts_cannot_bow() -> None:
    result = bow("pal_tiago_dual")
    assert result.outcome == SkillOutcome.REJECTED
    assert result.failure is FailureReason.REFUSED
    assert "torso_lift_joint" in result.reason


def test_the_g1_waves_its_right_hand() -> None:
    result = run_skill("unitree_g1", "wave", {})
    assert result.outcome == SkillOutcome.SUCCEEDED, result.reason
    assert result.metrics["lowest_hand_above_shoulder"][0] > 0.0
    assert result.metrics["swing_span"][0] > 0.1


def test_twin_an_unpowered_arm_does_not_wave() -> None:
    model = load_model("unitree_g1")
    arm = model.arms["right"].joints
    robot, library = practice_rig(model, STATION, seed=1, disabled_joints=arm)
    result = library.get("wave").run_attempt(robot, library.validate("wave", {}))
    assert result.outcome != SkillOutcome.SUCCEEDED, result.reason
    assert result.failure in (FailureReason.MISSED, FailureReason.MOTION_FAILED)


def test_the_g1_points_at_the_cup() -> None:
    result = run_skill("unitree_g1", "point_at", {"object": "blue_cup"})
    assert result.outcome == SkillOutcome.SUCCEEDED, result.reason
    assert result.metrics["pointing_error"][0] < 8.0
    assert result.metrics["hand_to_object"][0] > 0.05  # short of it, not touching


def test_twin_an_unpowered_arm_does_not_point() -> None:
    model = load_model("unitree_g1")
    arm = model.arms["left"].joints  # the cup stands on the left
    robot, library = practice_rig(model, STATION, seed=1, disabled_joints=arm)
    result = library.get("point_at").run_attempt(
        robot, library.validate("point_at", {"object": "blue_cup"})
    )
    assert result.outcome != SkillOutcome.SUCCEEDED, result.reason
    assert result.failure in (FailureReason.MISSED, FailureReason.MOTION_FAILED)
