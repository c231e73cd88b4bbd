"""``academy say`` against a running instruction_parser: answers are printed, refusals and
errors give exit code 1."""

from __future__ import annotations

import subprocess

import pytest
from session_harness import REPO, node_session

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]


def say(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["academy", "say", *args], capture_output=True, text=True, timeout=60)


def test_say_prints_the_parsers_answer(start_session) -> None:
    session = start_session(
        node_session(
            "it_say",
            {
                "name": "instruction_parser",
                "package": "academy_instructions",
                "executable": "instruction_parser",
                "parameters": {
                    "robot_ids": ["robot_1"],
                    "station_file": str(REPO / "config/stations/tabletop.yaml"),
                },
            },
        )
    )
    session.wait_for(r"session 'it_say' is up", timeout=60)
    refused = say("fold the towel")
    assert refused.returncode == 1
    assert "parser [rejected]: I don't know how to 'fold the towel'" in refused.stdout
    # Understood, but robot_1 has no skill executor in this session: an error, not a hang.
    unanswered = say("robot one, lift the red cube", "--wait", "--timeout", "30")
    assert unanswered.returncode == 1
    assert "robot_1 [error]: robot_1 is not answering" in unanswered.stdout
