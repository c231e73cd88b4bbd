"""The control thread's SCHED_FIFO set-up: applied to the calling thread only, refusals reported."""

from __future__ import annotations

import os
import threading

import pytest

from academy_control.realtime import configure_sched_fifo


def in_thread(priority: int, check_only: bool = False) -> tuple[str | None, int, int]:
    """configure_sched_fifo's answer in a fresh thread, and that thread's policy and priority."""
    seen: dict[str, object] = {}

    def run() -> None:
        seen["answer"] = configure_sched_fifo(priority, check_only)
        seen["policy"] = os.sched_getscheduler(0)
        seen["priority"] = os.sched_getparam(0).sched_priority

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    return seen["answer"], seen["policy"], seen["priority"]  # type: ignore[return-value]


def test_priority_zero_leaves_the_default_scheduler() -> None:
    answer, policy, _ = in_thread(0)
    assert answer is None
    assert policy == os.SCHED_OTHER


def test_a_fifo_thread_when_allowed_else_the_refusal_is_said() -> None:
    answer, policy, priority = in_thread(50)
    if answer is None:  # root, CAP_SYS_NICE or an rtprio limit
        assert (policy, priority) == (os.SCHED_FIFO, 50)
    else:  # twin: refused, and the thread stays on the default scheduler
        assert "SCHED_FIFO priority 50 refused" in answer
        assert policy == os.SCHED_OTHER
    # Only the calling thread changes.
    assert os.sched_getscheduler(0) == os.SCHED_OTHER


@pytest.mark.parametrize("priority", [-1, 100])
def test_twin_a_priority_outside_1_to_99_is_a_clear_error(priority: int) -> None:
    with pytest.raises(ValueError, match=rf"thread_priority: {priority} .* use 1-99"):
        configure_sched_fifo(priority)


def test_check_only_changes_nothing() -> None:
    answer, policy, _ = in_thread(50, check_only=True)
    assert answer is None
    assert policy == os.SCHED_OTHER
