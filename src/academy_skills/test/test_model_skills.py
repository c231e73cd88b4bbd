"""Reach, grasp and lift on real makers' models, judged by the same physics as the Aurora's.

Each model's success runs one attempt at the default station fitted to its reach; its twin must
fail: the same attempt with the hand unpowered, or with the props placed beyond its reach. A
model without a hand is refused with the reason. Success rates over many attempts per model are
measured by ``bench/skill_success.py`` (docs/benchmarks.md).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from academy_description.model_registry import load_model
from academy_skills.in_process_robot import InProcessRobot
from academy_skills.kinematics import ArmKinematics
from academy_skills.manipulation import manipulation_skills
from academy_skills.skill_library import AttemptResult, FailureReason, SkillLibrary, SkillOutcome

pytestmark = pytest.mark.physics

REPO = Path(__file__).resolve().parents[3]
STATION = REPO / "config" / "stations" / "tabletop.yaml"

#: (model, skill, object, seed): an attempt that succeeds (the object each hand holds best:
#: Baxter's 73 mm jaws cannot take the 65 mm cup, the G1's three fingers keep the cup; TIAGo's
#: and Romeo's grasp frames come from the grasp probe, which found their holds on these props).
SUCCESSES = [
    ("rethink_baxter", "lift", "red_cube", 1),
    ("unitree_g1", "lift", "blue_cup", 3),
    ("pal_talos", "lift", "red_cube", 3),
    ("pal_tiago_dual", "lift", "red_cube", 2),
    ("aldebaran_romeo", "lift", "blue_cup", 2),
]


def attempt(
    model_name: str,
    skill: str,
    obj: str,
    seed: int,
    station: Path = STATION,
    unpowered_hand: bool = False,
) -> AttemptResult:
    model = load_model(model_name)
    arm = model.arms["right" if obj == "red_cube" else "left"]
    disabled = model.hands[arm.gripper].joints if unpowered_hand else ()
    robot = InProcessRobot(
        model, station, model.controllers_file, seed=seed, disabled_joints=disabled
    )
    kinematics = ArmKinematics(model, robot.station_sim.config.pelvis_height)
    library = SkillLibrary(manipulation_skills(robot, kinematics))
    return library.get(skill).run_attempt(robot, library.validate(skill, {"object": obj}))


@pytest.mark.parametrize(("model", "skill", "obj", "seed"), SUCCESSES)
def test_a_real_makers_robot_does_the_skill(model: str, skill: str, obj: str, seed: int) -> None:
    result = attempt(model, skill, obj, seed)
    assert result.outcome == SkillOutcome.SUCCEEDED, result.reason


@pytest.mark.parametrize(
    ("model", "skill", "obj", "seed"), [s for s in SUCCESSES if s[1] != "reach"]
)
def test_twin_with_its_hand_unpowered_the_grasp_fails(
    model: str, skill: str, obj: str, seed: int
) -> None:
    result = attempt(model, skill, obj, seed, unpowered_hand=True)
    assert result.outcome == SkillOutcome.FAILED, result.reason
    assert "jaws did not" in result.reason
    assert result.failure is FailureReason.MISSED


def far_station(tmp_path: Path) -> Path:
    """The default station drawn 1.6 m out, not fitted to the robot: beyond every arm here."""
    data = yaml.safe_load(STATION.read_text())
    data["reach_reference"] = None
    data["table"]["center_x"] += 1.6
    for obj in data["objects"]:
        obj["spawn_x"] = [x + 1.6 for x in obj["spawn_x"]]
    path = tmp_path / "far.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


#: Every model with a hand, including those whose success rate is still low (docs/benchmarks.md).
BEYOND_REACH = [
    *SUCCESSES,
    ("aurora_h1", "lift", "red_cube", 1),
    ("aldebaran_romeo", "reach", "blue_cup", 1),
    ("pal_tiago_dual", "reach", "red_cube", 1),
]


@pytest.mark.parametrize(("model", "skill", "obj", "seed"), BEYOND_REACH)
def test_twin_an_object_beyond_the_models_reach_is_refused(
    tmp_path: Path, model: str, skill: str, obj: str, seed: int
) -> None:
    result = attempt(model, skill, obj, seed, station=far_station(tmp_path))
    assert result.outcome == SkillOutcome.REJECTED, result.reason
    assert "out of reach of the" in result.reason
    assert result.failure is FailureReason.OUT_OF_REACH


def test_a_model_without_a_hand_is_refused_with_the_reason() -> None:
    result = attempt("iit_icub", "grasp", "red_cube", 1)
    assert result.outcome == SkillOutcome.REJECTED
    assert "iit_icub cannot grasp: it needs a hand or gripper" in result.reason
    assert "left_hand: none" in result.reason
    assert result.failure is FailureReason.REFUSED


def test_an_object_wider_than_the_hand_opens_is_refused_before_anything_moves() -> None:
    result = attempt("rethink_baxter", "grasp", "blue_cup", 1)
    assert result.outcome == SkillOutcome.REJECTED
    assert "blue_cup is 0.065 m across: too wide for the left arm's left_hand" in result.reason
