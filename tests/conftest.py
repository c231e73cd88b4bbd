"""Integration-test fixtures: real processes over real DDS, one ROS_DOMAIN_ID per test."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from session_harness import RunningSession

# Domain ids 1..100 are safe on Linux (port ranges); start at a per-run offset so that two test
# runs on one host rarely share one, and give every test its own.
_DOMAINS = itertools.count(1 + os.getpid() % 50)


@pytest.fixture
def domain_id(monkeypatch: pytest.MonkeyPatch) -> int:
    """A ROS_DOMAIN_ID of this test alone, exported to everything it starts."""
    value = next(_DOMAINS) % 100 + 1
    monkeypatch.setenv("ROS_DOMAIN_ID", str(value))
    monkeypatch.setenv("ROS_AUTOMATIC_DISCOVERY_RANGE", "LOCALHOST")
    return value


@pytest.fixture
def start_session(tmp_path: Path, domain_id: int) -> Iterator:
    """Write a session (dict) into tmp_path with this test's domain id and start it."""
    started: list[RunningSession] = []

    def start(data: dict) -> RunningSession:
        data = dict(data)
        data["session"] = {**data["session"], "ros_domain_id": domain_id}
        path = tmp_path / "session.yaml"
        path.write_text(yaml.safe_dump(data))
        session = RunningSession(path, tmp_path / "logs")
        started.append(session)
        return session

    yield start
    for session in started:  # never leave a process behind, even when a test fails
        session.kill()
