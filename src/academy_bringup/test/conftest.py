"""Fixtures of academy_bringup's unit tests (no ROS graph)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


@pytest.fixture
def fake_ament_prefix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An install prefix holding academy_skills with two executables, as the ament index sees it."""
    prefix = tmp_path / "prefix"
    index = prefix / "share" / "ament_index" / "resource_index" / "packages"
    index.mkdir(parents=True)
    (index / "academy_skills").write_text("")
    lib = prefix / "lib" / "academy_skills"
    lib.mkdir(parents=True)
    for name in ("skill_executor", "program_runner"):
        exe = lib / name
        exe.write_text("#!/bin/sh\nexit 0\n")
        exe.chmod(0o755)
    monkeypatch.setenv("AMENT_PREFIX_PATH", os.pathsep.join([str(prefix), "/nonexistent"]))
    return prefix
