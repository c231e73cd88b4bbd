"""press_button, turn_knob, open/close_drawer and open/close_door on the Aurora at the fixtures
and door stations, judged by the fixture's own joint. Each twin must fail: the same fixture
blocked (a spring 100 times stiffer, a joint friction the arm cannot overcome), and a station
without the fixture refuses the goal."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from academy_description.model_registry import load_model
from academy_skills.in_process_robot import practice_rig
from academy_skills.skill_library import AttemptResult, FailureReason, SkillOutcome

pytestmark = pytest.mark.physics

STATIONS = Path(__file__).resolve().parents[3] / "config" / "stations"
FIXTURES = STATIONS / "fixtures.yaml"

#: skill -> (its fixture, the metric its judge reports, what blocks that fixture)
CASES = {
    "press_button": ("red_button", "pressed_depth", {"stiffness": 30000.0}),
    "turn_knob": ("black_knob", "turned", {"friction": 50.0}),
    "open_drawer": ("wooden_drawer", "open_share", {"friction": 2000.0}),
    "close_drawer": ("wooden_drawer", "open_share", {"friction": 2000.0}),
    "open_door": ("white_door", "open_share", {"friction": 200.0}),
    "close_door": ("white_door", "open_share", {"friction": 200.0}),
}


def station_of(skill: str) -> Path:
    return STATIONS / "door.yaml" if "door" in skill else FIXTURES


def attempt(skill: str, station: Path | None = None) -> AttemptResult:
    station = station or station_of(skill)
    robot, library = practice_rig(load_model("aurora_h1"), station, seed=5)
    params = library.validate(skill, {})
    refused = library.get(skill).check_goal(params)  # type: ignore[attr-defined]
    if refused is not None:
        return AttemptResult(SkillOutcome.REJECTED, refused, failure=FailureReason.REFUSED)
    return library.get(skill).run_attempt(robot, params)


@pytest.mark.parametrize("skill", sorted(CASES))
def test_the_aurora_works_the_fixture(skill: str) -> None:
    result = attempt(skill)
    assert result.outcome == SkillOutcome.SUCCEEDED, result.reason
    assert CASES[skill][1] in result.metrics


def test_the_judges_read_the_joints() -> None:
    assert attempt("press_button").metrics["pressed_depth"][0] >= 0.008
    assert abs(attempt("turn_knob").metrics["turned"][0] - 1.5708) <= 0.3
    assert attempt("open_drawer").metrics["open_share"][0] >= 0.8
    assert attempt("close_drawer").metrics["open_share"][0] <= 0.1
    assert attempt("open_door").metrics["open_share"][0] >= 0.8
    assert attempt("close_door").metrics["open_share"][0] <= 0.1


@pytest.mark.parametrize("skill", sorted(CASES))
def test_twin_a_blocked_fixture_is_not_worked(skill: str, tmp_path: Path) -> None:
    name, _, blocked = CASES[skill]
    data = yaml.safe_load(station_of(skill).read_text())
    next(f for f in data["fixtures"] if f["name"] == name).update(blocked)
    station = tmp_path / "blocked.yaml"
    station.write_text(yaml.safe_dump(data))
    result = attempt(skill, station)
    assert result.outcome != SkillOutcome.SUCCEEDED, result.reason
    assert result.failure in (
        FailureReason.MISSED, FailureReason.SLIPPED, FailureReason.MOTION_FAILED
    ), result.reason  # fmt: skip


@pytest.mark.parametrize("skill", sorted(CASES))
def test_twin_a_station_without_the_fixture_refuses(skill: str) -> None:
    result = attempt(skill, STATIONS / "tabletop.yaml")
    assert result.outcome == SkillOutcome.REJECTED and "this station has no" in result.reason
