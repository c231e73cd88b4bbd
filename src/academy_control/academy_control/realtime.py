"""Real-time scheduling of a control thread, as ros2_control's ``realtime_tools`` does it.

ros2_control's controller manager puts its update loop on ``SCHED_FIFO`` at ``thread_priority``
(50) when the process may (root, ``CAP_SYS_NICE`` or an ``rtprio`` limit in
``/etc/security/limits.conf``) and otherwise warns and runs on the default scheduler. On a
loaded host a FIFO thread runs as soon as its sleep ends, ahead of every default-scheduled
thread; its own work is short (one control cycle), so it cannot starve them.
"""

from __future__ import annotations

import os

#: SCHED_FIFO's priority range on Linux.
PRIORITY_RANGE = (1, 99)


def configure_sched_fifo(priority: int, check_only: bool = False) -> str | None:
    """Put the calling thread on ``SCHED_FIFO`` at ``priority`` (0: leave it as it is).

    Returns ``None`` when done (or asked for nothing), else why the system refused. A priority
    outside 0 and 1-99 is the caller's mistake and raises ``ValueError`` (``check_only``: only
    that check, nothing changes).
    """
    low, high = PRIORITY_RANGE
    if priority != 0 and not low <= priority <= high:
        raise ValueError(
            f"thread_priority: {priority} is not a SCHED_FIFO priority; use {low}-{high}, "
            "or 0 for the default scheduler"
        )
    if priority == 0 or check_only:
        return None
    try:
        # pid 0 is the calling thread: Linux schedules threads, not processes.
        os.sched_setscheduler(0, os.SCHED_FIFO, os.sched_param(priority))
    except PermissionError as error:
        return f"SCHED_FIFO priority {priority} refused ({error.strerror})"
    return None
