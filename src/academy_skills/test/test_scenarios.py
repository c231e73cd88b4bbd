"""Integrated scenarios: the behaviour tree chains skills on the Aurora at the scenario's station,
and the judge reads the final world. Each success has twins that must not succeed: an unpowered
gripper (a step fails every retry: aborted), a station without what the scenario needs
(preconditions refuse it), a prop on the floor (the run pauses and asks), the trainer's abort,
and a locked scenario (its skills not mastered)."""

from __future__ import annotations

from pathlib import Path

import pytest

from academy_description.model_registry import load_model
from academy_skills.in_process_robot import InProcessRobot, practice_rig
from academy_skills.scenario_cli import cmd_scenario_run
from academy_skills.scenarios import (
    Command,
    ScenarioResult,
    ScenarioRun,
    registered_scenarios,
)
from academy_skills.skill_executor import ExecutorEvent
from academy_skills.skill_library import FailureReason, SkillOutcome

pytestmark = pytest.mark.physics

STATIONS = Path(__file__).resolve().parents[3] / "config" / "stations"


def run(
    name: str,
    station: str | None = None,
    unpowered: str = "",
    control: object = None,
    before: object = None,
) -> tuple[ScenarioResult, InProcessRobot, list[ExecutorEvent]]:
    declaration = registered_scenarios()[name]
    model = load_model("aurora_h1")
    joints = model.grippers[unpowered] if unpowered else ()
    path = STATIONS / f"{station or declaration.station}.yaml"
    rig, library = practice_rig(model, path, seed=4, disabled_joints=joints)
    rig.reset_station()
    if callable(before):
        before(rig)
    events: list[ExecutorEvent] = []
    result = ScenarioRun(
        declaration.build(),
        rig,
        library,
        rig,
        events.append,
        control,  # type: ignore[arg-type]
    ).run()
    return result, rig, events


@pytest.mark.parametrize(
    ("name", "steps"),
    [
        ("tidy_table", 2),
        ("set_table_for_one", 2),
        ("pack_box", 3),
        ("clean_table", 2),
        ("sort_items", 2),
    ],
)
def test_the_aurora_completes_the_scenario(name: str, steps: int) -> None:
    result, _, events = run(name)
    assert result.outcome == SkillOutcome.SUCCEEDED, result.reason
    assert len(result.steps) == steps
    assert all(s.outcome == SkillOutcome.SUCCEEDED for s in result.steps)
    # Each step's skill events are inside the run: a goal start and end per step.
    ends = [e for e in events if e.kind.name == "GOAL_END"]
    assert [e.skill for e in ends] == [s.step.skill for s in result.steps]
    assert "judge" in result.tree


def test_twin_an_unpowered_gripper_aborts_after_its_retries() -> None:
    result, _, _ = run("tidy_table", unpowered="right_gripper")
    assert result.outcome == SkillOutcome.ABORTED
    cube = [s for s in result.steps if s.step.parameters["object"] == "red_cube"]
    assert len(cube) == 3  # the first try and two retries
    assert "failed 3 times" in result.reason and result.failure == FailureReason.MISSED.value


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("tidy_table", "no bin"),
        ("pack_box", "no box"),
        ("clean_table", "no pad to sweep onto"),
        ("sort_items", "no bins"),
    ],
)
def test_twin_a_station_without_a_bin_fails_the_preconditions(name: str, words: str) -> None:
    result, _, _ = run(name, station="tabletop")
    assert result.outcome == SkillOutcome.REJECTED
    assert f"the station has {words}" in result.reason and not result.steps


def _glue_the_crumbs(rig: InProcessRobot) -> None:
    # Crumbs that stick: the sweep's strokes cannot move them onto the pad.
    model, sim = rig.station_sim.model, rig.station_sim
    for index in range(sim.particles[0].count):
        body = model.body(f"crumbs_{index}")
        body.mass[0] = 0.5
        model.geom(f"crumbs_{index}").friction[0] = 3.0


def test_twin_crumbs_that_stick_fail_clean_table_with_the_sweep_named() -> None:
    result, _, _ = run("clean_table", before=_glue_the_crumbs)
    assert result.outcome != SkillOutcome.SUCCEEDED, result.reason
    assert result.steps[0].outcome == SkillOutcome.SUCCEEDED  # the cup went in the bin
    assert "sweep" in result.reason, result.reason


def test_twin_a_prop_without_a_bin_of_its_colour_fails_sort_items_preconditions() -> None:
    result, _, _ = run("sort_items", station="bins")  # one grey bin
    assert result.outcome == SkillOutcome.REJECTED
    assert "red_cube has no bin of its colour (red)" in result.reason


def test_pack_box_packs_the_biggest_first() -> None:
    result, _, _ = run("pack_box")
    assert result.steps[0].step.parameters["object"] == "yellow_block"


def test_twin_a_prop_without_a_mat_of_its_colour_fails_the_preconditions() -> None:
    result, _, _ = run("set_table_for_one", station="targets")  # a green pad only
    assert result.outcome == SkillOutcome.REJECTED
    assert "red_cube has no mat of its colour" in result.reason


