"""The local pool: idempotent and concurrent ingest; bad episodes are rejected, the rest go in."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from academy_pool.catalog import COLUMNS, INGEST_TEMP, Pool, PoolError
from academy_pool.cli import add_commands
from academy_recorder.episode_record import (
    EPISODE_SCHEMA_VERSION,
    EpisodeRecord,
    InstructionRecord,
    TopicStats,
    read_episode_record,
    write_episode_record,
)
from academy_recorder.episode_writer import TopicSpec, build_typestore, close_episode, open_episode

INTERFACES = Path(__file__).resolve().parents[2] / "academy_interfaces"
EVENTS = "/robot_1/notes"
TOPICS = [
    TopicSpec(EVENTS, "std_msgs/msg/String"),
    TopicSpec("/robot_1/skill_events", "academy_interfaces/msg/SkillEvent"),
]


def academy(argv: list[str]) -> int:
    """``academy ARGV`` with the pool commands (academy_bringup adds them to the real CLI)."""
    parser = argparse.ArgumentParser(prog="academy")
    add_commands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return int(args.func(args))


def make_episode(
    root: Path, episode_id: str, skill: str, outcome: str, duration: float, messages: int = 3
) -> Path:
    """A finished episode as the recorder writes it, with ``messages`` notes in its bag."""
    store = build_typestore([INTERFACES])
    recording = open_episode(root, "2026-11-22", episode_id, TOPICS, store, 1_000_000_000)
    for i in range(messages):
        note = store.types["std_msgs/msg/String"](data=f"note {i}")
        data = store.serialize_cdr(note, "std_msgs/msg/String")
        recording.write(EVENTS, recording.start_ns + i, bytes(data))
    recording.last_ns = recording.start_ns + int(duration * 1e9)
    record = EpisodeRecord(
        schema_version=EPISODE_SCHEMA_VERSION,
        episode_id=episode_id,
        robot_id="robot_1",
        model="aurora_h1",
        manufacturer="Aurora Robotics",
        skill=skill,
        parameters={"object": "red_cube"},
        goal_id="g1",
        repetition=1,
        repetitions=1,
        instruction=InstructionRecord(
            instruction_id="i1", text=f"{skill} the red cube", source="trainer", trainer_id=""
        ),
        start_ns=recording.start_ns,
        end_ns=recording.last_ns,
        outcome=outcome,
        failure_reason="" if outcome == "SUCCEEDED" else "it slipped",
        ended_in_phase="",
        metrics={},
        complete=True,
        interrupted=False,
        host="bench",
        software={"academy": "0.1.0"},
        bag="bag",
        topics=recording.topic_stats(),
    )
    return close_episode(recording, record).parent


def edit_json(directory: Path, **changes: Any) -> None:
    """Change episode.json's raw JSON (as a broken or hostile writer would)."""
    path = directory / "episode.json"
    document = json.loads(path.read_text())
    document.update(changes)
    path.write_text(json.dumps(document))


def rewrite_record(directory: Path, **changes: Any) -> None:
    """Replace episode.json with a *valid* record that differs by ``changes``."""
    path = directory / "episode.json"
    record = read_episode_record(path)
    path.unlink()
    write_episode_record(path, EpisodeRecord(**(dict(record) | changes)))


def pool_dirs(pool: Path) -> list[str]:
    return sorted(p.name for p in (pool / "episodes").glob("*/*"))


def test_ingest_twice_adds_nothing_the_second_time(tmp_path: Path) -> None:
    source = tmp_path / "episodes"
    make_episode(source, "robot_1-a", "lift", "SUCCEEDED", 5.0)
    make_episode(source, "robot_1-b", "lift", "FAILED", 7.0)
    make_episode(source, "robot_1-c", "reach", "SUCCEEDED", 2.0)
    with Pool(tmp_path / "pool") as pool:
        first = pool.ingest(source)
        second = pool.ingest(source)
        assert sorted(first.added) == ["robot_1-a", "robot_1-b", "robot_1-c"]
        assert first.rejected == [] and first.unfinished == []
        assert second.added == [] and sorted(second.present) == sorted(first.added)
        assert len(pool.episodes()) == 3
        summary = {s.skill: s for s in pool.summary()}
        assert (summary["lift"].attempts, summary["lift"].successes) == (2, 1)
        assert summary["lift"].mean_duration_s == 6.0
        assert pool.size_bytes() > 0
        assert [r["episode_id"] for r in pool.episodes(skill="reach")] == ["robot_1-c"]
    copied = tmp_path / "pool" / "episodes" / "1970-01-01" / "robot_1-a" / "episode.json"
    assert read_episode_record(copied).skill == "lift"
    assert list((tmp_path / "pool" / INGEST_TEMP).iterdir()) == []


