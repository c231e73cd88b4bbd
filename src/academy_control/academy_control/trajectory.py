"""Joint trajectories: validation against the robot's limits, and sampling between points.

A trajectory is checked completely before a controller accepts it; :func:`validate_trajectory`
returns the first reason it is malformed (NaN/Inf, unknown or duplicate joints, out-of-limit
positions, velocities above the URDF's limits, non-increasing times, ragged points), so nothing
non-finite, out of range or too fast can ever reach the hardware.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from academy_control.errors import InvalidJointsError, InvalidTrajectoryError
from academy_description.urdf_model import JointLimits


@dataclass(frozen=True)
class TrajectoryPoint:
    """One waypoint: when (s after the trajectory start), where, and optionally how fast."""

    time_from_start: float
    positions: tuple[float, ...]
    velocities: tuple[float, ...] = ()


@dataclass(frozen=True)
class Trajectory:
    """A validated trajectory over ``joint_names`` (a subset of the controller's joints)."""

    joint_names: tuple[str, ...]
    times: np.ndarray  # (n,) s, strictly increasing, > 0
    positions: np.ndarray  # (n, j)
    velocities: np.ndarray | None  # (n, j) when every point gave velocities, else None

    @property
    def duration(self) -> float:
        """Time of the last point, s."""
        return float(self.times[-1])

    @property
    def goal(self) -> np.ndarray:
        """Positions of the last point."""
        return np.asarray(self.positions[-1])


def validate_trajectory(
    joint_names: Sequence[str],
    points: Sequence[TrajectoryPoint],
    controller_joints: Sequence[str],
    limits: Mapping[str, JointLimits],
    start_positions: Mapping[str, float] | None = None,
    position_margin: float = 1e-6,
    velocity_margin: float = 1e-6,
) -> Trajectory:
    """Check a trajectory message's content and return it as a :class:`Trajectory`.

    Velocities are checked against each joint's URDF ``velocity`` limit (0 = none given): the
    velocities a point states, and the mean velocity of every segment, i.e. position change over
    time between consecutive points; segment 0 runs from ``start_positions`` (where the joints
    are commanded when the goal arrives; omit to skip that segment) to point 0. The mean is a
    lower bound of the peak speed, so a trajectory refused here could never have been followed.

    Raises:
        InvalidTrajectoryError: with the reason, naming the joint, point or segment and value.
    """
    names = tuple(joint_names)
    if not names:
        raise InvalidJointsError("joint_names is empty")
    unknown = [n for n in names if n not in controller_joints]
    if unknown:
        raise InvalidJointsError(
            f"unknown joints {unknown}; this controller drives {list(controller_joints)}"
        )
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise InvalidJointsError(f"joints listed twice: {duplicates}")
    if not points:
        raise InvalidTrajectoryError("the trajectory has no points")
    previous = 0.0
    with_velocities = all(len(p.velocities) > 0 for p in points)
    for index, point in enumerate(points):
        t = point.time_from_start
        if not math.isfinite(t):
            raise InvalidTrajectoryError(f"point {index}: time_from_start {t} is not finite")
        if t <= previous:
            raise InvalidTrajectoryError(
                f"point {index}: time_from_start {t:.6g} s is not after the previous "
                f"{previous:.6g} s (times must be strictly increasing and > 0)"
            )
        previous = t
        if len(point.positions) != len(names):
            raise InvalidTrajectoryError(
                f"point {index}: {len(point.positions)} positions for {len(names)} joints"
            )
        if point.velocities and len(point.velocities) != len(names):
            raise InvalidTrajectoryError(
                f"point {index}: {len(point.velocities)} velocities for {len(names)} joints"
            )
        for name, value in zip(names, point.positions, strict=True):
            if not math.isfinite(value):
                raise InvalidTrajectoryError(
                    f"point {index}: {name} position {value} is not finite"
                )
            limit = limits[name]
            if not limit.lower - position_margin <= value <= limit.upper + position_margin:
                raise InvalidTrajectoryError(
                    f"point {index}: {name} position {value:.6g} is outside its limits "
                    f"[{limit.lower:.6g}, {limit.upper:.6g}]"
                )
        for name, value in zip(names, point.velocities, strict=False):
            if not math.isfinite(value):
                raise InvalidTrajectoryError(
                    f"point {index}: {name} velocity {value} is not finite"
                )
            top = limits[name].velocity
            if top > 0 and abs(value) > top + velocity_margin:
                raise InvalidTrajectoryError(
                    f"point {index}: {name} velocity {value:.6g}/s exceeds its limit {top:.6g}/s"
                )
    _check_segment_velocities(names, points, limits, start_positions, velocity_margin)
    return Trajectory(
        joint_names=names,
        times=np.array([p.time_from_start for p in points]),
        positions=np.array([p.positions for p in points], dtype=float),
        velocities=(
            np.array([p.velocities for p in points], dtype=float) if with_velocities else None
        ),
    )


def _check_segment_velocities(
    names: tuple[str, ...],
    points: Sequence[TrajectoryPoint],
    limits: Mapping[str, JointLimits],
    start_positions: Mapping[str, float] | None,
    margin: float,
) -> None:
    previous_time = 0.0
    previous: tuple[float, ...] | None = None
    if start_positions is not None:
        previous = tuple(float(start_positions[n]) for n in names)
    for index, point in enumerate(points):
        if previous is not None:
            span = point.time_from_start - previous_time
            for name, a, b in zip(names, previous, point.positions, strict=True):
                limit = limits[name].velocity
                speed = abs(b - a) / span
                if limit > 0 and speed > limit + margin:
                    origin = "the current position" if index == 0 else f"point {index - 1}"
                    raise InvalidTrajectoryError(
                        f"segment {index} ({origin} -> point {index}): {name} would move at "
                        f"{speed:.6g}/s, above its velocity limit {limit:.6g}/s; give it at "
                        f"least {abs(b - a) / limit:.3f} s"
                    )
        previous_time, previous = point.time_from_start, point.positions


def anchored(trajectory: Trajectory, start_positions: np.ndarray) -> Trajectory:
    r"""``trajectory`` with the joints' positions at acceptance prepended as a point at t = 0.

    A controller builds this once per goal and then :func:`evaluate`\s it every cycle.
    """
    velocities = None
    if trajectory.velocities is not None:
        velocities = np.vstack((np.zeros_like(start_positions), trajectory.velocities))
    return Trajectory(
        joint_names=trajectory.joint_names,
        times=np.concatenate(([0.0], trajectory.times)),
        positions=np.vstack((start_positions, trajectory.positions)),
        velocities=velocities,
    )


def sample(
    trajectory: Trajectory, start_positions: np.ndarray, elapsed: float
) -> tuple[np.ndarray, np.ndarray]:
    """Desired positions and velocities ``elapsed`` s after the start.

    Before the first point the controller moves from ``start_positions`` (where the joints were
    when the trajectory was accepted). Between points the interpolation is a cubic Hermite spline
    when the points carry velocities, linear otherwise; after the last point it holds the goal.
    """
    return evaluate(anchored(trajectory, start_positions), elapsed)


def evaluate(path: Trajectory, elapsed: float) -> tuple[np.ndarray, np.ndarray]:
    """Desired positions and velocities on an :func:`anchored` trajectory (see :func:`sample`)."""
    times, positions, velocities = path.times, path.positions, path.velocities
    if elapsed >= times[-1]:
        return positions[-1].copy(), np.zeros(positions.shape[1])
    elapsed = max(elapsed, 0.0)
    k = int(np.searchsorted(times, elapsed, side="right")) - 1
    t0, t1 = times[k], times[k + 1]
    h = t1 - t0
    s = (elapsed - t0) / h
    p0, p1 = positions[k], positions[k + 1]
    if velocities is None:
        return p0 + (p1 - p0) * s, (p1 - p0) / h
    v0, v1 = velocities[k] * h, velocities[k + 1] * h
    h00, h10 = 2 * s**3 - 3 * s**2 + 1, s**3 - 2 * s**2 + s
    h01, h11 = -2 * s**3 + 3 * s**2, s**3 - s**2
    d00, d10 = 6 * s**2 - 6 * s, 3 * s**2 - 4 * s + 1
    d01, d11 = -6 * s**2 + 6 * s, 3 * s**2 - 2 * s
    position = h00 * p0 + h10 * v0 + h01 * p1 + h11 * v1
    velocity = (d00 * p0 + d10 * v0 + d01 * p1 + d11 * v1) / h
    return position, velocity
