"""The lift's failure branches, reached by physics: a grip too weak for a 3 kg block, a soaped
cube sliding in the jaws, a heavy load the arm cannot raise the last millimetres. Each failure has
a twin that differs only in what physics should decide (grip force, load) and succeeds.

Props come from ``config/stations/tabletop_heavy.yaml``, with the start poses narrowed to where
both arms reach (as in test_manipulation.py), so every outcome here comes from the grip and the
load, never from an unlucky start pose. All runs are in simulated time (``InProcessRobot``).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from narrow_station import CONTROLLERS, ROOT, narrow_station

from academy_description.model_registry import load_model
from academy_skills.in_process_robot import InProcessRobot
from academy_skills.kinematics import ArmKinematics
from academy_skills.manipulation import IN_HAND_TOLERANCE, LIFT_FRACTION, manipulation_skills
from academy_skills.skill_library import AttemptResult, SkillLibrary, SkillOutcome

pytestmark = pytest.mark.physics

HEAVY = ROOT / "config" / "stations" / "tabletop_heavy.yaml"


NARROW = narrow_station(Path(tempfile.mkdtemp(prefix="academy_heavy_station_")), HEAVY)


def lift(obj: str, grip_force: float, height: float = 0.10, seed: int = 11) -> AttemptResult:
    model = load_model("aurora_h1")
    robot = InProcessRobot(model, NARROW, CONTROLLERS, seed=seed)
    library = SkillLibrary(manipulation_skills(robot, ArmKinematics(model, 0.96)))
    params = library.validate("lift", {"object": obj, "grip_force": grip_force, "height": height})
    return library.get("lift").run_attempt(robot, params)


def test_the_heavy_props_are_what_the_station_says() -> None:
    from academy_sim.station_config import load_station

    props = {o.name: o for o in load_station(HEAVY).objects}
    assert props["tungsten_block"].mass == 3.0
    assert props["soap_cube"].friction[0] < 0.1 < props["tungsten_block"].friction[0]


def test_a_3_kg_block_slips_out_of_a_5_n_grip() -> None:
    # 2 pads x 5 N x friction 1.2 = 12 N of friction against 29 N of weight.
    result = lift("tungsten_block", grip_force=5.0)
    assert result.outcome == SkillOutcome.FAILED, result.reason
    assert "slipped" in result.reason or "dropped" in result.reason
    assert result.metrics["lift_height_max"][0] < LIFT_FRACTION * 0.10


def test_twin_a_60_n_grip_lifts_and_holds_the_3_kg_block() -> None:
    result = lift("tungsten_block", grip_force=60.0)
    assert result.outcome == SkillOutcome.SUCCEEDED, result.reason
    assert result.metrics["lift_height_min"][0] >= LIFT_FRACTION * 0.10


def test_a_soaped_cube_slips_in_a_16_n_grip() -> None:
    result = lift("soap_cube", grip_force=16.0)
    assert result.outcome == SkillOutcome.FAILED, result.reason
    assert "slipped in the hand" in result.reason
    assert result.metrics["object_to_grasp_point_max"][0] > IN_HAND_TOLERANCE


def test_twin_a_60_n_grip_holds_the_soaped_cube() -> None:
    result = lift("soap_cube", grip_force=60.0)
    assert result.outcome == SkillOutcome.SUCCEEDED, result.reason


def test_the_3_kg_block_held_fast_rises_only_part_of_a_short_lift() -> None:
    """Held without slipping, the block still sags the arm's servos by ~4 mm: more than 10 % of
    a 3 cm lift."""
    result = lift("tungsten_block", grip_force=60.0, height=0.03)
    assert result.outcome == SkillOutcome.FAILED, result.reason
    assert "rose only" in result.reason and "held in the hand" in result.reason
    assert result.metrics["object_to_grasp_point_max"][0] <= IN_HAND_TOLERANCE


def test_twin_a_light_cube_held_fast_rises_the_whole_short_lift() -> None:
    result = lift("soap_cube", grip_force=60.0, height=0.03)
    assert result.outcome == SkillOutcome.SUCCEEDED, result.reason
    assert result.metrics["lift_height_min"][0] >= LIFT_FRACTION * 0.03
