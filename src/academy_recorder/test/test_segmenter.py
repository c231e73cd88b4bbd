"""Episode segmentation and loss accounting, events in -> decisions out (no ROS)."""

from __future__ import annotations

from typing import Any

from academy_recorder.segmenter import (
    AttemptEvent,
    CloseEpisode,
    Decision,
    EpisodeState,
    EventKind,
    LossOutsideEpisodes,
    MissedAttemptStart,
    OpenEpisode,
    Sample,
    Segmenter,
    WriteMessage,
)

JS = "/robot_1/joint_states"
EVENTS = "/robot_1/skill_events"
INSTRUCTIONS = "/trainer/instructions"
MS = 1_000_000
GRACE = 200 * MS


class Stream:
    """A segmenter fed like the node feeds it; a clock in ms; decisions collected."""

    def __init__(self) -> None:
        self.seg = Segmenter([JS], EVENTS, INSTRUCTIONS, grace_ns=GRACE)
        self.decisions: list[Decision] = []
        self.seq: dict[bytes, int] = {}
        self.event_seq = 0

    def js(
        self,
        published_ms: float,
        received_ms: float | None = None,
        pub: bytes = b"P",
        seq: int | None = None,
    ) -> None:
        number = seq if seq is not None else self.seq.get(pub, 0) + 1
        self.seq[pub] = number
        sample = Sample(
            JS,
            b"js%d" % number,
            _ns(received_ms if received_ms is not None else published_ms),
            _ns(published_ms),
            pub,
            number,
        )
        self.decisions += self.seg.sample(sample)

    def lose(self, count: int, pub: bytes = b"P") -> None:
        self.seq[pub] = self.seq.get(pub, 0) + count

    def event(
        self,
        kind: EventKind,
        published_ms: float,
        received_ms: float | None = None,
        goal: str = "g1",
        **fields: Any,
    ) -> None:
        self.event_seq += 1
        sample = Sample(
            EVENTS,
            b"ev",
            _ns(received_ms if received_ms is not None else published_ms),
            _ns(published_ms),
            b"E",
            self.event_seq,
        )
        self.decisions += self.seg.event(AttemptEvent(kind, goal, **fields), sample)

    def start(self, ms: float, received_ms: float | None = None, **fields: Any) -> None:
        self.event(EventKind.ATTEMPT_START, ms, received_ms, **fields)

    def end(self, ms: float, received_ms: float | None = None, **fields: Any) -> None:
        self.event(EventKind.ATTEMPT_END, ms, received_ms, **fields)

    def tick(self, ms: float) -> None:
        self.decisions += self.seg.tick(_ns(ms))

    def written(self, topic: str = JS) -> list[bytes]:
        return [d.data for d in self.decisions if isinstance(d, WriteMessage) and d.topic == topic]

    def closed(self) -> list[CloseEpisode]:
        return [d for d in self.decisions if isinstance(d, CloseEpisode)]


def _ns(ms: float) -> int:
    return int(ms * MS)


def _counts(close: CloseEpisode, topic: str = JS, pub: bytes = b"P") -> tuple[int, int, int]:
    tally = close.topics[topic].publishers[pub]
    return tally.received, tally.lost, tally.published


def test_an_attempt_opens_writes_and_closes_with_outcome_and_phase() -> None:
    s = Stream()
    s.js(0)
    s.start(10, instruction_id="i1", skill="lift")
    for t in (11, 12, 13):
        s.js(t)
    s.end(14, outcome="ESTOPPED", reason="e-stop", phase="close_gripper")
    s.js(15)  # published after the end: the publisher is done, the episode closes at once
    opened = [d for d in s.decisions if isinstance(d, OpenEpisode)]
    assert len(opened) == 1 and opened[0].start.skill == "lift"
    (close,) = s.closed()
    assert (close.outcome, close.reason, close.ended_in_phase) == (
        "ESTOPPED",
        "e-stop",
        "close_gripper",
    )
    assert close.complete and not close.interrupted
    assert s.written() == [b"js2", b"js3", b"js4"]  # not js1 (before) nor js5 (after)
    assert _counts(close) == (3, 0, 3)
    assert close.topics[EVENTS].received == 2  # its start and end


