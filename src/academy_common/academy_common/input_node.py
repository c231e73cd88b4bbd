"""High-rate inputs of a node on their own single-threaded executor (a sibling node).

rclpy's ``MultiThreadedExecutor`` hands a ready subscription to its thread pool and goes back to
waiting before the pool has taken the message; the subscription is still ready, so the loop
spins again. With 100 Hz ``joint_states`` and ``/clock`` that was ~1,250 wake-ups a second and
one full core for an idle skill executor (measured with py-spy: ``bench/robots_per_host.py``,
docs/benchmarks.md). A node whose blocking work (action goals waiting on other actions) needs the
multi-threaded executor therefore subscribes to its high-rate topics through an
:class:`InputNode`: a sibling node ``<name>_inputs`` in the same namespace and context, spun by a
``SingleThreadedExecutor`` on its own thread, which takes each message before it waits again.

With ``use_sim_time`` the sibling also takes over the parent's ``/clock`` subscription (after the
parent's remappings, e.g. ``/robot_1/clock``): the parent's clock follows it, so the parent's
executor never wakes for the clock either.

A container holding several nodes of one robot may hand in the single-threaded executor that
already takes that robot's other high-rate inputs (its recorder's): one wake-up then serves both
subscribers of a message, and the container spins and stops that executor.
"""

from __future__ import annotations

import threading

from rclpy.clock import ROSClock
from rclpy.event_handler import SubscriptionEventCallbacks
from rclpy.executors import Executor, SingleThreadedExecutor
from rclpy.node import Node
from rclpy.parameter import Parameter


#: Event callbacks for an input's subscription: none of rclpy's default QoS-event handlers (two
#: waitables per subscription, visited at every wake-up). The inputs are the node's own
#: topics with fixed QoS, checked by the tests: an incompatibility is a bug, not a field event.
def quiet_events() -> SubscriptionEventCallbacks:
    """Subscription event callbacks without rclpy's default handlers."""
    return SubscriptionEventCallbacks(use_default_callbacks=False)


class InputNode:
    """A sibling of ``parent`` for high-rate subscriptions, spinning on its own thread."""

    def __init__(self, parent: Node, executor: Executor | None = None) -> None:
        """``executor``: a single-threaded executor spun by the caller (default: one of its own,
        on its own thread)."""
        use_sim_time = bool(parent.get_parameter("use_sim_time").value)
        clock_topic = parent.resolve_topic_name("/clock")  # with the parent's remappings
        self.node = Node(
            f"{parent.get_name()}_inputs",
            namespace=parent.get_namespace(),
            context=parent.context,
            use_global_arguments=False,  # not the parent's __node remap or parameters file
            cli_args=["--ros-args", "-r", f"/clock:={clock_topic}"],
            parameter_overrides=[Parameter("use_sim_time", value=use_sim_time)],
            # Every entity of the node is visited at each wake-up of its executor: this
            # internal sibling serves no parameters (its parent does).
            start_parameter_services=False,
        )
        clock = parent.get_clock()
        if use_sim_time and isinstance(clock, ROSClock):
            # rclpy offers no public handle on a node's time source: the parent's stops
            # subscribing to /clock and its clock follows the sibling's.
            parent._time_source.detach_node()
            self.node._time_source.attach_clock(clock)
        self._thread: threading.Thread | None = None
        if executor is not None:
            self._executor: Executor = executor
            executor.add_node(self.node)
            return
        self._executor = SingleThreadedExecutor(context=parent.context)
        self._executor.add_node(self.node)
        self._thread = threading.Thread(
            target=self._spin, name=f"{parent.get_name()}_inputs", daemon=True
        )
        self._thread.start()

    def _spin(self) -> None:
        try:
            self._executor.spin()
        except Exception:  # the context was shut down under it: stopping, not a fault
            if self.node.context.ok():
                raise

    def destroy(self) -> None:
        """Stop spinning (its own executor) or leave the caller's, and destroy the sibling."""
        if self._thread is None:
            self._executor.remove_node(self.node)
        else:
            self._executor.shutdown(timeout_sec=2.0)
            self._thread.join(timeout=2.0)
        self.node.destroy_node()
