"""A node's high-rate inputs off its executor (academy_common.input_node), over real DDS.

- PolledInputs: every message of two topics reaches the callback in the order the middleware
  received them, with its publication sequence number. Twin: a history too short for the
  drain's period loses messages, and the sequence numbers show how many.
- InputNode on rclpy's events executor: messages arrive while the publishing thread runs (the
  executor does not hold the GIL while it waits); once destroyed, nothing more arrives.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import rclpy
from rclpy.context import Context
from rclpy.node import Node
from rclpy.qos import HistoryPolicy, QoSProfile, ReliabilityPolicy
from std_msgs.msg import Int32

from academy_common.input_node import InputNode, PolledInputs
from academy_common.qos import RELIABLE_QOS

pytestmark = [pytest.mark.integration, pytest.mark.timeout(60)]

MESSAGES = 50


@contextmanager
def nodes(domain_id: int) -> Iterator[tuple[Node, Node]]:
    """A parent node and a publishing node, in one context of this test's domain."""
    context = Context()
    rclpy.init(context=context, domain_id=domain_id)
    parent = Node("parent", context=context)
    talker = Node("talker", context=context)
    try:
        yield parent, talker
    finally:
        talker.destroy_node()
        parent.destroy_node()
        rclpy.shutdown(context=context)


def wait_matched(publisher: Any, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while publisher.get_subscription_count() == 0:
        assert time.monotonic() < deadline, "the subscription never matched"
        time.sleep(0.05)


def polled(domain_id: int, qos: QoSProfile, period: float, pause: float) -> list[tuple]:
    """Publish MESSAGES on each of two topics (``pause`` s apart) to PolledInputs draining every
    ``period`` s; what reached its callback: (key, data, sequence number, received time)."""
    got: list[tuple] = []
    with nodes(domain_id) as (parent, talker):
        inputs = PolledInputs(
            parent,
            period,
            lambda key, data, info: got.append(
                (
                    key,
                    data,
                    info["publication_sequence_number"],
                    info["received_timestamp"],
                )
            ),
        )
        try:
            for topic in ("a", "b"):
                inputs.subscribe(Int32, topic, topic, qos)
            publishers = [talker.create_publisher(Int32, t, RELIABLE_QOS) for t in ("a", "b")]
            for publisher in publishers:
                wait_matched(publisher)
            for index in range(MESSAGES):
                for publisher in publishers:
                    publisher.publish(Int32(data=index))
                time.sleep(pause)
            time.sleep(3 * period)
            inputs.drain()
        finally:
            inputs.destroy()
    return got


def test_polled_inputs_take_every_message_in_arrival_order(domain_id: int) -> None:
    got = polled(domain_id, RELIABLE_QOS, period=0.02, pause=0.002)
    for topic in ("a", "b"):
        sequence = [s for key, _, s, _ in got if key == topic]
        assert len(sequence) == MESSAGES, f"{topic}: {len(sequence)} of {MESSAGES} taken"
        assert sequence == list(range(sequence[0], sequence[0] + MESSAGES)), sequence
    received = [r for *_, r in got]
    assert received == sorted(received), "not handed on in the order received"
    assert all(isinstance(data, bytes) for _, data, _, _ in got)  # raw CDR


def test_twin_a_history_shorter_than_the_period_shows_its_loss_in_sequence_numbers(
    domain_id: int,
) -> None:
    short = QoSProfile(
        history=HistoryPolicy.KEEP_LAST, depth=5, reliability=ReliabilityPolicy.RELIABLE
    )
    got = polled(domain_id, short, period=1.0, pause=0.0)
    sequence = [s for key, _, s, _ in got if key == "a"]
    assert len(sequence) < MESSAGES, "a 5-deep history kept all of a burst drained once a second"
    # A writer numbers its messages from 1: the last number says how many were published.
    assert sequence[-1] == MESSAGES, sequence
    lost = sequence[-1] - len(sequence)
    assert lost == MESSAGES - len(sequence) > 0


def test_input_node_takes_messages_while_other_threads_run(domain_id: int) -> None:
    count = {"n": 0}
    lock = threading.Lock()

    def on_message(msg: Int32) -> None:
        with lock:
            count["n"] += 1

    with nodes(domain_id) as (parent, talker):
        inputs = InputNode(parent)
        inputs.node.create_subscription(Int32, "c", on_message, RELIABLE_QOS)
        publisher = talker.create_publisher(Int32, "c", RELIABLE_QOS)
        wait_matched(publisher)
        # Not spinning before start(): the caller adds its clients first (rclpy's ActionClient
        # is visible to a spinning executor before it is fully built).
        publisher.publish(Int32(data=-1))
        time.sleep(0.3)
        assert count["n"] == 0
        inputs.start()
        deadline = time.monotonic() + 5.0
        while count["n"] < 1 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert count["n"] == 1  # the message held for it is taken once it spins
        count["n"] = 0
        started = time.monotonic()
        for index in range(MESSAGES):  # this thread needs the GIL between every publish
            publisher.publish(Int32(data=index))
            time.sleep(0.01)
        elapsed = time.monotonic() - started
        deadline = time.monotonic() + 5.0
        while count["n"] < MESSAGES and time.monotonic() < deadline:
            time.sleep(0.02)
        assert count["n"] == MESSAGES
        assert elapsed < 3.0, f"publishing {MESSAGES} messages 10 ms apart took {elapsed:.1f} s"
        inputs.destroy()
        # twin: destroyed, it takes nothing more
        for index in range(10):
            publisher.publish(Int32(data=index))
        time.sleep(0.3)
        assert count["n"] == MESSAGES
