"""Controllers over the simulated hardware: follow, tolerate, preempt, e-stop, gripper stalls."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from academy_common.interface_constants import GripperErrorCode, TrajectoryErrorCode
from academy_control.controller_config import (
    HandControllerConfig,
    TrajectoryControllerConfig,
    load_controllers,
    parse_controllers,
)
from academy_control.controller_manager import (
    ControllerManager,
    gripper_error_code,
    hand_joints,
    load_hardware,
    manager_for,
    trajectory_error_code,
)
from academy_control.controllers import (
    STOPPED_WINDOW_S,
    Goal,
    GoalState,
    HandController,
    JointTrajectoryController,
    TrajectoryGoal,
)
from academy_control.errors import (
    ControlError,
    EStopEngagedError,
    HardwareError,
    InvalidControllerConfigError,
    InvalidJointsError,
    InvalidTrajectoryError,
)
from academy_control.trajectory import TrajectoryPoint, validate_trajectory
from academy_description.model_registry import load_model

ROOT = Path(__file__).resolve().parents[3]
JTC = "joint_trajectory_controller"


def make_manager(disabled: tuple[str, ...] = ()) -> ControllerManager:
    robot = load_model("aurora_h1")
    hardware = load_hardware(
        robot.urdf.hardware_plugin,
        robot=robot,
        station_file=ROOT / "config" / "stations" / "tabletop.yaml",
        seed=3,
        disabled_joints=disabled,
    )
    return manager_for(robot, hardware, ROOT / "urdf" / "aurora_h1" / "controllers.yaml")


def trajectory(joint: str, *points: tuple[float, float]) -> tuple[list[str], list[TrajectoryPoint]]:
    """(joint_names, points) of a one-joint trajectory; the manager validates it."""
    return [joint], [TrajectoryPoint(t, (p,)) for t, p in points]


def position(manager: ControllerManager, joint: str) -> float:
    return float(manager.hardware.read().positions[manager.hardware.joint_names.index(joint)])


def run_until_done(manager: ControllerManager, goal: Goal, limit_s: float = 5.0) -> None:
    while not goal.done.is_set() and manager.time < limit_s + 100:
        manager.update()


def test_follows_a_trajectory_within_goal_tolerance() -> None:
    manager = make_manager()
    goal = manager.follow(JTC, *trajectory("right_elbow", (1.0, -1.2)))
    run_until_done(manager, goal)
    assert goal.state == GoalState.SUCCEEDED
    assert position(manager, "right_elbow") == pytest.approx(-1.2, abs=0.02)


def test_a_joint_without_power_violates_the_goal_tolerance() -> None:
    manager = make_manager(disabled=("right_elbow",))
    goal = manager.follow(JTC, *trajectory("right_elbow", (0.5, -1.0)))
    run_until_done(manager, goal)
    assert goal.state == GoalState.ABORTED
    assert goal.error_code in (
        TrajectoryErrorCode.GOAL_TOLERANCE_VIOLATED,
        TrajectoryErrorCode.PATH_TOLERANCE_VIOLATED,
    )
    assert "right_elbow" in goal.reason


def test_a_newer_goal_preempts_the_running_one() -> None:
    manager = make_manager()
    first = manager.follow(JTC, *trajectory("right_elbow", (2.0, -0.5)))
    for _ in range(20):
        manager.update()
    second = manager.follow(JTC, *trajectory("right_elbow", (1.0, -1.0)))
    assert first.done.is_set() and first.state == GoalState.ABORTED
    assert "preempted" in first.reason
    run_until_done(manager, second)
    assert second.state == GoalState.SUCCEEDED


def test_estop_stops_motion_and_latches_until_reset() -> None:
    manager = make_manager()
    goal = manager.follow(JTC, *trajectory("right_shoulder_pitch", (2.0, -1.2)))
    for _ in range(50):  # 0.5 s into the motion
        manager.update()
    manager.engage_estop()
    assert goal.done.is_set() and "e-stop" in goal.reason
    for _ in range(10):  # 100 ms to come to rest
        manager.update()
    held = position(manager, "right_shoulder_pitch")
    for _ in range(100):  # then 1 s: it must stay put
        manager.update()
    assert position(manager, "right_shoulder_pitch") == pytest.approx(held, abs=0.005)
    with pytest.raises(ControlError, match="e-stop engaged"):
        manager.follow(JTC, *trajectory("right_shoulder_pitch", (1.0, -1.2)))
    with pytest.raises(ControlError, match="e-stop engaged"):
        manager.grip("right_gripper_controller", 0.08, 10.0)
    manager.reset_estop()
    resumed = manager.follow(JTC, *trajectory("right_shoulder_pitch", (1.0, -1.2)))
    run_until_done(manager, resumed)
    assert resumed.state == GoalState.SUCCEEDED


def test_gripper_reaches_an_opening_in_free_air() -> None:
    manager = make_manager()
    goal = manager.grip("right_gripper_controller", 0.06, 20.0)
    run_until_done(manager, goal)
    assert goal.reached_goal and not goal.stalled
    assert goal.position == pytest.approx(0.06, abs=0.002)


def test_a_disabled_gripper_stalls_without_moving() -> None:
    manager = make_manager(disabled=("right_finger_a_joint", "right_finger_b_joint"))
    goal = manager.grip("right_gripper_controller", 0.08, 20.0)
    run_until_done(manager, goal)
    assert goal.stalled and not goal.reached_goal
    assert goal.position < 0.005


def test_non_finite_commands_never_reach_the_hardware() -> None:
    manager = make_manager()
    manager.trajectory_controllers[JTC].hold[0] = np.nan  # a controller bug
    manager.update()
    assert manager.estopped
    written = manager.hardware.station.data.ctrl  # type: ignore[attr-defined]
    assert np.all(np.isfinite(written))


def test_unknown_hardware_plugin_is_named() -> None:
    with pytest.raises(HardwareError, match="no_such_pkg/Foo"):
        load_hardware("no_such_pkg/Foo")


def test_controller_config_problems_are_listed() -> None:
    data = {
        "controller_manager": {
            "ros__parameters": {
                "update_rate": 0,
                "arm": {"type": "nope/Controller"},
                "jtc": {"type": "joint_trajectory_controller/JointTrajectoryController"},
            }
        },
        "jtc": {"ros__parameters": {"joints": ["ghost"]}},
    }
    with pytest.raises(InvalidControllerConfigError) as error:
        parse_controllers(data, ("elbow",), "c.yaml")
    text = str(error.value)
    assert "update_rate: 0" in text
    assert "arm.type: 'nope/Controller'" in text
    assert "jtc.ros__parameters.command_interfaces" in text


# -- goal outcomes: typed codes, never text -------------------------------------------------------
RIGHT_GRIPPER = "right_gripper_controller"


def run_cycles(manager: ControllerManager, count: int) -> None:
    for _ in range(count):
        manager.update()


def test_a_preempted_trajectory_goal_ends_preempted() -> None:
    manager = make_manager()
    first = manager.follow(JTC, *trajectory("right_shoulder_pitch", (2.0, -1.2)))
    run_cycles(manager, 20)
    second = manager.follow(JTC, *trajectory("right_shoulder_pitch", (1.0, -0.8)))
    assert first.done.is_set() and first.state == GoalState.ABORTED
    assert first.error_code == TrajectoryErrorCode.PREEMPTED  # not SUCCESSFUL, not INVALID_GOAL
    # The twin: the newer goal, left alone, ends SUCCESSFUL.
    run_until_done(manager, second)
    assert second.state == GoalState.SUCCEEDED
    assert second.error_code == TrajectoryErrorCode.SUCCESSFUL


def test_a_canceled_trajectory_goal_ends_canceled_and_the_arm_holds() -> None:
    manager = make_manager()
    jtc = manager.trajectory_controllers[JTC]
    goal = manager.follow(JTC, *trajectory("right_shoulder_pitch", (2.0, -1.2)))
    run_cycles(manager, 50)  # 0.5 s into the motion
    jtc.halt(manager.state.positions, TrajectoryErrorCode.CANCELED, "canceled")  # as the node does
    assert goal.done.is_set() and goal.state == GoalState.ABORTED
    assert goal.error_code == TrajectoryErrorCode.CANCELED
    run_cycles(manager, 10)
    held = position(manager, "right_shoulder_pitch")
    run_cycles(manager, 100)
    assert position(manager, "right_shoulder_pitch") == pytest.approx(held, abs=0.005)
    assert held > -1.0  # stopped well short of the goal
    # A cancel does not latch anything: the next goal is accepted.
    assert not manager.estopped
    manager.follow(JTC, *trajectory("right_shoulder_pitch", (1.0, -0.8)))


def test_twin_the_same_trajectory_goal_not_canceled_ends_successful_at_its_goal() -> None:
    manager = make_manager()
    goal = manager.follow(JTC, *trajectory("right_shoulder_pitch", (2.0, -1.2)))
    run_until_done(manager, goal)
    assert goal.state == GoalState.SUCCEEDED
    assert goal.error_code == TrajectoryErrorCode.SUCCESSFUL
    assert position(manager, "right_shoulder_pitch") == pytest.approx(-1.2, abs=0.02)


def test_estop_ends_the_active_goals_estopped_and_refuses_new_ones_with_estopped() -> None:
    manager = make_manager()
    goal = manager.follow(JTC, *trajectory("right_shoulder_pitch", (2.0, -1.2)))
    grip = manager.grip(RIGHT_GRIPPER, 0.08, 20.0)
    run_cycles(manager, 2)
    manager.engage_estop()
    assert goal.state == GoalState.ABORTED
    assert goal.error_code == TrajectoryErrorCode.ESTOPPED
    assert grip.state == GoalState.ABORTED
    assert grip.error_code == GripperErrorCode.ESTOPPED
    with pytest.raises(EStopEngagedError) as refused:
        manager.follow(JTC, *trajectory("right_shoulder_pitch", (2.0, -1.2)))
    assert trajectory_error_code(refused.value) == TrajectoryErrorCode.ESTOPPED
    with pytest.raises(EStopEngagedError) as refused_grip:
        manager.grip(RIGHT_GRIPPER, 0.08, 20.0)
    assert gripper_error_code(refused_grip.value) == GripperErrorCode.ESTOPPED


def test_twin_after_the_estop_is_reset_the_same_goals_end_successful() -> None:
    manager = make_manager()
    manager.engage_estop()
    manager.reset_estop()
    goal = manager.follow(JTC, *trajectory("right_shoulder_pitch", (2.0, -1.2)))
    grip = manager.grip(RIGHT_GRIPPER, 0.08, 20.0)
    run_until_done(manager, goal)
    run_until_done(manager, grip)
    assert goal.error_code == TrajectoryErrorCode.SUCCESSFUL
    assert grip.error_code == GripperErrorCode.SUCCESSFUL and grip.reached_goal


# Every error class of academy_control: the trajectory and gripper codes of a goal it refuses.
ERROR_CODES: list[tuple[ControlError, TrajectoryErrorCode, GripperErrorCode]] = [
    (ControlError("x"), TrajectoryErrorCode.INVALID_GOAL, GripperErrorCode.INVALID_GOAL),
    (InvalidTrajectoryError("x"), TrajectoryErrorCode.INVALID_GOAL, GripperErrorCode.INVALID_GOAL),
    (InvalidJointsError("x"), TrajectoryErrorCode.INVALID_JOINTS, GripperErrorCode.INVALID_GOAL),
    (EStopEngagedError("x"), TrajectoryErrorCode.ESTOPPED, GripperErrorCode.ESTOPPED),
    (HardwareError("x"), TrajectoryErrorCode.HARDWARE_FAULT, GripperErrorCode.HARDWARE_FAULT),
    (
        InvalidControllerConfigError("c.yaml", ["p"]),
        TrajectoryErrorCode.INVALID_GOAL,
        GripperErrorCode.INVALID_GOAL,
    ),
]


@pytest.mark.parametrize(
    ("error", "trajectory_code", "gripper_code"),
    ERROR_CODES,
    ids=[type(e).__name__ for e, _, _ in ERROR_CODES],
)
def test_each_error_class_maps_to_its_result_code(
    error: ControlError, trajectory_code: TrajectoryErrorCode, gripper_code: GripperErrorCode
) -> None:
    assert trajectory_error_code(error) == trajectory_code
    assert gripper_error_code(error) == gripper_code


def test_the_code_table_covers_every_error_class() -> None:
    def subclasses(cls: type[ControlError]) -> set[type[ControlError]]:
        return {cls} | {s for c in cls.__subclasses__() for s in subclasses(c)}

    assert subclasses(ControlError) == {type(e) for e, _, _ in ERROR_CODES}


def test_a_too_fast_goal_is_refused_from_the_commanded_position_naming_joint_and_segment() -> None:
    manager = make_manager()  # right_shoulder_pitch starts at -0.2; its limit is 3 rad/s
    with pytest.raises(InvalidTrajectoryError) as refused:
        manager.follow(JTC, *trajectory("right_shoulder_pitch", (0.2, -1.2)))
    text = str(refused.value)
    assert "segment 0 (the current position -> point 0): right_shoulder_pitch" in text
    assert "at 5/s, above its velocity limit 3/s" in text
    assert trajectory_error_code(refused.value) == TrajectoryErrorCode.INVALID_GOAL
    with pytest.raises(InvalidJointsError) as unknown:
        manager.follow(JTC, *trajectory("right_knee_cap", (1.0, 0.0)))
    assert trajectory_error_code(unknown.value) == TrajectoryErrorCode.INVALID_JOINTS
    # The twin: the same move over 1 s is accepted.
    goal = manager.follow(JTC, *trajectory("right_shoulder_pitch", (1.0, -1.2)))
    run_until_done(manager, goal)
    assert goal.error_code == TrajectoryErrorCode.SUCCESSFUL


# -- gripper: preemption, and what the e-stop does to the jaws ------------------------------------
def test_a_preempted_gripper_command_ends_preempted() -> None:
    manager = make_manager()
    first = manager.grip(RIGHT_GRIPPER, 0.08, 20.0)
    run_cycles(manager, 1)
    second = manager.grip(RIGHT_GRIPPER, 0.04, 20.0)
    assert first.done.is_set() and first.state == GoalState.ABORTED
    assert first.error_code == GripperErrorCode.PREEMPTED
    # The twin: the newer command, left alone, ends SUCCESSFUL at its opening.
    run_until_done(manager, second)
    assert second.error_code == GripperErrorCode.SUCCESSFUL and second.reached_goal
    assert second.position == pytest.approx(0.04, abs=0.002)


AURORA = load_model("aurora_h1")
HARDWARE_JOINTS = tuple(reversed(AURORA.urdf.limits))  # unlike any config order
CONTROLLERS = load_controllers(
    ROOT / "urdf" / "aurora_h1" / "controllers.yaml", HARDWARE_JOINTS, hand_joints(AURORA)
)


def make_gripper() -> HandController:
    """The right gripper controller over synthetic joint arrays (no simulator)."""
    config = CONTROLLERS.controllers[RIGHT_GRIPPER]
    assert isinstance(config, HandControllerConfig)
    indices = [HARDWARE_JOINTS.index(j) for j in config.joints]
    gripper = HandController(RIGHT_GRIPPER, config, indices, AURORA.hands[config.hand])
    gripper.start(np.zeros(len(HARDWARE_JOINTS)))
    return gripper


def jaws(gripper: HandController, opening: float) -> np.ndarray:
    """Joint positions with the jaws ``opening`` m apart (each finger half of it)."""
    positions = np.zeros(len(HARDWARE_JOINTS))
    positions[gripper.indices] = opening / 2.0
    return positions


def squeezing(stalled: bool) -> tuple[HandController, np.ndarray]:
    """A gripper commanded closed whose jaws stopped on a 4 cm object (stalled: goal ended)."""
    gripper = make_gripper()
    goal = gripper.accept(0.0, 40.0, now=0.0)
    positions, still = jaws(gripper, 0.04), np.zeros(len(HARDWARE_JOINTS))
    cycles = 40 if stalled else 5  # stall_timeout is 0.25 s
    for k in range(cycles):
        gripper.update(k * 0.01, positions, still, still, np.zeros(len(HARDWARE_JOINTS)))
    assert goal.stalled == stalled
    return gripper, positions


def squeeze_kept(target_before: float, target_after: float, measured: float) -> bool:
    """The jaws still press on what they hold: the target did not open, and is inside it."""
    return target_after <= target_before and target_after < measured


@pytest.mark.parametrize("stalled", [False, True], ids=["closing", "holding"])
def test_estop_while_the_jaws_squeeze_an_object_keeps_squeezing(stalled: bool) -> None:
    gripper, positions = squeezing(stalled)
    goal = gripper.active
    before = gripper.target
    gripper.halt(positions, GripperErrorCode.ESTOPPED, "e-stop engaged")
    assert goal is None or goal.error_code == GripperErrorCode.ESTOPPED
    assert squeeze_kept(before, gripper.target, measured=0.04)
    commands = np.zeros(len(HARDWARE_JOINTS))
    still = np.zeros(len(HARDWARE_JOINTS))
    gripper.update(1.0, positions, still, still, commands)
    assert np.all(commands[gripper.indices] < 0.02)  # each finger commanded inside the object


def test_twin_the_old_rule_target_equals_measured_stops_the_squeeze() -> None:
    gripper, positions = squeezing(stalled=True)
    before = gripper.target
    old_rule_target = float(positions[gripper.indices].sum())
    assert not squeeze_kept(before, old_rule_target, measured=0.04)


def test_estop_while_the_jaws_open_stops_them_where_they_are() -> None:
    gripper = make_gripper()
    goal = gripper.accept(0.08, 20.0, now=0.0)
    positions = jaws(gripper, 0.02)  # on their way to 0.08
    gripper.halt(positions, GripperErrorCode.ESTOPPED, "e-stop engaged")
    assert goal.error_code == GripperErrorCode.ESTOPPED
    assert gripper.target == pytest.approx(0.02)
    commands = np.zeros(len(HARDWARE_JOINTS))
    still = np.zeros(len(HARDWARE_JOINTS))
    gripper.update(0.1, positions, still, still, commands)
    assert commands[gripper.indices] == pytest.approx([0.01, 0.01])


def test_twin_without_the_estop_the_opening_jaws_keep_opening() -> None:
    gripper = make_gripper()
    gripper.accept(0.08, 20.0, now=0.0)
    commands = np.zeros(len(HARDWARE_JOINTS))
    moving = np.zeros(len(HARDWARE_JOINTS))
    moving[gripper.indices] = 0.1
    gripper.update(0.1, jaws(gripper, 0.02), moving, moving, commands)
    assert commands[gripper.indices] == pytest.approx([0.04, 0.04])


def test_estop_while_the_simulated_jaws_open_holds_them_at_the_measured_opening() -> None:
    manager = make_manager()
    gripper = manager.gripper_controllers[RIGHT_GRIPPER]
    manager.grip(RIGHT_GRIPPER, 0.08, 20.0)
    run_cycles(manager, 2)  # about a quarter of the way
    manager.engage_estop()
    measured = float(manager.state.positions[gripper.indices].sum())
    assert 0.005 < measured < 0.07
    assert gripper.target == pytest.approx(measured)
    assert manager.commands[gripper.indices] == pytest.approx([measured / 2] * 2)
    run_cycles(manager, 50)
    opening = float(manager.hardware.read().positions[gripper.indices].sum())
    assert opening == pytest.approx(measured, abs=0.002)


# -- the stopped rule: a goal succeeds only once its joints have stopped --------------------------
GOAL = {"right_shoulder_pitch": -0.5, "right_elbow": -1.0}
MOVING = 0.2  # rad/s, above stopped_velocity_tolerance (0.05)
STOPPED = 0.04  # rad/s, below it


def following() -> JointTrajectoryController:
    """The arm's controller over synthetic arrays, following GOAL (last point at t = 1 s)."""
    config = CONTROLLERS.controllers[JTC]
    assert isinstance(config, TrajectoryControllerConfig)
    jtc = JointTrajectoryController(JTC, config, [HARDWARE_JOINTS.index(j) for j in config.joints])
    start = np.zeros(len(HARDWARE_JOINTS))
    jtc.start(start)
    names = list(GOAL)
    points = [TrajectoryPoint(1.0, tuple(GOAL.values()))]
    limits = load_model("aurora_h1").urdf.limits
    starts = dict.fromkeys(names, 0.0)
    jtc.accept(validate_trajectory(names, points, config.joints, limits, starts), 0.0, start)
    return jtc


