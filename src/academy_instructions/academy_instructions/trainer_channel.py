"""The trainer's side of the conversation: publish an utterance, follow it to its end.

Used by the scripted trainer node and by ``academy say``. An utterance is *finished* when the
parser rejected it or asked back (``/trainer/feedback``), when the skill goal it caused ended
(``GOAL_END`` on ``/<robot>/skill_events`` with its instruction id) and the robot said how it went
(or ``FINAL_ANSWER_GRACE_S`` passed without that answer), or failed (an ERROR feedback), or —
for stop, reset and cancel — when every robot it addresses answered on
``/trainer/feedback``: the robot it names or, addressed to everyone, each robot the channel
follows (``robot_ids``; so list every robot of the station). The rule is
:class:`~academy_instructions.conversation_state.ConversationState`'s.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from rclpy.node import Node

from academy_common.ids import new_id
from academy_common.interface_constants import FeedbackLevel, InstructionKind
from academy_common.qos import RELIABLE_QOS
from academy_instructions.conversation_state import ConversationState
from academy_interfaces.msg import Instruction, SkillEvent, TrainerFeedback, Utterance

#: After a skill's goal ended, how long the trainer waits for the robot's final answer (s).
FINAL_ANSWER_GRACE_S = 2.0


@dataclass
class Conversation:
    """What happened to one utterance."""

    utterance_id: str
    text: str
    state: ConversationState
    instruction: Instruction | None = None
    feedback: list[TrainerFeedback] = field(default_factory=list)
    goal_end: SkillEvent | None = None
    attempts: list[SkillEvent] = field(default_factory=list)
    finished: threading.Event = field(default_factory=threading.Event)

    @property
    def rejected(self) -> bool:
        """True if the parser refused or asked back."""
        return any(
            f.level in (TrainerFeedback.LEVEL_REJECTED, TrainerFeedback.LEVEL_CLARIFY)
            for f in self.feedback
        )

    @property
    def awaiting(self) -> tuple[str, ...]:
        """Robots whose answer to a stop, reset or cancel has not arrived yet."""
        return self.state.awaiting


class TrainerChannel:
    """Talks to the instruction parser on behalf of one trainer.

    ``robot_ids`` are the robots it follows: their skill events, and the answers a stop, reset
    or cancel for everyone waits for.
    """

    def __init__(
        self,
        node: Node,
        trainer_id: str,
        robot_ids: Sequence[str],
        on_feedback: Callable[[TrainerFeedback], None] | None = None,
    ) -> None:
        self._node = node
        self.trainer_id = trainer_id
        self.robot_ids = tuple(robot_ids)
        self._lock = threading.Lock()
        self._by_utterance: dict[str, Conversation] = {}
        self._by_instruction: dict[str, Conversation] = {}
        self._on_feedback_hook = on_feedback
        self._publisher = node.create_publisher(Utterance, "/trainer/utterance", RELIABLE_QOS)
        node.create_subscription(
            TrainerFeedback, "/trainer/feedback", self._on_feedback, RELIABLE_QOS
        )
        node.create_subscription(
            Instruction, "/trainer/instructions", self._on_instruction, RELIABLE_QOS
        )
        for robot in robot_ids:
            node.create_subscription(
                SkillEvent, f"/{robot}/skill_events", self._on_event, RELIABLE_QOS
            )

    def wait_for_listener(self, timeout: float) -> bool:
        """Wait until the instruction parser subscribes to ``/trainer/utterance``."""
        deadline = time.monotonic() + timeout
        while self._publisher.get_subscription_count() == 0:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.05)
        return True

    def say(self, text: str, source: int = Utterance.SOURCE_TEXT) -> Conversation:
        """Publish ``text`` as an utterance of this trainer."""
        msg = Utterance(
            utterance_id=new_id(),
            trainer_id=self.trainer_id,
            source=source,
            text=text,
            language="en-US",
            confidence=1.0,
        )
        msg.header.stamp = self._node.get_clock().now().to_msg()
        conversation = Conversation(msg.utterance_id, text, ConversationState(self.robot_ids))
        with self._lock:
            self._by_utterance[msg.utterance_id] = conversation
        self._publisher.publish(msg)
        return conversation

    def _on_feedback(self, msg: TrainerFeedback) -> None:
        with self._lock:
            conversation = self._by_utterance.get(msg.utterance_id)
            if conversation is None:
                return
            conversation.feedback.append(msg)
            finished = conversation.state.on_feedback(msg.robot_id, FeedbackLevel(msg.level))
        if self._on_feedback_hook is not None:
            self._on_feedback_hook(msg)  # before finishing: a caller may exit once it finished
        if finished:
            conversation.finished.set()

    def _on_instruction(self, msg: Instruction) -> None:
        with self._lock:
            conversation = self._by_utterance.get(msg.utterance_id)
            if conversation is None:
                return
            conversation.instruction = msg
            self._by_instruction[msg.instruction_id] = conversation
            # Finished already if the robots' answers came before the instruction.
            finished = conversation.state.on_instruction(InstructionKind(msg.kind), msg.robot_id)
        if finished:
            conversation.finished.set()

    def _on_event(self, msg: SkillEvent) -> None:
        finished = False
        with self._lock:
            conversation = self._by_instruction.get(msg.instruction_id)
            if conversation is None:
                return
            if msg.event == SkillEvent.ATTEMPT_END:
                conversation.attempts.append(msg)
            elif msg.event == SkillEvent.GOAL_END:
                conversation.goal_end = msg
                finished = conversation.state.on_goal_end()
                if not finished:
                    timer = threading.Timer(
                        FINAL_ANSWER_GRACE_S, self._stop_waiting, [conversation]
                    )
                    timer.daemon = True
                    timer.start()
        if finished:
            conversation.finished.set()

    def _stop_waiting(self, conversation: Conversation) -> None:
        with self._lock:
            finished = conversation.state.stop_waiting()
        if finished:
            conversation.finished.set()
