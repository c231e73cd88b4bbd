"""The recorder node: SIGINT in the middle of an episode still leaves a finalised bag, flagged
incomplete, with every message published before the signal; a finished episode counts what
it wrote and what it lost."""

from __future__ import annotations

import json
import signal
import time
from array import array
from pathlib import Path

import pytest
from ros_client import spinning_node
from rosbags.highlevel import AnyReader
from sensor_msgs.msg import JointState
from session_harness import REPO, node_session

from academy_common.qos import RELIABLE_QOS
from academy_interfaces.msg import SkillEvent

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]


def recorder_session(output: Path) -> dict:
    return node_session(
        "it_recorder",
        {
            "name": "recorder",
            "package": "academy_recorder",
            "executable": "recorder",
            "robot": "robot_1",
            "parameters": {
                "output_dir": str(output),
                "topics_file": str(REPO / "config/recorder/episode_topics.yaml"),
            },
        },
        grace_period=10.0,
    )


def test_sigint_mid_episode_finalises_the_bag(start_session, tmp_path: Path) -> None:
    output = tmp_path / "episodes"
    session = start_session(recorder_session(output))
    session.wait_for(r"session 'it_recorder' is up", timeout=60)
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
    documents = list(output.glob("*/*/episode.json"))
    assert len(documents) == 1
    document = json.loads(documents[0].read_text())
    assert document["complete"] is False
    assert "SIGINT/SIGTERM" in document["failure_reason"]
    assert document["message_counts"]["/robot_1/joint_states"] == published
    assert document["messages_lost"]["/robot_1/joint_states"] == 0
    bag = documents[0].parent / "bag"
    assert (bag / "metadata.yaml").is_file()
    with AnyReader([bag]) as reader:
        topics = [c.topic for c, _, _ in reader.messages()]
    assert topics.count("/robot_1/joint_states") == published
    assert topics.count("/robot_1/skill_events") == 1