def arrive(jtc: JointTrajectoryController, now: float, elbow_speed: float) -> np.ndarray:
    """One cycle at ``now`` with the goal's joints within tolerance; returns the commands.

    The elbow is 0.01 rad off its goal (tolerance 0.02) and moves at ``elbow_speed``; a joint
    outside the goal (left_knee) swings fast, which must not matter.
    """
    positions = np.zeros(len(HARDWARE_JOINTS))
    velocities = np.zeros(len(HARDWARE_JOINTS))
    for name, value in GOAL.items():
        positions[HARDWARE_JOINTS.index(name)] = value
    positions[HARDWARE_JOINTS.index("right_elbow")] += 0.01
    velocities[HARDWARE_JOINTS.index("right_elbow")] = elbow_speed
    velocities[HARDWARE_JOINTS.index("left_knee")] = 2.0
    commands = np.zeros(len(HARDWARE_JOINTS))
    jtc.update(now, positions, velocities, commands)
    return commands


def test_a_goal_within_tolerance_but_still_moving_does_not_succeed_until_it_stops() -> None:
    jtc = following()
    goal = jtc.active
    assert goal is not None
    for k in range(40):  # most of the goal_time of 0.5 s after the last point, still moving
        commands = arrive(jtc, 1.0 + k * 0.01, MOVING)
        assert not goal.done.is_set(), f"succeeded while moving, {k * 0.01:.2f} s after the end"
        assert commands[HARDWARE_JOINTS.index("right_elbow")] == pytest.approx(-1.0)
    # Stopped: success once the velocity averaged over STOPPED_WINDOW_S is below tolerance.
    for k in range(int(STOPPED_WINDOW_S / 0.01) + 1):
        arrive(jtc, 1.4 + k * 0.01, STOPPED)
    assert goal.state == GoalState.SUCCEEDED
    assert goal.error_code == TrajectoryErrorCode.SUCCESSFUL


