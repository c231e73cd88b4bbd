"""Integrated scenarios: behaviour trees (py_trees) that chain skills, judged on the final world.

A scenario is a registered class (:func:`register_scenario`): its station, the skills it
chains (it unlocks once the robot has mastered each, unless the trainer overrides), the
preconditions checked before it starts, the plan of skill steps it reads from the world, and its
success judge on the final world state. :class:`ScenarioRun` builds the tree:

    scenario (Sequence)
      preconditions
      step 1: Retry(up to ``retries`` more) <- Sequence(work area guard, skill goal)
      step 2: ...
      judge

- Each skill goal runs as an ExecuteSkill goal does (:class:`~academy_skills.skill_executor.
  GoalRun`), with its events, on the world as the previous step left it (``reset_scene`` off).
- The work-area guard pauses the run and asks the trainer when a prop is no longer on the table
  (dropped on the floor): nothing else is tried until the trainer says resume (or aborts).
- Between ticks the run obeys the trainer's pause, resume and abort (:class:`Control`), and a
  stop (e-stop, cancel) ends it.
- A step that fails is retried up to its ``retries``, then the scenario aborts with that
  step's reason.

ROS-free: ``academy scenario run`` runs it in one process on simulated time; the skill executor
node serves it as the ``execute_scenario`` action.
"""

from __future__ import annotations

import enum
import importlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

import py_trees
from py_trees.common import Status

from academy_common.interface_constants import SkillEventKind as EventKind
from academy_skills.manipulation import RobotIO, StationObservation
from academy_skills.skill_executor import EventSink, ExecutorEvent, GoalRun, Runtime
from academy_skills.skill_library import (
    FailureReason,
    ParamValue,
    SkillLibrary,
    SkillOutcome,
    stop_failure,
)

#: A prop whose centre is this far below the table top has left the work area (m).
OFF_TABLE_DROP = 0.05


@dataclass(frozen=True)
class ScenarioStep:
    """One skill goal of a scenario: the skill, its parameters, how often to retry it."""

    skill: str
    parameters: Mapping[str, ParamValue]
    retries: int = 2

    def label(self) -> str:
        said = ", ".join(f"{k}={v}" for k, v in sorted(self.parameters.items()))
        return f"{self.skill}({said})"


@dataclass(frozen=True)
class Judgement:
    """A scenario judge's verdict on the world, with its evidence (metrics) and reason."""

    ok: bool
    reason: str = ""
    metrics: Mapping[str, tuple[float, str]] = field(default_factory=dict)


class Scenario(Protocol):
    """What a registered scenario class provides."""

    name: str
    description: str

    def preconditions(self, world: StationObservation) -> list[str]:
        """What is wrong with the world for this scenario to start (empty: it can)."""
        ...

    def plan(self, world: StationObservation) -> list[ScenarioStep]:
        """The skill steps, read from the world at the start."""
        ...

    def judge(self, world: StationObservation) -> Judgement:
        """Success, from the final world state only."""
        ...


@dataclass(frozen=True)
class ScenarioDeclaration:
    """A registered scenario: what it chains, where, how it is judged, how to build it."""

    name: str
    description: str
    station: str  # config/stations/<station>.yaml
    skills: tuple[str, ...]  # the component skills: all mastered unlocks it
    success: str
    build: Callable[[], Scenario]
    origin: str


_SCENARIOS: dict[str, ScenarioDeclaration] = {}
_LOADED = False
#: Modules holding the built-in scenarios.
BUILTIN_MODULES = ("academy_skills.scenario_library",)
_T = TypeVar("_T")


