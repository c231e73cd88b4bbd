"""``academy session up`` over real DDS: goals, feedback, results, signals, crashes, respawn."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from session_harness import REPO, pid_alive

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]

PROGRAM = str(REPO / "config" / "programs" / "warmup.yaml")


def executor_node(**extra: object) -> dict[str, object]:
    return {
        "name": "skill_executor",
        "package": "academy_skills",
        "executable": "skill_executor",
        "robot": "robot_1",
        **extra,
    }


def runner_node(**params: object) -> dict[str, object]:
    return {
        "name": "program_runner",
        "package": "academy_skills",
        "executable": "program_runner",
        "parameters": {"program_file": PROGRAM, "robot_ids": ["robot_1"], **params},
    }


ROBOTS = [{"id": "robot_1", "model": "aurora_h1"}]


def test_goal_feedback_result_then_sigint_stops_everything(start_session) -> None:
    session = start_session(
        {
            "session": {"name": "it_goal", "grace_period": 10.0},
            "robots": ROBOTS,
            "nodes": [executor_node(), runner_node(exit_when_done=False)],
        }
    )
    session.wait_for(r"session 'it_goal' is up", timeout=60)
    # The runner process sent goals to the executor process and got feedback and results.
    first = session.wait_for(
        r"robot_1: wait x3: SUCCEEDED \(3/3 succeeded, [\d.]+ s, (\d+) feedback messages\)"
    )
    assert int(first.group(1)) >= 3  # one per attempt start and per phase
    session.wait_for(r"program 'warmup' finished")
    pids = [pid for group in session.child_pids().values() for pid in group]
    assert len(pids) == 2 and all(pid_alive(pid) for pid in pids)

    os.killpg(session.process.pid, 0)  # still running
    session.process.send_signal(signal.SIGINT)
    assert session.wait() == 0, session.text()
    assert "received SIGINT" in session.text()
    for pid in pids:
        assert not pid_alive(pid), f"pid {pid} survived the session"


def test_required_node_crash_exits_nonzero_naming_it(start_session, tmp_path: Path) -> None:
    """program_runner with a program that does not parse crashes at start: a real failure."""
    bad_program = tmp_path / "bad_program.yaml"
    bad_program.write_text("program: {name: bad, steps: []}\n")
    runner = runner_node()
    runner["parameters"] = {"program_file": str(bad_program), "robot_ids": ["robot_1"]}
    session = start_session(
        {
            "session": {"name": "it_crash"},
            "robots": ROBOTS,
            "nodes": [executor_node(), runner],
        }
    )
    code = session.wait(timeout=90)
    assert code == 1, session.text()
    assert "required node 'program_runner' exited with code" in session.text()
    assert "program.steps" in session.text()  # its own error reached the runner's output
    for pid in [p for group in session.child_pids().values() for p in group]:
        assert not pid_alive(pid)


def test_respawnable_node_comes_back_after_being_killed(start_session) -> None:
    session = start_session(
        {
            "session": {"name": "it_respawn"},
            "robots": ROBOTS,
            "nodes": [executor_node(respawn=True, respawn_delay=0.2)],
        }
    )
    session.wait_for(r"session 'it_respawn' is up", timeout=60)
    first_pid = session.child_pids()["/robot_1/skill_executor"][0]
    os.kill(first_pid, signal.SIGKILL)
    session.wait_for(r"'skill_executor' exited with code -9; respawning in 0.2 s")
    session.wait_for(r"respawning 'skill_executor' \(respawn 1/5\)")
    deadline = time.monotonic() + 30
    while len(session.child_pids().get("/robot_1/skill_executor", [])) < 2:
        assert time.monotonic() < deadline, session.text()
        time.sleep(0.1)
    second_pid = session.child_pids()["/robot_1/skill_executor"][1]
    assert second_pid != first_pid and pid_alive(second_pid)
    session.wait_for(r"\[skill_executor\].*serving skills", timeout=30)
    session.process.send_signal(signal.SIGTERM)
    assert session.wait() == 0, session.text()
    assert not pid_alive(second_pid)


def test_session_check_cli(tmp_path: Path) -> None:
    ok = subprocess.run(
        ["academy", "session", "check", str(REPO / "config" / "sessions" / "demo.yaml")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert ok.returncode == 0, ok.stderr
    bad = tmp_path / "bad.yaml"
    bad.write_text("session: {name: x}\nnodes: [{name: a, package: academy_skills}]\n")
    rejected = subprocess.run(
        ["academy", "session", "check", str(bad)], capture_output=True, text=True, timeout=60
    )
    assert rejected.returncode == 2
    assert "nodes[0].executable: missing required key" in rejected.stderr


def test_the_runner_runs_a_step_once_its_prerequisites_are_mastered(
    start_session, tmp_path: Path
) -> None:
    """Step 1's attempts, recorded by the executor in the pool, master ``wait`` (3/3 over a
    window of 3: lower bound 0.44 >= 0.3), so step 2 runs in the same run; step 3 needs ``nod``,
    never practised: skipped with the reason. The twin: without a pool nothing is mastered."""
    program = tmp_path / "gated.yaml"
    program.write_text(
        "program:\n  name: gated\n  mastery: {window: 3, threshold: 0.3}\n  steps:\n"
        "    - {skill: wait, parameters: {duration: 0.01}, repetitions: 3}\n"
        "    - {skill: wait, parameters: {duration: 0.02}, repetitions: 2, prerequisites: [wait]}\n"
        "    - {skill: wait, repetitions: 1, prerequisites: [nod]}\n"
    )
    pool = str(tmp_path / "pool")
    session = start_session(
        {
            "session": {"name": "it_gated", "grace_period": 10.0},
            "robots": ROBOTS,
            "nodes": [
                executor_node(parameters={"pool_dir": pool}),
                runner_node(program_file=str(program), pool_dir=pool),
            ],
        }
    )
    session.wait_for(r"program 'gated' finished", timeout=90)
    text = session.text()
    assert "robot_1: wait x2: SUCCEEDED" in text, text[-2000:]
    assert "step 3 wait: skipped, prerequisite not mastered: nod (lower bound 0.00" in text


def test_twin_without_a_pool_no_prerequisite_is_mastered(start_session, tmp_path: Path) -> None:
    program = tmp_path / "gated.yaml"
    program.write_text(
        "program:\n  name: gated\n  steps:\n"
        "    - {skill: wait, parameters: {duration: 0.01}, repetitions: 1}\n"
        "    - {skill: wait, repetitions: 1, prerequisites: [wait]}\n"
    )
    session = start_session(
        {
            "session": {"name": "it_gated_none", "grace_period": 10.0},
            "robots": ROBOTS,
            "nodes": [executor_node(), runner_node(program_file=str(program))],
        }
    )
    session.wait_for(r"program 'gated' finished", timeout=90)
    assert "step 2 wait: skipped, prerequisite not mastered: wait" in session.text()
    assert "(no mastery store: pool_dir)" in session.text()
