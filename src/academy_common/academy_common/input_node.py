"""High-rate inputs of a node, off its own executor, on a sibling node.

rclpy's Python executors rebuild their wait set from every entity of their nodes at each
wake-up, and a ``MultiThreadedExecutor`` hands a ready subscription to its thread pool and goes
back to waiting before the pool has taken the message, so it spins again. With 100 Hz
``joint_states`` and ``/clock`` that was ~1,250 wake-ups a second and one full core for an idle
skill executor (measured with py-spy: ``bench/robots_per_host.py``, docs/benchmarks.md). A node
whose blocking work (action goals waiting on other actions) needs the multi-threaded executor
therefore takes its high-rate topics on a sibling node ``<name>_inputs`` in the same namespace
and context, in one of two ways:

- :class:`InputNode`: spun by rclpy's C++ ``EventsExecutor`` (no wait-set rebuild) on a thread of
  its own, or on one the caller spins with :func:`spin_events`. Its subscriptions' callbacks take
  the message only: Kilted's EventsExecutor raises ``SystemError`` on a callback that also takes
  the ``MessageInfo``. Action and service clients work on it. Its ``spin()`` holds the GIL while
  it waits (every other thread of the process stops), so it is spun with ``spin_once`` in a loop.
  With ``use_sim_time`` the sibling also takes over the parent's ``/clock`` subscription (after
  the parent's remappings, e.g. ``/robot_1/clock``): the parent's clock follows it, so the
  parent's executor never wakes for the clock either.
- :class:`PolledInputs`: subscriptions that no executor waits on; a thread of its own takes
  everything they hold every ``period`` seconds, with each message's ``MessageInfo`` (sequence
  numbers, receive times), oldest first. One wake-up serves every message of the period; the
  subscriptions' history depth must hold a period's messages and more (a message overwritten in
  it shows as a gap in the publisher's sequence numbers: counted, never silent).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from rclpy.clock import ROSClock
from rclpy.event_handler import SubscriptionEventCallbacks
from rclpy.executors import Executor
from rclpy.experimental.events_executor import EventsExecutor
from rclpy.node import Node
from rclpy.parameter import Parameter
from rclpy.qos import QoSProfile
from rclpy.subscription import Subscription

#: Seconds an events executor waits per ``spin_once`` before it checks whether to stop.
SPIN_SLICE_S = 0.1


#: Event callbacks for an input's subscription: none of rclpy's default QoS-event handlers (two
#: waitables per subscription, visited at every wake-up). The inputs are the node's own
#: topics with fixed QoS, checked by the tests: an incompatibility is a bug, not a field event.
def quiet_events() -> SubscriptionEventCallbacks:
    """Subscription event callbacks without rclpy's default handlers."""
    return SubscriptionEventCallbacks(use_default_callbacks=False)


def input_executor(context: Any = None) -> Executor:
    """An executor for :class:`InputNode` siblings (rclpy's C++ EventsExecutor)."""
    return EventsExecutor(context=context)


def spin_events(executor: Executor, stopping: threading.Event) -> None:
    """Spin an :func:`input_executor` until ``stopping`` is set or its context shuts down (in
    slices: its ``spin()`` would hold the GIL)."""
    context = executor.context
    while not stopping.is_set() and context.ok():
        executor.spin_once(SPIN_SLICE_S)


def sibling_node(parent: Node, use_sim_time: bool = False) -> Node:
    """``<parent>_inputs`` in the parent's namespace and context, with its ``/clock`` remapping,
    without parameter services (the parent serves them)."""
    clock_topic = parent.resolve_topic_name("/clock")  # with the parent's remappings
    return Node(
        f"{parent.get_name()}_inputs",
        namespace=parent.get_namespace(),
        context=parent.context,
        use_global_arguments=False,  # not the parent's __node remap or parameters file
        cli_args=["--ros-args", "-r", f"/clock:={clock_topic}"],
        parameter_overrides=[Parameter("use_sim_time", value=use_sim_time)],
        start_parameter_services=False,
    )


