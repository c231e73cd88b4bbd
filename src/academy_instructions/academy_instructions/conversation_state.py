"""When a trainer's utterance is finished: the rule :mod:`academy_instructions.trainer_channel`
follows (ROS-free).

An utterance is finished when

* the parser refused it or asked back (a REJECTED or CLARIFY feedback), or
* it became a skill goal that went wrong (an ERROR feedback), or ended (``GOAL_END``) and the
  robot gave its final answer ("done, lift: 1/1 succeeded": its second answer, after "on it"),
  or the channel stopped waiting for that answer (:meth:`ConversationState.stop_waiting`, a
  grace after the goal's end: the answer may come before the event, or never), or
* it became a stop, reset, cancel or progress question and every robot it addresses answered:
  the robot the instruction names or, addressed to everyone (``robot_id`` ""), each robot the
  trainer follows.

The instruction parser answers a stop, reset or cancel once per robot, a robot that did not
answer an e-stop in time included (an ERROR in its name, see
:mod:`academy_instructions.estop_round`); a later answer of the same robot changes nothing.
Feedback may arrive before the instruction it belongs to (they travel on different topics): it
is kept and counts once the instruction is known. Not thread-safe: the channel holds its lock.
"""

from __future__ import annotations

from collections.abc import Sequence

from academy_common.interface_constants import FeedbackLevel, InstructionKind


class ConversationState:
    """What the trainer heard about one utterance so far, and whether that is the end of it."""

    def __init__(self, followed_robots: Sequence[str]) -> None:
        """``followed_robots``: the robots a stop, reset or cancel for everyone must hear from."""
        self.followed_robots = tuple(followed_robots)
        self.kind: InstructionKind | None = None
        self.robot_id = ""
        self._answered: list[str] = []  # robots that answered, in order, each once
        self._answers: dict[str, int] = {}  # how many answers each robot gave
        self._stopped_waiting = False
        self._refused = False
        self._failed = False
        self._goal_ended = False

    def on_instruction(self, kind: InstructionKind, robot_id: str) -> bool:
        """The parser turned the utterance into ``kind`` for ``robot_id`` ("" = everyone).

        Returns whether the utterance is finished now.
        """
        self.kind, self.robot_id = kind, robot_id
        return self.finished

    def on_feedback(self, robot_id: str, level: FeedbackLevel) -> bool:
        """A ``/trainer/feedback`` answer from ``robot_id`` ("" = the parser itself).

        Returns whether the utterance is finished now.
        """
        if level in (FeedbackLevel.REJECTED, FeedbackLevel.CLARIFY):
            self._refused = True
        elif level == FeedbackLevel.ERROR:
            self._failed = True
        if robot_id and robot_id not in self._answered:
            self._answered.append(robot_id)
        if robot_id:
            self._answers[robot_id] = self._answers.get(robot_id, 0) + 1
        return self.finished

    def stop_waiting(self) -> bool:
        """Give up waiting for a skill's final answer (after its goal ended). Finished now?"""
        self._stopped_waiting = True
        return self.finished

    def on_goal_end(self) -> bool:
        """The skill goal the utterance caused ended. Returns whether it is finished now."""
        self._goal_ended = True
        return self.finished

    @property
    def addressed(self) -> tuple[str, ...]:
        """The robots a stop, reset or cancel waits for (() for a skill goal, which waits for
        its end, and before the instruction is known)."""
        if self.kind is None or self.kind == InstructionKind.EXECUTE_SKILL:
            return ()
        return (self.robot_id,) if self.robot_id else self.followed_robots

    @property
    def awaiting(self) -> tuple[str, ...]:
        """The addressed robots that have not answered yet."""
        return tuple(r for r in self.addressed if r not in self._answered)

    @property
    def finished(self) -> bool:
        """True once nothing more is to be heard about the utterance (see the module docs)."""
        if self._refused:
            return True
        if self.kind is None:
            return False
        if self.kind == InstructionKind.EXECUTE_SKILL:
            answered = self._answers.get(self.robot_id, 0) >= 2  # "on it", then the outcome
            return self._failed or (self._goal_ended and (answered or self._stopped_waiting))
        # At least one answer even when the trainer follows no robot at all.
        return bool(self._answered) and not self.awaiting
