"""Trajectory validation (every malformed case rejected with its reason) and interpolation."""

from __future__ import annotations

import math

import numpy as np
import pytest

from academy_control.errors import InvalidTrajectoryError
from academy_control.trajectory import (
    TrajectoryPoint,
    sample,
    validate_trajectory,
)
from academy_description.urdf_model import JointLimits

JOINTS = ("elbow", "wrist")
LIMITS = {"elbow": JointLimits(-2.0, 0.0, 3.0, 40.0), "wrist": JointLimits(-1.0, 1.0, 4.0, 10.0)}


def check(names: list[str], points: list[TrajectoryPoint]):
    return validate_trajectory(names, points, JOINTS, LIMITS)


@pytest.mark.parametrize(
    ("names", "points", "reason"),
    [
        (["elbow"], [TrajectoryPoint(1.0, (math.nan,))], "elbow position nan is not finite"),
        (["elbow"], [TrajectoryPoint(1.0, (math.inf,))], "elbow position inf is not finite"),
        (["elbow"], [TrajectoryPoint(1.0, (-1.0,), (math.inf,))], "velocity inf is not finite"),
        (["elbow"], [TrajectoryPoint(math.nan, (-1.0,))], "time_from_start nan is not finite"),
        (["knee"], [TrajectoryPoint(1.0, (0.1,))], "unknown joints ['knee']"),
        (["elbow", "elbow"], [TrajectoryPoint(1.0, (-1.0, -1.0))], "joints listed twice"),
        (["elbow"], [TrajectoryPoint(1.0, (0.5,))], "elbow position 0.5 is outside its limits"),
        (["wrist"], [TrajectoryPoint(1.0, (-1.5,))], "outside its limits [-1, 1]"),
        (
            ["elbow"],
            [TrajectoryPoint(1.0, (-1.0,)), TrajectoryPoint(1.0, (-0.5,))],
            "point 1: time_from_start 1 s is not after the previous 1 s",
        ),
        (
            ["elbow"],
            [TrajectoryPoint(2.0, (-1.0,)), TrajectoryPoint(1.0, (-0.5,))],
            "point 1: time_from_start 1 s is not after the previous 2 s",
        ),
        (["elbow"], [TrajectoryPoint(0.0, (-1.0,))], "point 0: time_from_start 0 s"),
        (["elbow", "wrist"], [TrajectoryPoint(1.0, (-1.0,))], "1 positions for 2 joints"),
        (["elbow"], [], "no points"),
        ([], [TrajectoryPoint(1.0, ())], "joint_names is empty"),
    ],
)
def test_malformed_trajectories_are_rejected_with_the_reason(
    names: list[str], points: list[TrajectoryPoint], reason: str
) -> None:
    with pytest.raises(InvalidTrajectoryError) as error:
        check(names, points)
    assert reason in str(error.value)


def test_a_valid_trajectory_is_accepted() -> None:
    trajectory = check(["wrist", "elbow"], [TrajectoryPoint(0.5, (0.2, -0.5))])
    assert trajectory.joint_names == ("wrist", "elbow")
    assert trajectory.duration == 0.5


def test_linear_interpolation_from_the_start_state() -> None:
    trajectory = check(["elbow"], [TrajectoryPoint(1.0, (-1.0,)), TrajectoryPoint(2.0, (-2.0,))])
    start = np.array([0.0])
    assert sample(trajectory, start, 0.5)[0] == pytest.approx([-0.5])
    assert sample(trajectory, start, 1.5)[0] == pytest.approx([-1.5])
    assert sample(trajectory, start, 5.0)[0] == pytest.approx([-2.0])  # holds the goal


def test_cubic_interpolation_meets_points_and_velocities() -> None:
    trajectory = check(
        ["elbow"], [TrajectoryPoint(1.0, (-1.0,), (0.0,)), TrajectoryPoint(2.0, (-1.5,), (0.0,))]
    )
    start = np.array([0.0])
    position, velocity = sample(trajectory, start, 1.0 - 1e-9)
    assert position == pytest.approx([-1.0], abs=1e-6)
    assert velocity == pytest.approx([0.0], abs=1e-6)
    midway, _ = sample(trajectory, start, 0.5)
    assert midway == pytest.approx([-0.5])  # symmetric cubic with zero end velocities