def test_catalog_columns_come_from_the_record_model(tmp_path: Path) -> None:
    make_episode(tmp_path / "episodes", "robot_1-a", "lift", "SUCCEEDED", 5.0)
    columns = [c for c, _ in COLUMNS]
    fields = EpisodeRecord.model_fields.items()
    scalars = {name for name, f in fields if f.annotation in (str, int, float, bool)}
    assert {"episode_id", "start_ns", "ended_in_phase", "interrupted"} <= scalars <= set(columns)
    assert {"schema_version", "duration_s", "instruction_text", "topics_json"} <= set(columns)
    with Pool(tmp_path / "pool") as pool:
        pool.ingest(tmp_path / "episodes")
        (row,) = pool.episodes()
    assert row["instruction_text"] == "lift the red cube" and row["interrupted"] == 0
    assert json.loads(row["topics_json"])[EVENTS] == {
        "lost": 0, "published": 3, "publishers": {}, "written": 3
    }  # fmt: skip
    assert (row["message_count"], row["messages_lost_total"]) == (3, 0)


def test_a_catalog_of_another_version_is_refused(tmp_path: Path) -> None:
    (tmp_path / "pool").mkdir()
    with __import__("sqlite3").connect(tmp_path / "pool" / "catalog.sqlite") as db:
        db.execute("CREATE TABLE episodes (episode_id TEXT PRIMARY KEY, messages_lost INTEGER)")
    with pytest.raises(PoolError, match="ingest into a new pool directory"):
        Pool(tmp_path / "pool")


def test_unfinished_and_inconsistent_episodes_stay_out(tmp_path: Path) -> None:
    source = tmp_path / "episodes"
    unfinished = make_episode(source, "robot_1-u", "grasp", "SUCCEEDED", 1.0)
    (unfinished / "episode.json").unlink()  # the recorder was killed before finishing
    liar = make_episode(source, "robot_1-l", "grasp", "SUCCEEDED", 1.0)
    rewrite_record(liar, topics={EVENTS: TopicStats(published=99, written=99, lost=0)})
    with Pool(tmp_path / "pool") as pool:
        report = pool.ingest(source)
        assert report.added == []
        assert report.unfinished == [str(unfinished)]
        (rejection,) = report.rejected
        assert rejection.problems == [
            f"episode.json: topics[{EVENTS}].written: 99: the bag holds 3 messages"
        ]
        assert pool.episodes() == []
    assert pool_dirs(tmp_path / "pool") == []


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"messages_lost": []}, "episode.json: messages_lost: []: must equal {"),
        ({"start_ns": 2**63}, f"episode.json: start_ns: {2**63}: must be an integer from 0 to"),
        ({"complete": 1}, "episode.json: complete: 1: input should be a valid boolean"),
    ],
)
def test_one_bad_episode_never_blocks_the_others(
    tmp_path: Path, changes: dict[str, Any], expected: str
) -> None:
    source = tmp_path / "episodes"
    make_episode(source, "robot_1-a", "lift", "SUCCEEDED", 1.0)
    bad = make_episode(source, "robot_1-b", "lift", "SUCCEEDED", 1.0)
    make_episode(source, "robot_1-c", "lift", "SUCCEEDED", 1.0)
    edit_json(bad, **changes)
    with Pool(tmp_path / "pool") as pool:
        for _ in range(2):  # a later run is not blocked by it either
            report = pool.ingest(source)
            (rejection,) = report.rejected
            assert rejection.directory == str(bad)
            assert any(p.startswith(expected) for p in rejection.problems), rejection.problems
        assert sorted(r["episode_id"] for r in pool.episodes()) == ["robot_1-a", "robot_1-c"]
    assert pool_dirs(tmp_path / "pool") == ["robot_1-a", "robot_1-c"]  # never copied