class InputNode:
    """A sibling of ``parent`` for high-rate subscriptions and clients, on an events executor."""

    def __init__(self, parent: Node, executor: Executor | None = None) -> None:
        """``executor``: an :func:`input_executor` spun by the caller with :func:`spin_events`
        (default: one of its own, on its own thread, from :meth:`start`)."""
        use_sim_time = bool(parent.get_parameter("use_sim_time").value)
        self.node = sibling_node(parent, use_sim_time)
        clock = parent.get_clock()
        if use_sim_time and isinstance(clock, ROSClock):
            # rclpy offers no public handle on a node's time source: the parent's stops
            # subscribing to /clock and its clock follows the sibling's.
            parent._time_source.detach_node()
            self.node._time_source.attach_clock(clock)
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        if executor is not None:
            self._executor: Executor = executor
            executor.add_node(self.node)
            return
        self._executor = input_executor(parent.context)
        self._executor.add_node(self.node)
        self._thread = threading.Thread(
            target=self._spin, name=f"{parent.get_name()}_inputs", daemon=True
        )

    def start(self) -> None:
        """Start spinning its own executor, once every subscription and client is on the
        sibling: rclpy's ``ActionClient`` adds itself to the node before it has its lock, so an
        executor already spinning can visit a half-built client (``AttributeError: _lock``)."""
        if self._thread is not None and not self._thread.is_alive():
            self._thread.start()

    def _spin(self) -> None:
        try:
            spin_events(self._executor, self._stopping)
        except Exception:  # the context was shut down under it: stopping, not a fault
            if self.node.context.ok() and not self._stopping.is_set():
                raise

    def destroy(self) -> None:
        """Stop spinning (its own executor) or leave the caller's, and destroy the sibling."""
        if self._thread is None:
            self._executor.remove_node(self.node)
        else:
            self._stopping.set()
            if self._thread.is_alive():
                self._thread.join(timeout=2.0)
            self._executor.shutdown(timeout_sec=2.0)
        self.node.destroy_node()


#: What :class:`PolledInputs` hands its callback: the subscription's key, the message (raw
#: bytes for raw subscriptions) and its ``MessageInfo`` dict.
Taken = tuple[str, Any, Any]


class PolledInputs:
    """Subscriptions on a sibling of ``parent`` that a thread of its own drains every
    ``period`` seconds, handing each message to ``on_message(key, message, info)`` in the order
    the middleware received them."""

    def __init__(
        self, parent: Node, period: float, on_message: Callable[[str, Any, dict[str, Any]], None]
    ) -> None:
        if not period > 0.0:
            raise ValueError(f"period: {period}: must be > 0 s")
        self.node = sibling_node(parent)
        self.period = period
        self._on_message = on_message
        self._subscriptions: dict[Subscription[Any], str] = {}
        self._lock = threading.Lock()  # the subscriptions, against destruction while taken
        self._draining = threading.Lock()  # one drain at a time: messages leave in order
        self._stopping = threading.Event()
        self._thread = threading.Thread(
            target=self._run, name=f"{parent.get_name()}_inputs", daemon=True
        )
        self._thread.start()

    def subscribe(
        self, msg_type: Any, topic: str, key: str, qos: QoSProfile, raw: bool = True
    ) -> Subscription[Any]:
        """Subscribe to ``topic``; its messages reach ``on_message`` under ``key``."""
        subscription = self.node.create_subscription(
            msg_type, topic, lambda msg: None, qos, raw=raw, event_callbacks=quiet_events()
        )
        with self._lock:
            self._subscriptions[subscription] = key
        return subscription

    def unsubscribe(self, subscription: Subscription[Any]) -> None:
        """Stop taking and destroy ``subscription`` (what it still held is dropped)."""
        with self._lock:
            self._subscriptions.pop(subscription, None)
            self.node.destroy_subscription(subscription)

    def drain(self) -> int:
        """Take every message the subscriptions hold now and hand them on; how many. Its own
        thread drains every period; a caller drains before it reads what arrived (a recorder
        finalising its episode)."""
        with self._draining:
            return self._drain()

    def _drain(self) -> int:
        taken: list[Taken] = []
        with self._lock:
            for subscription, key in self._subscriptions.items():
                with subscription.handle:
                    while True:
                        got = subscription.handle.take_message(
                            subscription.msg_type, subscription.raw
                        )
                        if got is None:
                            break
                        taken.append((key, got[0], got[1]))
        taken.sort(key=lambda item: item[2].get("received_timestamp") or 0)
        for key, message, info in taken:
            self._on_message(key, message, info)
        return len(taken)

    def _run(self) -> None:
        while not self._stopping.wait(self.period):
            if not self.node.context.ok():
                return
            try:
                self.drain()
            except Exception:
                if self.node.context.ok() and not self._stopping.is_set():
                    raise
                return

    def destroy(self) -> None:
        """Stop the thread and destroy the sibling (what its subscriptions still hold is
        dropped: drain first to keep it)."""
        self._stopping.set()
        self._thread.join(timeout=2.0)
        with self._lock:
            self._subscriptions.clear()
        self.node.destroy_node()
