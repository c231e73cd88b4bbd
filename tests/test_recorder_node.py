"""The recorder lifecycle node: SIGINT in the middle of an episode still leaves a finalised bag,
flagged incomplete, with every message published before the signal (the session runner
deactivates it first; run alone, its shutdown transition finalises); configure, activate and
deactivate do what its docstring says."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from array import array
from pathlib import Path

import pytest
from ros_client import spinning_node
from rosbags.highlevel import AnyReader
from sensor_msgs.msg import JointState
from session_harness import REPO, node_session, start_alone, wait_lifecycle_available

from academy_common.node_main import LifecycleClient
from academy_common.qos import RELIABLE_QOS
from academy_interfaces.msg import SkillEvent

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]


def recorder_session(output: Path, **parameters: object) -> dict:
    return node_session(
        "it_recorder",
        {
            "name": "recorder",
            "package": "academy_recorder",
            "executable": "recorder",
            "robot": "robot_1",
            "lifecycle": True,
            "parameters": {
                "output_dir": str(output),
                "topics_file": str(REPO / "config/recorder/episode_topics.yaml"),
                **parameters,
            },
        },
        grace_period=10.0,
    )


def test_sigint_mid_episode_finalises_the_bag(start_session, tmp_path: Path) -> None:
    output = tmp_path / "episodes"
    session = start_session(recorder_session(output))
    session.wait_for(r"/robot_1/recorder is active \(configured, activated\)", timeout=60)
    session.wait_for(r"session 'it_recorder' is up", timeout=30)
    published = 0
    with spinning_node("recorder_test") as node:
        events = node.create_publisher(SkillEvent, "/robot_1/skill_events", RELIABLE_QOS)
        states = node.create_publisher(JointState, "/robot_1/joint_states", RELIABLE_QOS)
        deadline = time.monotonic() + 30
        while states.get_subscription_count() < 1 or events.get_subscription_count() < 1:
            assert time.monotonic() < deadline, "the recorder never subscribed"
            time.sleep(0.1)
        time.sleep(0.5)
        events.publish(SkillEvent(goal_id="a" * 32, skill="lift", repetition=1, event=1))
        time.sleep(0.3)
        msg = JointState(name=["j1", "j2"])
        for i in range(200):
            msg.position = array("d", [i * 0.01, 0.0])
            states.publish(msg)
            published += 1
            time.sleep(0.005)
        time.sleep(1.0)  # delivered before the signal
    session.process.send_signal(signal.SIGINT)
    assert session.wait(timeout=30) == 0
    assert "/robot_1/recorder deactivated" in session.text()  # before the signal was forwarded
    assert "Traceback" not in session.text()
    documents = list(output.glob("*/*/episode.json"))
    assert len(documents) == 1
    document = json.loads(documents[0].read_text())
    assert document["complete"] is False and document["interrupted"] is True
    assert document["failure_reason"] == "recording interrupted: the recorder was deactivated"
    joint_states = document["topics"]["/robot_1/joint_states"]
    assert (joint_states["written"], joint_states["lost"]) == (published, 0)
    assert joint_states["published"] == published
    bag = documents[0].parent / "bag"
    assert (bag / "metadata.yaml").is_file()
    with AnyReader([bag]) as reader:
        topics = [c.topic for c, _, _ in reader.messages()]
    assert topics.count("/robot_1/joint_states") == published
    assert topics.count("/robot_1/skill_events") == 1


def _recorder_alone(tmp_path: Path, topics_file: Path) -> subprocess.Popen[str]:
    return start_alone(
        "academy_recorder",
        "recorder",
        {
            "robot_model": "aurora_h1",
            "output_dir": tmp_path / "episodes",
            "topics_file": topics_file,
        },
    )


def test_configure_fails_on_a_bad_topics_file_and_stays_unconfigured(
    domain_id: int, tmp_path: Path
) -> None:
    process = _recorder_alone(tmp_path, tmp_path / "missing.yaml")
    client = LifecycleClient(domain_id)
    try:
        wait_lifecycle_available(client, "/robot_1/recorder")
        error = client.change_state("/robot_1/recorder", "configure", 10.0)
        assert error is not None and "configure failed" in error
        assert client.get_state("/robot_1/recorder", 10.0) == "unconfigured"
        assert not (tmp_path / "episodes").exists()
    finally:
        client.close()
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=30)
    assert process.returncode == 0
    assert "configure failed" in output and "missing.yaml" in output
    assert "Traceback" not in output


def test_transitions_subscribe_finalise_and_release(domain_id: int, tmp_path: Path) -> None:
    """configure: output dir, no subscription; activate: subscribed; deactivate: the open
    episode is finalised (interrupted), unsubscribed; run alone, SIGINT while active shuts down
    through deactivate too."""
    process = _recorder_alone(tmp_path, REPO / "config/recorder/episode_topics.yaml")
    client = LifecycleClient(domain_id)
    output = tmp_path / "episodes"
    try:
        with spinning_node("lifecycle_test") as node:
            events = node.create_publisher(SkillEvent, "/robot_1/skill_events", RELIABLE_QOS)
            states = node.create_publisher(JointState, "/robot_1/joint_states", RELIABLE_QOS)
            wait_lifecycle_available(client, "/robot_1/recorder")
            assert client.change_state("/robot_1/recorder", "configure", 10.0) is None
            assert output.is_dir()
            time.sleep(0.5)
            assert states.get_subscription_count() == 0  # not recording while inactive

            def subscribed(count: int) -> None:
                deadline = time.monotonic() + 20
                while states.get_subscription_count() != count:
                    assert time.monotonic() < deadline, f"subscriptions never became {count}"
                    time.sleep(0.1)

            for attempt in (1, 2):
                assert client.change_state("/robot_1/recorder", "activate", 10.0) is None
                subscribed(1)
                time.sleep(0.5)
                events.publish(
                    SkillEvent(goal_id="c" * 32, skill="lift", repetition=attempt, event=1)
                )
                time.sleep(0.3)
                for i in range(20):
                    states.publish(JointState(name=["j1"], position=array("d", [i * 0.1])))
                    time.sleep(0.005)
                time.sleep(0.5)
                if attempt == 1:
                    assert client.change_state("/robot_1/recorder", "deactivate", 10.0) is None
                    subscribed(0)
                    (document,) = [
                        json.loads(p.read_text()) for p in output.glob("*/*/episode.json")
                    ]
                    assert document["interrupted"] is True
                    assert document["failure_reason"] == (
                        "recording interrupted: the recorder was deactivated"
                    )
                    assert document["topics"]["/robot_1/joint_states"]["written"] == 20
    finally:
        client.close()
        process.send_signal(signal.SIGINT)
        text, _ = process.communicate(timeout=30)
    assert process.returncode == 0, text
    assert "Traceback" not in text
    documents = [json.loads(p.read_text()) for p in output.glob("*/*/episode.json")]
    (second,) = [d for d in documents if d["repetition"] == 2]
    # SIGINT while active: run_lifecycle_node deactivates (finalises) before shutting down.
    assert second["failure_reason"] == "recording interrupted: the recorder was deactivated"
    assert second["interrupted"] is True
    assert second["topics"]["/robot_1/joint_states"]["written"] == 20
