"""Integration-test helpers: ``academy session up`` as a subprocess, pid checks."""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


class RunningSession:
    """``academy session up`` in a subprocess, its output collected line by line."""

    def __init__(self, session_file: Path, log_dir: Path) -> None:
        self.process = subprocess.Popen(
            ["academy", "session", "up", str(session_file), "--log-dir", str(log_dir)],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        self.lines: list[str] = []
        self._queue: queue.Queue[str] = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))
            self._queue.put(line)

    def wait_for(self, pattern: str, timeout: float = 30.0) -> re.Match[str]:
        """Block until an output line matches ``pattern``; fail the test after ``timeout``."""
        regex = re.compile(pattern)
        for line in self.lines:
            if (match := regex.search(line)) is not None:
                return match
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self._queue.get(timeout=0.1)
            except queue.Empty:
                if self.process.poll() is not None and self._queue.empty():
                    break
                continue
            if (match := regex.search(line)) is not None:
                return match
        pytest.fail(f"no line matching {pattern!r} within {timeout} s; output:\n" + self.text())

    def text(self) -> str:
        return "\n".join(self.lines)

    def child_pids(self) -> dict[str, list[int]]:
        pids: dict[str, list[int]] = {}
        for line in self.lines:
            match = re.search(r"started (\S+) \(pid (\d+)\)", line)
            if match:
                pids.setdefault(match.group(1), []).append(int(match.group(2)))
        return pids

    def wait(self, timeout: float = 30.0) -> int:
        code = self.process.wait(timeout=timeout)
        self._reader.join(timeout=5)
        return code

    def kill(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def pid_alive(pid: int) -> bool:
    """True if ``pid`` is a live (non-zombie) process."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state != "Z"