def register_scenario(
    *, station: str, skills: Iterable[str], success: str
) -> Callable[[type[_T]], type[_T]]:
    """Class decorator: register a scenario class (its ``name`` and ``description`` are its
    own attributes).

    Raises:
        ValueError: a second scenario with the same name.
    """

    def decorate(cls: type[_T]) -> type[_T]:
        name = str(getattr(cls, "name", ""))
        origin = f"{cls.__module__}:{cls.__qualname__}"
        existing = _SCENARIOS.get(name)
        if not name or (existing is not None and existing.origin != origin):
            raise ValueError(f"{origin}: a scenario needs a name of its own ({name!r})")
        _SCENARIOS[name] = ScenarioDeclaration(
            name=name,
            description=str(getattr(cls, "description", "")),
            station=station,
            skills=tuple(skills),
            success=success,
            build=cls,  # type: ignore[arg-type]
            origin=origin,
        )
        return cls

    return decorate


def registered_scenarios() -> dict[str, ScenarioDeclaration]:
    """Every registered scenario by name."""
    global _LOADED
    if not _LOADED:
        for module in BUILTIN_MODULES:
            importlib.import_module(module)
        _LOADED = True
    return dict(sorted(_SCENARIOS.items()))


class Command(enum.Enum):
    """What the trainer wants of a running scenario."""

    RUN = "run"
    PAUSE = "pause"
    ABORT = "abort"


class Control(Protocol):
    """The trainer's side of a run: polled between ticks, told when the run asks."""

    def command(self) -> Command: ...

    def ask(self, question: str) -> None: ...


class Unattended:
    """No trainer (``academy scenario run``): never pauses; a question ends the run."""

    def __init__(self) -> None:
        self.questions: list[str] = []

    def command(self) -> Command:
        return Command.ABORT if self.questions else Command.RUN

    def ask(self, question: str) -> None:
        self.questions.append(question)


@dataclass
class StepRecord:
    """What one try of one step did."""

    step: ScenarioStep
    outcome: SkillOutcome
    reason: str
    failure: str
    duration: float


@dataclass
class ScenarioResult:
    """How a scenario run ended, each step try, and the judge's evidence."""

    scenario: str
    outcome: SkillOutcome
    reason: str = ""
    failure: str = ""
    steps: list[StepRecord] = field(default_factory=list)
    metrics: dict[str, tuple[float, str]] = field(default_factory=dict)
    duration: float = 0.0
    questions: list[str] = field(default_factory=list)
    tree: str = ""


class _Shared:
    """What the behaviours of one run share: the world, the library, the runtime, the log."""

    def __init__(
        self, io: RobotIO, library: SkillLibrary, runtime: Runtime, sink: EventSink
    ) -> None:
        self.io = io
        self.library = library
        self.runtime = runtime
        self.sink = sink
        self.records: list[StepRecord] = []
        self.question = ""  # set by the guard: the run pauses until the trainer resumes
        self.end: tuple[SkillOutcome, str, str] | None = None  # outcome, reason, failure
        self.judgement: Judgement | None = None
        self.step_label = ""  # the step running now, as the scenario states it
        self.step_index = 0  # its 1-based place in the plan (a retry keeps it)


class _Preconditions(py_trees.behaviour.Behaviour):
    def __init__(self, shared: _Shared, scenario: Scenario) -> None:
        super().__init__("preconditions")
        self.shared, self.scenario = shared, scenario

    def update(self) -> Status:
        problems = self.scenario.preconditions(self.shared.io.station())
        if problems:
            reason = "preconditions not met: " + "; ".join(problems)
            self.shared.end = (SkillOutcome.REJECTED, reason, FailureReason.REFUSED.value)
            return Status.FAILURE
        return Status.SUCCESS


class _WorkAreaGuard(py_trees.behaviour.Behaviour):
    """RUNNING (the run pauses and asks) while a prop is off the table; else SUCCESS."""

    def __init__(self, shared: _Shared) -> None:
        super().__init__("work area")
        self.shared = shared

    def update(self) -> Status:
        world = self.shared.io.station()
        lost = [
            name
            for name, obj in sorted(world.objects.items())
            if obj.position[2] < world.table_height - OFF_TABLE_DROP
        ]
        if not lost:
            self.shared.question = ""
            return Status.SUCCESS
        self.shared.question = (
            f"{', '.join(lost)} fell off the table: put {'it' if len(lost) == 1 else 'them'} "
            "back on the table and say resume, or say cancel"
        )
        return Status.RUNNING


