"""episode.json: one typed record, written atomically, read back with every problem listed."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from academy_recorder.episode_record import (
    EPISODE_SCHEMA_VERSION,
    SQLITE_INTEGER_MAX,
    EpisodeRecord,
    EpisodeRecordExistsError,
    InstructionRecord,
    InvalidEpisodeRecordError,
    TopicStats,
    read_episode_record,
    write_episode_record,
)


def record(**changes: Any) -> EpisodeRecord:
    fields: dict[str, Any] = {
        "schema_version": EPISODE_SCHEMA_VERSION,
        "episode_id": "robot_1-abc",
        "robot_id": "robot_1",
        "model": "aurora_h1",
        "manufacturer": "Aurora Robotics",
        "skill": "lift",
        "parameters": {"object": "red_cube", "height": 0.1},
        "goal_id": "g1",
        "repetition": 1,
        "repetitions": 3,
        "instruction": InstructionRecord(
            instruction_id="i1", text="lift the red cube", source="trainer", trainer_id="t1"
        ),
        "start_ns": 1_000_000_000,
        "end_ns": 3_500_000_000,
        "outcome": "SUCCEEDED",
        "failure_reason": "",
        "ended_in_phase": "",
        "metrics": {},
        "complete": True,
        "interrupted": False,
        "host": "bench",
        "software": {"academy": "0.1.0"},
        "bag": "bag",
        "topics": {"/robot_1/joint_states": TopicStats(published=12, written=10, lost=2)},
    }
    fields.update(changes)
    return EpisodeRecord(**fields)


def written_document(tmp_path: Path, **changes: Any) -> Path:
    """A valid episode.json with ``changes`` applied to its JSON (as a broken writer would)."""
    path = tmp_path / "episode.json"
    document = record().model_dump(mode="json")
    document.update(changes)
    path.write_text(json.dumps(document))
    return path


def test_a_record_round_trips_with_its_derived_figures(tmp_path: Path) -> None:
    path = tmp_path / "episode.json"
    write_episode_record(path, record())
    document = json.loads(path.read_text())
    assert document["message_counts"] == {"/robot_1/joint_states": 10}
    assert document["messages_lost"] == {"/robot_1/joint_states": 2}
    assert document["message_count"] == 10 and document["duration_s"] == 2.5
    assert document["schema_version"] == EPISODE_SCHEMA_VERSION
    assert read_episode_record(path) == record()
    assert [p.name for p in tmp_path.iterdir()] == ["episode.json"]  # no temporary left


def test_an_existing_record_is_never_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "episode.json"
    write_episode_record(path, record())
    before = path.read_text()
    with pytest.raises(EpisodeRecordExistsError, match="refusing to overwrite"):
        write_episode_record(path, record(skill="reach"))
    assert path.read_text() == before
    assert [p.name for p in tmp_path.iterdir()] == ["episode.json"]


def test_write_fsyncs_the_file_and_its_directory(tmp_path: Path, monkeypatch) -> None:
    synced: list[str] = []
    real_fsync = os.fsync

    def spy(descriptor: int) -> None:
        synced.append(os.readlink(f"/proc/self/fd/{descriptor}"))
        real_fsync(descriptor)

    monkeypatch.setattr(os, "fsync", spy)
    write_episode_record(tmp_path / "episode.json", record())
    assert any(".episode.json." in s for s in synced)  # the temporary, before it is linked
    assert str(tmp_path) in synced  # then the directory entry


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"messages_lost": []}, "messages_lost: []: must equal {'/robot_1/joint_states': 2}"),
        (
            {"start_ns": 2**63},
            f"start_ns: {2**63}: must be an integer from 0 to {SQLITE_INTEGER_MAX}",
        ),
        ({"start_ns": -1}, "start_ns: -1: must be an integer from 0"),
        ({"repetition": True}, "repetition: True: input should be a valid integer"),
        ({"repetition": [1]}, "repetition: [1]: input should be a valid integer"),
        ({"outcome": "WON"}, "outcome: 'WON': must be one of UNKNOWN, SUCCEEDED, FAILED"),
        ({"bag": "/elsewhere/bag"}, "bag: '/elsewhere/bag': must be a relative directory"),
        ({"bag": "../robot_1-x/bag"}, "bag: '../robot_1-x/bag': must be a relative directory"),
        ({"episode_id": "../up"}, "episode_id: '../up': must match"),
        ({"colour": "red"}, "colour: 'red': unknown key; valid keys: schema_version, episode_id"),
        ({"schema_version": 1}, "schema_version: 1: must be one of 2"),
        ({"end_ns": 10}, "end_ns: 10: must be ≥ start_ns (1000000000)"),
        ({"duration_s": 9.0}, "duration_s: 9.0: must equal 2.5 (from end_ns - start_ns)"),
        ({"message_count": 11}, "message_count: 11: must equal 10 (from topics)"),
    ],
)
def test_each_bad_field_is_named_with_its_value_and_what_is_valid(
    tmp_path: Path, changes: dict[str, Any], expected: str
) -> None:
    path = written_document(tmp_path, **changes)
    with pytest.raises(InvalidEpisodeRecordError) as caught:
        read_episode_record(path)
    assert f"{path}: {expected}" in str(caught.value)


def test_every_problem_is_listed_at_once(tmp_path: Path) -> None:
    document = record().model_dump(mode="json")
    del document["skill"]
    document["topics"]["/robot_1/joint_states"]["published"] = 11  # 10 written + 2 lost
    document["instruction"]["source"] = "radio"
    path = tmp_path / "episode.json"
    path.write_text(json.dumps(document))
    with pytest.raises(InvalidEpisodeRecordError) as caught:
        read_episode_record(path)
    assert sorted(caught.value.problems) == [
        "instruction.source: 'radio': must be one of 'trainer' or 'program'",
        "skill: missing required key",
        "topics./robot_1/joint_states.published: 11: must equal written + lost (10 + 2)",
    ]


def test_unreadable_and_non_object_files_are_reported(tmp_path: Path) -> None:
    path = tmp_path / "episode.json"
    path.write_text("{not json")
    with pytest.raises(InvalidEpisodeRecordError, match="not valid JSON"):
        read_episode_record(path)
    path.write_text("[]")
    with pytest.raises(InvalidEpisodeRecordError, match=r"\(top level\): \[\]"):
        read_episode_record(path)


def test_topic_counts_must_add_up_per_publisher() -> None:
    publishers = {"a1": {"published": 5, "written": 5, "lost": 0}}
    good = TopicStats.model_validate(
        {"published": 5, "written": 5, "lost": 0, "publishers": publishers}
    )
    assert good.publishers["a1"].written == 5
    with pytest.raises(ValueError, match="must equal the sum over publishers"):
        TopicStats.model_validate(
            {"published": 7, "written": 7, "lost": 0, "publishers": publishers}
        )


def test_an_interrupted_episode_cannot_be_complete() -> None:
    assert record(interrupted=True, complete=False).interrupted
    with pytest.raises(ValueError, match="must be false when interrupted"):
        record(interrupted=True, complete=True)


def test_the_record_is_frozen() -> None:
    with pytest.raises(ValueError, match="frozen"):
        record().skill = "reach"  # type: ignore[misc]