def test_a_loss_inside_the_episode_is_counted_per_publisher() -> None:
    s = Stream()
    s.start(0)
    s.js(1)
    s.lose(4)
    s.js(2)
    s.js(3, pub=b"Q")
    s.lose(2, pub=b"Q")
    s.js(4, pub=b"Q")
    s.end(10)
    s.js(11)
    s.js(11, pub=b"Q")
    (close,) = s.closed()
    assert _counts(close, pub=b"P") == (2, 4, 6)
    assert _counts(close, pub=b"Q") == (2, 2, 4)
    tally = close.topics[JS].publishers[b"P"]
    assert (tally.first_seq, tally.last_seq) == (1, 6)


def test_the_sequence_is_not_restarted_at_a_start_so_a_gap_across_it_is_counted() -> None:
    """The defect: restarting at ATTEMPT_START made the first gap of an episode invisible."""
    s = Stream()
    for t in range(5):
        s.js(t)  # 1..5 between episodes
    s.start(10)
    s.lose(3)  # 6, 7, 8: published (we cannot tell exactly when) and never received
    s.js(11)  # 9
    s.end(20)
    s.js(21)
    (close,) = s.closed()
    assert _counts(close) == (1, 3, 4)  # a loss touching the window counts against it
    tally = close.topics[JS].publishers[b"P"]
    assert (tally.first_seq, tally.last_seq) == (6, 9)
    s.tick(1000)  # js10 was kept back for a start that might follow; now it is settled
    assert s.seg.between[JS].publishers[b"P"].received == 5 + 1  # 1..5 and 10


def test_a_tail_loss_is_revealed_by_the_first_message_after_the_end() -> None:
    s = Stream()
    s.start(0)
    s.js(1)
    s.end(5)
    assert s.seg.state == EpisodeState.CLOSING  # waits for the publisher to show its next number
    s.lose(3)  # published before the end, never received
    s.js(6)
    (close,) = s.closed()
    assert _counts(close) == (1, 3, 4)


def test_a_message_published_before_the_end_but_received_after_it_is_written() -> None:
    """The defect: messages taken after ATTEMPT_END went missing."""
    s = Stream()
    s.start(0)
    s.js(1)
    s.end(5, received_ms=6)
    s.js(4, received_ms=7)  # overtaken by the end event on another topic
    assert not s.closed()
    s.js(8)
    (close,) = s.closed()
    assert s.written() == [b"js1", b"js2"]
    assert _counts(close) == (2, 0, 2)


def test_a_message_published_after_the_start_but_received_before_it_is_written() -> None:
    s = Stream()
    s.js(0)
    s.js(11, received_ms=11.5)  # published after the start, which arrives later
    s.start(10, received_ms=12)
    s.end(20)
    s.js(21)
    (close,) = s.closed()
    assert s.written() == [b"js2"]
    assert _counts(close) == (1, 0, 1)
    s.tick(1000)
    assert s.seg.between[JS].publishers[b"P"].received == 2  # js1 and js3


def test_the_closing_wait_is_bounded_by_the_grace_time() -> None:
    s = Stream()
    s.start(0)
    s.js(1)
    s.end(5)
    s.tick(5 + 199)
    assert not s.closed()
    s.tick(5 + 200)
    (close,) = s.closed()
    assert close.complete and _counts(close) == (1, 0, 1)
    # Its tail is checked too late now: counted between episodes and reported, never silent.
    s.lose(2)
    s.js(300)
    s.tick(600)
    (loss,) = [d for d in s.decisions if isinstance(d, LossOutsideEpisodes)]
    assert (loss.topic, loss.lost, loss.after_episode) == (JS, 2, close.episode)
    assert s.seg.between[JS].publishers[b"P"].lost == 2


