"""The curriculum per model: success rate and mean simulated duration of every registered skill,
scenario success rates, and attempts per wall-clock hour (paced at real time, and unpaced).

Each attempt runs in this process on the controllers and MuJoCo station the nodes run
(:class:`InProcessRobot`, simulated time, no DDS) at the skill's default station (``academy
practice``'s: tabletop, or the first station with the fixtures the skill needs), the props in
turn, each attempt from a reset station. A model that cannot do a skill reports its refusal.

Attempts per hour: *unpaced* is what this host runs as fast as the physics goes (3600 / wall s
per attempt); *real time* is what one robot does when simulated time runs at wall-clock speed
(3600 / simulated s per attempt), as a physical robot would; their ratio is the speed-up of
unpaced practice over real time, measured in the same process. Both are compared with the 600
attempts a day a center needs per robot.

Prints JSON. Usage: python bench/curriculum.py [--attempts N] [--runs R] [--models A B ...]
[--skills S ...] [--scenarios C ...] [--seed K]
"""

from __future__ import annotations

import argparse
import collections
import json
import sys
import time
from pathlib import Path

from academy_description.model_registry import available_models, load_model
from academy_sim.errors import InvalidStationError
from academy_sim.station_config import load_station
from academy_skills.in_process_robot import practice_rig
from academy_skills.practice_cli import practise, station_for
from academy_skills.scenarios import ScenarioRun, registered_scenarios
from academy_skills.skill_library import SkillOutcome, registered_skills

ROOT = Path(__file__).resolve().parents[1]
STATIONS = ROOT / "config" / "stations"
#: Attempts a center needs per robot per day (the mission).
DAILY_ATTEMPTS = 600


def skill_rates(model: str, skills: list[str], attempts: int, seed: int) -> dict[str, object]:
    """``attempts`` of each skill on ``model`` at its default station."""
    robot_model = load_model(model)
    rows: dict[str, object] = {}
    for skill in skills:
        station = station_for(skill)
        try:  # a fresh robot per skill: one skill's end posture is not the next one's start
            robot, library = practice_rig(robot_model, station, seed=seed)
        except InvalidStationError as error:  # the layout does not fit this model
            rows[skill] = {"station_error": str(error).splitlines()[0]}
            continue
        objects = [o.name for o in load_station(station).objects]
        declaration = registered_skills()[skill]
        missing = declaration.missing(robot_model)
        if missing:
            rows[skill] = {"refused": "; ".join(missing)}
            continue
        started = time.perf_counter()
        done = practise(robot, library, skill, attempts, objects)  # type: ignore[arg-type]
        wall = time.perf_counter() - started
        outcomes = collections.Counter(a.outcome.name.lower() for a in done)
        failures = collections.Counter(a.failure for a in done if a.failure)
        successes = outcomes.get("succeeded", 0)
        sim = sum(a.sim_duration for a in done)
        rows[skill] = {
            "station": station.stem,
            "attempts": attempts,
            "successes": successes,
            "success_rate": round(successes / attempts, 3),
            "outcomes": dict(outcomes),
            "failures": dict(failures),
            "mean_sim_duration_s": round(sim / attempts, 3),
            "mean_wall_s_per_attempt": round(wall / attempts, 4),
        }
    return rows


def scenario_rates(model: str, names: list[str], runs: int, seed: int) -> dict[str, object]:
    rows: dict[str, object] = {}
    for name in names:
        declaration = registered_scenarios()[name]
        try:
            rig, library = practice_rig(
                load_model(model), STATIONS / f"{declaration.station}.yaml", seed=seed
            )
        except InvalidStationError as error:
            rows[name] = {"station_error": str(error).splitlines()[0]}
            continue
        outcomes: collections.Counter[str] = collections.Counter()
        reasons: collections.Counter[str] = collections.Counter()
        sim = 0.0
        started = time.perf_counter()
        for _ in range(runs):
            rig.reset_station()
            result = ScenarioRun(declaration.build(), rig, library, rig).run()
            outcomes[result.outcome.name.lower()] += 1
            sim += result.duration
            if result.outcome != SkillOutcome.SUCCEEDED:
                reasons[result.reason.split(":")[0][:80]] += 1
        rows[name] = {
            "runs": runs,
            "successes": outcomes.get("succeeded", 0),
            "success_rate": round(outcomes.get("succeeded", 0) / runs, 3),
            "outcomes": dict(outcomes),
            "reasons": dict(reasons),
            "mean_sim_duration_s": round(sim / runs, 3),
            "mean_wall_s_per_run": round((time.perf_counter() - started) / runs, 3),
        }
    return rows


def throughput(rows: dict[str, dict[str, object]]) -> dict[str, float]:
    """Attempts per wall-clock hour over every attempt measured: unpaced and at real time."""
    attempts = sim = wall = 0.0
    for skills in rows.values():
        for row in skills.values():
            if isinstance(row, dict) and "attempts" in row:
                n = float(row["attempts"])  # type: ignore[arg-type]
                attempts += n
                sim += n * float(row["mean_sim_duration_s"])  # type: ignore[arg-type]
                wall += n * float(row["mean_wall_s_per_attempt"])  # type: ignore[arg-type]
    if not attempts:
        return {}
    real_time = 3600.0 * attempts / sim
    unpaced = 3600.0 * attempts / wall
    return {
        "attempts": attempts,
        "mean_sim_s_per_attempt": round(sim / attempts, 3),
        "mean_wall_s_per_attempt": round(wall / attempts, 4),
        "attempts_per_hour_real_time": round(real_time, 1),
        "attempts_per_hour_unpaced": round(unpaced, 1),
        "unpaced_over_real_time": round(unpaced / real_time, 1),
        "hours_for_600_a_day_real_time": round(DAILY_ATTEMPTS / real_time, 2),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attempts", type=int, default=20)
    parser.add_argument("--runs", type=int, default=10, help="runs per scenario")
    parser.add_argument("--models", nargs="*", default=None)
    parser.add_argument("--skills", nargs="*", default=None)
    parser.add_argument("--scenarios", nargs="*", default=None)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    models = args.models or available_models()
    skills = (
        args.skills if args.skills is not None else [s for s in registered_skills() if s != "wait"]
    )
    scenarios = args.scenarios if args.scenarios is not None else list(registered_scenarios())
    per_model: dict[str, dict[str, object]] = {}
    for model in models:
        print(f"{model} ...", file=sys.stderr)
        per_model[model] = {
            "skills": skill_rates(model, skills, args.attempts, args.seed),
            "scenarios": scenario_rates(model, scenarios, args.runs, args.seed)
            if args.runs
            else {},
        }
    skill_rows = {m: v["skills"] for m, v in per_model.items()}
    print(
        json.dumps(
            {
                "benchmark": "curriculum",
                "attempts_per_skill": args.attempts,
                "runs_per_scenario": args.runs,
                "seed": args.seed,
                "models": per_model,
                "throughput": throughput(skill_rows),  # type: ignore[arg-type]
                "daily_attempts_needed": DAILY_ATTEMPTS,
            },
            indent=2,
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
