"""The local pool: ingest is idempotent, unfinished and inconsistent episodes stay out."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from academy_pool.catalog import Pool
from academy_pool.cli import add_commands
from academy_recorder.episode_writer import TopicSpec, build_typestore, close_episode, open_episode

INTERFACES = Path(__file__).resolve().parents[2] / "academy_interfaces"
TOPICS = [TopicSpec("/robot_1/skill_events", "academy_interfaces/msg/SkillEvent")]


def academy(argv: list[str]) -> int:
    """``academy ARGV`` with the pool commands (academy_bringup adds them to the real CLI)."""
    parser = argparse.ArgumentParser(prog="academy")
    add_commands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return int(args.func(args))


def make_episode(root: Path, episode_id: str, skill: str, outcome: str, duration: float) -> Path:
    store = build_typestore([INTERFACES])
    recording = open_episode(root, "2026-11-22", episode_id, TOPICS, store, 1_000_000_000)
    recording.last_ns = recording.start_ns + int(duration * 1e9)
    metadata = {
        "robot_id": "robot_1",
        "model": "aurora_h1",
        "manufacturer": "Aurora Robotics",
        "skill": skill,
        "parameters": {"object": "red_cube"},
        "instruction": {"text": f"{skill} the red cube"},
        "outcome": outcome,
        "failure_reason": "" if outcome == "SUCCEEDED" else "it slipped",
        "start_ns": recording.start_ns,
        "end_ns": recording.last_ns,
        "duration_s": duration,
        "complete": True,
    }
    return close_episode(recording, metadata).parent


def test_ingest_twice_adds_nothing_the_second_time(tmp_path: Path) -> None:
    source = tmp_path / "episodes"
    make_episode(source, "robot_1-a", "lift", "SUCCEEDED", 5.0)
    make_episode(source, "robot_1-b", "lift", "FAILED", 7.0)
    make_episode(source, "robot_1-c", "reach", "SUCCEEDED", 2.0)
    with Pool(tmp_path / "pool") as pool:
        first = pool.ingest(source)
        second = pool.ingest(source)
        assert sorted(first.added) == ["robot_1-a", "robot_1-b", "robot_1-c"]
        assert second.added == [] and sorted(second.present) == sorted(first.added)
        assert len(pool.episodes()) == 3
        summary = {s.skill: s for s in pool.summary()}
        assert (summary["lift"].attempts, summary["lift"].successes) == (2, 1)
        assert summary["lift"].mean_duration_s == 6.0
        assert pool.size_bytes() > 0
        assert [r["episode_id"] for r in pool.episodes(skill="reach")] == ["robot_1-c"]
    copied = tmp_path / "pool" / "episodes" / "1970-01-01" / "robot_1-a" / "episode.json"
    assert json.loads(copied.read_text())["skill"] == "lift"


def test_unfinished_and_inconsistent_episodes_stay_out(tmp_path: Path) -> None:
    source = tmp_path / "episodes"
    unfinished = make_episode(source, "robot_1-u", "grasp", "SUCCEEDED", 1.0)
    (unfinished / "episode.json").unlink()  # the recorder was killed before finishing
    liar = make_episode(source, "robot_1-l", "grasp", "SUCCEEDED", 1.0)
    document = json.loads((liar / "episode.json").read_text())
    document["message_count"] = 99
    (liar / "episode.json").write_text(json.dumps(document))
    with Pool(tmp_path / "pool") as pool:
        report = pool.ingest(source)
        assert report.added == []
        assert report.unfinished == [str(unfinished)]
        assert "bag holds 0 messages but episode.json claims 99" in report.rejected[0]
        assert pool.episodes() == []


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
