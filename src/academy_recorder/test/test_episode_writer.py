"""Episode files: a rosbag2 MCAP bag an independent reader opens, plus episode.json."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from rosbags.highlevel import AnyReader

from academy_recorder.episode_record import (
    EPISODE_SCHEMA_VERSION,
    EpisodeRecord,
    EpisodeRecordExistsError,
    InstructionRecord,
    read_episode_record,
    write_episode_record,
)
from academy_recorder.episode_writer import (
    BAG_DIR,
    EpisodeRecording,
    RecorderError,
    TopicSpec,
    build_typestore,
    close_episode,
    open_episode,
)

INTERFACES = Path(__file__).resolve().parents[2] / "academy_interfaces"
TOPICS = [
    TopicSpec("/robot_1/joint_states", "sensor_msgs/msg/JointState"),
    TopicSpec("/robot_1/skill_events", "academy_interfaces/msg/SkillEvent"),
]


def joint_state(store, stamp_ns: int) -> bytes:
    JointState = store.types["sensor_msgs/msg/JointState"]  # noqa: N806
    Header = store.types["std_msgs/msg/Header"]  # noqa: N806
    Time = store.types["builtin_interfaces/msg/Time"]  # noqa: N806
    import numpy as np

    msg = JointState(
        header=Header(stamp=Time(sec=stamp_ns // 10**9, nanosec=stamp_ns % 10**9), frame_id=""),
        name=["a", "b"],
        position=np.array([0.1, 0.2]),
        velocity=np.array([0.0, 0.0]),
        effort=np.array([0.0, 0.0]),
    )
    return bytes(store.serialize_cdr(msg, "sensor_msgs/msg/JointState"))


def record_of(recording: EpisodeRecording, **changes: Any) -> EpisodeRecord:
    """The EpisodeRecord a recorder would write for ``recording``."""
    fields: dict[str, Any] = {
        "schema_version": EPISODE_SCHEMA_VERSION,
        "episode_id": recording.episode_id,
        "robot_id": "robot_1",
        "model": "aurora_h1",
        "manufacturer": "Aurora Robotics",
        "skill": "lift",
        "parameters": {},
        "goal_id": "g1",
        "repetition": 1,
        "repetitions": 1,
        "instruction": InstructionRecord(
            instruction_id="", text="", source="program", trainer_id=""
        ),
        "start_ns": recording.start_ns,
        "end_ns": recording.last_ns,
        "outcome": "SUCCEEDED",
        "failure_reason": "",
        "ended_in_phase": "",
        "metrics": {},
        "complete": True,
        "interrupted": False,
        "host": "bench",
        "software": {},
        "bag": BAG_DIR,
        "topics": recording.topic_stats(),
    }
    return EpisodeRecord(**(fields | changes))


def test_episode_bag_reads_back_with_rosbags(tmp_path: Path) -> None:
    store = build_typestore([INTERFACES])
    assert "academy_interfaces/msg/SkillEvent" in store.types
    recording = open_episode(tmp_path, "2026-11-22", "robot_1-abc", TOPICS, store, 1_000)
    for i in range(50):
        recording.write("/robot_1/joint_states", 1_000 + i * 10_000_000, joint_state(store, i))
    recording.count_lost("/robot_1/joint_states", 2)
    path = close_episode(recording, record_of(recording))
    assert read_episode_record(path).topics["/robot_1/joint_states"].published == 52
    document = json.loads(path.read_text())
    assert document["message_counts"] == {"/robot_1/joint_states": 50, "/robot_1/skill_events": 0}
    assert document["messages_lost"]["/robot_1/joint_states"] == 2
    assert document["message_count"] == 50
    bag = path.parent / "bag"
    assert (bag / "metadata.yaml").is_file() and list(bag.glob("*.mcap"))
    with AnyReader([bag], default_typestore=store) as reader:
        assert reader.message_count == 50
        positions = [
            list(reader.deserialize(raw, c.msgtype).position) for c, _, raw in reader.messages()
        ]
    assert positions[0] == [0.1, 0.2]


def test_an_existing_episode_is_never_overwritten(tmp_path: Path) -> None:
    store = build_typestore([INTERFACES])
    recording = open_episode(tmp_path, "2026-11-22", "robot_1-abc", TOPICS, store, 0)
    path = close_episode(recording, record_of(recording))
    with pytest.raises(RecorderError, match="refusing to overwrite"):
        open_episode(tmp_path, "2026-11-22", "robot_1-abc", TOPICS, store, 0)
    with pytest.raises(EpisodeRecordExistsError, match="refusing to overwrite"):
        write_episode_record(path, record_of(recording, skill="reach"))
    assert read_episode_record(path).skill == "lift"


def test_a_record_that_does_not_describe_the_recording_is_refused(tmp_path: Path) -> None:
    store = build_typestore([INTERFACES])
    recording = open_episode(tmp_path, "2026-11-22", "robot_1-abc", TOPICS, store, 0)
    recording.write("/robot_1/joint_states", 10, joint_state(store, 10))
    claimed = recording.topic_stats() | {
        "/robot_1/skill_events": recording.topic_stats()["/robot_1/joint_states"]
    }
    with pytest.raises(RecorderError) as caught:
        close_episode(recording, record_of(recording, episode_id="robot_1-x", topics=claimed))
    assert "episode_id: 'robot_1-x': must be 'robot_1-abc'" in str(caught.value)
    assert "must be what the bag holds" in str(caught.value)
    assert not (recording.directory / "episode.json").exists()


def test_sequence_gaps_count_lost_messages_per_publisher() -> None:
    from academy_recorder.episode_writer import SequenceGaps

    gaps = SequenceGaps()
    assert [gaps.observe("/js", b"A", n) for n in (1, 2, 3)] == [0, 0, 0]
    assert gaps.observe("/js", b"A", 7) == 3  # 4, 5, 6 never arrived
    assert gaps.observe("/js", b"B", 40) == 0  # another publisher: its own numbering
    assert gaps.observe("/js", b"B", 42) == 1
    assert gaps.observe("/js", b"A", 6) == 0  # late or duplicate: not a loss
    assert gaps.observe("/js", b"A", None) == 0  # unnumbered middleware: nothing to say
    gaps.restart()
    assert gaps.observe("/js", b"A", 100) == 0  # a new episode starts from what it sees