def test_a_servo_chattering_around_its_goal_counts_as_stopped() -> None:
    # A stiff servo at rest can read +-0.17 rad/s cycle to cycle (1e-4 rad apart): not motion.
    jtc = following()
    goal = jtc.active
    assert goal is not None
    for k in range(int(STOPPED_WINDOW_S / 0.01) + 1):
        arrive(jtc, 1.0 + k * 0.01, MOVING if k % 2 else -MOVING)
    assert goal.state == GoalState.SUCCEEDED


def test_twin_a_goal_within_tolerance_and_stopped_succeeds_at_its_last_point() -> None:
    jtc = following()
    goal = jtc.active
    assert goal is not None
    arrive(jtc, 1.0, STOPPED)
    assert goal.state == GoalState.SUCCEEDED


def test_a_goal_still_moving_goal_time_after_its_last_point_ends_goal_tolerance_violated() -> None:
    jtc = following()
    goal = jtc.active
    assert goal is not None
    for k in range(52):
        arrive(jtc, 1.0 + k * 0.01, MOVING)
    assert goal.state == GoalState.ABORTED
    assert goal.error_code == TrajectoryErrorCode.GOAL_TOLERANCE_VIOLATED
    assert "right_elbow was still moving at 0.200/s" in goal.reason
    assert "stopped_velocity_tolerance 0.050" in goal.reason
    assert "right_shoulder_pitch" not in goal.reason and "left_knee" not in goal.reason
    assert jtc.active is None