class _SkillGoal(py_trees.behaviour.Behaviour):
    """One skill goal (one attempt, on the world as it is), as the skill executor runs it."""

    def __init__(self, shared: _Shared, step: ScenarioStep, index: int) -> None:
        super().__init__(step.label())
        self.shared, self.step, self.index = shared, step, index
        self._ended: Status | None = None

    def initialise(self) -> None:
        self._ended = None

    def update(self) -> Status:
        """The goal runs (blocking) in one tick, which then says RUNNING: its end is reported
        on the next, so one tick runs at most one step and the run obeys a pause or an abort
        between steps (a Sequence would go on to the next child in the same tick)."""
        if self._ended is not None:
            return self._ended
        self._ended = self._run()
        return Status.RUNNING

    def _run(self) -> Status:
        shared = self.shared
        shared.step_label, shared.step_index = self.step.label(), self.index
        params = {**self.step.parameters, "reset_scene": False}
        run = GoalRun(shared.library, self.step.skill, params, 1, shared.runtime, shared.sink)
        result = run.run()
        shared.records.append(
            StepRecord(self.step, result.outcome, result.reason, result.failure, result.duration)
        )
        if result.outcome == SkillOutcome.SUCCEEDED:
            return Status.SUCCESS
        if result.outcome in (SkillOutcome.ESTOPPED, SkillOutcome.CANCELED):
            shared.end = (result.outcome, f"{self.step.label()}: {result.reason}", result.failure)
        elif result.outcome == SkillOutcome.REJECTED:  # a retry cannot help
            shared.end = (
                SkillOutcome.REJECTED,
                f"{self.step.label()} refused: {result.reason}",
                result.failure,
            )
        return Status.FAILURE


class _Judge(py_trees.behaviour.Behaviour):
    def __init__(self, shared: _Shared, scenario: Scenario) -> None:
        super().__init__("judge")
        self.shared, self.scenario = shared, scenario

    def update(self) -> Status:
        verdict = self.scenario.judge(self.shared.io.station())
        self.shared.judgement = verdict
        return Status.SUCCESS if verdict.ok else Status.FAILURE


class _StopOnEnd(py_trees.decorators.Decorator):
    """Pass the child's status on, but fail at once (no retry) once the run must end."""

    def __init__(self, shared: _Shared, child: py_trees.behaviour.Behaviour) -> None:
        super().__init__(name=child.name, child=child)
        self.shared = shared

    def update(self) -> Status:
        if self.shared.end is not None:
            return Status.FAILURE
        return self.decorated.status