def test_loss_between_episodes_is_reported_and_not_in_either_episode() -> None:
    s = Stream()
    s.start(0, goal="g1")
    s.js(1)
    s.end(2, goal="g1")
    s.js(3)  # after: closes episode 1
    s.lose(5)
    s.js(100)  # the loss lies between js3 and js100, both between episodes
    s.tick(400)
    s.start(500, goal="g2")
    s.js(501)
    s.end(502, goal="g2")
    s.js(503)
    first, second = s.closed()
    assert _counts(first) == (1, 0, 1) and _counts(second) == (1, 0, 1)
    assert s.seg.between[JS].publishers[b"P"].lost == 5
    assert any(isinstance(d, LossOutsideEpisodes) and d.lost == 5 for d in s.decisions)


def test_written_plus_lost_equals_published_over_many_episodes() -> None:
    """Every sequence number has exactly one fate: episodes + between add up to all published."""
    s = Stream()
    t = 0.0
    for episode in range(5):
        for _ in range(3):
            t += 1
            s.js(t)
        s.lose(episode)  # between episodes
        t += 1
        s.start(t, goal=f"g{episode}")
        for k in range(10):
            t += 1
            s.lose(k % 3)
            s.js(t)
        t += 1
        s.end(t, goal=f"g{episode}")
        s.lose(2)  # tail
        t += 1
        s.js(t)
    s.tick(t + 1000)
    total = s.seq[b"P"]
    episodes = sum(_counts(c)[2] for c in s.closed())
    between = s.seg.between[JS].publishers[b"P"]
    assert episodes + between.published == total
    assert len(s.closed()) == 5 and all(_counts(c)[1] > 0 for c in s.closed()[1:])


def test_an_instruction_is_written_first_or_when_it_arrives_late() -> None:
    s = Stream()
    s.decisions += s.seg.instruction("i1", Sample(INSTRUCTIONS, b"ins1", 0, 0), "msg1")
    s.start(10, instruction_id="i1")
    assert s.written(INSTRUCTIONS) == [b"ins1"]
    s.end(11)
    s.start(20, goal="g2", instruction_id="i2")
    s.decisions += s.seg.instruction(
        "i2", Sample(INSTRUCTIONS, b"ins2", _ns(21), _ns(21)), "msg2"
    )  # late: another topic, no ordering
    s.end(22, goal="g2")
    first, second = s.closed()
    assert (first.instruction, second.instruction) == ("msg1", "msg2")
    assert s.written(INSTRUCTIONS) == [b"ins1", b"ins2"]
    assert second.topics[INSTRUCTIONS].published == second.topics[INSTRUCTIONS].received == 1


def test_an_end_whose_start_was_missed_is_reported() -> None:
    s = Stream()
    s.end(5, goal="g0", repetition=3)
    (missed,) = [d for d in s.decisions if isinstance(d, MissedAttemptStart)]
    assert missed.end.repetition == 3 and missed.missed == 1
    assert not s.closed() and s.seg.attempts_missed == 1


def test_a_new_start_before_the_end_closes_the_open_episode_incomplete() -> None:
    s = Stream()
    s.start(0, goal="g1")
    s.js(1)
    s.start(2, goal="g2")
    (close,) = s.closed()
    assert not close.complete and not close.interrupted
    assert close.reason == "recording interrupted: a new attempt started before this one ended"
    assert s.seg.state == EpisodeState.RECORDING


def test_an_interruption_finalises_the_open_episode_as_interrupted() -> None:
    s = Stream()
    s.start(0)
    s.js(1)
    s.decisions += s.seg.interrupt("the recorder was deactivated")
    (close,) = s.closed()
    assert close.interrupted and not close.complete and close.outcome == "UNKNOWN"
    assert close.reason == "recording interrupted: the recorder was deactivated"
    assert _counts(close) == (1, 0, 1)
    assert s.seg.state is None


def test_unnumbered_messages_are_written_without_loss_accounting() -> None:
    s = Stream()
    s.start(0)
    s.decisions += s.seg.sample(Sample(JS, b"x", _ns(1), _ns(1), b"", None))
    s.decisions += s.seg.interrupt("stop")
    (close,) = s.closed()
    assert close.topics[JS].publishers[b""].received == 1
    assert close.topics[JS].lost == 0