# -- hand controllers from model.yaml: any hand, one command ------------------------------------
def hand_controller_data(hand: str, joints: list[str]) -> dict[str, object]:
    return {
        "controller_manager": {
            "ros__parameters": {
                "update_rate": 100,
                "hand_controller": {"type": "academy_control/HandController"},
            }
        },
        "hand_controller": {
            "ros__parameters": {
                "hand": hand,
                "joints": joints,
                "goal_tolerance": 0.003,
                "stall_velocity_threshold": 0.02,
                "stall_timeout": 0.25,
                "max_effort": 10.0,
            }
        },
    }


def test_a_hand_controller_must_name_a_hand_of_the_model_with_its_joints() -> None:
    hands = hand_joints(AURORA)
    joints = list(hands["left_gripper"])
    with pytest.raises(InvalidControllerConfigError) as unknown:
        parse_controllers(hand_controller_data("left_claw", joints), HARDWARE_JOINTS, "c", hands)
    assert "hand: 'left_claw': not a hand of the model; hands: left_gripper, right_gripper" in str(
        unknown.value
    )
    with pytest.raises(InvalidControllerConfigError) as wrong:
        parse_controllers(
            hand_controller_data("left_gripper", joints[:1]), HARDWARE_JOINTS, "c", hands
        )
    assert "must be the driven joints of hand 'left_gripper'" in str(wrong.value)
    # The twin: the hand with its own joints is accepted.
    parse_controllers(hand_controller_data("left_gripper", joints), HARDWARE_JOINTS, "c", hands)


