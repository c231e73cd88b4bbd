"""Mastery: attempts kept across sessions; mastered when the window's Wilson lower bound passes."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from academy_skills import practice_cli
from academy_skills.mastery import MasteryRule, MasteryStore, wilson_lower_bound


def test_wilson_lower_bound_matches_the_formula_and_is_zero_without_attempts() -> None:
    assert wilson_lower_bound(0, 0) == 0.0
    assert wilson_lower_bound(10, 10) == pytest.approx(0.7225, abs=1e-4)
    assert wilson_lower_bound(40, 50) == pytest.approx(0.6696, abs=1e-4)
    assert wilson_lower_bound(0, 20) == 0.0


def test_progress_persists_across_sessions_and_mastery_needs_more_than_a_streak(
    tmp_path: Path,
) -> None:
    path = tmp_path / "mastery.sqlite"
    session_one = MasteryStore(path)
    for _ in range(10):
        session_one.record("robot_1", "aurora_h1", "lift", "succeeded")
    (early,) = session_one.progress("robot_1")
    assert (early.attempts, early.mastered) == (10, False)  # 10/10: lower bound 0.72 < 0.8
    session_two = MasteryStore(path)  # a later session opens the same store
    for _ in range(15):
        session_two.record("robot_1", "aurora_h1", "lift", "succeeded")
    (now,) = session_two.progress("robot_1")
    assert (now.attempts, now.successes, now.mastered) == (25, 25, True)


def test_twin_failures_in_the_window_lose_the_mastery_and_stops_do_not_count(
    tmp_path: Path,
) -> None:
    store = MasteryStore(tmp_path / "mastery.sqlite")
    for _ in range(30):
        store.record("robot_2", "unitree_g1", "grasp", "succeeded")
    for _ in range(5):
        store.record("robot_2", "unitree_g1", "grasp", "estopped")  # the trainer's stops
    (kept,) = store.progress("robot_2")
    assert (kept.attempts, kept.mastered) == (30, True)
    for _ in range(20):
        store.record("robot_2", "unitree_g1", "grasp", "failed", "missed")
    (lost,) = store.progress("robot_2", rule=MasteryRule(window=50))
    assert (lost.window_attempts, lost.window_successes, lost.mastered) == (50, 30, False)


def test_practice_records_and_program_status_reports(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ACADEMY_POOL", str(tmp_path))
    parser = argparse.ArgumentParser()
    practice_cli.add_commands(parser.add_subparsers(dest="command", required=True))
    argv = ["practice", "--model", "aurora_h1", "--skill", "grasp", "--attempts", "3"]
    args = parser.parse_args([*argv, "--record", "--robot", "robot_7"])
    assert args.func(args) == 0
    capsys.readouterr()
    args = parser.parse_args(["program", "status", "--robot", "robot_7", "--json"])
    assert args.func(args) == 0
    (row,) = json.loads(capsys.readouterr().out)["progress"]
    assert (row["robot"], row["skill"], row["attempts"], row["successes"]) == (
        "robot_7",
        "grasp",
        3,
        3,
    )
    assert row["mastered"] is False  # 3 of 3 is a streak, not mastery
    assert (tmp_path / "mastery.sqlite").is_file()


def test_a_program_unlocks_a_step_once_its_prerequisite_is_mastered_across_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ACADEMY_POOL", str(tmp_path))
    program = tmp_path / "basics.yaml"
    program.write_text(
        "program:\n  name: basics\n  steps:\n"
        "    - {skill: grasp, repetitions: 10}\n"
        "    - {skill: lift, repetitions: 2, prerequisites: [grasp]}\n"
    )
    parser = argparse.ArgumentParser()
    practice_cli.add_commands(parser.add_subparsers(dest="command", required=True))

    def run() -> list[dict]:  # type: ignore[type-arg]
        args = parser.parse_args(
            ["program", "run", str(program), "--model", "aurora_h1", "--robot", "r1", "--json"]
        )
        assert args.func(args) == 0
        return list(json.loads(capsys.readouterr().out)["steps"])

    first = run()  # 10 of 10 grasps: a streak, not mastery; lift waits
    assert first[0]["successes"] == 10 and first[0]["mastered"] is False
    assert "prerequisite not mastered: grasp" in first[1]["skipped"]
    second = run()  # 20 of 20 over two runs: mastered (lower bound 0.84); lift runs
    assert second[0]["mastered"] is True
    assert second[1]["attempts"] == 2 and "skipped" not in second[1]


def test_a_program_naming_an_unknown_skill_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    program = tmp_path / "bad.yaml"
    program.write_text("program:\n  name: bad\n  steps:\n    - {skill: juggle}\n")
    parser = argparse.ArgumentParser()
    practice_cli.add_commands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["program", "run", str(program), "--model", "aurora_h1"])
    assert args.func(args) == 2
    assert "unknown skill(s) juggle" in capsys.readouterr().err


def test_a_sessions_attempt_ends_are_logged_and_a_failed_write_is_counted(tmp_path: Path) -> None:
    from academy_skills.mastery import AttemptLog
    from academy_skills.skill_executor import EventKind, ExecutorEvent
    from academy_skills.skill_library import SkillOutcome

    event = ExecutorEvent(
        EventKind.ATTEMPT_END, 0.0, "lift", 1, 1, outcome=SkillOutcome.FAILED, failure="slipped"
    )
    log = AttemptLog(tmp_path / "pool" / "mastery.sqlite")
    assert log.record("robot_1", "aurora_h1", event) == 0
    (row,) = MasteryStore(tmp_path / "pool" / "mastery.sqlite").progress("robot_1")
    assert (row.skill, row.attempts, row.successes) == ("lift", 1, 0)
    # The twin: an unwritable store loses the attempt, and says so (counted), never raising.
    (tmp_path / "file").write_text("not a directory")
    broken = AttemptLog(tmp_path / "file" / "mastery.sqlite")
    assert broken.record("robot_1", "aurora_h1", event) == 1
    assert broken.record("robot_1", "aurora_h1", event) == 2 and broken.last_error


def test_the_progress_answer_says_rate_bound_and_mastery(tmp_path: Path) -> None:
    from academy_skills.mastery import progress_answer

    store = MasteryStore(tmp_path / "m.sqlite")
    for _ in range(20):
        store.record("robot_1", "aurora_h1", "grasp", "succeeded", "")
    store.record("robot_1", "aurora_h1", "lift", "failed", "slipped")
    answer = progress_answer(store.progress("robot_1"), "robot_1", "")
    assert answer.startswith("I have mastered grasp; lift: 0 of my last 1 attempts")
    assert progress_answer([], "robot_9", "lift") == "I have not practised lift yet"
