"""Inverse kinematics restarts: a seed stuck in a local minimum does not decide reachability."""

from __future__ import annotations

import numpy as np

from academy_description.model_registry import load_model
from academy_skills.kinematics import CONVERGED_ORIENTATION, CONVERGED_POSITION, ArmKinematics


def test_a_seed_in_a_local_minimum_is_restarted_and_the_answer_is_repeatable() -> None:
    robot = load_model("aurora_h1")
    kinematics = ArmKinematics(robot, None)
    arm = robot.arms["right"]
    start = {**robot.urdf.initial_positions, **arm.ready}
    # A target the ready posture reaches easily: 5 cm forward, 10 cm down.
    offset = np.array([0.05, 0.0, -0.1])
    target = tuple(float(v) for v in kinematics.grasp_point(arm, start) + offset)
    limits = robot.urdf.limits
    rng = np.random.default_rng(5)
    stuck = None
    for _ in range(40):  # a random posture from which plain IK does not get there
        seed = {
            **start,
            **{j: float(rng.uniform(limits[j].lower, limits[j].upper)) for j in arm.joints},
        }
        single = kinematics.solve(arm, target, 0.0, seed, restarts=False)
        if single.position_error > 0.01:
            stuck = seed
            break
    assert stuck is not None, "no seed in 40 left plain IK short of the target"
    # The twin: without restarts, that seed's answer does not reach (checked above); with them:
    solved = kinematics.solve(arm, target, 0.0, stuck)
    assert solved.position_error < CONVERGED_POSITION
    assert solved.orientation_error < CONVERGED_ORIENTATION
    again = kinematics.solve(arm, target, 0.0, stuck)
    assert again.positions == solved.positions  # fixed restart postures: the same answer


def test_an_unreachable_target_stays_unreachable_after_the_restarts() -> None:
    robot = load_model("aurora_h1")
    kinematics = ArmKinematics(robot, None)
    arm = robot.arms["right"]
    start = {**robot.urdf.initial_positions, **arm.ready}
    far = tuple(float(v) for v in kinematics.grasp_point(arm, start) + np.array([2.0, 0.0, 0.0]))
    solution = kinematics.solve(arm, far, 0.0, start)
    assert solution.position_error > 1.0
