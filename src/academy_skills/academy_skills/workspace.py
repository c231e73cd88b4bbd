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
    TABLE_CLEARANCE,
    reach_excess,
    top_down_poses,
)

#: The grid tried (arm lengths): in front of the shoulders, and from the shoulders to the table.
FORWARD = (0.35, 0.45, 0.55, 0.65)
BELOW = (0.3, 0.45, 0.6, 0.75)
#: Targets around each place, per arm: forward/back and in/out by this share of the arm (m/m).
SPREAD = 0.08
UPRIGHT = (1.0, 0.0, 0.0, 0.0)
#: The ready posture holds the grasp point this far above the approach height (m), hand down
#: (at the approach height when the arm cannot hold it higher).
READY_RAISE = 0.05


@dataclass(frozen=True)
class WorkspaceProbe:
    """The best place and how many of its ``tried`` targets (per place: both arms) the arms
    reached, with the whole grid, and each arm's ready posture there (None for an arm that
    reached no ready pose)."""

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
    yaws = grasp_yaws(UPRIGHT, "cylinder")
    offsets = ((-SPREAD, 0.0), (SPREAD, 0.0), (0.0, -SPREAD), (0.0, SPREAD))

    def grasp_point(side: str, forward: float, below: float) -> tuple[float, float, float]:
        """Where a prop at (forward, below) is taken, for ``side``'s arm (m)."""
        x0, y0, z0 = reaches[side].shoulder
        length = reaches[side].length
        depth = kinematics.hand_depth(robot.arms[side])
        return (x0 + forward * length, y0, z0 - below * length + TABLE_CLEARANCE + depth)

    grid: dict[tuple[float, float], int] = {}
    for forward in FORWARD:
        for below in BELOW:
            reached = 0
            for side, reach in reaches.items():
                x, y, z = grasp_point(side, forward, below)
                outward = 1.0 if y >= 0 else -1.0
                for dx, dy in offsets:
                    target = (x + dx * reach.length, y + outward * dy * reach.length, z)
                    poses = top_down_poses(kinematics, robot.arms[side], target, yaws, seed)
                    reached += poses.reachable
            grid[(forward, below)] = reached
    middle = (sum(FORWARD) / len(FORWARD), sum(BELOW) / len(BELOW))
    best = max(
        grid,
        key=lambda p: (grid[p], -abs(p[0] - middle[0]) - abs(p[1] - middle[1])),
    )
    ready: dict[str, dict[str, float] | None] = {}
    for side in reaches:
        x, y, z = grasp_point(side, *best)
        ready[side] = None
        # Raised above the approach height where the arm can, else at it (Romeo's wrist turned
        # for its grasp frame reaches a thin shell only).
        for rise in (READY_RAISE, 0.0):
            pose = (x, y, z + APPROACH_HEIGHT + rise)
            ready[side] = _hand_down(kinematics, robot.arms[side], pose, yaws, seed)
            if ready[side] is not None:
                break
    workspace = Workspace(forward=best[0], below=best[1])
    tried = len(reaches) * len(offsets)
    return WorkspaceProbe(workspace, grid[best], tried, grid, ready)


def _hand_down(
    kinematics: ArmKinematics,
    arm: ArmSpec,
    target: tuple[float, float, float],
    yaws: list[float],
    seed: dict[str, float],
) -> dict[str, float] | None:
    """Arm joints holding the hand down at ``target`` (the first yaw that does), else None."""
    for yaw in yaws:
        solution = kinematics.solve(arm, target, yaw, seed)
        if reach_excess(solution) <= 1.0:
            return {j: round(v, 4) for j, v in solution.positions.items()}
    return None
