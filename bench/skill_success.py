"""Success rate of reach, grasp and lift per robot model over many attempts, judged by physics.

Each attempt runs in this process on the same controllers and MuJoCo station the
``controller_manager`` node runs (:class:`InProcessRobot`, simulated time, no DDS), with the props
at new random start poses in the default station fitted to the model's reach. Both objects are
used (red cube: right arm, blue cup: left arm).

Prints JSON: per model and skill, attempts, successes, rate, outcomes, failure reasons, mean
simulated duration, and wall time per attempt. A model that cannot do a skill (no hand) reports
its refusal. Usage: python bench/skill_success.py [--attempts N] [--seed S] [--models A B ...]
"""

from __future__ import annotations

import argparse
import collections
import json
import time
from pathlib import Path

from academy_description.model_registry import available_models, load_model
from academy_skills.in_process_robot import practice_rig
from academy_skills.practice_cli import practise
from academy_skills.skill_library import SkillOutcome

ROOT = Path(__file__).resolve().parents[1]


def model_success(name: str, attempts: int, seed: int) -> dict[str, object]:
    """Reach, grasp and lift ``attempts`` times each on model ``name``."""
    model = load_model(name)
    robot, library = practice_rig(model, ROOT / "config/stations/tabletop.yaml", seed=seed)
    station = robot.station_sim.config
    skills: dict[str, object] = {}
    for name_ in ("reach", "grasp", "lift"):
        start_wall = time.perf_counter()
        done = practise(robot, library, name_, attempts, ("red_cube", "blue_cup"))
        wall = time.perf_counter() - start_wall
        outcomes = collections.Counter(a.outcome.name for a in done)
        reasons = collections.Counter(
            a.reason.split(":")[0][:100] for a in done if a.outcome != SkillOutcome.SUCCEEDED
        )
        successes = outcomes["SUCCEEDED"]
        skills[name_] = {
            "attempts": attempts,
            "successes": successes,
            "success_rate": round(successes / attempts, 3),
            "outcomes": dict(outcomes),
            "failure_reasons": dict(reasons),
            "mean_sim_duration_s": round(sum(a.sim_duration for a in done) / attempts, 3),
            "mean_wall_s_per_attempt": round(wall / attempts, 3),
        }
    return {
        "maker": model.manufacturer,
        "hands": {n: h.kind.value for n, h in model.hands.items()},
        "table_top_m": round(station.table.size[2], 3),
        "table_x_m": [round(v, 3) for v in station.table.x_range],
        "skills": skills,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attempts", type=int, default=20, help="attempts per skill")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--models", nargs="*", help="models to run (default: every registered)")
    args = parser.parse_args()
    models = args.models or available_models()
    report: dict[str, object] = {"benchmark": "skill_success", "attempts_per_skill": args.attempts}
    report["models"] = {name: model_success(name, args.attempts, args.seed) for name in models}
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