def _drop_the_cube(rig: InProcessRobot) -> None:
    rig.station_sim.place_object("red_cube", 0.35, -0.6, 0.0, z=0.03)  # on the floor
    rig.station_sim.forward()


def test_a_prop_on_the_floor_pauses_the_run_and_asks() -> None:
    result, _, _ = run("tidy_table", before=_drop_the_cube)
    assert result.outcome == SkillOutcome.CANCELED  # unattended: nobody answers
    assert result.questions and "red_cube fell off the table" in result.questions[0]
    assert not result.steps  # nothing was tried while it waited


class PutItBack:
    """A trainer who puts the dropped cube back on the table and says resume."""

    def __init__(self, rig: InProcessRobot) -> None:
        self.rig = rig
        self.asked: list[str] = []

    def command(self) -> Command:
        return Command.RUN

    def ask(self, question: str) -> None:
        self.asked.append(question)
        self.rig.station_sim.place_object("red_cube", 0.35, -0.2, 0.0)
        self.rig.station_sim.forward()


def test_resumed_after_the_trainer_puts_the_prop_back_the_run_goes_on() -> None:
    holder: dict[str, PutItBack] = {}

    def drop(rig: InProcessRobot) -> None:
        _drop_the_cube(rig)
        holder["trainer"] = PutItBack(rig)

    class Deferred:
        def command(self) -> Command:
            return holder["trainer"].command()

        def ask(self, question: str) -> None:
            holder["trainer"].ask(question)

    result, _, _ = run("tidy_table", before=drop, control=Deferred())
    assert len(holder["trainer"].asked) == 1
    assert [s.step.parameters["object"] for s in result.steps] == ["blue_cup"]
    # The plan was read with the cube on the floor: the judge, on the final world, sees it out.
    assert result.outcome == SkillOutcome.FAILED and "red_cube" in result.reason


class AbortAtOnce:
    def command(self) -> Command:
        return Command.ABORT

    def ask(self, question: str) -> None:
        return None


def test_the_trainer_aborts_a_run() -> None:
    result, _, _ = run("tidy_table", control=AbortAtOnce())
    assert result.outcome == SkillOutcome.CANCELED and result.reason == "aborted by the trainer"


def test_a_locked_scenario_does_not_run_without_force(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import argparse

    args = argparse.Namespace(
        name="tidy_table", model="aurora_h1", runs=1, seed=0, station=None, robot="robot_9",
        pool=str(tmp_path), force=False, record=False, json=False,
    )  # fmt: skip
    assert cmd_scenario_run(args) == 1
    assert "locked for robot_9" in capsys.readouterr().err
    args.force = True
    assert cmd_scenario_run(args) == 0


class PauseAfterFirstStep:
    """A trainer who says pause once the first step ended, and resume 3 s (simulated) later."""

    def __init__(self) -> None:
        self.shared: object = None
        self.rig: InProcessRobot | None = None
        self.paused_at: float | None = None
        self.steps_when_resumed = -1

    def command(self) -> Command:
        assert self.rig is not None
        records = getattr(self.shared, "records", [])
        if records and self.paused_at is None:
            self.paused_at = self.rig.now()
        if self.paused_at is not None and self.rig.now() - self.paused_at < 3.0:
            return Command.PAUSE
        if self.steps_when_resumed < 0 and self.paused_at is not None:
            self.steps_when_resumed = len(records)
        return Command.RUN

    def ask(self, question: str) -> None:
        return None


def test_a_pause_between_steps_holds_the_run_until_resumed() -> None:
    declaration = registered_scenarios()["tidy_table"]
    rig, library = practice_rig(load_model("aurora_h1"), STATIONS / "bins.yaml", seed=4)
    rig.reset_station()
    trainer = PauseAfterFirstStep()
    trainer.rig = rig
    run_ = ScenarioRun(declaration.build(), rig, library, rig, control=trainer)
    trainer.shared = run_.shared
    result = run_.run()
    assert result.outcome == SkillOutcome.SUCCEEDED, result.reason
    assert trainer.steps_when_resumed == 1  # the second step waited for the resume


def test_as_a_goal_a_run_is_one_attempt_and_a_retry_keeps_its_step_number() -> None:
    from academy_skills.scenarios import ScenarioGoal

    declaration = registered_scenarios()["tidy_table"]
    model = load_model("aurora_h1")
    rig, library = practice_rig(
        model, STATIONS / "bins.yaml", seed=4, disabled_joints=model.grippers["right_gripper"]
    )
    events: list[ExecutorEvent] = []
    ended = ScenarioGoal(declaration, rig, library, rig, events.append).run()
    assert ended.outcome == SkillOutcome.ABORTED and ended.runs == 1
    kinds = [e.kind.name for e in events if e.kind.name.startswith("ATTEMPT")]
    assert kinds == ["ATTEMPT_START", "ATTEMPT_END"]  # one run: one episode
    steps = [e.phase for e in events if e.kind.name == "PHASE_START" and e.phase.startswith("step")]
    assert [p.split(":")[0] for p in steps] == ["step 1", "step 2", "step 2", "step 2"], steps
