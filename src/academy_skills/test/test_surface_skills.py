"""wipe and sweep: crumbs (real free MuJoCo bodies) cleared off their patch by the held sponge,
or gathered onto a pad by the closed hand; judged by counting where the bits lie afterwards.

The twins must fail: crumbs glued down (heavy and grippy: the strokes do not move them), a
station without crumbs (refused), and a sponge the unpowered gripper cannot hold.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
import yaml

from academy_description.model_registry import load_model
from academy_skills.in_process_robot import practice_rig
from academy_skills.skill_library import AttemptResult, FailureReason, SkillOutcome
from academy_skills.surface_skills import (
    POUR_SHARE,
    SWEEP_SHARE,
    WIPE_SHARE,
    covered,
    inside,
    rows,
)

pytestmark = pytest.mark.physics

STATIONS = Path(__file__).resolve().parents[3] / "config" / "stations"
CRUMBS = STATIONS / "crumbs.yaml"


def attempt(skill: str, station: Path = CRUMBS, seed: int = 2, **params: object) -> AttemptResult:
    robot, library = practice_rig(load_model("aurora_h1"), station, seed=seed)
    return library.get(skill).run_attempt(robot, library.validate(skill, dict(params)))


def glued(tmp_path: Path) -> Path:
    data = yaml.safe_load(CRUMBS.read_text())
    data["particles"][0].update(mass=0.5, friction=[3.0, 0.05, 0.001])
    path = tmp_path / "glued.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


@pytest.mark.parametrize("seed", [2, 7])
def test_the_aurora_wipes_the_crumbs_off_their_patch_with_the_sponge(seed: int) -> None:
    result = attempt("wipe", seed=seed)
    assert result.outcome == SkillOutcome.SUCCEEDED, result.reason
    assert result.metrics["cleared_share"][0] >= WIPE_SHARE
    assert result.metrics["bits_fallen"][0] == 0


@pytest.mark.parametrize("seed", [2, 7])
def test_the_aurora_sweeps_the_crumbs_onto_the_pad(seed: int) -> None:
    result = attempt("sweep", seed=seed)
    assert result.outcome == SkillOutcome.SUCCEEDED, result.reason
    assert result.metrics["on_pad_share"][0] >= SWEEP_SHARE


@pytest.mark.parametrize("skill", ["wipe", "sweep"])
def test_twin_glued_crumbs_are_not_cleared(tmp_path: Path, skill: str) -> None:
    result = attempt(skill, glued(tmp_path))
    assert result.outcome != SkillOutcome.SUCCEEDED, result.reason
    assert result.failure in (
        FailureReason.MISSED, FailureReason.SLIPPED, FailureReason.MOTION_FAILED
    ), result.reason  # fmt: skip


@pytest.mark.parametrize("skill", ["wipe", "sweep"])
def test_twin_a_station_without_crumbs_is_refused(skill: str) -> None:
    _robot, library = practice_rig(load_model("aurora_h1"), STATIONS / "tabletop.yaml", seed=2)
    params = library.validate(skill, {"object": "red_cube"} if skill == "wipe" else {})
    refused = library.get(skill).check_goal(params)
    assert refused is not None and "no loose bits" in refused


def test_rows_cover_the_span_with_overlap() -> None:
    centres = rows(0.0, 0.10, 0.04)
    assert centres[0] == pytest.approx(0.02) and centres[-1] == pytest.approx(0.08)
    assert all(b - a <= 0.8 * 0.04 + 1e-9 for a, b in itertools.pairwise(centres))
    assert rows(0.0, 0.03, 0.04) == [pytest.approx(0.015)]


def test_the_area_a_patch_covers_includes_each_bits_footprint() -> None:
    from academy_skills.manipulation import ParticlesObservation

    bits = ParticlesObservation("c", "crumbs", "brown", (0.01, 0.02, 0.005),
                                ((0.0, 0.0, 0.0), (0.1, 0.2, 0.0)))  # fmt: skip
    area = covered(bits)
    assert area == pytest.approx((-0.005, 0.105, -0.01, 0.21))
    assert inside((0.05, 0.1, 0.0), area) and not inside((0.2, 0.1, 0.0), area, 0.005)


def test_the_station_state_message_carries_the_bits_both_ways() -> None:
    # What the controller manager publishes (academy_sim.station_io) is what a robot reads.
    from geometry_msgs.msg import Point

    from academy_interfaces.msg import Particles, StationState
    from academy_skills.ros_robot_io import station_from_msg

    msg = StationState(table_height=0.85)
    loose = Particles(name="crumbs", kind="crumbs", color="brown")
    loose.size.x, loose.size.y, loose.size.z = 0.012, 0.012, 0.006
    loose.positions = [Point(x=0.3, y=-0.1, z=0.853), Point(x=0.31, y=-0.12, z=0.853)]
    msg.particles.append(loose)
    seen = station_from_msg(msg).particles["crumbs"]
    assert seen.size == pytest.approx((0.012, 0.012, 0.006))
    assert seen.positions == ((0.3, -0.1, 0.853), (0.31, -0.12, 0.853))


POURING = STATIONS / "pouring.yaml"


def pour(seed: int = 2, disabled: tuple[str, ...] = (), **params: object) -> AttemptResult:
    model = load_model("aurora_h1")
    robot, library = practice_rig(model, POURING, seed=seed, disabled_joints=disabled)
    return library.get("pour").run_attempt(robot, library.validate("pour", dict(params)))


@pytest.mark.parametrize("seed", [2, 5])
def test_the_aurora_pours_the_beads_from_the_tub_into_the_bin(seed: int) -> None:
    result = pour(seed)
    assert result.outcome == SkillOutcome.SUCCEEDED, result.reason
    assert result.metrics["beads_held"][0] == 12
    assert result.metrics["poured_share"][0] >= POUR_SHARE


def test_twin_a_tub_tipped_too_little_keeps_its_beads() -> None:
    result = pour(tilt=0.8)  # 46 degrees: the beads lie on its floor
    assert result.outcome == SkillOutcome.FAILED, result.reason
    assert result.failure == FailureReason.MISSED
    assert result.metrics["poured_share"][0] < POUR_SHARE


def test_twin_an_unpowered_gripper_pours_nothing() -> None:
    result = pour(disabled=load_model("aurora_h1").grippers["right_gripper"])
    assert result.outcome != SkillOutcome.SUCCEEDED, result.reason
    assert "poured_share" not in result.metrics
