"""The topics a recorder records: the topics file, ``{controller}`` expanded per model."""

from __future__ import annotations

from pathlib import Path

import pytest

from academy_description.model_registry import load_model
from academy_recorder.episode_record import RecorderError
from academy_recorder.recorder_node import commanding_controllers, expand_topics, load_topics

TOPICS_FILE = Path(__file__).resolve().parents[3] / "config" / "recorder" / "episode_topics.yaml"
TRAJECTORY = "trajectory_msgs/msg/JointTrajectory"


@pytest.mark.parametrize(
    ("model", "hand"),
    [("aurora_h1", "left_gripper_controller"), ("unitree_g1", "left_hand_controller")],
)
def test_every_models_hand_commands_are_recorded(model: str, hand: str) -> None:
    controllers = commanding_controllers(load_model(model))
    names = [name for name, _ in expand_topics(load_topics(TOPICS_FILE), controllers)]
    assert f"{hand}/commanded_trajectory" in names
    assert "joint_trajectory_controller/commanded_trajectory" in names
    assert "joint_state_broadcaster/commanded_trajectory" not in names


def test_names_without_the_placeholder_stay() -> None:
    topics = [("joint_states", "sensor_msgs/msg/JointState"), ("{controller}/x", TRAJECTORY)]
    assert expand_topics(topics, ["a", "b"]) == [
        ("joint_states", "sensor_msgs/msg/JointState"),
        ("a/x", TRAJECTORY),
        ("b/x", TRAJECTORY),
    ]


def test_twin_an_unknown_placeholder_is_refused_by_name() -> None:
    with pytest.raises(RecorderError, match=r"\{hand\}/x.*only placeholder.*\{controller\}"):
        expand_topics([("{hand}/x", TRAJECTORY)], ["a"])