def _absolute(bad: Path, other: Path) -> str:
    edit_json(bad, bag=str(other / "bag"))
    return "episode.json: bag: '/"


def _dot_dot(bad: Path, other: Path) -> str:
    edit_json(bad, bag=f"../{other.name}/bag")
    return f"episode.json: bag: '../{other.name}/bag': must be a relative directory"


def _symlinked_bag(bad: Path, other: Path) -> str:
    shutil.rmtree(bad / "bag")
    (bad / "bag").symlink_to(other / "bag")
    return f"episode.json: bag: 'bag': resolves to {(other / 'bag').resolve()}; the bag must"


def _symlinked_mcap(bad: Path, other: Path) -> str:
    (mcap,) = (bad / "bag").glob("*.mcap")
    mcap.unlink()
    mcap.symlink_to(next((other / "bag").glob("*.mcap")))
    return f"bag/{mcap.name}: resolves to"


def _empty_bag(bad: Path, other: Path) -> str:
    shutil.rmtree(bad / "bag")
    (bad / "bag").mkdir()
    return "bag: FileNotFoundError: Expected metadata file"


def _truncated_mcap(bad: Path, other: Path) -> str:
    (mcap,) = (bad / "bag").glob("*.mcap")
    mcap.write_bytes(mcap.read_bytes()[: mcap.stat().st_size // 2])
    return "bag: ReaderError: File end magic is invalid."


def _metadata_miscounts(bad: Path, other: Path) -> str:
    path = bad / "bag" / "metadata.yaml"
    metadata = yaml.safe_load(path.read_text())
    info = metadata["rosbag2_bagfile_information"]
    (topic,) = [t for t in info["topics_with_message_count"] if t["message_count"]]
    topic["message_count"] = 7
    path.write_text(yaml.safe_dump(metadata))
    return f"bag/metadata.yaml: topics_with_message_count[{EVENTS}]: 7: the MCAP files hold 3"


def _record_miscounts(bad: Path, other: Path) -> str:
    rewrite_record(bad, topics={EVENTS: TopicStats(published=2, written=2, lost=0)})
    return f"episode.json: topics[{EVENTS}].written: 2: the bag holds 3 messages"


def _untouched(bad: Path, other: Path) -> str:
    return ""  # the good twin: every check passes


@pytest.mark.parametrize(
    "damage",
    [
        _absolute,
        _dot_dot,
        _symlinked_bag,
        _symlinked_mcap,
        _empty_bag,
        _truncated_mcap,
        _metadata_miscounts,
        _record_miscounts,
        _untouched,
    ],
)
def test_the_bag_must_lie_inside_the_episode_open_and_match_the_counts(
    tmp_path: Path, damage: Any
) -> None:
    source = tmp_path / "episodes"
    other = make_episode(source, "robot_1-other", "lift", "SUCCEEDED", 1.0)
    bad = make_episode(source, "robot_1-bad", "lift", "SUCCEEDED", 1.0)
    expected = damage(bad, other)
    with Pool(tmp_path / "pool") as pool:
        report = pool.ingest(source)
    if not expected:
        assert sorted(report.added) == ["robot_1-bad", "robot_1-other"] and not report.rejected
        return
    assert report.added == ["robot_1-other"]
    (rejection,) = report.rejected
    assert rejection.directory == str(bad)
    assert any(p.startswith(expected) for p in rejection.problems), rejection.problems
    assert pool_dirs(tmp_path / "pool") == ["robot_1-other"]


def test_ingest_fsyncs_what_it_wrote(tmp_path: Path, monkeypatch) -> None:
    make_episode(tmp_path / "episodes", "robot_1-a", "lift", "SUCCEEDED", 1.0)
    synced: list[str] = []
    real_fsync = os.fsync

    def spy(descriptor: int) -> None:
        synced.append(os.readlink(f"/proc/self/fd/{descriptor}"))
        real_fsync(descriptor)

    monkeypatch.setattr(os, "fsync", spy)
    with Pool(tmp_path / "pool") as pool:
        assert pool.ingest(tmp_path / "episodes").added == ["robot_1-a"]
    target = tmp_path / "pool" / "episodes" / "1970-01-01" / "robot_1-a"
    copied = {p.relative_to(target) for p in target.rglob("*")} | {Path(".")}
    in_staging = set()
    for synced_path in map(Path, synced):
        parts = synced_path.parts
        if INGEST_TEMP in parts:  # <pool>/.ingest/<unique>/robot_1-a/...
            in_staging.add(Path(*parts[parts.index(INGEST_TEMP) + 3 :]))
    assert copied <= in_staging, copied - in_staging  # every file and directory, before rename
    assert {str(target.parent), str(target.parent.parent)} <= set(synced)  # the rename itself


CHILD = textwrap.dedent(
    """
    import json, sys, time
    from pathlib import Path
    from academy_pool.catalog import Pool
    go = Path(sys.argv[3])
    while not go.exists():
        time.sleep(0.001)
    with Pool(Path(sys.argv[1])) as pool:
        report = pool.ingest(Path(sys.argv[2]))
    print(json.dumps({"added": report.added, "present": report.present,
                      "rejected": len(report.rejected)}))
    """
)


def test_two_processes_ingesting_the_same_batch_at_once(tmp_path: Path) -> None:
    source = tmp_path / "episodes"
    ids = [f"robot_1-{i}" for i in range(8)]
    for episode_id in ids:
        make_episode(source, episode_id, "lift", "SUCCEEDED", 1.0, messages=50)
    go = tmp_path / "go"
    children = [
        subprocess.Popen(
            [sys.executable, "-c", CHILD, str(tmp_path / "pool"), str(source), str(go)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    time.sleep(0.5)  # both are waiting at the line
    go.touch()
    results = []
    for child in children:
        out, err = child.communicate(timeout=120)
        assert child.returncode == 0, err
        results.append(json.loads(out))
    added = [i for r in results for i in r["added"]]
    assert sorted(added) == ids  # each episode added exactly once, by one of them
    assert all(sorted(r["added"] + r["present"]) == ids and r["rejected"] == 0 for r in results)
    with Pool(tmp_path / "pool") as pool:
        assert sorted(r["episode_id"] for r in pool.episodes()) == ids
    assert pool_dirs(tmp_path / "pool") == ids
    assert list((tmp_path / "pool" / INGEST_TEMP).iterdir()) == []


def test_cli_ingest_ls_summary(tmp_path: Path, capsys) -> None:
    source = tmp_path / "episodes"
    make_episode(source, "robot_1-a", "lift", "SUCCEEDED", 5.0)
    pool = str(tmp_path / "pool")
    assert academy(["pool", "ingest", str(source), "--pool", pool]) == 0
    assert "ingested 1 episode(s)" in capsys.readouterr().out
    assert academy(["pool", "ls", "--pool", pool]) == 0
    assert "robot_1-a" in capsys.readouterr().out
    assert academy(["pool", "summary", "--pool", pool, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["episodes"] == 1


def test_cli_ingest_prints_rejections_and_exits_1_after_ingesting_the_rest(
    tmp_path: Path, capsys
) -> None:
    source = tmp_path / "episodes"
    make_episode(source, "robot_1-a", "lift", "SUCCEEDED", 5.0)
    edit_json(make_episode(source, "robot_1-b", "lift", "SUCCEEDED", 5.0), messages_lost=[])
    pool = str(tmp_path / "pool")
    assert academy(["pool", "ingest", str(source), "--pool", pool]) == 1
    out = capsys.readouterr().out
    assert "ingested 1 episode(s)" in out and "1 rejected" in out
    assert f"rejected {source / '2026-11-22' / 'robot_1-b'}:" in out
    assert "episode.json: messages_lost: []: must equal" in out
    assert academy(["pool", "ingest", str(source), "--pool", pool, "--json"]) == 1
    assert json.loads(capsys.readouterr().out)["rejected"][0]["problems"]
    assert academy(["pool", "ingest", str(tmp_path / "nowhere"), "--pool", pool]) == 2
    with pytest.raises(SystemExit):
        academy(["pool", "ingest", "--help"])
    assert "exit codes:" in capsys.readouterr().out
