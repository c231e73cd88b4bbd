"""The skill registry: skills declare themselves; the parser, the CLI and libraries read it."""

from __future__ import annotations

import argparse
import json

import pytest

from academy_description.model_registry import load_model
from academy_skills import practice_cli, skill_library
from academy_skills.skill_library import (
    Capability,
    FailureReason,
    SkillDeps,
    library_for,
    register_skill,
    registered_skills,
    skill_verbs,
)


def test_the_built_in_skills_declare_what_they_need_and_how_they_are_judged() -> None:
    skills = registered_skills()
    assert {"reach", "grasp", "lift", "wait"} <= set(skills)
    lift = skills["lift"]
    assert lift.category == "manipulation"
    assert lift.requires == {Capability.ARM, Capability.HAND}
    assert "pick up" in lift.verbs and FailureReason.SLIPPED in lift.failures
    assert {p.name for p in lift.parameters} >= {"object", "height", "hold_time"}
    assert "1.5 cm" in lift.success
    assert skill_verbs()["pick up"] == "lift" and skill_verbs()["grab"] == "grasp"


def test_capabilities_are_checked_against_the_model() -> None:
    lift = registered_skills()["lift"]
    assert lift.missing(load_model("aurora_h1")) == []
    (missing,) = lift.missing(load_model("iit_icub"))  # iCub's hands have no finger joints
    assert missing.startswith("hand: ")


def test_a_second_skill_with_a_taken_name_or_verb_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    registered_skills()  # the built-in skills first: the clash below is with grasp
    monkeypatch.setattr(skill_library, "_REGISTRY", dict(skill_library._REGISTRY))

    class Juggle:
        name = "juggle_test"
        description = "juggle three balls"
        parameters = ()

    register_skill(category="body", verbs=("juggle",), success="s", failures=())(Juggle)
    assert skill_library._REGISTRY["juggle_test"].verbs == ("juggle",)

    class OtherJuggle:
        name = "juggle_test"

    with pytest.raises(ValueError, match="registered twice"):
        register_skill(category="body", verbs=(), success="s", failures=())(OtherJuggle)

    class Grab:
        name = "grab_test"

    with pytest.raises(ValueError, match="already belong to skill 'grasp'"):
        register_skill(category="x", verbs=("grab",), success="s", failures=())(Grab)


def test_a_robots_library_holds_every_registered_skill() -> None:
    library = library_for(SkillDeps())
    assert library.names() == sorted(registered_skills())


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    parser = argparse.ArgumentParser()
    practice_cli.add_commands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    code = int(args.func(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def _practice(
    model: str, skill: str, attempts: int, capsys: pytest.CaptureFixture[str]
) -> tuple[int, dict]:  # type: ignore[type-arg]
    argv = ["practice", "--model", model, "--skill", skill, "--attempts", str(attempts), "--json"]
    code, out, _ = _run(argv, capsys)
    return code, json.loads(out)


def test_practice_runs_attempts_offline_and_reports_them(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, report = _practice("aurora_h1", "grasp", 2, capsys)
    assert code == 0
    assert report["successes"] == 2 and report["success_rate"] == 1.0
    assert [a["object"] for a in report["attempts"]] == ["red_cube", "blue_cup"]
    assert all(a["outcome"] == "succeeded" and a["sim_duration_s"] > 0 for a in report["attempts"])
    assert all(a["failure"] == "" for a in report["attempts"])


def test_twin_practice_on_a_robot_without_a_hand_is_refused_with_the_reason(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, report = _practice("iit_icub", "grasp", 1, capsys)
    assert code == 0  # it ran: the outcome is the robot's
    assert report["successes"] == 0
    (attempt,) = report["attempts"]
    assert attempt["outcome"] == "rejected" and "cannot grasp" in attempt["reason"]
    assert attempt["failure"] == "refused"


def test_an_unknown_skill_is_an_error_naming_the_known_ones(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, _, err = _run(["practice", "--model", "aurora_h1", "--skill", "juggle"], capsys)
    assert code == 2 and "unknown skill 'juggle'" in err and "lift" in err


def test_skill_list_prints_the_catalogue(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(["skill", "list", "--json"], capsys)
    skills = {s["name"]: s for s in json.loads(out)["skills"]}
    assert code == 0
    assert skills["reach"]["capabilities"] == ["arm", "hand"]
    speed = next(p for p in skills["reach"]["parameters"] if p["name"] == "speed")
    assert speed["unit"] == "m/s" and speed["default"] == 0.3
