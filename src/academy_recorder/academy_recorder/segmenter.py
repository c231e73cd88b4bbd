"""Episode segmentation and loss accounting of the recorder, free of ROS (the node is glue).

Events in, decisions out: the node feeds every received message (:meth:`Segmenter.sample`),
skill event (:meth:`Segmenter.event`) and instruction (:meth:`Segmenter.instruction`), plus a
periodic :meth:`Segmenter.tick`; it carries out the returned :data:`Decision` s (open a bag,
write a message, close the episode with its counts, report a missed start or a loss).

Which messages belong to an episode
    The episode's window is ``[ATTEMPT_START, ATTEMPT_END]`` in *publication* time: the DDS
    source timestamps of the two events, compared with each message's source timestamp (the
    receive time where the middleware gives none). Every message published inside the window is
    written, whatever order the topics arrive in: a message received before its ``ATTEMPT_START``
    (topics are not ordered across publishers) is kept back for :attr:`Segmenter.grace_ns` and
    moved into the episode when the start arrives; a message published before ``ATTEMPT_END`` but
    received after it is still written, because the episode stays open (*closing*) after its end
    until every publisher that wrote into it has shown a message published after the end, or for
    at most :attr:`Segmenter.grace_ns` of receive time.

Loss accounting (QUALITY.md reliability 5)
    Each publisher (topic + publisher GID) numbers its samples 1, 2, 3, ... (the DDS publication
    sequence number). The recorder tracks those numbers continuously for as long as it runs, never
    restarting at an episode boundary, and gives every number exactly one fate: received in an
    episode (written), lost in an episode, received between episodes, or lost between episodes.
    A run of lost numbers lies between two received messages and is attributed

    * to the episode if either of its neighbours belongs to the episode (a loss touching the
      window counts against it: an episode's loss is never under-reported), including a tail
      loss revealed by the first message published after ``ATTEMPT_END`` while the episode is
      closing;
    * otherwise to "between episodes" (:attr:`Segmenter.between`), reported as a
      :class:`LossOutsideEpisodes` decision: never silent.

    Hence, per episode, topic and publisher: **published := the sequence numbers attributed to
    the episode = written + lost**, from ``first_seq`` to ``last_seq`` without a hole. When no
    loss straddles a window boundary (the usual case, and what the loss test arranges), this is
    exactly the number of messages the publisher sent between the two events. The first message
    ever seen from a publisher sets its baseline (what it sent before the recorder matched it is
    not a loss). Instructions are matched to an episode by id, not by window (they come on a
    transient-local topic, usually before the attempt): written = published, lost = 0.
"""

from __future__ import annotations

import enum
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from academy_recorder.episode_writer import SequenceGaps

#: Default of :attr:`Segmenter.grace_ns`: 0.2 s.
DEFAULT_GRACE_NS = 200_000_000


class EventKind(enum.Enum):
    """What a skill event means to the segmentation."""

    ATTEMPT_START = "attempt_start"
    ATTEMPT_END = "attempt_end"
    OTHER = "other"  # GOAL_ACCEPTED, PHASE_*, GOAL_END: recorded, no boundary


@dataclass(frozen=True)
class Sample:
    """One received message.

    Attributes:
        topic: fully qualified topic name.
        data: the serialised message (CDR), written as is.
        receive_ns: when the middleware received it (ns since the epoch); the bag's timestamp.
        source_ns: when the publisher wrote it (ns since the epoch); ``receive_ns`` if unknown.
        publisher: the publisher's GID (``b""`` if unknown).
        sequence: the publisher's sequence number of this message (None if not numbered).
    """

    topic: str
    data: bytes
    receive_ns: int
    source_ns: int
    publisher: bytes = b""
    sequence: int | None = None


@dataclass(frozen=True)
class AttemptEvent:
    """The parts of a ``SkillEvent`` the segmentation needs.

    Attributes:
        message: the node's own object for the event (e.g. the deserialised SkillEvent), handed
            back untouched in :class:`OpenEpisode` / :class:`CloseEpisode`.
        phase: for ATTEMPT_END, the phase in which the attempt ended early ("" if it did not).
        outcome: for ATTEMPT_END, the SkillOutcome name.
    """

    kind: EventKind
    goal_id: str
    instruction_id: str = ""
    skill: str = ""
    repetition: int = 0
    phase: str = ""
    outcome: str = "UNKNOWN"
    reason: str = ""
    message: Any = None


