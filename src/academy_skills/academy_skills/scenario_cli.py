"""``academy scenario``: the integrated scenarios, offline.

``academy scenario list [--json]``   every registered scenario: station, component skills, judge.
``academy scenario run NAME --model M [--runs N] [--seed K] [--station FILE] [--robot R]
[--pool P] [--force] [--record] [--json]``
                                     run it N times in one process, in simulated time, without
                                     DDS (the controllers and MuJoCo station the nodes run);
                                     each run starts from a reset station. It runs once the robot
                                     has mastered every component skill (the mastery store in
                                     the pool), or with --force (the trainer's override). Exit 0
                                     when it ran, whatever the outcomes; 1 when locked; 2 on bad
                                     input.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from academy_skills.practice_cli import DEFAULT_STATION, POOL_HELP, _store


def cmd_scenario_list(args: argparse.Namespace) -> int:
    from academy_skills.scenarios import registered_scenarios

    rows = [
        {
            "name": d.name,
            "description": d.description,
            "station": d.station,
            "skills": list(d.skills),
            "success": d.success,
        }
        for d in registered_scenarios().values()
    ]
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    for row in rows:
        print(f"{row['name']}: {row['description']}")
        print(f"  station: {row['station']}; chains: {', '.join(row['skills'])}")
        print(f"  success: {row['success']}")
    return 0


def cmd_scenario_run(args: argparse.Namespace) -> int:
    from academy_description.errors import DescriptionError
    from academy_description.model_registry import load_model
    from academy_sim.errors import InvalidStationError
    from academy_sim.station_config import load_station
    from academy_skills.in_process_robot import practice_rig
    from academy_skills.scenarios import ScenarioRun, registered_scenarios

    scenarios = registered_scenarios()
    declaration = scenarios.get(args.name)
    if declaration is None:
        print(
            f"academy scenario run: unknown scenario {args.name!r}; known: "
            f"{', '.join(scenarios)} (`academy scenario list`)",
            file=sys.stderr,
        )
        return 2
    if args.runs < 1:
        print(f"academy scenario run: --runs {args.runs}: at least 1", file=sys.stderr)
        return 2
    station = (
        Path(args.station)
        if args.station
        else DEFAULT_STATION.parent / f"{declaration.station}.yaml"
    )
    try:
        model = load_model(args.model)
        load_station(station)
    except (DescriptionError, InvalidStationError) as error:
        print(f"academy scenario run: {error}", file=sys.stderr)
        return 2
    robot_id = args.robot or model.name
    if not args.force:
        locked = _store(args).not_mastered(robot_id, declaration.skills)
        if locked:
            print(
                f"academy scenario run: {args.name} is locked for {robot_id}: it has not "
                f"mastered {', '.join(locked)} (`academy program status --robot {robot_id}`; "
                "practise with `academy practice --record`, or --force to override)",
                file=sys.stderr,
            )
            return 1
    rig, library = practice_rig(model, station, seed=args.seed)
    results = []
    for index in range(args.runs):
        rig.reset_station()
        result = ScenarioRun(declaration.build(), rig, library, rig).run()
        results.append(result)
        if not args.json:
            _print_run(index + 1, result)
    successes = sum(r.outcome.name == "SUCCEEDED" for r in results)
    if args.record:
        store = _store(args)
        for r in results:
            store.record(
                robot_id,
                model.name,
                f"scenario/{args.name}",
                r.outcome.name.lower(),
                r.failure,
                source="academy scenario run",
            )
    if args.json:
        print(json.dumps(_summary(args, model, station, results, successes), indent=2))
    else:
        print(
            f"{model.name} {args.name}: {successes}/{len(results)} succeeded "
            f"({successes / len(results):.0%})"
        )
    return 0


def _print_run(index: int, result: Any) -> None:
    verdict = result.outcome.name.lower()
    why = f" [{result.failure}]: {result.reason}" if result.reason else ""
    print(f"run {index}: {verdict} ({result.duration:.1f} s){why}")
    for record in result.steps:
        said = f": {record.reason}" if record.reason else ""
        print(f"  {record.step.label()}: {record.outcome.name.lower()}{said}")
    for question in result.questions:
        print(f"  asked: {question}")


def _summary(
    args: argparse.Namespace, model: Any, station: Path, results: list[Any], successes: int
) -> dict[str, Any]:
    return {
        "scenario": args.name,
        "model": model.name,
        "maker": model.manufacturer,
        "station": str(station),
        "seed": args.seed,
        "runs": [
            {
                "outcome": r.outcome.name.lower(),
                "reason": r.reason,
                "failure": r.failure,
                "sim_duration_s": round(r.duration, 3),
                "steps": [
                    {
                        "skill": s.step.skill,
                        "parameters": dict(s.step.parameters),
                        "outcome": s.outcome.name.lower(),
                        "reason": s.reason,
                        "failure": s.failure,
                    }
                    for s in r.steps
                ],
                "questions": r.questions,
                "metrics": {k: {"value": v, "unit": u} for k, (v, u) in r.metrics.items()},
            }
            for r in results
        ],
        "successes": successes,
        "success_rate": successes / len(results),
    }


def add_commands(commands: Any) -> None:
    """Add ``scenario list`` and ``scenario run`` to the ``academy`` command."""
    scenario = commands.add_parser("scenario", help="integrated scenarios (behaviour trees)")
    actions = scenario.add_subparsers(dest="scenario_command", required=True, metavar="ACTION")
    listing = actions.add_parser("list", help="every registered scenario and what it chains")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(func=cmd_scenario_list)
    run = actions.add_parser(
        "run",
        help="run a scenario offline: one process, simulated time, no DDS",
        description="Run a scenario's behaviour tree on MODEL at its station, N times, each "
        "from a reset station; print each run's steps and outcome, then a summary. It is "
        "unlocked once the robot has mastered every skill it chains (or --force). Exit 0 when "
        "it ran, 1 when locked, 2 on bad input.",
    )
    run.add_argument("name", help="registered scenario (`academy scenario list`)")
    run.add_argument("--model", required=True, help="registered model (`academy model list`)")
    run.add_argument("--runs", type=int, default=1, help="how many runs (default 1)")
    run.add_argument("--seed", type=int, default=0, help="props' random start poses")
    run.add_argument("--station", help="station YAML (default: the scenario's own)")
    run.add_argument("--robot", help="robot id whose mastery unlocks it (default: the model)")
    run.add_argument("--pool", help=POOL_HELP)
    run.add_argument(
        "--force", action="store_true", help="run even if not unlocked (the trainer's override)"
    )
    run.add_argument("--record", action="store_true", help="keep the outcomes in the mastery store")
    run.add_argument("--json", action="store_true")
    run.set_defaults(func=cmd_scenario_run)
