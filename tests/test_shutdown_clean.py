"""The demo session stopped by a signal in the middle of a goal shuts down with no traceback in
any node's log (SIGINT as Ctrl-C, SIGTERM as a service manager): every node, lifecycle nodes
included, exits cleanly and the runner exits 0. The twin checks the scan itself finds one."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import pytest
import yaml
from narrow_station import narrow_station
from session_harness import REPO, tracebacks

pytestmark = [pytest.mark.integration, pytest.mark.timeout(240)]

SESSIONS = REPO / "config" / "sessions"


def demo_session(tmp_path: Path) -> dict:
    """config/sessions/demo.yaml with its paths made absolute, its output in ``tmp_path`` and a
    trainer who asks for a long practice (so a goal is running when the signal comes)."""
    data = yaml.safe_load((SESSIONS / "demo.yaml").read_text())
    script = tmp_path / "script.yaml"
    script.write_text(
        yaml.safe_dump(
            {
                "trainer_id": "trainer_test",
                "robot_ids": ["robot_1"],
                "steps": [{"say": "lift the red cube 5 times", "timeout": 120}],
            }
        )
    )
    station = str(narrow_station(tmp_path))
    fleet = yaml.safe_load((SESSIONS / data["fleet"]).read_text())
    fleet["robots"] = fleet["robots"][:1]  # robot_1 alone: the signal test needs one goal
    (tmp_path / "fleet.yaml").write_text(yaml.safe_dump(fleet))
    data["fleet"] = str(tmp_path / "fleet.yaml")
    for node in data["robot_nodes"] + data["nodes"]:
        params = node.get("parameters", {})
        for key, value in params.items():
            if isinstance(value, str) and value.startswith("../"):
                params[key] = str((SESSIONS / value).resolve())
        if "station_file" in params:
            params["station_file"] = station
        if "fleet_file" in params:
            params["fleet_file"] = data["fleet"]
        if node["name"] == "recorder":
            params["output_dir"] = str(tmp_path / "episodes")
        if node["name"] == "scripted_trainer":
            params["script_file"] = str(script)
    return data


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_signal_mid_goal_stops_the_demo_without_a_traceback(
    start_session, tmp_path: Path, signum: int
) -> None:
    session = start_session(demo_session(tmp_path))
    session.wait_for(r"session 'demo' is up", timeout=120)
    session.wait_for(r"robot_1: lift .*: on it", timeout=60)  # the parser accepted: a goal runs
    time.sleep(4.0)  # inside the first attempts
    session.process.send_signal(signum)
    assert session.wait(timeout=60) == 0, session.text()[-3000:]
    assert session.tracebacks() == [], "\n".join(session.tracebacks())


def test_twin_the_scan_finds_a_traceback(tmp_path: Path) -> None:
    logs = tmp_path / "logs" / "demo-1"
    logs.mkdir(parents=True)
    (logs / "controller_manager.log").write_text(
        '[INFO] up\nTraceback (most recent call last):\n  File "x.py", line 1\n'
        "RCLError: Failed to publish: publisher's context is invalid\n"
    )
    (logs / "recorder.log").write_text("[INFO] deactivated\n")
    (found,) = tracebacks(tmp_path / "logs")
    assert found.startswith("controller_manager.log:") and "RCLError" in found