@dataclass
class Tally:
    """Sequence numbers of one publisher on one topic given to one segment.

    Attributes:
        received: messages received (in an episode: written into its bag).
        lost: numbers never received.
        first_seq: lowest number given to the segment (received or lost); None if unnumbered.
        last_seq: highest number given to the segment.
    """

    received: int = 0
    lost: int = 0
    first_seq: int | None = None
    last_seq: int | None = None

    @property
    def published(self) -> int:
        """``received + lost``: what the publisher sent in this segment (see the module docs)."""
        return self.received + self.lost

    def cover(self, low: int, high: int) -> None:
        """Extend ``first_seq``/``last_seq`` over the numbers ``low..high``."""
        self.first_seq = low if self.first_seq is None else min(self.first_seq, low)
        self.last_seq = high if self.last_seq is None else max(self.last_seq, high)


@dataclass
class TopicTally:
    """One topic's tallies, per publisher (GID)."""

    publishers: dict[bytes, Tally] = field(default_factory=dict)

    def of(self, publisher: bytes) -> Tally:
        """The tally of ``publisher`` (created empty)."""
        return self.publishers.setdefault(publisher, Tally())

    @property
    def received(self) -> int:
        return sum(t.received for t in self.publishers.values())

    @property
    def lost(self) -> int:
        return sum(t.lost for t in self.publishers.values())

    @property
    def published(self) -> int:
        return sum(t.published for t in self.publishers.values())


@dataclass(frozen=True)
class OpenEpisode:
    """Open a bag for episode ``episode`` (an ATTEMPT_START was received at ``start_ns``)."""

    episode: int
    start: AttemptEvent
    start_ns: int


@dataclass(frozen=True)
class WriteMessage:
    """Write ``data`` on ``topic`` at ``stamp_ns`` into the bag of ``episode``."""

    episode: int
    topic: str
    stamp_ns: int
    data: bytes


@dataclass(frozen=True)
class CloseEpisode:
    """Finalise episode ``episode``.

    Attributes:
        end: its ATTEMPT_END (None when it never came).
        outcome: SkillOutcome name ("UNKNOWN" if the end was not seen).
        reason: the failure reason, or why the recording was cut short.
        ended_in_phase: the phase the attempt ended early in (ATTEMPT_END's ``phase``).
        complete: both its start and its end were received.
        interrupted: the recorder was stopped (deactivated, shut down) while the attempt ran.
        topics: per recorded topic and publisher, what was written/lost/published.
        instruction: the node's object of the episode's instruction (None if none came).
    """

    episode: int
    start: AttemptEvent
    end: AttemptEvent | None
    outcome: str
    reason: str
    ended_in_phase: str
    complete: bool
    interrupted: bool
    topics: dict[str, TopicTally]
    instruction: Any


@dataclass(frozen=True)
class MissedAttemptStart:
    """An ATTEMPT_END came whose ATTEMPT_START was never received (``missed`` so far)."""

    end: AttemptEvent
    missed: int


@dataclass(frozen=True)
class LossOutsideEpisodes:
    """``lost`` messages of ``publisher`` on ``topic`` were lost while no episode was open.

    ``after_episode`` is the episode whose end preceded the loss when the loss was revealed only
    after that episode had been finalised (its tail could not be checked within the grace time).
    """

    topic: str
    publisher: bytes
    lost: int
    after_episode: int | None


Decision = OpenEpisode | WriteMessage | CloseEpisode | MissedAttemptStart | LossOutsideEpisodes


class EpisodeState(enum.Enum):
    """Where the current episode is."""

    RECORDING = "recording"  # started, its end not received yet
    CLOSING = "closing"  # end received; waiting (bounded) for messages published before it


@dataclass
class _Episode:
    key: int
    start: AttemptEvent
    start_source_ns: int
    topics: dict[str, TopicTally]
    state: EpisodeState = EpisodeState.RECORDING
    end: AttemptEvent | None = None
    end_source_ns: int = 0
    deadline_ns: int = 0
    awaiting: set[tuple[str, bytes]] = field(default_factory=set)
    revealed: set[tuple[str, bytes]] = field(default_factory=set)
    instruction: Any = None
    instruction_written: bool = False


