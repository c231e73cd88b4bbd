"""Runs ExecuteSkill goals: validation, repetitions, timing markers and the goal result.

ROS-free core of the ``skill_executor`` node. The node supplies a :class:`Runtime` (clock,
cancellation, sleeping) and an event sink that publishes ``skill_events`` and action feedback.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from academy_common.interface_constants import SkillEventKind as EventKind
from academy_skills.errors import SkillsError
from academy_skills.skill_library import (
    AttemptResult,
    FailureReason,
    ParamValue,
    SkillLibrary,
    SkillOutcome,
    stop_failure,
)


@dataclass(frozen=True)
class ExecutorEvent:
    """One timing marker (becomes a SkillEvent message) plus the goal's overall progress."""

    kind: EventKind
    stamp: float
    skill: str
    repetition: int
    repetitions: int
    phase: str = ""
    outcome: SkillOutcome = SkillOutcome.UNKNOWN
    reason: str = ""
    metrics: Mapping[str, tuple[float, str]] = field(default_factory=dict)
    progress: float = 0.0
    failure: str = ""  # FailureReason value of a failed attempt (or goal), "" otherwise
    parameters: Mapping[str, ParamValue] = field(default_factory=dict)


class Runtime(Protocol):
    """Clock and cancellation supplied by the node (or by a test)."""

    def now(self) -> float: ...

    def stop_requested(self) -> SkillOutcome | None: ...

    def sleep(self, seconds: float) -> None: ...


@dataclass(frozen=True)
class GoalResult:
    """Result of a whole goal (becomes ExecuteSkill.Result)."""

    outcome: SkillOutcome
    reason: str
    attempts: int
    successes: int
    duration: float
    metrics: Mapping[str, tuple[float, str]]
    failure: str = ""  # the first failure's class in the taxonomy


EventSink = Callable[[ExecutorEvent], None]

#: Outcomes of attempts that ran to their judge (the others ended early, in some phase).
_COMPLETED = (SkillOutcome.SUCCEEDED, SkillOutcome.FAILED, SkillOutcome.REJECTED)


class _AttemptContext:
    """SkillContext for one attempt: forwards to the runtime and turns phases into events."""

    def __init__(self, run: GoalRun, repetition: int) -> None:
        self._run = run
        self._repetition = repetition
        self._phase = ""

    def now(self) -> float:
        return self._run.runtime.now()

    def stop_requested(self) -> SkillOutcome | None:
        return self._run.runtime.stop_requested()

    def sleep(self, seconds: float) -> None:
        self._run.runtime.sleep(seconds)

    @property
    def current_phase(self) -> str:
        """The phase running now ("" between phases)."""
        return self._phase

    def phase(self, name: str, progress: float) -> None:
        self.close_phase()
        self._phase = name
        self._run.emit(EventKind.PHASE_START, self._repetition, phase=name, within=progress)

    def close_phase(self) -> None:
        if self._phase:
            self._run.emit(EventKind.PHASE_END, self._repetition, phase=self._phase, within=1.0)
            self._phase = ""


