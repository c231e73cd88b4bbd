"""Success rate of reach, grasp and lift over many attempts, judged by physics.

Each attempt runs in this process on the same controllers and MuJoCo station the
``controller_manager`` node runs (:class:`InProcessRobot`, simulated time, no DDS), with the props
at new random start poses. Both objects are used (red cube: right arm, blue cup: left arm).

Prints JSON: per skill, attempts, successes, rate, failure reasons, mean simulated duration, and
wall time per attempt. Usage: python bench/skill_success.py [--attempts N] [--seed S]
"""

from __future__ import annotations

import argparse
import collections
import json
import time
from pathlib import Path

from academy_description.model_registry import load_model
from academy_skills.in_process_robot import InProcessRobot
from academy_skills.kinematics import ArmKinematics
from academy_skills.manipulation import manipulation_skills
from academy_skills.skill_library import SkillLibrary, SkillOutcome

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attempts", type=int, default=20, help="attempts per skill")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    model = load_model("aurora_h1")
    robot = InProcessRobot(
        model,
        ROOT / "config/stations/tabletop.yaml",
        ROOT / "urdf/aurora_h1/controllers.yaml",
        seed=args.seed,
    )
    library = SkillLibrary(
        manipulation_skills(robot, ArmKinematics(model, robot.station_sim.config.pelvis_height))
    )
    report: dict[str, object] = {"benchmark": "skill_success", "attempts_per_skill": args.attempts}
    skills = {}
    for name in ("reach", "grasp", "lift"):
        outcomes: collections.Counter[str] = collections.Counter()
        reasons: collections.Counter[str] = collections.Counter()
        sim_time = wall = 0.0
        for index in range(args.attempts):
            obj = ("red_cube", "blue_cup")[index % 2]
            params = library.validate(name, {"object": obj})
            start_sim, start_wall = robot.now(), time.perf_counter()
            result = library.get(name).run_attempt(robot, params)
            sim_time += robot.now() - start_sim
            wall += time.perf_counter() - start_wall
            outcomes[result.outcome.name] += 1
            if result.outcome != SkillOutcome.SUCCEEDED:
                reasons[result.reason.split(":")[0][:80]] += 1
        successes = outcomes["SUCCEEDED"]
        skills[name] = {
            "attempts": args.attempts,
            "successes": successes,
            "success_rate": round(successes / args.attempts, 3),
            "outcomes": dict(outcomes),
            "failure_reasons": dict(reasons),
            "mean_sim_duration_s": round(sim_time / args.attempts, 3),
            "mean_wall_s_per_attempt": round(wall / args.attempts, 3),
        }
    report["skills"] = skills
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
