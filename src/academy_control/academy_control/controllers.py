"""Controllers: joint trajectory controller and hand controller (ROS-free cores).

Each controller owns some of the hardware's joints and, on every ``update``, writes position
commands for them. Goals (trajectories, gripper commands) are :class:`Goal` objects the ROS layer
waits on; they end exactly once with a typed code (:class:`TrajectoryErrorCode` /
:class:`GripperErrorCode`, the values of the action results) and a reason. Clients decide on the
code, never on the text: a preempted goal ends PREEMPTED, a cancelled one CANCELED, one halted by
the e-stop ESTOPPED.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass, field
from enum import Enum

import numpy as np

from academy_common.interface_constants import GripperErrorCode, TrajectoryErrorCode
from academy_control.controller_config import HandControllerConfig, TrajectoryControllerConfig
from academy_control.trajectory import Trajectory, anchored, evaluate
from academy_description.model_registry import HandSpec, closure_fraction

#: Window (s) over which measured velocities are averaged to decide that joints have stopped.
STOPPED_WINDOW_S = 0.05


class GoalState(Enum):
    """Life cycle of a controller goal."""

    ACTIVE = "active"
    SUCCEEDED = "succeeded"
    ABORTED = "aborted"


@dataclass
class Goal:
    """A goal a controller is executing; ``done`` is set once it has ended."""

    state: GoalState = GoalState.ACTIVE
    error_code: int = 0  # a TrajectoryErrorCode or GripperErrorCode value
    reason: str = ""
    done: threading.Event = field(default_factory=threading.Event)

    def finish(self, state: GoalState, error_code: int = 0, reason: str = "") -> None:
        """End the goal (only the first call counts)."""
        if self.done.is_set():
            return
        self.state, self.error_code, self.reason = state, error_code, reason
        self.done.set()


@dataclass
class TrajectoryGoal(Goal):
    """A trajectory being followed: what, since when, and from where."""

    trajectory: Trajectory | None = None
    path: Trajectory | None = None  # the trajectory anchored at the positions at acceptance
    start_time: float = 0.0
    indices: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))


@dataclass
class GripperGoal(Goal):
    """A jaw opening being reached (m) with a force limit (N per finger)."""

    width: float = 0.0
    max_effort: float = 0.0
    start_time: float = 0.0
    last_motion_time: float = 0.0
    position: float = 0.0
    effort: float = 0.0
    stalled: bool = False
    reached_goal: bool = False


class VelocityWindow:
    """|mean measured velocity| per joint over the last STOPPED_WINDOW_S: the "stopped" and
    "stalled" rules' speed. A stiff servo holding its goal, or fingers squeezing an object,
    chatter at the control rate (e.g. +-0.17 rad/s around a still wrist), which is not motion."""

    def __init__(self) -> None:
        self._recent: deque[tuple[float, np.ndarray]] = deque()

    def clear(self) -> None:
        self._recent.clear()

    def mean_speed(self, now: float, velocities: np.ndarray) -> np.ndarray:
        self._recent.append((now, velocities.copy()))
        while now - self._recent[0][0] > STOPPED_WINDOW_S:
            self._recent.popleft()
        return np.asarray(np.abs(np.mean([v for _, v in self._recent], axis=0)))


class JointTrajectoryController:
    """Follows joint trajectories on its joints; holds position when it has none.

    ``joint_indices`` map the controller's joints into the hardware's joint arrays.
    """

    def __init__(
        self, name: str, config: TrajectoryControllerConfig, joint_indices: list[int]
    ) -> None:
        self.name = name
        self.config = config
        self.joints = config.joints
        self.indices = np.array(joint_indices, dtype=int)
        self.hold = np.zeros(len(self.joints))
        self.active: TrajectoryGoal | None = None
        self.path_tolerance = np.array([config.tolerances(j).trajectory for j in self.joints])
        self.goal_tolerance = np.array([config.tolerances(j).goal for j in self.joints])
        self.desired = np.zeros(len(self.joints))
        self._window = VelocityWindow()

    def start(self, positions: np.ndarray) -> None:
        """Activate: hold the joints where they are."""
        self.hold = positions[self.indices].copy()
        self.desired = self.hold.copy()

    def accept(self, trajectory: Trajectory, now: float, positions: np.ndarray) -> TrajectoryGoal:
        """Start following ``trajectory`` (already validated), preempting the active goal."""
        local = np.array([self.joints.index(n) for n in trajectory.joint_names], dtype=int)
        goal = TrajectoryGoal(
            trajectory=trajectory,
            path=anchored(trajectory, self.desired[local].copy()),
            start_time=now,
            indices=local,
        )
        if self.active is not None:
            self.active.finish(
                GoalState.ABORTED, TrajectoryErrorCode.PREEMPTED, "preempted by a newer trajectory"
            )
        # Joints the new goal leaves out hold where they are being commanded now.
        self.hold = self.desired.copy()
        self.active = goal
        self._window.clear()
        return goal

    def halt(self, positions: np.ndarray, code: TrajectoryErrorCode, reason: str) -> None:
        """End the active goal with ``code`` and ``reason``; hold the measured positions."""
        if self.active is not None:
            self.active.finish(GoalState.ABORTED, code, reason)
            self.active = None
        self.hold = positions[self.indices].copy()
        self.desired = self.hold.copy()

    def update(
        self, now: float, positions: np.ndarray, velocities: np.ndarray, commands: np.ndarray
    ) -> None:
        """Write this cycle's position commands; advance and judge the active goal.

        A goal succeeds once, after its last point, every joint is within its goal tolerance
        *and* has stopped (speed <= ``stopped_velocity_tolerance``); if that has not happened
        ``goal_time`` s after the last point it ends GOAL_TOLERANCE_VIOLATED. The speed is the
        measured velocity averaged over the last ``STOPPED_WINDOW_S``: a stiff servo holding its
        goal chatters at the control rate (e.g. +-0.17 rad/s around a still wrist, 1e-4 rad
        apart), which is not motion. The path tolerance bounds the measured position's
        distance from the commands between the previous cycle's and this one's.
        """
        actual = positions[self.indices]
        desired = self.hold.copy()
        goal = self.active
        if goal is not None and goal.trajectory is not None and goal.path is not None:
            elapsed = now - goal.start_time
            sampled, _ = evaluate(goal.path, elapsed)
            desired[goal.indices] = sampled
            # A joint between the command it was given a cycle ago and this cycle's is on its
            # path: the period's own motion is the loop's latency, not a tracking error (0.26
            # rad of a 2.6 rad/s wrist in a 10 Hz kinematic loop).
            low, high = np.minimum(self.desired, desired), np.maximum(self.desired, desired)
            error = np.maximum(np.maximum(low - actual, actual - high), 0.0)[goal.indices]
            path_tol = self.path_tolerance[goal.indices]
            checked = path_tol > 0
            if np.any(checked & (error > path_tol)):
                worst = int(np.argmax(np.where(checked, error - path_tol, -np.inf)))
                joint = goal.trajectory.joint_names[worst]
                self.active = None  # finished below with the violation, not by halt()
                self.halt(positions, TrajectoryErrorCode.PATH_TOLERANCE_VIOLATED, "")
                goal.finish(
                    GoalState.ABORTED,
                    TrajectoryErrorCode.PATH_TOLERANCE_VIOLATED,
                    f"{joint} is {error[worst]:.3f} from its desired position "
                    f"(path tolerance {path_tol[worst]:.3f})",
                )
                commands[self.indices] = self.hold
                return
            if elapsed >= goal.trajectory.duration:
                goal_error = np.abs(goal.trajectory.goal - actual[goal.indices])
                within = goal_error <= self.goal_tolerance[goal.indices]
                speed = self._window.mean_speed(now, velocities[self.indices])[goal.indices]
                stopped_tolerance = self.config.constraints.stopped_velocity_tolerance
                stopped = speed <= stopped_tolerance
                if np.all(within) and np.all(stopped):
                    goal.finish(GoalState.SUCCEEDED)
                    self.hold = desired.copy()
                    self.active = None
                elif elapsed > goal.trajectory.duration + self.config.constraints.goal_time:
                    names = goal.trajectory.joint_names
                    late = self.config.constraints.goal_time
                    if not np.all(within):
                        worst = int(np.argmax(goal_error - self.goal_tolerance[goal.indices]))
                        reason = (
                            f"{names[worst]} ended {goal_error[worst]:.3f} from its goal "
                            f"(tolerance {self.goal_tolerance[goal.indices][worst]:.3f}) "
                            f"{late:.2f} s after the last point"
                        )
                    else:
                        worst = int(np.argmax(speed))
                        reason = (
                            f"{names[worst]} was still moving at {speed[worst]:.3f}/s "
                            f"(stopped_velocity_tolerance {stopped_tolerance:.3f}) "
                            f"{late:.2f} s after the last point"
                        )
                    goal.finish(
                        GoalState.ABORTED, TrajectoryErrorCode.GOAL_TOLERANCE_VIOLATED, reason
                    )
                    self.hold = desired.copy()
                    self.active = None
        self.desired = desired
        commands[self.indices] = desired


class HandController:
    """Drives a hand or gripper to an opening, with a force limit; detects stalls.

    The opening (m) maps onto the hand's closure (0 open .. 1 closed) and every driven joint
    moves to ``open + closure * (closed - open)``: two prismatic jaws, one revolute gripper joint
    or a multi-finger hand's synergy take the same command. The measured opening is the same
    mapping read back (:func:`academy_description.model_registry.closure_fraction`).
    """

    def __init__(
        self,
        name: str,
        config: HandControllerConfig,
        joint_indices: list[int],
        hand: HandSpec,
    ) -> None:
        self.name = name
        self.config = config
        self.joints = config.joints
        self.indices = np.array(joint_indices, dtype=int)
        self.hand = hand
        self.max_opening = hand.max_opening
        self._open = hand.open_array
        self._closed = hand.closed_array
        self.target = 0.0  # m of opening
        self.active: GripperGoal | None = None
        self._window = VelocityWindow()

    def opening(self, positions: np.ndarray) -> float:
        """The opening (m) the joints ``positions`` (hardware order) give."""
        closure = closure_fraction(positions[self.indices], self._open, self._closed)
        return self.max_opening * (1.0 - closure)

    def command_positions(self) -> np.ndarray:
        """Joint position commands for the target opening."""
        closure = self.hand.closure_for(self.target)
        return np.asarray(self._open + closure * (self._closed - self._open))

    def start(self, positions: np.ndarray) -> None:
        """Activate: hold the current opening."""
        self.target = self.opening(positions)

    def accept(self, width: float, max_effort: float, now: float) -> GripperGoal:
        """Move to ``width`` m with at most ``max_effort`` N (N.m) per joint (<= 0: default)."""
        effort = max_effort if max_effort > 0 else self.config.max_effort
        goal = GripperGoal(
            width=min(max(width, 0.0), self.max_opening),
            max_effort=effort,
            start_time=now,
            last_motion_time=now,
        )
        if self.active is not None:
            self.active.finish(
                GoalState.ABORTED,
                GripperErrorCode.PREEMPTED,
                "preempted by a newer gripper command",
            )
        self.active = goal
        self.target = goal.width
        self._window.clear()
        return goal

    def halt(self, positions: np.ndarray, code: GripperErrorCode, reason: str) -> None:
        """End the active goal with ``code``; stop opening, but keep holding what is held.

        A hand that was opening stops where it is. A hand closing on (or squeezing) an object
        keeps its target, so the force limit keeps pressing: a stopped robot must not drop what
        it holds (setting the target to the measured opening would drop the squeeze to ~0).
        """
        if self.active is not None:
            self.active.finish(GoalState.ABORTED, code, reason)
            self.active = None
        self.target = min(self.target, self.opening(positions))

    def update(
        self,
        now: float,
        positions: np.ndarray,
        velocities: np.ndarray,
        efforts: np.ndarray,
        commands: np.ndarray,
    ) -> None:
        """Command the joints to the target opening; judge the active goal."""
        commands[self.indices] = self.command_positions()
        goal = self.active
        if goal is None:
            return
        opening = self.opening(positions)
        speed = float(self._window.mean_speed(now, velocities[self.indices]).max())
        goal.position = opening
        goal.effort = float(np.abs(efforts[self.indices]).mean())
        if abs(opening - goal.width) <= self.config.goal_tolerance:
            goal.reached_goal = True
            goal.finish(GoalState.SUCCEEDED)
            self.active = None
            return
        if speed > self.config.stall_velocity_threshold:
            goal.last_motion_time = now
        elif now - goal.last_motion_time >= self.config.stall_timeout:
            goal.stalled = True
            goal.finish(GoalState.SUCCEEDED)  # a stall on an object is a normal grasp ending
            self.active = None
