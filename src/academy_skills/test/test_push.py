"""push: the closed hand slides an object away across the table; judged where it ends up.

The twin must fail: the same push on a cube made 100 times heavier (it does not slide).
"""

from __future__ import annotations

from pathlib import Path

import yaml

from academy_description.model_registry import load_model
from academy_skills.in_process_robot import practice_rig
from academy_skills.skill_library import (
    AttemptResult,
    FailureReason,
    SkillOutcome,
)

STATION = Path(__file__).resolve().parents[3] / "config" / "stations" / "tabletop.yaml"


def push(station: Path = STATION) -> AttemptResult:
    robot, library = practice_rig(load_model("aurora_h1"), station, seed=2)
    return library.get("push").run_attempt(
        robot, library.validate("push", {"object": "red_cube", "distance": 0.08})
    )


def test_the_aurora_pushes_the_cube_eight_centimetres_away() -> None:
    result = push()
    assert result.outcome == SkillOutcome.SUCCEEDED, result.reason
    assert result.metrics["pushed_forward"][0] >= 0.8 * 0.08
    assert result.metrics["pushed_sideways"][0] <= 0.03


def test_twin_a_cube_too_heavy_to_slide_is_not_pushed(tmp_path: Path) -> None:
    data = yaml.safe_load(STATION.read_text())
    cube = next(o for o in data["objects"] if o["name"] == "red_cube")
    cube["mass"] = 10.0  # 100 x: friction 1.2 holds it against the hand
    heavy = tmp_path / "heavy.yaml"
    heavy.write_text(yaml.safe_dump(data))
    result = push(heavy)
    assert result.outcome != SkillOutcome.SUCCEEDED, result.reason
    # The hand stalls against it (the controller aborts), or it barely moves.
    assert result.failure in (FailureReason.MOTION_FAILED, FailureReason.MISSED)
    assert result.metrics.get("pushed_forward", (0.0, "m"))[0] < 0.8 * 0.08


def test_an_object_wider_than_the_hand_opens_is_pushed_not_refused() -> None:
    # Baxter's 73 mm jaws; the cup needs 65 mm + 12 mm.
    robot, library = practice_rig(load_model("rethink_baxter"), STATION, seed=2)
    result = library.get("push").run_attempt(
        robot, library.validate("push", {"object": "blue_cup"})
    )
    assert "too wide" not in result.reason
    assert result.outcome != SkillOutcome.REJECTED, result.reason
