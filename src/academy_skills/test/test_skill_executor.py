"""Skill library and goal execution, with a fake clock (no ROS graph)."""

from __future__ import annotations

import pytest

from academy_skills.errors import SkillParameterError, UnknownSkillError
from academy_skills.skill_executor import EventKind, ExecutorEvent, GoalRun
from academy_skills.skill_library import SkillOutcome, default_library


class FakeRuntime:
    """Virtual time: sleep advances the clock; a stop can be scheduled at a given time."""

    def __init__(self, stop_at: float | None = None, sleep_scale: float = 1.0) -> None:
        self.t = 0.0
        self.stop_at = stop_at
        self.sleep_scale = sleep_scale  # <1 simulates a clock that returns early

    def now(self) -> float:
        return self.t

    def stop_requested(self) -> SkillOutcome | None:
        if self.stop_at is not None and self.t >= self.stop_at:
            return SkillOutcome.CANCELED
        return None

    def sleep(self, seconds: float) -> None:
        target = self.t + seconds * self.sleep_scale
        if self.stop_at is not None and self.stop_at < target:
            target = max(self.t, self.stop_at)
        self.t = target


def run(skill: str, params: dict[str, object], reps: int, runtime: FakeRuntime):
    events: list[ExecutorEvent] = []
    result = GoalRun(default_library(), skill, params, reps, runtime, events.append).run()
    return result, events


def test_wait_goal_succeeds_with_ordered_events() -> None:
    result, events = run("wait", {"duration": 0.5}, 3, FakeRuntime())
    assert result.outcome == SkillOutcome.SUCCEEDED
    assert (result.attempts, result.successes) == (3, 3)
    assert result.duration == pytest.approx(1.5)
    kinds = [e.kind for e in events]
    per_attempt = [
        EventKind.ATTEMPT_START,
        EventKind.PHASE_START,
        EventKind.PHASE_END,
        EventKind.ATTEMPT_END,
    ]
    assert kinds == [EventKind.GOAL_ACCEPTED, *per_attempt * 3, EventKind.GOAL_END]
    assert [e.progress for e in events if e.kind == EventKind.ATTEMPT_END] == pytest.approx(
        [1 / 3, 2 / 3, 1.0]
    )
    assert events[-1].outcome == SkillOutcome.SUCCEEDED


def test_wait_fails_when_measured_hold_is_short() -> None:
    """Twin: a clock that returns early makes the same goal fail - success is measured."""
    result, _events = run("wait", {"duration": 0.5}, 2, FakeRuntime(sleep_scale=0.5))
    assert result.outcome == SkillOutcome.FAILED
    assert result.successes == 0 and result.attempts == 2  # failures do not stop practice
    assert "held 0.250 s, asked 0.500 s" in result.reason


def test_cancel_stops_remaining_attempts() -> None:
    result, events = run("wait", {"duration": 1.0}, 5, FakeRuntime(stop_at=1.5))
    assert result.outcome == SkillOutcome.CANCELED
    assert result.attempts == 2 and result.successes == 1
    assert events[-1].kind == EventKind.GOAL_END


@pytest.mark.parametrize(
    ("skill", "params", "needle"),
    [
        ("dance", {}, "unknown skill 'dance'; known skills: wait"),
        ("wait", {"duration": -1.0}, "'duration' = -1.0 is below the minimum; valid: a number"),
        ("wait", {"duration": float("nan")}, "is not finite"),
        ("wait", {"duration": "long"}, "is not a number"),
        ("wait", {"duration": True}, "is not a number"),
        ("wait", {"speed": 1.0}, "unknown parameter(s) speed; valid parameters: duration"),
    ],
)
def test_bad_goals_rejected_with_reason(skill: str, params: dict[str, object], needle: str) -> None:
    result, events = run(skill, params, 1, FakeRuntime())
    assert result.outcome == SkillOutcome.REJECTED
    assert needle in result.reason
    assert result.attempts == 0
    assert [e.kind for e in events] == [EventKind.GOAL_END]


def test_library_validate_fills_defaults_and_raises_typed_errors() -> None:
    library = default_library()
    assert library.validate("wait", {}) == {"duration": 1.0}
    assert library.validate("wait", {"duration": 2}) == {"duration": 2.0}
    with pytest.raises(UnknownSkillError):
        library.validate("fly", {})
    with pytest.raises(SkillParameterError):
        library.validate("wait", {"duration": 1e9})


def test_the_failure_class_travels_on_attempt_and_goal_ends() -> None:
    result, events = run("wait", {"duration": 0.5}, 2, FakeRuntime(stop_at=0.7))
    assert result.outcome == SkillOutcome.CANCELED
    ends = [e for e in events if e.kind == EventKind.ATTEMPT_END]
    assert [e.failure for e in ends] == ["", "canceled"]  # the first held, the second stopped
    assert result.failure == "canceled" and events[-1].failure == "canceled"


def test_twin_a_refused_goal_is_classed_refused_and_a_success_has_no_class() -> None:
    refused, _ = run("wait", {"duration": -1.0}, 1, FakeRuntime())
    assert (refused.outcome, refused.failure) == (SkillOutcome.REJECTED, "refused")
    done, events = run("wait", {"duration": 0.1}, 1, FakeRuntime())
    assert done.failure == "" and all(e.failure == "" for e in events)