def test_a_multi_finger_hand_moves_every_joint_along_its_synergy() -> None:
    g1 = load_model("unitree_g1")
    hand = g1.hands["left_hand"]
    joints = tuple(g1.urdf.actuated_joints)
    data = hand_controller_data("left_hand", list(hand.joints))
    config = parse_controllers(data, joints, "c", hand_joints(g1)).controllers["hand_controller"]
    assert isinstance(config, HandControllerConfig)
    controller = HandController("hand", config, [joints.index(j) for j in hand.joints], hand)
    opened, closed = hand.open_array, hand.closed_array
    commands, still = np.zeros(len(joints)), np.zeros(len(joints))
    controller.accept(hand.max_opening / 2, 0.0, now=0.0)
    controller.update(0.0, still, still, still, commands)
    assert commands[controller.indices] == pytest.approx(opened + 0.5 * (closed - opened))
    # Read back, the half-way posture measures half the opening; fully closed measures 0.
    positions = np.zeros(len(joints))
    positions[controller.indices] = commands[controller.indices]
    assert controller.opening(positions) == pytest.approx(hand.max_opening / 2)
    positions[controller.indices] = closed
    assert controller.opening(positions) == pytest.approx(0.0)
    # The twin: a command to close fully drives every joint to its closed limit.
    controller.accept(0.0, 0.0, now=0.1)
    controller.update(0.1, still, still, still, commands)
    assert commands[controller.indices] == pytest.approx(closed)


