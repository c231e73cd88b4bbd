"""'robot one, how are you doing on lifting?' over real DDS: the instruction parser node answers
on /trainer/feedback from the pool's mastery store, robot by robot and skill by skill. The
twins: a robot that never practised the skill says so, and a parser without a pool says it
keeps no record."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from ros_client import spinning_node
from session_harness import REPO, node_session

from academy_common.qos import RELIABLE_QOS
from academy_interfaces.msg import TrainerFeedback, Utterance
from academy_skills.mastery import MasteryStore

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]


def parser_session(name: str, pool: str) -> dict:
    return node_session(
        name,
        {
            "name": "instruction_parser",
            "package": "academy_instructions",
            "executable": "instruction_parser",
            "parameters": {
                "robot_ids": ["robot_1", "robot_2"],
                "station_file": str(REPO / "config/stations/tabletop.yaml"),
                "pool_dir": pool,
            },
        },
    )


def ask(texts: list[str]) -> dict[str, str]:
    """Say each text; the INFO answer to each (by text)."""
    with spinning_node("progress_question_test") as node:
        feedback: list[TrainerFeedback] = []
        node.create_subscription(
            TrainerFeedback, "/trainer/feedback", feedback.append, RELIABLE_QOS
        )
        publisher = node.create_publisher(Utterance, "/trainer/utterance", RELIABLE_QOS)
        deadline = time.monotonic() + 30
        while publisher.get_subscription_count() == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert publisher.get_subscription_count() > 0, "the parser does not listen"
        time.sleep(0.5)
        for index, text in enumerate(texts):
            publisher.publish(Utterance(utterance_id=f"u{index}", trainer_id="t", text=text))
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and len({f.utterance_id for f in feedback}) < len(texts):
            time.sleep(0.05)
    return {
        texts[int(f.utterance_id[1:])]: f.text
        for f in feedback
        if f.level == TrainerFeedback.LEVEL_INFO
    }


def test_the_parser_answers_from_the_mastery_store(start_session, tmp_path: Path) -> None:
    store = MasteryStore(tmp_path / "mastery.sqlite")
    for outcome in ["succeeded"] * 3 + ["failed"]:
        store.record(
            "robot_1", "aurora_h1", "lift", outcome, "" if outcome == "succeeded" else "slipped"
        )
    session = start_session(parser_session("it_progress", str(tmp_path)))
    session.wait_for(r"session 'it_progress' is up", timeout=60)
    said = ask(
        [
            "robot one, how are you doing on lifting?",
            "robot two, how are you doing on lifting?",
        ]
    )
    lifting = said["robot one, how are you doing on lifting?"]
    assert lifting.startswith("lift: 3 of my last 4 attempts succeeded (75%)"), lifting
    assert "not mastered yet" in lifting
    assert said["robot two, how are you doing on lifting?"] == "I have not practised lift yet"


def test_twin_a_parser_without_a_pool_keeps_no_record(start_session) -> None:
    session = start_session(parser_session("it_progress_none", ""))
    session.wait_for(r"session 'it_progress_none' is up", timeout=60)
    said = ask(["robot one, how are you doing on lifting?"])
    assert "keeps no record" in said["robot one, how are you doing on lifting?"]