class GoalRun:
    """One accepted ExecuteSkill goal: validate, run each attempt, report events and a result."""

    def __init__(
        self,
        library: SkillLibrary,
        skill: str,
        raw_params: Mapping[str, object],
        repetitions: int,
        runtime: Runtime,
        sink: EventSink,
    ) -> None:
        self.library = library
        self.skill_name = skill
        self.raw_params = raw_params
        self.repetitions = max(1, repetitions)
        self.runtime = runtime
        self._sink = sink

    def validate(self) -> dict[str, ParamValue]:
        """Check skill and parameters before accepting the goal.

        Raises:
            SkillsError: unknown skill or invalid parameters, with the reason.
        """
        return self.library.validate(self.skill_name, self.raw_params)

    def emit(
        self,
        kind: EventKind,
        repetition: int,
        *,
        phase: str = "",
        outcome: SkillOutcome = SkillOutcome.UNKNOWN,
        reason: str = "",
        metrics: Mapping[str, tuple[float, str]] | None = None,
        within: float = 0.0,
        parameters: Mapping[str, ParamValue] | None = None,
        failure: str = "",
    ) -> None:
        """Send one event; ``within`` is the progress inside the current attempt (0..1)."""
        done_attempts = max(0, repetition - 1)
        progress = (
            1.0 if kind == EventKind.GOAL_END else (done_attempts + within) / self.repetitions
        )
        self._sink(
            ExecutorEvent(
                kind=kind,
                stamp=self.runtime.now(),
                skill=self.skill_name,
                repetition=repetition,
                repetitions=self.repetitions,
                phase=phase,
                outcome=outcome,
                reason=reason,
                metrics=dict(metrics or {}),
                progress=min(1.0, max(0.0, progress)),
                parameters=dict(parameters or {}),
                failure=failure,
            )
        )

    def run(self) -> GoalResult:
        """Run every attempt (stopping early on cancel/e-stop) and return the goal result."""
        start = self.runtime.now()
        try:
            params = self.validate()
        except SkillsError as error:
            refused = FailureReason.REFUSED.value
            return self._finish(start, SkillOutcome.REJECTED, str(error), 0, 0, {}, refused)
        skill = self.library.get(self.skill_name)
        check_goal = getattr(skill, "check_goal", None)  # optional: refuse before any attempt
        refusal = check_goal(params) if check_goal is not None else None
        if refusal:
            refused = FailureReason.REFUSED.value
            return self._finish(start, SkillOutcome.REJECTED, refusal, 0, 0, {}, refused)
        self.emit(EventKind.GOAL_ACCEPTED, 0, parameters=params)
        attempts = successes = 0
        first_failure = first_class = ""
        outcome = SkillOutcome.SUCCEEDED
        last = AttemptResult(SkillOutcome.UNKNOWN)
        for repetition in range(1, self.repetitions + 1):
            stop = self.runtime.stop_requested()
            if stop is not None:
                outcome = stop
                if not first_failure:
                    first_failure = f"stopped before attempt {repetition}"
                    first_class = stop_failure(stop).value
                break
            attempts += 1
            self.emit(EventKind.ATTEMPT_START, repetition, parameters=params)
            ctx = _AttemptContext(self, repetition)
            try:
                last = skill.run_attempt(ctx, params)
            except SkillsError as error:
                last = AttemptResult(SkillOutcome.ABORTED, f"{type(error).__name__}: {error}")
            last = self._with_stop(last)
            # An attempt that ended early says in which phase (e.g. the e-stop during "lift").
            ended_in = "" if last.outcome in _COMPLETED else ctx.current_phase
            ctx.close_phase()
            failure = last.failure.value if last.failure is not None else ""
            self.emit(
                EventKind.ATTEMPT_END,
                repetition,
                phase=ended_in,
                outcome=last.outcome,
                reason=last.reason,
                metrics=last.metrics,
                within=1.0,
                failure=failure,
            )
            if last.outcome == SkillOutcome.SUCCEEDED:
                successes += 1
                continue
            if not first_failure:
                first_failure, first_class = f"attempt {repetition}: {last.reason}", failure
            if last.outcome in (SkillOutcome.CANCELED, SkillOutcome.ESTOPPED, SkillOutcome.ABORTED):
                outcome = last.outcome
                break
            outcome = SkillOutcome.FAILED  # a failed attempt does not stop practice
        return self._finish(
            start, outcome, first_failure, attempts, successes, last.metrics, first_class
        )

    def _with_stop(self, result: AttemptResult) -> AttemptResult:
        """An attempt that did not succeed while the e-stop is engaged ended ESTOPPED.

        The stop is decided from the runtime's typed state, whatever the skill concluded (a
        motion the e-stop froze may look like a failed grasp to the skill's judge).
        """
        if result.outcome in (SkillOutcome.SUCCEEDED, SkillOutcome.ESTOPPED):
            return result
        if self.runtime.stop_requested() != SkillOutcome.ESTOPPED:
            return result
        reason = f"e-stop engaged ({result.reason})" if result.reason else "e-stop engaged"
        return AttemptResult(SkillOutcome.ESTOPPED, reason, result.metrics, FailureReason.ESTOPPED)

    def _finish(
        self,
        start: float,
        outcome: SkillOutcome,
        reason: str,
        attempts: int,
        successes: int,
        metrics: Mapping[str, tuple[float, str]],
        failure: str = "",
    ) -> GoalResult:
        self.emit(EventKind.GOAL_END, 0, outcome=outcome, reason=reason, failure=failure)
        return GoalResult(
            outcome=outcome,
            reason=reason,
            attempts=attempts,
            successes=successes,
            duration=self.runtime.now() - start,
            metrics=dict(metrics),
            failure=failure,
        )