# -- the path rule: a joint one cycle behind its commands is on its path -------------------------
def lagging(cycles: float) -> TrajectoryGoal:
    """GOAL at 1 rad/s on the elbow in 0.3 s cycles, the elbow ``cycles`` periods behind."""
    jtc = following()
    goal = jtc.active
    assert goal is not None
    for now in (0.3, 0.6, 0.9):
        positions = np.zeros(len(HARDWARE_JOINTS))
        for name, value in GOAL.items():  # the trajectory's position ``cycles`` periods ago
            positions[HARDWARE_JOINTS.index(name)] = value * max(0.0, now - 0.3 * cycles)
        jtc.update(now, positions, np.zeros(len(HARDWARE_JOINTS)), np.zeros(len(HARDWARE_JOINTS)))
    return goal


def test_a_joint_one_control_period_behind_its_command_is_on_its_path() -> None:
    # 0.3 rad behind at 1 rad/s, past a path tolerance of 0.25: a slow loop's latency.
    goal = lagging(1.0)
    assert goal.error_code != TrajectoryErrorCode.PATH_TOLERANCE_VIOLATED, goal.reason


def test_twin_a_joint_two_control_periods_behind_violates_its_path_tolerance() -> None:
    goal = lagging(2.0)
    assert goal.error_code == TrajectoryErrorCode.PATH_TOLERANCE_VIOLATED
    assert "right_elbow" in goal.reason
