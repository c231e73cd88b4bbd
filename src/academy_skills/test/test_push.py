"""push, pull and slide: the closed hand moves an object across the table (away, toward the
robot, sideways); judged where it ends up.

The twin must fail: the same move on a cube made 100 times heavier (it does not slide). A move
that would leave the object off the table is refused.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from academy_description.model_registry import load_model
from academy_skills.in_process_robot import practice_rig
from academy_skills.skill_library import (
    AttemptResult,
    FailureReason,
    SkillOutcome,
)

pytestmark = pytest.mark.physics

STATION = Path(__file__).resolve().parents[3] / "config" / "stations" / "tabletop.yaml"


#: skill -> its parameters (the distance each is judged on)
MOVES = {
    "push": {"distance": 0.08},
    "pull": {"distance": 0.04},
    "slide": {"distance": 0.06, "direction": "inward"},
}


def push(station: Path = STATION, skill: str = "push", **extra: object) -> AttemptResult:
    robot, library = practice_rig(load_model("aurora_h1"), station, seed=2)
    params = {"object": "red_cube", **MOVES[skill], **extra}
    return library.get(skill).run_attempt(robot, library.validate(skill, params))


@pytest.mark.parametrize("skill", ["pull", "slide"])
def test_the_aurora_pulls_and_slides_the_cube(skill: str) -> None:
    result = push(skill=skill)
    assert result.outcome == SkillOutcome.SUCCEEDED, result.reason
    assert result.metrics["moved_along"][0] >= 0.8 * float(MOVES[skill]["distance"])  # type: ignore[arg-type]
    assert result.metrics["moved_across"][0] <= 0.03


def test_twin_a_pull_off_the_table_is_refused() -> None:
    result = push(skill="pull", distance=0.2)
    assert result.outcome == SkillOutcome.REJECTED
    assert "off the table top" in result.reason


def test_the_aurora_pushes_the_cube_eight_centimetres_away() -> None:
    result = push()
    assert result.outcome == SkillOutcome.SUCCEEDED, result.reason
    assert result.metrics["moved_along"][0] >= 0.8 * 0.08
    assert result.metrics["moved_across"][0] <= 0.03


@pytest.mark.parametrize("skill", sorted(MOVES))
def test_twin_a_cube_too_heavy_to_slide_is_not_moved(tmp_path: Path, skill: str) -> None:
    data = yaml.safe_load(STATION.read_text())
    cube = next(o for o in data["objects"] if o["name"] == "red_cube")
    cube["mass"] = 10.0  # 100 x: friction 1.2 holds it against the hand
    heavy = tmp_path / "heavy.yaml"
    heavy.write_text(yaml.safe_dump(data))
    result = push(heavy, skill)
    assert result.outcome != SkillOutcome.SUCCEEDED, result.reason
    # The hand stalls against it (the controller aborts), or it barely moves.
    assert result.failure in (FailureReason.MOTION_FAILED, FailureReason.MISSED)
    distance = float(MOVES[skill]["distance"])  # type: ignore[arg-type]
    assert result.metrics.get("moved_along", (0.0, "m"))[0] < 0.8 * distance


def test_an_object_wider_than_the_hand_opens_is_pushed_not_refused() -> None:
    # Baxter's 73 mm jaws; the cup needs 65 mm + 12 mm.
    robot, library = practice_rig(load_model("rethink_baxter"), STATION, seed=2)
    result = library.get("push").run_attempt(
        robot, library.validate("push", {"object": "blue_cup"})
    )
    assert "too wide" not in result.reason
    assert result.outcome != SkillOutcome.REJECTED, result.reason
