"""``academy parse``: the parser offline, no ROS graph — exit 0 for an instruction, 1 for a
rejection or question, 2 for unusable options; ``--json`` prints one object."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.timeout(60)

KEYS = {"kind", "robot", "skill", "parameters", "count", "reason"}


def parse(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["academy", "parse", *args], capture_output=True, text=True, timeout=30)


def parse_json(*args: str) -> tuple[int, dict]:
    done = parse(*args, "--json")
    lines = done.stdout.splitlines()
    assert len(lines) == 1, done.stdout + done.stderr  # one JSON object, nothing else
    result = json.loads(lines[0])
    assert set(result) == KEYS
    return done.returncode, result


INSTRUCTIONS = [
    (
        ["robot two, lift the red cube 10 cm three times", "--robots", "robot_1,robot_2"],
        {"kind": "skill", "robot": "robot_2", "skill": "lift",
         "parameters": {"object": "red_cube", "height": 0.1}, "count": 3},
    ),
    (["grasp the blue cup gently"],  # one robot (the default robot_1): unaddressed is fine
     {"kind": "skill", "robot": "robot_1", "skill": "grasp",
      "parameters": {"object": "blue_cup", "grip_force": 8.0}, "count": 1}),
    (["STOP!", "--robots", "robot_1,robot_2"], {"kind": "stop", "robot": ""}),
    (["robot two, halt", "--robots", "robot_1,robot_2"], {"kind": "stop", "robot": "robot_2"}),
    (["everyone reset", "--robots", "robot_1,robot_2"], {"kind": "reset", "robot": ""}),
    (["robot one, cancel", "--robots", "robot_1,robot_2"], {"kind": "cancel", "robot": "robot_1"}),
]  # fmt: skip


@pytest.mark.parametrize(("args", "expected"), INSTRUCTIONS, ids=[a[0] for a, _ in INSTRUCTIONS])
def test_instructions_exit_0_with_what_would_be_done(args: list[str], expected: dict) -> None:
    code, result = parse_json(*args)
    assert code == 0, result
    assert {k: result[k] for k in expected} == expected


REFUSALS = [
    (["dance"], "rejected", "I don't know how to 'dance'"),
    (["lift the red cube -10 cm"], "rejected", "'-10' is not a number"),
    (["reset", "--robots", "robot_1,robot_2"], "question", "which robot should I reset?"),
    (["lift the cube slowly quickly"], "question", "'slowly' and 'quickly' contradict"),
    (["lift the cube", "--robots", "robot_1,robot_2"], "question", "which robot?"),
]


@pytest.mark.parametrize(("args", "kind", "why"), REFUSALS, ids=[a[0] for a, _, _ in REFUSALS])
def test_rejections_and_questions_exit_1_with_the_reason(
    args: list[str], kind: str, why: str
) -> None:
    code, result = parse_json(*args)
    assert code == 1
    assert result["kind"] == kind and why in result["reason"]
    assert result["count"] == 0 and result["robot"] == "" and result["parameters"] == {}


def test_plain_output_says_what_it_would_do() -> None:
    done = parse("robot one, pick up the red cube", "--robots", "robot_1,robot_2")
    assert done.returncode == 0
    assert done.stdout == "skill: robot_1: lift object=red_cube\n"
    stop = parse("please stop the robot", "--robots", "robot_1,robot_2")
    assert stop.returncode == 0
    assert stop.stdout == "stop: engage the e-stop of every robot (heard 'stop'; no robot named)\n"
    refused = parse("fold the towel")
    assert refused.returncode == 1
    assert refused.stdout.startswith("rejected: I don't know how to 'fold the towel'")


def test_objects_come_from_the_station_file(tmp_path: Path) -> None:
    default = Path(__file__).resolve().parents[1] / "config/stations/tabletop.yaml"
    station = tmp_path / "green.yaml"
    station.write_text(default.read_text().replace("red", "green"))
    code, green = parse_json("lift the green cube", "--station", str(station))
    assert code == 0 and green["parameters"] == {"object": "green_cube"}
    code, red = parse_json("lift the red cube", "--station", str(station))
    assert code == 1 and "there is no red cube here" in red["reason"]


@pytest.mark.parametrize(
    ("args", "why"),
    [
        (["--station", "/nonexistent/station.yaml"], "--station: /nonexistent/station.yaml: file not found"),  # noqa: E501
        (["--robots", "robot_1,Robot 2"], "--robots: 'Robot 2' is not a robot id"),
    ],
)  # fmt: skip
def test_unusable_options_exit_2_naming_them(args: list[str], why: str) -> None:
    done = parse("stop", *args)
    assert done.returncode == 2
    assert why in done.stderr and done.stdout == ""
