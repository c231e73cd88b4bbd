"""Several robots' nodes in one process (academy_fleet's fleet_container), over real DDS.

Two makers' robots (Aurora H1, Rethink Baxter) run in one container process, each with its own
controller manager, skill executor and recorder in its namespace. A trainer addresses each by its
spoken name; each practises, each recorder writes its robot's episode (its maker and model), and
SIGINT shuts the container down cleanly (bags finalised, no traceback). The twin: a container
asked for a robot the fleet does not have fails to start, naming it.

In kinematic mode (no contacts) a reach still succeeds, judged on the hand's pose, and the
episode says which hardware ran it; its twin: a grasp there fails, the hand closing on nothing.
"""

from __future__ import annotations

import json
import signal
from pathlib import Path

import pytest
import yaml
from narrow_station import narrow_station
from session_harness import REPO

pytestmark = [pytest.mark.integration, pytest.mark.timeout(240)]


def fleet_session(
    tmp_path: Path,
    robot_ids: list[str],
    steps: tuple[str, ...] = ("aurora, reach for the red cube", "baxter, reach for the red cube"),
    mode: str = "physics",
) -> dict:
    fleet = yaml.safe_load((REPO / "config" / "fleet.yaml").read_text())
    fleet["robots"] = fleet["robots"][:2]  # aurora (robot_1) and baxter (robot_2)
    fleet_file = tmp_path / "fleet.yaml"
    fleet_file.write_text(yaml.safe_dump(fleet))
    station = str(narrow_station(tmp_path))
    script = tmp_path / "script.yaml"
    script.write_text(
        yaml.safe_dump(
            {
                "trainer_id": "trainer_test",
                "robot_ids": ["robot_1", "robot_2"],
                "steps": [
                    *({"say": say, "timeout": 90, "wait": False} for say in steps[:-1]),
                    {"say": steps[-1], "timeout": 90},
                ],
            }
        )
    )
    return {
        "session": {"name": "fleet", "grace_period": 20.0, "ready_timeout": 90.0},
        "fleet": str(fleet_file),
        "nodes": [
            {"name": "fleet_container", "package": "academy_fleet",
             "executable": "fleet_container",
             "parameters": {"fleet_file": str(fleet_file), "robot_ids": robot_ids,
                            "station_file": station, "output_dir": str(tmp_path / "episodes"),
                            "topics_file": str(REPO / "config/recorder/episode_topics.yaml"),
                            "seed": 4, "mode": mode}},
            {"name": "instruction_parser", "package": "academy_instructions",
             "executable": "instruction_parser",
             "parameters": {"fleet_file": str(fleet_file), "station_file": station}},
            {"name": "scripted_trainer", "package": "academy_instructions",
             "executable": "scripted_trainer", "parameters": {"script_file": str(script)},
             "on_exit": "shutdown"},
        ],
    }  # fmt: skip


def episodes(tmp_path: Path) -> dict[str, dict]:
    """The episode.json documents the session wrote, by robot id."""
    documents = [json.loads(p.read_text()) for p in tmp_path.glob("episodes/*/*/episode.json")]
    return {d["robot_id"]: d for d in documents}


def test_two_makers_robots_practise_from_one_process(start_session, tmp_path: Path) -> None:
    session = start_session(fleet_session(tmp_path, ["robot_1", "robot_2"]))
    assert session.wait(timeout=200) == 0, session.text()[-3000:]
    assert session.tracebacks() == [], "\n".join(session.tracebacks())
    containers = [p for p in session.child_pids() if "container" in p]
    assert len(containers) == 1, session.child_pids()  # both robots: one process
    by_robot = episodes(tmp_path)
    assert set(by_robot) == {"robot_1", "robot_2"}, session.text()[-3000:]
    assert by_robot["robot_2"]["manufacturer"] == "Rethink Robotics"
    assert by_robot["robot_2"]["model"] == "rethink_baxter"
    for document in by_robot.values():
        assert document["complete"] and sum(document["messages_lost"].values()) == 0


def test_twin_a_robot_the_fleet_does_not_have_stops_the_container(
    start_session, tmp_path: Path
) -> None:
    session = start_session(fleet_session(tmp_path, ["robot_1", "robot_9"]))
    assert session.wait(timeout=120) != 0
    assert "robot_ids: ['robot_9']: not in the fleet" in session.text()


def test_sigint_mid_practice_finalises_the_open_bag(start_session, tmp_path: Path) -> None:
    data = fleet_session(tmp_path, ["robot_1", "robot_2"])
    script = tmp_path / "script.yaml"
    long = yaml.safe_load(script.read_text())
    long["steps"] = [{"say": "aurora, reach for the red cube 5 times", "timeout": 120}]
    script.write_text(yaml.safe_dump(long))
    session = start_session(data)
    session.wait_for(r"robot_1: reach .*: on it", timeout=150)
    session.wait_for(r"episode robot_1-\w+ opened", timeout=60)
    session.process.send_signal(signal.SIGINT)
    assert session.wait(timeout=60) == 0, session.text()[-3000:]
    assert session.tracebacks() == [], "\n".join(session.tracebacks())
    bags = list(tmp_path.glob("episodes/*/*/bag/metadata.yaml"))
    assert bags, "the interrupted episode's bag was not finalised"


def test_kinematic_mode_reaches_and_records_its_hardware(start_session, tmp_path: Path) -> None:
    data = fleet_session(tmp_path, ["robot_1"], ("aurora, reach for the red cube",), "kinematic")
    session = start_session(data)
    assert session.wait(timeout=200) == 0, session.text()[-3000:]
    assert session.tracebacks() == [], "\n".join(session.tracebacks())
    episode = episodes(tmp_path)["robot_1"]
    assert episode["hardware"] == "academy_sim/KinematicSystem"
    assert episode["outcome"] == "SUCCEEDED", episode
    assert sum(episode["messages_lost"].values()) == 0


def test_twin_a_kinematic_grasp_closes_on_nothing(start_session, tmp_path: Path) -> None:
    data = fleet_session(tmp_path, ["robot_1"], ("aurora, grasp the red cube",), "kinematic")
    session = start_session(data)
    session.wait(timeout=200)  # the trainer's script ends on the failed step
    episode = episodes(tmp_path)["robot_1"]
    assert episode["hardware"] == "academy_sim/KinematicSystem"
    assert episode["skill"] == "grasp" and episode["outcome"] == "FAILED", episode
