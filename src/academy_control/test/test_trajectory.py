"""Trajectory validation (every malformed case rejected with its reason) and interpolation."""

from __future__ import annotations

import math

import numpy as np
import pytest

from academy_control.errors import InvalidTrajectoryError
from academy_control.trajectory import (
    Trajectory,
    TrajectoryPoint,
    sample,
    validate_trajectory,
)
from academy_description.urdf_model import JointLimits

JOINTS = ("elbow", "wrist")
LIMITS = {"elbow": JointLimits(-2.0, 0.0, 3.0, 40.0), "wrist": JointLimits(-1.0, 1.0, 4.0, 10.0)}


def check(names: list[str], points: list[TrajectoryPoint]) -> Trajectory:
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


def retimed(points: list[TrajectoryPoint], factor: float) -> list[TrajectoryPoint]:
    """The same path ``factor`` times slower: times stretched, stated velocities divided."""
    return [
        TrajectoryPoint(
            p.time_from_start * factor, p.positions, tuple(v / factor for v in p.velocities)
        )
        for p in points
    ]


START = {"elbow": 0.0, "wrist": 0.0}

# Each: (points over [elbow, wrist], the reason's expected text). Elbow's limit is 3/s, wrist's 4/s.
TOO_FAST = {
    # A point states 3.5/s for the elbow.
    "point velocity": (
        [TrajectoryPoint(1.0, (-1.0, 0.0), (-3.5, 0.0))],
        "point 0: elbow velocity -3.5/s exceeds its limit 3/s",
    ),
    # Segment 0 runs from the start positions: the wrist covers 1.0 in 0.2 s.
    "segment 0 from the start": (
        [TrajectoryPoint(0.2, (-0.1, 1.0)), TrajectoryPoint(1.0, (-0.2, 1.0))],
        "segment 0 (the current position -> point 0): wrist would move at 5/s, "
        "above its velocity limit 4/s",
    ),
    # Segment 2: the elbow covers 1.0 in 0.25 s; segments 0 and 1 are slow.
    "a later segment": (
        [
            TrajectoryPoint(1.0, (-0.5, 0.0)),
            TrajectoryPoint(2.0, (-0.5, 0.5)),
            TrajectoryPoint(2.25, (-1.5, 0.5)),
        ],
        "segment 2 (point 1 -> point 2): elbow would move at 4/s, above its velocity limit 3/s",
    ),
}


@pytest.mark.parametrize("case", TOO_FAST)
def test_a_trajectory_faster_than_the_urdf_limit_is_rejected_naming_joint_and_index(
    case: str,
) -> None:
    points, reason = TOO_FAST[case]
    with pytest.raises(InvalidTrajectoryError) as error:
        validate_trajectory(JOINTS, points, JOINTS, LIMITS, START)
    assert reason in str(error.value)


@pytest.mark.parametrize("case", TOO_FAST)
def test_twin_the_same_trajectory_twice_as_long_is_accepted(case: str) -> None:
    points, _ = TOO_FAST[case]
    trajectory = validate_trajectory(JOINTS, retimed(points, 2.0), JOINTS, LIMITS, START)
    assert trajectory.duration == pytest.approx(2.0 * points[-1].time_from_start)


def test_the_segment_rejection_says_how_long_the_segment_needs() -> None:
    points, _ = TOO_FAST["a later segment"]
    with pytest.raises(InvalidTrajectoryError, match=r"give it at least 0\.333 s"):
        validate_trajectory(JOINTS, points, JOINTS, LIMITS, START)


def test_segment_0_is_checked_only_from_known_start_positions() -> None:
    points, _ = TOO_FAST["segment 0 from the start"]
    validate_trajectory(JOINTS, points, JOINTS, LIMITS)  # no start positions: not checked
    with pytest.raises(InvalidTrajectoryError, match="segment 0"):
        validate_trajectory(JOINTS, points, JOINTS, LIMITS, START)


def test_a_joint_exactly_at_its_velocity_limit_is_accepted() -> None:
    # 1.5 in 0.5 s is the elbow's 3/s: the limit itself is allowed.
    validate_trajectory(["elbow"], [TrajectoryPoint(0.5, (-1.5,), (-3.0,))], JOINTS, LIMITS, START)