class Segmenter:
    """Turns one robot's received messages and skill events into episodes (see module docs).

    Args:
        topics: the data topics recorded (fully qualified names).
        events_topic: the robot's ``skill_events`` topic (recorded too).
        instructions_topic: the instructions topic (recorded too, matched by instruction id).
        grace_ns: how long messages are kept back for a start that may follow, and how long a
            closing episode waits for messages published before its end (receive time, ns).
        instruction_cache: instructions remembered for attempts that start later.
    """

    def __init__(
        self,
        topics: Iterable[str],
        events_topic: str,
        instructions_topic: str,
        grace_ns: int = DEFAULT_GRACE_NS,
        instruction_cache: int = 1000,
    ) -> None:
        self.topics = [*topics, events_topic, instructions_topic]
        self.events_topic = events_topic
        self.instructions_topic = instructions_topic
        self.grace_ns = grace_ns
        self.instruction_cache = instruction_cache
        #: What was received and lost while no episode was open, per topic and publisher.
        self.between: dict[str, TopicTally] = {t: TopicTally() for t in self.topics}
        self.attempts_missed = 0
        self.episodes_opened = 0
        self._gaps = SequenceGaps()  # the highest number of each publisher given a fate
        self._owner: dict[tuple[str, bytes], int | None] = {}  # segment of that number
        self._pending: deque[Sample] = deque()  # received with no episode open, not settled
        self._instructions: dict[str, tuple[Sample, Any]] = {}
        self._current: _Episode | None = None

    # ------------------------------------------------------------------ inputs
    @property
    def state(self) -> EpisodeState | None:
        """The current episode's state; None between episodes."""
        return None if self._current is None else self._current.state

    def sample(self, sample: Sample) -> list[Decision]:
        """A message of a recorded data topic was received."""
        decisions: list[Decision] = []
        self._receive(sample, decisions)
        return decisions

    def event(self, event: AttemptEvent, sample: Sample) -> list[Decision]:
        """A skill event (``sample`` is the message on the events topic) was received."""
        decisions: list[Decision] = []
        current = self._current
        if event.kind == EventKind.ATTEMPT_START:
            if current is not None:
                recording = current.state == EpisodeState.RECORDING
                why = "a new attempt started before this one ended" if recording else ""
                self._finish(decisions, why, False)
            self._open(event, sample, decisions)
            self._settle(sample, decisions)
            return decisions
        if event.kind == EventKind.ATTEMPT_END:
            if (
                current is not None
                and current.state == EpisodeState.RECORDING
                and current.start.goal_id == event.goal_id
            ):
                current.state = EpisodeState.CLOSING
                current.end = event
                current.end_source_ns = sample.source_ns
                current.deadline_ns = sample.receive_ns + self.grace_ns
                current.awaiting = {
                    (topic, publisher)
                    for topic, tally in current.topics.items()
                    if topic not in (self.events_topic, self.instructions_topic)
                    for publisher, counts in tally.publishers.items()
                    if counts.received
                }
                self._settle(sample, decisions)
                if not current.awaiting:
                    self._finish(decisions, "", False)
                return decisions
            if current is None or current.start.goal_id != event.goal_id:
                # Its ATTEMPT_START never arrived (the recorder was not listening yet): a
                # missing episode must never go unnoticed.
                self.attempts_missed += 1
                decisions.append(MissedAttemptStart(event, self.attempts_missed))
        self._receive(sample, decisions)
        return decisions

    def instruction(
        self, instruction_id: str, sample: Sample, message: Any = None
    ) -> list[Decision]:
        """An instruction was received (remembered; written if its attempt is open)."""
        decisions: list[Decision] = []
        self._instructions[instruction_id] = (sample, message)
        while len(self._instructions) > self.instruction_cache:  # bounded on long sessions
            self._instructions.pop(next(iter(self._instructions)))
        current = self._current
        if current is not None and current.start.instruction_id == instruction_id:
            # It came after the attempt started (another topic: no ordering across topics).
            self._write_instruction(current, sample, message, decisions)
        return decisions

    def tick(self, now_ns: int) -> list[Decision]:
        """Time passed (call it every few tens of ms): ends a closing episode whose grace ran out,
        settles kept-back messages older than the grace time."""
        decisions: list[Decision] = []
        current = self._current
        closing = current is not None and current.state == EpisodeState.CLOSING
        if closing and current is not None and now_ns >= current.deadline_ns:
            self._finish(decisions, "", False)
        self._age_out(now_ns, decisions)
        return decisions

    def interrupt(self, why: str) -> list[Decision]:
        """The recorder stops (deactivate, shutdown): finalise what is open, settle the rest.

        An episode still recording is closed incomplete and interrupted; a closing one (its end
        was received) is closed complete.
        """
        decisions: list[Decision] = []
        if self._current is not None:
            recording = self._current.state == EpisodeState.RECORDING
            self._finish(decisions, why if recording else "", recording)
        while self._pending:
            self._settle(self._pending.popleft(), decisions)
        return decisions

    # ------------------------------------------------------------------ internals
    def _receive(self, sample: Sample, decisions: list[Decision]) -> None:
        current = self._current
        if current is None:
            self._pending.append(sample)  # a start may follow that was published before it
            self._age_out(sample.receive_ns, decisions)
            return
        if sample.source_ns < current.start_source_ns:
            self._settle(sample, decisions)  # published before the start: between episodes
            return
        if current.state == EpisodeState.RECORDING or sample.source_ns <= current.end_source_ns:
            self._settle(sample, decisions)
            return
        # Published after the end of a closing episode: it reveals the episode's tail loss.
        key = (sample.topic, sample.publisher)
        if key not in current.revealed:
            current.revealed.add(key)
            if sample.sequence is not None and sample.sequence > 0:
                before = self._gaps.last(sample.topic, sample.publisher)
                lost = self._gaps.lost_before(sample.topic, sample.publisher, sample.sequence)
                if before is not None and sample.sequence - 1 > before:
                    tally = current.topics[sample.topic].of(sample.publisher)
                    tally.lost += lost
                    tally.cover(before + 1, sample.sequence - 1)
                    self._owner[key] = current.key
            current.awaiting.discard(key)
        self._pending.append(sample)
        if not current.awaiting:
            self._finish(decisions, "", False)

    def _open(self, event: AttemptEvent, sample: Sample, decisions: list[Decision]) -> None:
        self.episodes_opened += 1
        episode = _Episode(
            self.episodes_opened,
            event,
            sample.source_ns,
            {topic: TopicTally() for topic in self.topics},
        )
        self._current = episode
        decisions.append(OpenEpisode(episode.key, event, sample.receive_ns))
        if event.instruction_id in self._instructions:
            instruction, message = self._instructions[event.instruction_id]
            self._write_instruction(episode, instruction, message, decisions)
        while self._pending:  # kept back: those published after the start are the episode's
            self._settle(self._pending.popleft(), decisions)

    def _write_instruction(
        self, episode: _Episode, sample: Sample, message: Any, decisions: list[Decision]
    ) -> None:
        if episode.instruction_written:
            return
        episode.instruction_written = True
        episode.instruction = message
        episode.topics[self.instructions_topic].of(b"").received += 1
        decisions.append(
            WriteMessage(episode.key, self.instructions_topic, sample.receive_ns, sample.data)
        )

    def _settle(self, sample: Sample, decisions: list[Decision]) -> None:
        """Give ``sample`` (and the numbers lost before it) its fate; write it if in an episode."""
        current = self._current
        in_episode = (
            current is not None
            and sample.source_ns >= current.start_source_ns
            and (
                current.state == EpisodeState.RECORDING or sample.source_ns <= current.end_source_ns
            )
        )
        owner = current.key if in_episode and current is not None else None
        key = (sample.topic, sample.publisher)
        numbered = sample.sequence is not None and sample.sequence > 0
        before = self._gaps.last(sample.topic, sample.publisher) if numbered else None
        lost = self._gaps.observe(sample.topic, sample.publisher, sample.sequence)
        if lost and before is not None:
            assert sample.sequence is not None
            previous = self._owner.get(key)
            if owner is None and current is not None and previous == current.key:
                target: int | None = current.key  # its lower neighbour is in the open episode
            else:
                target = owner
            tally = self._tally(target, sample.topic, sample.publisher)
            tally.lost += lost
            tally.cover(before + 1, sample.sequence - 1)
            if target is None:
                after = previous if previous is not None and previous != owner else None
                decisions.append(LossOutsideEpisodes(sample.topic, sample.publisher, lost, after))
        tally = self._tally(owner, sample.topic, sample.publisher)
        tally.received += 1
        if numbered:
            assert sample.sequence is not None
            tally.cover(sample.sequence, sample.sequence)
            self._owner[key] = owner
        if owner is not None:
            decisions.append(WriteMessage(owner, sample.topic, sample.receive_ns, sample.data))

    def _tally(self, owner: int | None, topic: str, publisher: bytes) -> Tally:
        if owner is None:
            return self.between.setdefault(topic, TopicTally()).of(publisher)
        assert self._current is not None and self._current.key == owner
        return self._current.topics[topic].of(publisher)

    def _age_out(self, now_ns: int, decisions: list[Decision]) -> None:
        if self._current is not None and self._current.state == EpisodeState.CLOSING:
            return  # kept back until the closing episode is done (its tail is being checked)
        while self._pending and self._pending[0].receive_ns <= now_ns - self.grace_ns:
            self._settle(self._pending.popleft(), decisions)

    def _finish(self, decisions: list[Decision], why: str, interrupted: bool) -> None:
        current = self._current
        assert current is not None
        complete = current.state == EpisodeState.CLOSING and current.end is not None
        end = current.end if complete else None
        decisions.append(
            CloseEpisode(
                episode=current.key,
                start=current.start,
                end=end,
                outcome=end.outcome if end is not None else "UNKNOWN",
                reason=end.reason if end is not None else f"recording interrupted: {why}",
                ended_in_phase=end.phase if end is not None else "",
                complete=complete,
                interrupted=interrupted,
                topics=current.topics,
                instruction=current.instruction,
            )
        )
        self._current = None
