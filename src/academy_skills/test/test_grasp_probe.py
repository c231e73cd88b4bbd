"""The grasp probe: a hand closed on a free prop over a table, then the table taken away.

The Aurora H1's parallel jaw holds the station's cube at its own grasp point; the twins must
fail: the same hand unpowered, and the cube placed beyond the jaws. The proposal keeps the
current frame when nothing holds, and stays at a frame that holds.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from academy_description.model_registry import load_model
from academy_sim.station_config import load_station
from academy_skills.grasp_probe import (
    GraspProbe,
    candidate_axes,
    middle,
    propose_grasp_frame,
)

pytestmark = pytest.mark.physics

STATION = Path(__file__).resolve().parents[3] / "config" / "stations" / "tabletop.yaml"


def cube():  # type: ignore[no-untyped-def]
    return next(o for o in load_station(STATION).objects if o.name == "red_cube")


def current_axes(robot, arm: str) -> np.ndarray:  # type: ignore[no-untyped-def]
    return candidate_axes(robot.arms[arm].grasp_rpy)[0][1]


def test_the_aurora_jaw_holds_the_cube_at_its_grasp_point() -> None:
    robot = load_model("aurora_h1")
    probe = GraspProbe(robot, "right", cube())
    result = probe.try_orientation("current", current_axes(robot, "right"), [(0.0, 0.0)])
    assert (result.clear, result.touched, result.held) == (1, 1, [(0.0, 0.0)])


def test_an_unpowered_jaw_holds_nothing() -> None:
    robot = load_model("aurora_h1")
    probe = GraspProbe(robot, "right", cube(), grip_force=0.0)
    result = probe.try_orientation("current", current_axes(robot, "right"), [(0.0, 0.0)])
    assert result.clear == 1 and result.held == []


def test_a_cube_beyond_the_jaws_is_not_held() -> None:
    robot = load_model("aurora_h1")
    probe = GraspProbe(robot, "right", cube())
    result = probe.try_orientation("current", current_axes(robot, "right"), [(0.0, 0.12)])
    assert result.touched == 0 and result.held == []


def test_the_proposal_keeps_a_frame_that_holds_and_keeps_the_frame_when_nothing_holds() -> None:
    robot = load_model("aurora_h1")
    arm = robot.arms["right"]
    held = propose_grasp_frame(robot, "right", [cube()], coarse=0.02, fine=0.01, span=0.02)
    assert held.chosen is not None and held.chosen.label == "current grasp frame"
    assert (held.xyz, held.rpy) == (arm.grasp_xyz, arm.grasp_rpy)
    limp = propose_grasp_frame(robot, "right", [cube()], coarse=0.04, span=0.04, grip_force=0.0)
    assert limp.chosen is None
    assert (limp.xyz, limp.rpy) == (arm.grasp_xyz, arm.grasp_rpy)


def test_the_middle_of_a_held_region_is_its_best_surrounded_offset() -> None:
    plus = [(0.0, 0.0), (0.01, 0.0), (-0.01, 0.0), (0.0, 0.01), (0.0, -0.01), (0.05, 0.05)]
    assert middle(plus, 0.01) == (0.0, 0.0)
