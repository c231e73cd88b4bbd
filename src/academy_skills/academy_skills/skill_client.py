"""Typed Python client for a robot's ``execute_skill`` action (nav2_simple_commander style).

Hides the action plumbing: ``SkillClient(node, "robot_1").execute("wait", {"duration": 0.5})``
blocks until the result and returns a :class:`SkillGoalResult` whose outcome is an Enum. The node
must be spun by an executor in another thread (e.g. ``MultiThreadedExecutor`` in a background
thread) while ``execute`` blocks.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from rclpy.action.client import ActionClient
from rclpy.callback_groups import ReentrantCallbackGroup
from rclpy.node import Node
from rclpy.task import Future

from academy_common.futures import wait_for_future
from academy_interfaces.action import ExecuteSkill
from academy_skills.errors import SkillsError
from academy_skills.ros_conversions import parameters_to_msg
from academy_skills.skill_library import ParamValue, SkillOutcome

T = TypeVar("T")


class SkillClientError(SkillsError):
    """The action server is unreachable or did not answer in time."""


@dataclass(frozen=True)
class SkillGoalResult:
    """What the executor answered for one goal."""

    accepted: bool
    outcome: SkillOutcome
    reason: str
    attempts: int = 0
    successes: int = 0
    duration: float = 0.0
    metrics: dict[str, tuple[float, str]] = field(default_factory=dict)


FeedbackCallback = Callable[[ExecuteSkill.Feedback], None]
ExecuteSkillClient = ActionClient[ExecuteSkill.Goal, ExecuteSkill.Result, ExecuteSkill.Feedback]


def action_name(robot_id: str) -> str:
    """Fully qualified ``execute_skill`` name of robot ``robot_id`` ("" = caller's namespace)."""
    return f"/{robot_id}/execute_skill" if robot_id else "execute_skill"


class SkillClient:
    """Blocking client for one robot's ``execute_skill`` action."""

    def __init__(self, node: Node, robot_id: str = "") -> None:
        self.robot_id = robot_id
        self._client: ExecuteSkillClient = ActionClient(
            node, ExecuteSkill, action_name(robot_id), callback_group=ReentrantCallbackGroup()
        )

    def wait_for_server(self, timeout: float) -> None:
        """Wait until the server is discovered.

        Raises:
            SkillClientError: after ``timeout`` seconds, naming the action.
        """
        if not self._client.wait_for_server(timeout_sec=timeout):
            raise SkillClientError(
                f"no ExecuteSkill server on '{action_name(self.robot_id)}' after {timeout:g} s "
                "(is the robot's skill_executor running, in the same ROS_DOMAIN_ID?)"
            )

    def execute(
        self,
        skill: str,
        parameters: Mapping[str, ParamValue] | None = None,
        repetitions: int = 1,
        *,
        instruction_id: str = "",
        timeout: float = 600.0,
        on_feedback: FeedbackCallback | None = None,
    ) -> SkillGoalResult:
        """Send a goal and block until its result (or ``timeout`` seconds).

        Raises:
            SkillClientError: when no answer arrives in time.
        """
        goal = ExecuteSkill.Goal(
            skill=skill,
            parameters=parameters_to_msg(parameters or {}),
            repetitions=repetitions,
            instruction_id=instruction_id,
        )
        feedback = None
        if on_feedback is not None:
            callback = on_feedback

            def feedback(msg: ExecuteSkill.Impl.FeedbackMessage) -> None:
                callback(msg.feedback)

        handle = _wait(self._client.send_goal_async(goal, feedback_callback=feedback), timeout)
        if not handle.accepted:
            return SkillGoalResult(False, SkillOutcome.REJECTED, "goal rejected by the server")
        response = _wait(handle.get_result_async(), timeout)
        result: ExecuteSkill.Result = response.result
        return SkillGoalResult(
            accepted=True,
            outcome=SkillOutcome(result.outcome.value),
            reason=result.reason,
            attempts=result.attempts,
            successes=result.successes,
            duration=result.duration.sec + result.duration.nanosec * 1e-9,
            metrics={m.name: (m.value, m.unit) for m in result.metrics},
        )

    def destroy(self) -> None:
        """Release the action client."""
        self._client.destroy()


def _wait(future: Future[T], timeout: float) -> T:
    try:
        return wait_for_future(future, timeout)
    except TimeoutError:
        raise SkillClientError(f"no answer from the skill executor within {timeout:g} s") from None