class ScenarioRun:
    """One run of a scenario on one robot: build the tree from the world, tick it to the end."""

    def __init__(
        self,
        scenario: Scenario,
        io: RobotIO,
        library: SkillLibrary,
        runtime: Runtime,
        sink: EventSink | None = None,
        control: Control | None = None,
    ) -> None:
        self.scenario = scenario
        self.control = control or Unattended()
        self.runtime = runtime
        self.shared = _Shared(io, library, runtime, sink or _ignore)
        self._plan: list[ScenarioStep] | None = None

    def tree(self, steps: list[ScenarioStep]) -> py_trees.composites.Sequence:
        shared = self.shared
        children: list[py_trees.behaviour.Behaviour] = [_Preconditions(shared, self.scenario)]
        for index, step in enumerate(steps, 1):
            attempt = py_trees.composites.Sequence(
                f"step {index}",
                memory=True,
                children=[_WorkAreaGuard(shared), _SkillGoal(shared, step, index)],
            )
            retried = py_trees.decorators.Retry(
                f"step {index} (retry x{step.retries})", attempt, step.retries + 1
            )
            children.append(_StopOnEnd(shared, retried))
        children.append(_Judge(shared, self.scenario))
        return py_trees.composites.Sequence(self.scenario.name, memory=True, children=children)

    def planned(self) -> list[ScenarioStep]:
        """The steps this run will take, read from the world now (once): none when the
        preconditions fail (the tree's first node then refuses the run)."""
        if self._plan is None:
            world = self.shared.io.station()
            self._plan = [] if self.scenario.preconditions(world) else self.scenario.plan(world)
        return self._plan

    def run(self) -> ScenarioResult:
        """Tick the tree until it ends, a stop or an abort; return what happened."""
        start = self.runtime.now()
        root = self.tree(self.planned())
        result = ScenarioResult(self.scenario.name, SkillOutcome.UNKNOWN)
        result.tree = py_trees.display.ascii_tree(root)
        asked = ""
        while root.status not in (Status.SUCCESS, Status.FAILURE):
            stop = self.runtime.stop_requested()
            command = self.control.command()
            if stop is not None:
                self.shared.end = (stop, f"stopped ({stop.name.lower()})", stop_failure(stop).value)
            elif command is Command.ABORT:
                why = f"aborted: {asked}" if asked else "aborted by the trainer"
                self.shared.end = (SkillOutcome.CANCELED, why, FailureReason.CANCELED.value)
            if self.shared.end is not None:
                root.stop(Status.INVALID)
                break
            if command is Command.PAUSE:
                self.runtime.sleep(0.1)
                continue
            root.tick_once()
            question = self.shared.question
            if question and question != asked:
                self.control.ask(question)
                result.questions.append(question)
            elif question:  # still waiting for the trainer: look again in a moment
                self.runtime.sleep(0.1)
            asked = question
        return self._result(result, start)

    def _result(self, result: ScenarioResult, start: float) -> ScenarioResult:
        shared = self.shared
        result.steps = shared.records
        result.duration = self.runtime.now() - start
        if shared.judgement is not None:
            result.metrics = dict(shared.judgement.metrics)
        if shared.end is not None:
            result.outcome, result.reason, result.failure = shared.end
        elif shared.judgement is not None and shared.judgement.ok:
            result.outcome = SkillOutcome.SUCCEEDED
        elif shared.judgement is not None:
            result.outcome, result.reason = SkillOutcome.FAILED, shared.judgement.reason
            result.failure = FailureReason.MISSED.value
        else:  # a step failed every retry
            last = shared.records[-1]
            result.outcome = SkillOutcome.ABORTED
            result.reason = (
                f"{last.step.label()} failed {last.step.retries + 1} times; last: {last.reason}"
            )
            result.failure = last.failure
        return result


def _ignore(event: ExecutorEvent) -> None:
    return None


@dataclass(frozen=True)
class ScenarioGoalResult:
    """How a whole execute_scenario goal ended (its runs, and the last run in full)."""

    outcome: SkillOutcome
    reason: str
    failure: str
    runs: int
    successes: int
    duration: float
    last: ScenarioResult | None


