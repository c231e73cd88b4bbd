"""Fixtures of academy_bringup's unit tests (no ROS graph)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

FAKE_EXECUTABLES = {
    "academy_skills": ("skill_executor", "program_runner"),
    "academy_control": ("controller_manager",),
    "academy_recorder": ("recorder",),
    "academy_instructions": ("instruction_parser", "scripted_trainer"),
}


@pytest.fixture
def fake_ament_prefix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An install prefix holding the demo's packages and executables, as the ament index sees it."""
    prefix = tmp_path / "prefix"
    index = prefix / "share" / "ament_index" / "resource_index" / "packages"
    index.mkdir(parents=True)
    for package, names in FAKE_EXECUTABLES.items():
        (index / package).write_text("")
        lib = prefix / "lib" / package
        lib.mkdir(parents=True)
        for name in names:
            exe = lib / name
            exe.write_text("#!/bin/sh\nexit 0\n")
            exe.chmod(0o755)
    monkeypatch.setenv("AMENT_PREFIX_PATH", os.pathsep.join([str(prefix), "/nonexistent"]))
    return prefix
