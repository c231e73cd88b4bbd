"""Program files: loading, validation messages, the summary table."""

from __future__ import annotations

from pathlib import Path

import pytest

from academy_skills.errors import ProgramError
from academy_skills.program import SkillTally, load_program, parse_program, summary_table
from academy_skills.skill_library import SkillOutcome

REPO = Path(__file__).resolve().parents[3]


def test_shipped_programs_load() -> None:
    programs = sorted((REPO / "config" / "programs").glob("*.yaml"))
    assert programs
    for path in programs:
        assert load_program(path).steps


def test_every_problem_named() -> None:
    data = {
        "program": {
            "name": "Bad Name",
            "colour": "red",
            "steps": [
                {"skill": "wait", "repetitions": 0},
                {"skill": "wait", "parameters": {"d": [1]}},
                "wait",
            ],
        }
    }
    with pytest.raises(ProgramError) as raised:
        parse_program(data, "p.yaml")
    text = str(raised.value)
    assert "p.yaml: program.name: 'Bad Name': a snake_case name" in text
    assert "program.colour: 'red': unknown key" in text
    assert "program.steps[0].repetitions: 0: an integer in [1, 10000]" in text
    assert "program.steps[1].parameters" in text
    assert "program.steps[2]: 'wait'" in text


def test_summary_table() -> None:
    tally = SkillTally()
    tally.add(SkillOutcome.SUCCEEDED, 3, 3, 1.0)
    tally.add(SkillOutcome.FAILED, 2, 1, 3.0)
    table = summary_table({"wait": tally})
    assert "wait" in table and "80%" in table and "2.000" in table
    assert tally.failures == {"FAILED": 1}