class ScenarioGoal:
    """One execute_scenario goal: ``runs`` runs of a scenario, each from a reset station, told
    as skill events: each run is one attempt (one recorded episode) of skill
    ``scenario/<name>``; its steps' skill events come inside it as phases ("step 1:
    put_in_bin(object=red_cube)", then that skill's own "put_in_bin/approach", ...), the
    step's outcome, reason and metrics on its closing phase."""

    def __init__(
        self,
        declaration: ScenarioDeclaration,
        io: RobotIO,
        library: SkillLibrary,
        runtime: Runtime,
        sink: EventSink,
        runs: int = 1,
        control: Control | None = None,
    ) -> None:
        self.declaration = declaration
        self.io, self.library, self.runtime = io, library, runtime
        self._sink = sink
        self.runs = max(1, runs)
        self.control = control
        self.skill = f"scenario/{declaration.name}"
        self._run = 0
        self._step = 0
        self._steps = 1
        self._label = ""
        self._current: ScenarioRun | None = None

    def emit(self, kind: EventKind, **fields: Any) -> None:
        within = fields.pop("within", 0.0)
        progress = 1.0 if kind == EventKind.GOAL_END else (self._run - 1 + within) / self.runs
        self._sink(
            ExecutorEvent(
                kind=kind,
                stamp=self.runtime.now(),
                skill=self.skill,
                repetition=0
                if kind in (EventKind.GOAL_ACCEPTED, EventKind.GOAL_END)
                else self._run,
                repetitions=self.runs,
                progress=min(1.0, max(0.0, progress)),
                **fields,
            )
        )

    def _step_event(self, event: ExecutorEvent) -> None:
        """A step's skill event, as a phase of the scenario's attempt."""
        within = (max(self._step, 1) - 1 + event.progress) / self._steps
        if event.kind == EventKind.ATTEMPT_START:
            shared = self._current.shared if self._current else None
            label = shared.step_label if shared else event.skill
            self._step = shared.step_index if shared else self._step
            self._label = f"step {self._step}: {label}"  # a retry keeps its step's number
            self.emit(EventKind.PHASE_START, phase=self._label, within=within)
        elif event.kind in (EventKind.PHASE_START, EventKind.PHASE_END):
            self.emit(event.kind, phase=f"{event.skill}/{event.phase}", within=within)
        elif event.kind == EventKind.ATTEMPT_END:
            self.emit(
                EventKind.PHASE_END,
                phase=self._label,
                outcome=event.outcome,
                reason=event.reason,
                metrics=event.metrics,
                failure=event.failure,
                within=within,
            )

    def run(self) -> ScenarioGoalResult:
        """Every run (stopping early on a stop or an abort), then the goal's result."""
        start = self.runtime.now()
        self.emit(EventKind.GOAL_ACCEPTED)
        successes = 0
        first: ScenarioResult | None = None
        last: ScenarioResult | None = None
        for run in range(1, self.runs + 1):
            self._run, self._step = run, 1
            if self.runtime.stop_requested() is not None:
                break
            self.emit(EventKind.ATTEMPT_START)
            self.io.reset_station()
            scenario = ScenarioRun(
                self.declaration.build(),
                self.io,
                self.library,
                self.runtime,
                self._step_event,
                self.control,
            )
            self._current = scenario
            self._steps = max(1, len(scenario.planned()))
            last = scenario.run()
            self.emit(
                EventKind.ATTEMPT_END,
                outcome=last.outcome,
                reason=last.reason,
                metrics=last.metrics,
                failure=last.failure,
                within=1.0,
            )
            if last.outcome == SkillOutcome.SUCCEEDED:
                successes += 1
            elif first is None:
                first = last
            if last.outcome in (SkillOutcome.CANCELED, SkillOutcome.ESTOPPED):
                break
        made = self._run if last is not None else 0
        if first is None and last is not None:
            outcome, reason, failure = SkillOutcome.SUCCEEDED, "", ""
        elif first is not None:
            outcome, reason, failure = first.outcome, first.reason, first.failure
            if last is not None and last.outcome in (SkillOutcome.CANCELED, SkillOutcome.ESTOPPED):
                outcome = last.outcome
        else:
            stop = self.runtime.stop_requested() or SkillOutcome.CANCELED
            outcome, reason, failure = (
                stop,
                "stopped before the first run",
                stop_failure(stop).value,
            )
        self.emit(EventKind.GOAL_END, outcome=outcome, reason=reason, failure=failure)
        return ScenarioGoalResult(
            outcome, reason, failure, made, successes, self.runtime.now() - start, last
        )


def inside(position: Any, centre: tuple[float, float], half: tuple[float, float]) -> bool:
    """Whether ``position``'s x, y lie within ``half`` extents of ``centre``."""
    return bool(abs(position[0] - centre[0]) <= half[0] and abs(position[1] - centre[1]) <= half[1])
