"""Where a robot's hands work best on a table: a probe with its own inverse kinematics.

A station with a ``reach_reference`` puts its props ``forward`` arm lengths in front of the
robot's shoulders on a table top ``below`` arm lengths under them (``mount.workspace`` in
``model.yaml``). :func:`probe_workspace` tries the top-down grasp the skills plan (approach
pose above, grasp pose at the height a prop is taken) at a grid of such places, with both arms,
and returns the place where most succeed. ``academy model add`` runs it for a new model.
"""

from __future__ import annotations

from dataclasses import dataclass

from academy_description.model_registry import ArmSpec, RobotModel
from academy_description.model_schema import Workspace
from academy_description.mujoco_model import arm_reach
from academy_skills.kinematics import ArmKinematics, grasp_yaws
from academy_skills.manipulation import (
    APPROACH_HEIGHT,
    REACH_ORIENTATION_TOLERANCE,
    REACH_POSITION_TOLERANCE,
    TABLE_CLEARANCE,
)

#: The grid tried (arm lengths): in front of the shoulders, and from the shoulders to the table.
FORWARD = (0.35, 0.45, 0.55, 0.65)
BELOW = (0.3, 0.45, 0.6, 0.75)
#: Targets around each place, per arm: forward/back and in/out by this share of the arm (m/m).
SPREAD = 0.08
UPRIGHT = (1.0, 0.0, 0.0, 0.0)
#: The ready posture holds the grasp point this far above the approach height (m), hand down.
READY_RAISE = 0.05


@dataclass(frozen=True)
class WorkspaceProbe:
    """The best place and how many of its targets the arms reached, with the whole grid, and
    each arm's ready posture there (None for an arm that reached no ready pose)."""

    workspace: Workspace
    reached: int
    tried: int
    grid: dict[tuple[float, float], int]
    ready: dict[str, dict[str, float] | None]


def probe_workspace(robot: RobotModel) -> WorkspaceProbe:
    """Try top-down grasps over the grid; the place with the most reached targets wins (ties:
    the one nearest the grid's middle)."""
    kinematics = ArmKinematics(robot, None)
    reaches = arm_reach(robot)
    seed = dict(robot.urdf.initial_positions)
    grid: dict[tuple[float, float], int] = {}
    tried = 0
    for forward in FORWARD:
        for below in BELOW:
            reached = tried = 0
            for side, reach in reaches.items():
                arm = robot.arms[side]
                x0, y0, z0 = reach.shoulder
                length = reach.length
                outward = 1.0 if y0 >= 0 else -1.0
                z = z0 - below * length + TABLE_CLEARANCE + kinematics.hand_depth(arm)
                for dx, dy in ((-SPREAD, 0.0), (SPREAD, 0.0), (0.0, -SPREAD), (0.0, SPREAD)):
                    x = x0 + (forward + dx) * length
                    y = y0 + outward * dy * length
                    tried += 1
                    reached += _reachable(kinematics, arm, (x, y, z), seed)
            grid[(forward, below)] = reached
    middle = (sum(FORWARD) / len(FORWARD), sum(BELOW) / len(BELOW))
    best = max(
        grid,
        key=lambda p: (grid[p], -abs(p[0] - middle[0]) - abs(p[1] - middle[1])),
    )
    forward, below = best
    ready: dict[str, dict[str, float] | None] = {}
    for side, reach in reaches.items():
        x0, y0, z0 = reach.shoulder
        arm = robot.arms[side]
        z = z0 - below * reach.length + TABLE_CLEARANCE + kinematics.hand_depth(arm)
        pose = (x0 + forward * reach.length, y0, z + APPROACH_HEIGHT + READY_RAISE)
        ready[side] = _solve(kinematics, arm, pose, seed)
    workspace = Workspace(forward=forward, below=below)
    return WorkspaceProbe(workspace, grid[best], tried, grid, ready)


def _solve(
    kinematics: ArmKinematics,
    arm: ArmSpec,
    target: tuple[float, float, float],
    seed: dict[str, float],
) -> dict[str, float] | None:
    """Arm joints holding the hand down at ``target`` (any of four yaws), None if none does."""
    for yaw in grasp_yaws(UPRIGHT, "cylinder"):
        solution = kinematics.solve(arm, target, yaw, seed)
        if (
            solution.position_error <= REACH_POSITION_TOLERANCE
            and solution.orientation_error <= REACH_ORIENTATION_TOLERANCE
        ):
            return {j: round(v, 4) for j, v in solution.positions.items()}
    return None


def _reachable(
    kinematics: ArmKinematics,
    arm: ArmSpec,
    target: tuple[float, float, float],
    seed: dict[str, float],
) -> bool:
    above_target = (target[0], target[1], target[2] + APPROACH_HEIGHT)
    for yaw in grasp_yaws(UPRIGHT, "cylinder"):
        above = kinematics.solve(arm, above_target, yaw, seed)
        at = kinematics.solve(arm, target, yaw, {**seed, **above.positions})
        if all(
            s.position_error <= REACH_POSITION_TOLERANCE
            and s.orientation_error <= REACH_ORIENTATION_TOLERANCE
            for s in (above, at)
        ):
            return True
    return False
