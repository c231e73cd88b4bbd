"""End to end: trainer text -> parser -> skill executor -> controllers -> MuJoCo -> recorder ->
pool. Every episode's bag is opened with rosbags (an independent reader); one episode per attempt.
The twin runs the same script with the gripper's motors unpowered: grasps must fail, for the
right reason, and be recorded as failures."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import yaml
from narrow_station import narrow_station
from rosbags.highlevel import AnyReader
from rosbags.typesys import Stores, get_types_from_msg, get_typestore
from session_harness import REPO

pytestmark = [pytest.mark.integration, pytest.mark.timeout(240)]

EXPECTED_TOPICS = {
    "/robot_1/joint_states",
    "/robot_1/joint_trajectory_controller/commanded_trajectory",
    "/robot_1/right_gripper_controller/commanded_trajectory",
    "/robot_1/station/state",
    "/robot_1/skill_events",
    "/trainer/instructions",
}
FINGERS = [f"{side}_finger_{f}_joint" for side in ("left", "right") for f in ("a", "b")]


def session(tmp_path: Path, script: list[str], disabled: list[str]) -> dict:
    script_file = tmp_path / "script.yaml"
    steps = [{"say": line, "timeout": 90} for line in script]
    script_file.write_text(
        yaml.safe_dump({"trainer_id": "trainer_test", "robot_ids": ["robot_1"], "steps": steps})
    )
    # The pipeline is under test, so its attempts must be able to succeed: start poses where
    # both arms reach (bench/skill_success.py measures success over the full range).
    station = str(narrow_station(tmp_path))
    return {
        "session": {"name": "it_e2e", "grace_period": 10.0, "ready_timeout": 60.0},
        "robots": [{"id": "robot_1", "model": "aurora_h1"}],
        "nodes": [
            {"name": "controller_manager", "package": "academy_control",
             "executable": "controller_manager", "robot": "robot_1",
             "parameters": {"controllers_file": str(REPO / "urdf/aurora_h1/controllers.yaml"),
                            "station_file": station, "seed": 21,
                            "disabled_joints": disabled or [""]}},
            {"name": "skill_executor", "package": "academy_skills", "executable": "skill_executor",
             "robot": "robot_1", "parameters": {"station_file": station, "use_sim_time": True}},
            {"name": "recorder", "package": "academy_recorder", "executable": "recorder",
             "robot": "robot_1",
             "parameters": {"output_dir": str(tmp_path / "episodes"),
                            "topics_file": str(REPO / "config/recorder/episode_topics.yaml")}},
            {"name": "instruction_parser", "package": "academy_instructions",
             "executable": "instruction_parser",
             "parameters": {"robot_ids": ["robot_1"], "station_file": station}},
            {"name": "scripted_trainer", "package": "academy_instructions",
             "executable": "scripted_trainer", "parameters": {"script_file": str(script_file)},
             "on_exit": "shutdown"},
        ],
    }  # fmt: skip


def typestore():
    store = get_typestore(Stores.ROS2_KILTED)
    for msg in sorted((REPO / "src/academy_interfaces/msg").glob("*.msg")):
        store.register(get_types_from_msg(msg.read_text(), f"academy_interfaces/msg/{msg.stem}"))
    return store


def read_episodes(root: Path) -> list[tuple[dict, dict[str, int], list]]:
    """(episode.json, messages per topic, skill events) of every episode, oldest first."""
    store = typestore()
    episodes = []
    for document_path in sorted(root.glob("*/*/episode.json")):
        document = json.loads(document_path.read_text())
        counts: dict[str, int] = {}
        events = []
        with AnyReader([document_path.parent / "bag"], default_typestore=store) as reader:
            for connection, _, raw in reader.messages():
                counts[connection.topic] = counts.get(connection.topic, 0) + 1
                if connection.topic.endswith("skill_events"):
                    events.append(reader.deserialize(raw, connection.msgtype))
        episodes.append((document, counts, events))
    return sorted(episodes, key=lambda e: e[0]["start_ns"])


def academy(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["academy", *args], capture_output=True, text=True, timeout=60)


def test_trainer_text_to_pooled_episodes(start_session, tmp_path: Path) -> None:
    script = ["reach for the red cube twice", "robot one, lift the blue cup 8 centimetres",
              "fold the towel"]  # fmt: skip
    run = start_session(session(tmp_path, script, []))
    assert run.wait(timeout=200) == 0, run.text()[-3000:]
    log = run.text()
    assert "done, reach: 2/2 succeeded" in log
    assert "done, lift: 1/1 succeeded" in log
    assert "I don't know how to 'fold the towel'" in log

    episodes = read_episodes(tmp_path / "episodes")
    assert len(episodes) == 3  # = attempts made: 2 reaches + 1 lift; the refusal made none
    for document, counts, events in episodes:
        assert document["complete"] is True
        assert set(counts) >= EXPECTED_TOPICS - {
            "/robot_1/right_gripper_controller/commanded_trajectory"
        }
        assert counts["/robot_1/joint_states"] > 100  # 100 Hz over a >2 s attempt
        assert sum(document["messages_lost"].values()) == 0
        assert document["message_counts"] == {
            t: counts.get(t, 0) for t in document["message_counts"]
        }
        kinds = [e.event for e in events]
        assert kinds[0] == 1 and kinds[-1] == 4  # ATTEMPT_START ... ATTEMPT_END
        assert document["instruction"]["text"] in script
        assert document["manufacturer"] == "Aurora Robotics"
        # The canonical view: the model's arm slots and hands, to line brands up in the pool.
        canonical = document["canonical"]
        assert canonical["model"] == "aurora_h1"
        assert canonical["hands"]["right"]["joints"] == [
            "right_finger_a_joint",
            "right_finger_b_joint",
        ]
    lift = episodes[2][0]
    assert (lift["skill"], lift["outcome"]) == ("lift", "SUCCEEDED")
    assert lift["parameters"]["height"] == pytest.approx(0.08)
    assert lift["metrics"]["lift_height_min"]["value"] >= 0.9 * 0.08
    assert "/robot_1/left_gripper_controller/commanded_trajectory" in episodes[2][1]  # cup: left

    pool = str(tmp_path / "pool")
    first = academy("pool", "ingest", str(tmp_path / "episodes"), "--pool", pool)
    assert "ingested 3 episode(s)" in first.stdout, first.stdout + first.stderr
    again = academy("pool", "ingest", str(tmp_path / "episodes"), "--pool", pool)
    assert "ingested 0 episode(s)" in again.stdout and "3 already there" in again.stdout
    summary = json.loads(academy("pool", "summary", "--pool", pool, "--json").stdout)
    assert {s["skill"]: s["successes"] for s in summary["skills"]} == {"lift": 1, "reach": 2}


def test_twin_unpowered_gripper_records_failures_with_the_reason(
    start_session, tmp_path: Path
) -> None:
    run = start_session(session(tmp_path, ["grasp the red cube twice"], FINGERS))
    assert run.wait(timeout=200) == 0, run.text()[-3000:]
    assert "grasp: 0/2 succeeded" in run.text()
    episodes = read_episodes(tmp_path / "episodes")
    assert len(episodes) == 2
    for document, _, _ in episodes:
        assert document["outcome"] == "FAILED"
        assert "jaws did not open" in document["failure_reason"]
