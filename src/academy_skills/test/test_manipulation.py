"""Physics honesty: reach/grasp/lift succeed only when the physics says so; every success test
has a twin that must fail (object out of reach, gripper without power, object unknown)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from narrow_station import CONTROLLERS, TABLETOP, narrow_station

from academy_description.model_registry import load_model
from academy_skills.in_process_robot import InProcessRobot
from academy_skills.kinematics import ArmKinematics
from academy_skills.manipulation import manipulation_skills
from academy_skills.skill_library import AttemptResult, SkillLibrary, SkillOutcome

pytestmark = pytest.mark.physics

STATION = TABLETOP
FINGERS = (
    "left_finger_a_joint",
    "left_finger_b_joint",
    "right_finger_a_joint",
    "right_finger_b_joint",
)


NARROW = narrow_station(Path(tempfile.mkdtemp(prefix="academy_station_")))


def make(
    seed: int = 11, disabled: tuple[str, ...] = (), station: Path = NARROW
) -> tuple[InProcessRobot, SkillLibrary]:
    robot_model = load_model("aurora_h1")
    robot = InProcessRobot(robot_model, station, CONTROLLERS, seed=seed, disabled_joints=disabled)
    kinematics = ArmKinematics(robot_model, robot.station_sim.config.pelvis_height)
    return robot, SkillLibrary(manipulation_skills(robot, kinematics))


def attempt(
    robot: InProcessRobot, library: SkillLibrary, skill: str, **params: object
) -> AttemptResult:
    return library.get(skill).run_attempt(robot, library.validate(skill, params))


@pytest.mark.parametrize("obj", ["red_cube", "blue_cup"])
def test_lift_raises_the_object_and_holds_it(obj: str) -> None:
    robot, library = make()
    result = attempt(robot, library, "lift", object=obj, height=0.08)
    assert result.outcome == SkillOutcome.SUCCEEDED, result.reason
    assert result.metrics["lift_height_min"][0] >= 0.9 * 0.08
    # The object is back on the table and the hand has let go.
    resting = robot.station().objects[obj].position[2]
    assert resting < robot.station_sim.table_height + 0.1


def test_reach_and_grasp_succeed_on_the_cube() -> None:
    robot, library = make()
    reach = attempt(robot, library, "reach", object="red_cube")
    assert reach.outcome == SkillOutcome.SUCCEEDED, reach.reason
    grasp = attempt(robot, library, "grasp", object="red_cube")
    assert grasp.outcome == SkillOutcome.SUCCEEDED, grasp.reason
    assert grasp.metrics["jaw_opening"][0] == pytest.approx(0.05, abs=0.012)


@pytest.mark.parametrize("skill", ["reach", "grasp", "lift"])
def test_out_of_reach_object_is_refused_never_a_success(skill: str) -> None:
    robot, library = make()
    robot.station_sim.place_object("red_cube", 0.70, -0.20, 0.0)  # far edge of the table
    robot.station_sim.forward()
    result = attempt(robot, library, skill, object="red_cube", reset_scene=False)
    assert result.outcome == SkillOutcome.REJECTED
    assert "out of reach" in result.reason


@pytest.mark.parametrize("skill", ["grasp", "lift"])
def test_gripper_without_power_fails_with_the_reason(skill: str) -> None:
    robot, library = make(disabled=FINGERS)
    result = attempt(robot, library, skill, object="red_cube")
    assert result.outcome == SkillOutcome.FAILED
    assert "jaws did not open" in result.reason


def test_limp_open_fingers_cannot_hold_the_cube() -> None:
    """Fingers without power that happen to be open: reach works, the grasp does not."""
    robot, library = make(disabled=("right_finger_a_joint", "right_finger_b_joint"))
    for joint in ("right_finger_a_joint", "right_finger_b_joint"):
        address = robot.station_sim.model.joint(joint).qposadr[0]
        robot.station_sim.data.qpos[address] = 0.043  # pushed open by hand before the attempt
    result = attempt(robot, library, "lift", object="red_cube")
    assert result.outcome == SkillOutcome.FAILED
    assert "jaws did not close" in result.reason


def test_unknown_object_is_refused() -> None:
    robot, library = make()
    result = attempt(robot, library, "grasp", object="green_ball")
    assert result.outcome == SkillOutcome.REJECTED
    assert "unknown object 'green_ball'" in result.reason


def test_a_goal_naming_an_unknown_object_is_refused_before_any_attempt() -> None:
    from academy_skills.skill_executor import EventKind, GoalRun

    robot, library = make()
    events = []
    run = GoalRun(library, "lift", {"object": "green_ball"}, 3, robot, events.append)
    result = run.run()
    assert result.outcome == SkillOutcome.REJECTED and result.attempts == 0
    assert "unknown object 'green_ball'" in result.reason
    assert [e.kind for e in events] == [EventKind.GOAL_END]


def test_failed_attempts_do_not_stop_practice() -> None:
    """An unreachable start pose fails one attempt; the next attempt gets a new pose."""
    from academy_skills.skill_executor import GoalRun

    robot, library = make(seed=5, station=STATION)
    run = GoalRun(library, "reach", {"object": "red_cube"}, 12, robot, lambda event: None)
    result = run.run()
    assert result.attempts == 12
    assert 0 < result.successes <= 12
