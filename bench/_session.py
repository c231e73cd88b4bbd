"""Benchmark helper (not a benchmark): run an ``academy session up`` in the background."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def running_session(session_file: Path) -> Iterator[subprocess.Popen[str]]:
    """Start the session, return once it is up; SIGINT it (SIGKILL after 20 s) on exit."""
    process = subprocess.Popen(
        ["academy", "session", "up", str(session_file)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    assert process.stdout is not None
    output = process.stdout
    last: list[str] = []
    for line in output:
        if "is up" in line:
            break
        last = [*last[-20:], line]
    else:
        raise RuntimeError(
            f"session {session_file} ended before it was up; its last lines:\n" + "".join(last)
        )
    # Keep reading its output so that the nodes never block on a full pipe.
    threading.Thread(target=lambda: [None for _ in output], daemon=True).start()
    try:
        yield process
    finally:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
