"""The bootstrap names a missing prerequisite instead of failing somewhere later."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from session_harness import REPO

pytestmark = pytest.mark.timeout(60)
BASH = shutil.which("bash") or "/bin/bash"
# The real interpreter, not a version-manager shim (a shim needs its own tools on PATH).
PYTHON311 = os.path.realpath(sys.executable)


def run_bootstrap(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [BASH, str(REPO / "tools" / "bootstrap.sh")],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def path_without(tmp_path: Path, missing: str) -> str:
    """A PATH holding links to the usual tools except ``missing``."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in (
        "python3.11",
        "cmake",
        "cc",
        "gcc",
        "c++",
        "g++",
        "make",
        "sha256sum",
        "cat",
        "cut",
        "find",
        "sort",
        "xargs",
        "dirname",
        "printf",
        "mkdir",
    ):
        found = PYTHON311 if tool == "python3.11" else shutil.which(tool)
        if found and tool != missing:
            (bin_dir / tool).symlink_to(found)
    return str(bin_dir)


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("cmake", "cmake not found (Debian/Ubuntu: apt-get install cmake)"),
        ("python3.11", "python3.11 not found"),
    ],
)
def test_missing_prerequisite_is_named(tmp_path: Path, missing: str, message: str) -> None:
    env = {**os.environ, "PATH": path_without(tmp_path, missing)}
    env.pop("PYTHON", None)
    result = run_bootstrap(env)
    assert result.returncode == 1
    assert message in result.stderr


def test_wrong_python_version_is_named(tmp_path: Path) -> None:
    fake = tmp_path / "python3.9"
    fake.write_text("#!/bin/sh\nexit 1\n")
    fake.chmod(0o755)
    result = run_bootstrap({**os.environ, "PYTHON": str(fake)})
    assert result.returncode == 1
    assert "is not Python 3.11" in result.stderr


def test_second_run_installs_and_builds_nothing() -> None:
    """The workspace is already set up (make test ran the bootstrap): nothing to redo."""
    result = run_bootstrap(dict(os.environ))
    assert result.returncode == 0, result.stderr
    assert "colcon build" not in result.stdout and "installing" not in result.stdout
    assert "ready" in result.stdout
