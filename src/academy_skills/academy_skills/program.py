"""Training programs: which skills to practise, with which parameters, how many times.

A program file (``config/programs/*.yaml``)::

    program:
      name: manipulation_basics
      station: tabletop                       # optional: config/stations/<station>.yaml
      mastery: {window: 50, threshold: 0.8}   # optional (these are the defaults)
      steps:
        - skill: grasp
          repetitions: 25
        - skill: lift
          parameters: {height: 0.1}           # m
          repetitions: 25
          prerequisites: [grasp]              # runs once grasp is mastered

A step with prerequisites runs only when the robot has mastered each of them (``mastery``,
kept across sessions by :mod:`academy_skills.mastery`); otherwise it is skipped with the reason.
Loading validates every field and reports all problems at once.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from academy_skills.errors import ProgramError
from academy_skills.mastery import MasteryRule, MasteryStore
from academy_skills.skill_library import ParamValue, SkillOutcome

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class ProgramStep:
    """Practise ``skill`` ``repetitions`` times with ``parameters``, once every skill in
    ``prerequisites`` is mastered."""

    skill: str
    parameters: Mapping[str, ParamValue]
    repetitions: int
    prerequisites: tuple[str, ...] = ()


@dataclass(frozen=True)
class Program:
    """A named list of steps, and when a skill counts as mastered."""

    name: str
    steps: tuple[ProgramStep, ...]
    mastery: MasteryRule = field(default_factory=MasteryRule)
    #: The station it practises at (config/stations/<station>.yaml); None: the default one.
    station: str | None = None


def load_program(path: Path) -> Program:
    """Read and validate a program file.

    Raises:
        ProgramError: listing every problem as ``file: key: value: what is valid``.
    """
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise ProgramError(f"{path}: cannot read program: {error}") from error
    return parse_program(data, str(path))


def parse_program(data: object, source: str) -> Program:
    """Validate already-parsed program data (see :func:`load_program`)."""
    problems: list[str] = []

    def problem(key: str, value: object, valid: str) -> None:
        problems.append(f"{source}: {key}: {value!r}: {valid}")

    if (
        not isinstance(data, dict)
        or set(data) != {"program"}
        or not isinstance(data["program"], dict)
    ):
        raise ProgramError(f"{source}: top level must be a mapping with the single key 'program'")
    body = data["program"]
    for key in sorted(set(body) - {"name", "steps", "mastery", "station"}):
        problem(
            f"program.{key}", body[key], "unknown key; valid keys: name, station, steps, mastery"
        )
    station = body.get("station")
    if station is not None and (not isinstance(station, str) or not _NAME.match(station)):
        problem("program.station", station, "a station name (config/stations/<name>.yaml)")
    mastery = MasteryRule()
    raw_mastery = body.get("mastery", {})
    if not isinstance(raw_mastery, dict) or set(raw_mastery) - {"window", "threshold"}:
        problem("program.mastery", raw_mastery, "a mapping with window (int), threshold (0-1]")
    else:
        window, threshold = raw_mastery.get("window", 50), raw_mastery.get("threshold", 0.8)
        if isinstance(window, bool) or not isinstance(window, int):
            problem("program.mastery.window", window, "an integer number of attempts")
        elif isinstance(threshold, bool) or not isinstance(threshold, int | float):
            problem("program.mastery.threshold", threshold, "a number in (0, 1]")
        else:
            try:
                mastery = MasteryRule(window, float(threshold))
            except ValueError as error:
                problem("program.mastery", raw_mastery, str(error))
    name = body.get("name")
    if not isinstance(name, str) or not _NAME.match(name):
        problem("program.name", name, "a snake_case name")
    steps_raw = body.get("steps")
    steps: list[ProgramStep] = []
    if not isinstance(steps_raw, list) or not steps_raw:
        problem("program.steps", steps_raw, "a non-empty list of steps")
        steps_raw = []
    for index, raw in enumerate(steps_raw):
        where = f"program.steps[{index}]"
        if not isinstance(raw, dict):
            problem(where, raw, "a mapping with skill, parameters, repetitions")
            continue
        for key in sorted(set(raw) - {"skill", "parameters", "repetitions", "prerequisites"}):
            problem(
                f"{where}.{key}",
                raw[key],
                "unknown key; valid keys: skill, parameters, repetitions, prerequisites",
            )
        skill = raw.get("skill")
        if not isinstance(skill, str) or not _NAME.match(skill):
            problem(f"{where}.skill", skill, "a skill name (snake_case)")
        params = raw.get("parameters", {})
        if not isinstance(params, dict) or not all(
            isinstance(v, bool | int | float | str) for v in params.values()
        ):
            problem(f"{where}.parameters", params, "a mapping of name to number, string or boolean")
            params = {}
        reps = raw.get("repetitions", 1)
        if isinstance(reps, bool) or not isinstance(reps, int) or not 1 <= reps <= 10_000:
            problem(f"{where}.repetitions", reps, "an integer in [1, 10000]")
            reps = 1
        needs = raw.get("prerequisites", [])
        if not isinstance(needs, list) or not all(
            isinstance(n, str) and _NAME.match(n) for n in needs
        ):
            problem(f"{where}.prerequisites", needs, "a list of skill names (snake_case)")
            needs = []
        steps.append(ProgramStep(str(skill), dict(params), reps, tuple(needs)))
    if problems:
        raise ProgramError("\n".join(problems))
    return Program(str(name), tuple(steps), mastery, station)


def waiting_on(
    store: MasteryStore | None, robot: str, step: ProgramStep, rule: MasteryRule
) -> list[str]:
    """The prerequisites of ``step`` that ``robot`` has not mastered, each with its lower bound
    (all of them without a mastery store: nothing says they are mastered)."""
    waiting = []
    for need in step.prerequisites:
        progress = store.progress(robot, need, rule) if store is not None else []
        if not progress or not progress[0].mastered:
            bound = progress[0].lower_bound if progress else 0.0
            waiting.append(f"{need} (lower bound {bound:.2f} < {rule.threshold})")
    return waiting


@dataclass
class SkillTally:
    """Attempts and outcomes of one skill during a program run."""

    goals: int = 0
    attempts: int = 0
    successes: int = 0
    durations: list[float] = field(default_factory=list)
    failures: dict[str, int] = field(default_factory=dict)  # outcome name -> goals

    def add(self, outcome: SkillOutcome, attempts: int, successes: int, duration: float) -> None:
        """Count one finished goal."""
        self.goals += 1
        self.attempts += attempts
        self.successes += successes
        self.durations.append(duration)
        if outcome != SkillOutcome.SUCCEEDED:
            self.failures[outcome.name] = self.failures.get(outcome.name, 0) + 1


def summary_table(tallies: Mapping[str, SkillTally]) -> str:
    """Plain-text table: skill, goals, attempts, successes, success rate, mean goal duration."""
    header = f"{'skill':<16}{'goals':>7}{'attempts':>10}{'successes':>11}{'rate':>8}{'mean s':>9}"
    lines = [header, "-" * len(header)]
    for skill, tally in sorted(tallies.items()):
        rate = tally.successes / tally.attempts if tally.attempts else 0.0
        mean = sum(tally.durations) / len(tally.durations) if tally.durations else 0.0
        lines.append(
            f"{skill:<16}{tally.goals:>7}{tally.attempts:>10}{tally.successes:>11}"
            f"{rate:>8.0%}{mean:>9.3f}"
        )
    return "\n".join(lines)
