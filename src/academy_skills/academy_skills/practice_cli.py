"""``academy skill list`` and ``academy practice``: the skill catalogue, and practice offline.

``academy skill list [--json]``  every registered skill: category, capabilities, fixtures,
                                 parameters (unit, range, default), verbs, success criterion and
                                 failure reasons
``academy practice --model M --skill S [--station FILE] [--attempts N] [--seed K] [--json]
[--record [--robot R]]``         N attempts in one process, in simulated time, without DDS (the
                                 controllers and MuJoCo station the nodes run); exits 0 when it
                                 ran, whatever the outcomes; ``--record`` keeps them as robot R's
                                 (default: the model's name) in the mastery store
``academy program status [--robot R] [--skill S] [--json]``
                                 the mastery table per robot x skill (``academy_skills.mastery``)
``academy program run FILE --model M [--robot R] [--json]``
                                 a program offline: steps in order, each once its prerequisites
                                 are mastered, every attempt recorded

A skill with an ``object`` parameter takes the station's props in turn (attempt i: prop i mod n),
each attempt starting from a reset station with the props at new random poses.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from academy_skills.skill_library import (
    ParameterSpec,
    SkillDeclaration,
    SkillLibrary,
    SkillOutcome,
    registered_skills,
)

#: The pool directory (the mastery store lives beside its catalog) unless --pool or ACADEMY_POOL.
DEFAULT_POOL = "var/pool"
MASTERY_FILE = "mastery.sqlite"
POOL_HELP = f"pool directory of the mastery store (default: $ACADEMY_POOL or {DEFAULT_POOL})"

#: The default station (the workspace's config/; this module is used from the source tree).
DEFAULT_STATION = Path(__file__).resolve().parents[3] / "config" / "stations" / "tabletop.yaml"


@dataclass(frozen=True)
class Attempt:
    """One practised attempt: its outcome, the reason and failure class (empty on success),
    the object it used and its simulated duration (s)."""

    outcome: SkillOutcome
    reason: str
    failure: str  # FailureReason value, "" on success
    object: str
    sim_duration: float


def practise(
    robot: Any,
    library: SkillLibrary,
    skill: str,
    attempts: int,
    objects: Sequence[str],
    parameters: Mapping[str, object] | None = None,
) -> list[Attempt]:
    """Run ``attempts`` of ``skill`` on ``robot`` (an InProcessRobot) with ``parameters``;
    without an ``object`` among them, the props in turn.

    Raises:
        SkillParameterError: ``parameters`` are not valid for the skill.
    """
    uses_object = any(p.name == "object" for p in library.get(skill).parameters)
    given = dict(parameters or {})
    done = []
    for index in range(attempts):
        raw = dict(given)
        if uses_object and objects and "object" not in raw:
            raw["object"] = objects[index % len(objects)]
        params = library.validate(skill, raw)
        start = robot.now()
        result = library.get(skill).run_attempt(robot, params)
        done.append(
            Attempt(
                result.outcome,
                result.reason,
                result.failure.value if result.failure else "",
                str(raw.get("object", "")),
                robot.now() - start,
            )
        )
    return done


def _parameter(spec: ParameterSpec) -> dict[str, Any]:
    return {
        "name": spec.name,
        "type": spec.kind.__name__,
        "unit": spec.unit,
        "default": spec.default,
        "valid": spec.valid_range(),
        "description": spec.description,
    }


def _declaration(d: SkillDeclaration) -> dict[str, Any]:
    return {
        "name": d.name,
        "category": d.category,
        "description": d.description,
        "capabilities": sorted(c.value for c in d.requires),
        "fixtures": list(d.fixtures),
        "parameters": [_parameter(p) for p in d.parameters],
        "verbs": list(d.verbs),
        "success": d.success,
        "failure_reasons": [f.value for f in d.failures],
        "origin": d.origin,
    }


def cmd_skill_list(args: argparse.Namespace) -> int:
    skills = [_declaration(d) for d in registered_skills().values()]
    if args.json:
        print(json.dumps({"skills": skills}, indent=2))
        return 0
    for skill in skills:
        needs = ", ".join(skill["capabilities"] + skill["fixtures"]) or "nothing"
        print(f"{skill['name']} ({skill['category']}): {skill['description']}")
        print(f"  needs: {needs}; says: {', '.join(skill['verbs']) or '(not spoken)'}")
        for p in skill["parameters"]:
            default = "" if p["default"] is None else f", default {p['default']}"
            print(f"  {p['name']}: {p['valid']}{default}")
        print(f"  success: {skill['success']}")
        print(f"  fails as: {', '.join(skill['failure_reasons'])}")
    return 0


def station_for(skill: str | None) -> Path:
    """The station a skill practises at by default: the one it names (``station`` in
    ``register_skill``), else ``tabletop.yaml``, or for a skill that needs fixtures the first
    station of ``config/stations/`` (by name) that has them all.

    Raises:
        InvalidStationError: no station has the fixtures the skill needs.
    """
    from academy_sim.errors import InvalidStationError
    from academy_sim.station_config import load_station

    declaration = registered_skills().get(skill or "")
    if declaration is not None and declaration.station:
        return DEFAULT_STATION.parent / f"{declaration.station}.yaml"
    needed = set(declaration.fixtures) if declaration is not None else set()
    if not needed:
        return DEFAULT_STATION
    for path in sorted(DEFAULT_STATION.parent.glob("*.yaml")):
        if needed <= {f.kind for f in load_station(path).fixtures}:
            return path
    raise InvalidStationError(
        str(DEFAULT_STATION.parent),
        [f"no station has the fixtures {skill} needs: {', '.join(sorted(needed))}"],
    )


def _setup(
    args: argparse.Namespace, command: str
) -> tuple[Any, Any, SkillLibrary, list[str], Path] | None:
    """The model, its in-process robot at the station, its library, the props and the station
    file; None (and the error printed) when the model or the station is not valid."""
    from academy_description.errors import DescriptionError
    from academy_description.model_registry import load_model
    from academy_sim.errors import InvalidStationError
    from academy_sim.station_config import load_station
    from academy_skills.in_process_robot import practice_rig

    try:
        station = Path(args.station) if args.station else station_for(getattr(args, "skill", None))
        model = load_model(args.model)
        objects = [o.name for o in load_station(station).objects]
    except (DescriptionError, InvalidStationError) as error:
        print(f"{command}: {error}", file=sys.stderr)
        return None
    robot, library = practice_rig(model, station, seed=args.seed)
    return model, robot, library, objects, station


def cmd_practice(args: argparse.Namespace) -> int:
    declarations = registered_skills()
    if args.skill not in declarations:
        print(
            f"academy practice: unknown skill {args.skill!r}; known skills: "
            f"{', '.join(declarations)} (`academy skill list`)",
            file=sys.stderr,
        )
        return 2
    if args.attempts < 1:
        print(f"academy practice: --attempts {args.attempts}: at least 1", file=sys.stderr)
        return 2
    store = _store(args) if args.record else None
    if args.seed is None:  # recorded practice takes new poses each run (independent trials)
        args.seed = store.count(args.robot or args.model) if store is not None else 0
    setup = _setup(args, "academy practice")
    if setup is None:
        return 2
    model, robot, library, objects, station = setup
    attempts = practise(robot, library, args.skill, args.attempts, objects)
    successes = sum(a.outcome == SkillOutcome.SUCCEEDED for a in attempts)
    if store is not None:
        _record(
            store, args.robot or model.name, model.name, args.skill, attempts, "academy practice"
        )
    summary = {
        "model": model.name,
        "maker": model.manufacturer,
        "skill": args.skill,
        "station": str(station),
        "seed": args.seed,
        "attempts": [
            {
                "outcome": a.outcome.name.lower(),
                "reason": a.reason,
                "failure": a.failure,
                "object": a.object,
                "sim_duration_s": round(a.sim_duration, 3),
            }
            for a in attempts
        ],
        "successes": successes,
        "success_rate": round(successes / len(attempts), 3),
    }
    if args.json:
        print(json.dumps(summary, indent=2))
        return 0
    for index, a in enumerate(attempts, 1):
        what = f" {a.object}" if a.object else ""
        reason = f" [{a.failure}]: {a.reason}" if a.reason else ""
        print(f"{index:3d}{what}: {a.outcome.name.lower()} ({a.sim_duration:.1f} s){reason}")
    print(
        f"{model.name} {args.skill}: {successes}/{len(attempts)} succeeded "
        f"({100 * successes / len(attempts):.0f} %)"
    )
    return 0


def _record(
    store: Any, robot: str, model: str, skill: str, attempts: Sequence[Attempt], source: str
) -> None:
    """Keep practised ``attempts`` in the mastery store."""
    for a in attempts:
        store.record(robot, model, skill, a.outcome.name.lower(), a.failure, source=source)


def _store(args: argparse.Namespace) -> Any:
    from academy_skills.mastery import MasteryStore

    pool = Path(args.pool or os.environ.get("ACADEMY_POOL", DEFAULT_POOL))
    return MasteryStore(pool / MASTERY_FILE)


def cmd_program_status(args: argparse.Namespace) -> int:
    from academy_skills.mastery import MasteryRule

    try:
        rule = MasteryRule(args.window, args.threshold)
    except ValueError as error:
        print(f"academy program status: {error}", file=sys.stderr)
        return 2
    rows = _store(args).progress(args.robot, args.skill, rule)
    if args.json:
        print(
            json.dumps(
                {
                    "rule": {"window": rule.window, "threshold": rule.threshold, "z": rule.z},
                    "progress": [
                        {
                            "robot": r.robot,
                            "model": r.model,
                            "skill": r.skill,
                            "attempts": r.attempts,
                            "successes": r.successes,
                            "success_rate": round(r.success_rate, 3),
                            "window_attempts": r.window_attempts,
                            "window_successes": r.window_successes,
                            "wilson_lower_bound": round(r.lower_bound, 3),
                            "mastered": r.mastered,
                        }
                        for r in rows
                    ],
                },
                indent=2,
            )
        )
        return 0
    if not rows:
        who = f" for {args.robot}" if args.robot else ""
        print(f"no attempts recorded{who} yet (academy practice --record, or a session)")
        return 0
    print(
        f"{'robot':<16} {'skill':<10} {'attempts':>8} {'rate':>6} {'window':>9} "
        f"{'lower':>6}  mastered (Wilson lower bound >= {rule.threshold} over "
        f"{rule.window})"
    )
    for r in rows:
        window = f"{r.window_successes}/{r.window_attempts}"
        print(
            f"{r.robot:<16} {r.skill:<10} {r.attempts:>8} {r.success_rate:>6.0%} {window:>9} "
            f"{r.lower_bound:>6.2f}  {'yes' if r.mastered else 'no'}"
        )
    return 0


def cmd_program_run(args: argparse.Namespace) -> int:
    from academy_skills.errors import ProgramError, SkillsError
    from academy_skills.program import load_program, waiting_on

    try:
        program = load_program(Path(args.file))
    except ProgramError as error:
        print(f"academy program run: {error}", file=sys.stderr)
        return 2
    unknown = sorted(
        {s.skill for s in program.steps} | {n for s in program.steps for n in s.prerequisites}
    )
    unknown = [n for n in unknown if n not in registered_skills()]
    if unknown:
        print(
            f"academy program run: {args.file}: unknown skill(s) {', '.join(unknown)}; known: "
            f"{', '.join(registered_skills())}",
            file=sys.stderr,
        )
        return 2
    store = _store(args)
    if args.seed is None:  # new poses each run: repeated trials would not be independent
        args.seed = store.count(args.robot or args.model)
    if not args.station and program.station:
        args.station = str(DEFAULT_STATION.parent / f"{program.station}.yaml")
    setup = _setup(args, "academy program run")
    if setup is None:
        return 2
    model, robot, library, objects, _ = setup
    robot_id = args.robot or model.name
    steps = []
    for index, step in enumerate(program.steps):
        waiting = waiting_on(store, robot_id, step, program.mastery)
        if waiting:
            reason = "prerequisite not mastered: " + ", ".join(waiting)
            steps.append({"step": index, "skill": step.skill, "skipped": reason})
            if not args.json:
                print(f"step {index + 1} {step.skill}: skipped, {reason}")
            continue
        try:
            done = practise(robot, library, step.skill, step.repetitions, objects, step.parameters)
        except SkillsError as error:
            print(f"academy program run: step {index + 1} ({step.skill}): {error}", file=sys.stderr)
            return 2
        _record(store, robot_id, model.name, step.skill, done, f"program {program.name}")
        wins = sum(a.outcome == SkillOutcome.SUCCEEDED for a in done)
        counted = store.progress(robot_id, step.skill, program.mastery)
        if not counted:  # every attempt was stopped: nothing counts
            steps.append(
                {"step": index, "skill": step.skill, "attempts": len(done), "successes": 0}
            )
            continue
        (after,) = counted
        steps.append(
            {
                "step": index,
                "skill": step.skill,
                "attempts": len(done),
                "successes": wins,
                "mastered": after.mastered,
                "wilson_lower_bound": round(after.lower_bound, 3),
            }
        )
        if not args.json:
            print(
                f"step {index + 1} {step.skill}: {wins}/{len(done)} succeeded; "
                f"{'mastered' if after.mastered else 'not mastered'} "
                f"(lower bound {after.lower_bound:.2f} over {after.window_attempts})"
            )
    if args.json:
        print(
            json.dumps(
                {"program": program.name, "robot": robot_id, "model": model.name, "steps": steps},
                indent=2,
            )
        )
    return 0


def add_commands(commands: Any) -> None:
    """Register ``academy skill ...`` and ``academy practice`` on the ``academy`` parser."""
    skill = commands.add_parser("skill", help="the skill catalogue")
    actions = skill.add_subparsers(dest="skill_command", required=True, metavar="ACTION")
    listing = actions.add_parser("list", help="every registered skill and what it needs")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(func=cmd_skill_list)

    practice = commands.add_parser(
        "practice",
        help="practise a skill offline: one process, simulated time, no DDS",
        description="Run N attempts of a skill on a model at a station (the controllers and "
        "MuJoCo physics the nodes run, in simulated time), print each outcome and reason, then "
        "a summary. Exit 0 when it ran, whatever the outcomes; 2 on bad input.",
    )
    practice.add_argument("--model", required=True, help="registered model (`academy model list`)")
    practice.add_argument("--skill", required=True, help="registered skill (`academy skill list`)")
    practice.add_argument(
        "--station",
        help="station YAML (default: config/stations/tabletop.yaml, or the first station there "
        "with the fixtures the skill needs)",
    )
    practice.add_argument("--attempts", type=int, default=10)
    practice.add_argument(
        "--seed",
        type=int,
        help="props' random start poses (default 0; with --record, the robot's recorded "
        "attempt count, so each run takes new poses)",
    )
    practice.add_argument("--json", action="store_true")
    practice.add_argument(
        "--record", action="store_true", help="keep the attempts in the mastery store"
    )
    practice.add_argument("--robot", help="robot id the attempts count for (default: the model)")
    practice.add_argument("--pool", help=POOL_HELP)
    practice.set_defaults(func=cmd_practice)

    program = commands.add_parser("program", help="training programs and mastery")
    program_actions = program.add_subparsers(
        dest="program_command", required=True, metavar="ACTION"
    )
    status = program_actions.add_parser(
        "status", help="the mastery table: attempts, success rate and mastery per robot x skill"
    )
    status.add_argument("--robot", help="one robot")
    status.add_argument("--skill", help="one skill")
    status.add_argument("--json", action="store_true")
    status.add_argument("--pool", help=POOL_HELP)
    status.add_argument("--window", type=int, default=50, help="attempts in the sliding window")
    status.add_argument(
        "--threshold", type=float, default=0.8, help="Wilson lower bound that masters a skill"
    )
    status.set_defaults(func=cmd_program_status)
    run = program_actions.add_parser(
        "run",
        help="run a program offline on a model (simulated time, no DDS), recording mastery",
        description="Run each step of a program YAML on MODEL in one process, in simulated "
        "time; a step whose prerequisites the robot has not mastered is skipped with the "
        "reason. Every attempt goes into the mastery store, so the next run picks up where "
        "this one left off. Exit 0 when it ran, 2 on bad input.",
    )
    run.add_argument("file", help="program YAML, e.g. config/programs/manipulation_basics.yaml")
    run.add_argument("--model", required=True)
    run.add_argument("--robot", help="robot id the attempts count for (default: the model)")
    run.add_argument(
        "--station",
        help="station YAML (default: the program's station, else config/stations/tabletop.yaml)",
    )
    run.add_argument(
        "--seed",
        type=int,
        help="props' random start poses (default: the robot's recorded attempt count, so each "
        "run takes new poses)",
    )
    run.add_argument("--pool", help=POOL_HELP)
    run.add_argument("--json", action="store_true")
    run.set_defaults(func=cmd_program_run)
