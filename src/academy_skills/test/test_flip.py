"""flip: a standing block lifted, turned a quarter over about the jaws' axis and laid on its
side; judged by its measured orientation and height on the table.

The twins must fail: a heavy slippery block (it slides out of the jaws), and an unpowered
gripper (nothing is lifted, so nothing is turned).
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import yaml

from academy_description.model_registry import load_model
from academy_skills.in_process_robot import practice_rig
from academy_skills.manipulation import ObjectObservation
from academy_skills.skill_library import AttemptResult, FailureReason, SkillOutcome
from academy_skills.transfer_skills import tilt_from_vertical, vertical_half_extent

pytestmark = pytest.mark.physics

FLIPPING = Path(__file__).resolve().parents[3] / "config" / "stations" / "flipping.yaml"


def flip(station: Path = FLIPPING, seed: int = 2, disabled: tuple[str, ...] = ()) -> AttemptResult:
    robot, library = practice_rig(load_model("aurora_h1"), station, seed=seed,
                                  disabled_joints=disabled)  # fmt: skip
    params = library.validate("flip", {"object": "green_block"})
    return library.get("flip").run_attempt(robot, params)


@pytest.mark.parametrize("seed", [2, 9])
def test_the_aurora_lays_the_standing_block_on_its_side(seed: int) -> None:
    result = flip(seed=seed)
    assert result.outcome == SkillOutcome.SUCCEEDED, result.reason
    assert abs(result.metrics["tilt_from_vertical"][0] - 90.0) <= 15.0
    assert abs(result.metrics["above_lying_height"][0]) <= 0.01


def test_twin_a_slippery_block_is_not_laid_down(tmp_path: Path) -> None:
    data = yaml.safe_load(FLIPPING.read_text())
    # 1 kg at friction 0.2: the 20 N jaws hold 8 N of its 9.8 N weight.
    data["objects"][0].update(mass=1.0, friction=[0.2, 0.001, 0.0001])
    slippery = tmp_path / "slippery.yaml"
    slippery.write_text(yaml.safe_dump(data))
    result = flip(slippery)
    assert result.outcome == SkillOutcome.FAILED, result.reason
    assert result.failure in (FailureReason.SLIPPED, FailureReason.DROPPED, FailureReason.MISSED)


def test_twin_an_unpowered_gripper_turns_nothing_over() -> None:
    result = flip(disabled=load_model("aurora_h1").grippers["right_gripper"])
    assert result.outcome == SkillOutcome.FAILED, result.reason
    assert "tilt_from_vertical" not in result.metrics


def test_a_boxs_vertical_extent_and_tilt_follow_its_orientation() -> None:
    def block(quaternion: tuple[float, float, float, float]) -> ObjectObservation:
        return ObjectObservation(
            "b", "block", "green", "box", (0, 0, 0), quaternion, (0.04, 0.04, 0.08)
        )

    half = math.sqrt(0.5)
    standing, lying = block((1.0, 0.0, 0.0, 0.0)), block((half, half, 0.0, 0.0))
    assert vertical_half_extent(standing) == pytest.approx(0.04)
    assert vertical_half_extent(lying) == pytest.approx(0.02)
    assert tilt_from_vertical(standing) == pytest.approx(0.0, abs=1e-6)
    assert tilt_from_vertical(lying) == pytest.approx(math.pi / 2)
