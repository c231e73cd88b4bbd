"""Integration-test helpers: ``academy session up`` as a subprocess, pid checks."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psutil
import pytest

REPO = Path(__file__).resolve().parents[1]


class RunningSession:
    """``academy session up`` in a subprocess, its output collected line by line."""

    def __init__(self, session_file: Path, log_dir: Path) -> None:
        self.log_dir = log_dir
        self.process = subprocess.Popen(
            ["academy", "session", "up", str(session_file), "--log-dir", str(log_dir)],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        self.lines: list[str] = []
        self._closed = False
        self._new_line = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            with self._new_line:
                self.lines.append(line.rstrip("\n"))
                self._new_line.notify_all()
        with self._new_line:
            self._closed = True
            self._new_line.notify_all()

    def wait_for(self, pattern: str, timeout: float = 30.0) -> re.Match[str]:
        """Block until an output line matches ``pattern``; fail the test after ``timeout``."""
        regex = re.compile(pattern)
        deadline = time.monotonic() + timeout
        checked = 0
        with self._new_line:
            while True:
                for line in self.lines[checked:]:
                    if (match := regex.search(line)) is not None:
                        return match
                checked = len(self.lines)
                left = deadline - time.monotonic()
                if self._closed or left <= 0:
                    break
                self._new_line.wait(left)
        pytest.fail(f"no line matching {pattern!r} within {timeout} s; output:\n" + self.text())

    def text(self) -> str:
        return "\n".join(self.lines)

    def tracebacks(self) -> list[str]:
        """Every Python traceback in the session's node logs (see :func:`tracebacks`)."""
        return tracebacks(self.log_dir)

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
        """SIGKILL the runner and every node it started.

        The nodes run in process groups of their own (the runner forwards signals itself), so
        killing the runner's group alone would orphan them.
        """
        groups = [self.process.pid] + [p for pids in self.child_pids().values() for p in pids]
        for group in groups:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(group, signal.SIGKILL)
        self.process.wait()


def pid_alive(pid: int) -> bool:
    """True if ``pid`` is a live process (a zombie counts as dead)."""
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def node_session(name: str, *nodes: dict, grace_period: float = 5.0) -> dict:
    """A session named ``name`` with robot_1 (aurora_h1) and ``nodes``."""
    return {
        "session": {"name": name, "grace_period": grace_period},
        "robots": [{"id": "robot_1", "model": "aurora_h1"}],
        "nodes": list(nodes),
    }


def controller_node(station: str, **parameters: object) -> dict:
    """robot_1's controller_manager node (aurora_h1 controllers, ``station``, seed 3)."""
    return {
        "name": "controller_manager",
        "package": "academy_control",
        "executable": "controller_manager",
        "robot": "robot_1",
        "parameters": {
            "controllers_file": str(REPO / "urdf/aurora_h1/controllers.yaml"),
            "station_file": station,
            "seed": 3,
            **parameters,
        },
    }


def robot_session(
    name: str, station: str, controller: dict | None = None, executor: dict | None = None
) -> dict:
    """robot_1's controller_manager and skill_executor (``use_sim_time``), each with extra
    ``parameters`` when given."""
    return node_session(
        name,
        controller_node(station, **(controller or {})),
        {
            "name": "skill_executor",
            "package": "academy_skills",
            "executable": "skill_executor",
            "robot": "robot_1",
            "parameters": {"station_file": station, "use_sim_time": True, **(executor or {})},
        },
    )


def start_alone(
    package: str, executable: str, parameters: dict[str, object], namespace: str = "/robot_1"
) -> subprocess.Popen[str]:
    """One node as its own process (resolved like ``ros2 run``), outside any session runner:
    for tests that drive its lifecycle themselves. Output is captured (text)."""
    from academy_bringup.session_schema import resolve_executable

    path = resolve_executable(package, executable)
    assert path is not None, f"{package}/{executable} is not installed"
    args = [str(path), "--ros-args", "-r", f"__ns:={namespace}"]
    for key, value in parameters.items():
        args += ["-p", f"{key}:={value}"]
    return subprocess.Popen(
        args,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


def wait_until(condition: Callable[[], object], timeout: float, poll: float = 0.02) -> bool:
    """Poll ``condition`` until it is true or ``timeout`` s passed; whether it became true."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(poll)
    return bool(condition())


def wait_lifecycle_available(client: Any, node: str, timeout: float = 30.0) -> None:
    """Until ``node`` offers its lifecycle services (``client``: a LifecycleClient)."""
    assert wait_until(lambda: client.is_available(node), timeout, poll=0.1), (
        f"{node} never offered its lifecycle services within {timeout:g} s"
    )


def tracebacks(log_dir: Path) -> list[str]:
    """``file: first lines`` of every Python traceback in the node logs under ``log_dir``.

    A normal SIGINT/SIGTERM shutdown must print none: a traceback there is a defect.
    """
    found = []
    for log in sorted(log_dir.rglob("*.log")):
        lines = log.read_text(errors="replace").splitlines()
        for index, line in enumerate(lines):
            if "Traceback (most recent call last)" in line:
                found.append(f"{log.name}: " + " | ".join(lines[index : index + 8]))
    return found
