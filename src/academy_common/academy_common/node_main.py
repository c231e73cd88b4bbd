"""The one entry-point skeleton every Academy node uses (the ros2/demos idiom).

``run_node(MyNode)`` initialises rclpy, spins the node, and turns Ctrl-C / SIGTERM / an external
shutdown into a clean exit, so the session runner's signals end every node the same way.
``run_lifecycle_node(MyLifecycleNode)`` does the same for a managed node (``rclpy.lifecycle``).

The lifecycle contract (what ``academy session up`` expects of a node marked ``lifecycle: true``,
and what launch_ros' ``LifecycleNode`` + a lifecycle manager expect):

* the node is an ``rclpy.lifecycle.Node`` named as the session says; it starts *unconfigured*
  and offers the standard ``<node>/get_state`` and ``<node>/change_state`` services
  (``lifecycle_msgs``); it does not offer ``<node>/ready`` (its state says it);
* ``configure`` loads configuration and opens resources, ``activate`` starts the work,
  ``deactivate`` stops the work and finalises what is open (files, motion), ``cleanup`` releases
  what ``configure`` took; each returns FAILURE (with a logged reason) rather than raising;
* on SIGINT/SIGTERM, :func:`run_lifecycle_node` deactivates the node if it is still active, then
  triggers ``shutdown`` and exits 0, with no traceback.

:class:`LifecycleClient` is the other side: it asks a node for transitions (the session runner).
"""

from __future__ import annotations

import signal
import sys
import threading
import time
from collections.abc import Callable, Sequence
from types import FrameType
from typing import Any

import rclpy
from lifecycle_msgs.msg import Transition  # type: ignore[import-untyped]
from lifecycle_msgs.srv import ChangeState, GetState  # type: ignore[import-untyped]
from rclpy.client import Client
from rclpy.context import Context
from rclpy.executors import (
    Executor,
    ExternalShutdownException,
    MultiThreadedExecutor,
    SingleThreadedExecutor,
)
from rclpy.lifecycle import Node as LifecycleNode
from rclpy.node import Node
from rclpy.signals import SignalHandlerOptions
from std_msgs.msg import Empty  # type: ignore[import-untyped]

from academy_common.qos import LATCHED_QOS


def run_node(
    factory: Callable[[], Node],
    args: Sequence[str] | None = None,
    *,
    threads: int = 1,
) -> int:
    """Create the node with ``factory``, spin it until shutdown and return the exit code.

    Args:
        factory: builds the node (called after ``rclpy.init``).
        args: command-line arguments (``--ros-args ...``); defaults to ``sys.argv``.
        threads: executor threads; >1 uses a MultiThreadedExecutor (for nodes whose callbacks
            block, e.g. action servers that wait for a controller).

    Once the node is constructed, it announces it (:func:`announce_ready`).

    Returns:
        0 on a clean shutdown (signal or ``node.request_exit(code)``), else the code asked for.
    """
    return _run(factory, args, threads, announce_ready, _destroy, own_sigint=False)


def _destroy(node: Node) -> None:
    node.destroy_node()


def _run(
    factory: Callable[[], Node],
    args: Sequence[str] | None,
    threads: int,
    started: Callable[[Node], None],
    finish: Callable[[Node], None],
    own_sigint: bool,
) -> int:
    """Init rclpy, build the node, call ``started``, spin until shutdown, call ``finish``.

    ``own_sigint``: SIGINT and SIGTERM end the spin loop here (a flag checked every 0.1 s)
    instead of rclpy shutting the context down (which destroys the node first), so that
    ``finish`` still has a live node and context (a lifecycle node's deactivate finalises files
    and publishes).
    """
    argv = list(sys.argv if args is None else args)
    # rclpy handles SIGINT; make SIGTERM (what supervisors send) behave the same way.
    signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)
    options = SignalHandlerOptions.ALL
    stop = threading.Event()
    if own_sigint:
        # A flag, not an exception: a KeyboardInterrupt raised inside a callback can be caught
        # by rclpy's task machinery and lost, leaving the node spinning until SIGKILL.
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda signum, frame: stop.set())
        options = SignalHandlerOptions.NO
    with rclpy.init(args=argv, signal_handler_options=options):
        node = factory()
        started(node)
        executor = MultiThreadedExecutor(num_threads=threads) if threads > 1 else None
        try:
            if own_sigint:
                # The signal flag is checked between waits: wait in short slices.
                slices: Executor = executor or SingleThreadedExecutor()
                slices.add_node(node)
                while node.context.ok() and not stop.is_set():
                    slices.spin_once(timeout_sec=0.1)
            elif executor is None:
                rclpy.spin(node)
            else:
                executor.add_node(node)
                executor.spin()
        except (KeyboardInterrupt, ExternalShutdownException):
            pass
        finally:
            code = int(getattr(node, "exit_code", 0))
            finish(node)
        return code


#: Topic (relative to the node: ``<node>/ready``) a node offers once it is fully constructed.
READY_TOPIC = "~/ready"


def announce_ready(node: Node) -> None:
    """Say on the graph that ``node`` finished initialising (its subscriptions exist).

    A node is visible on the graph as soon as its constructor starts, before it has created
    its subscriptions; the session runner waits for this latched topic instead, so that the
    next node (e.g. a trainer) never talks before this one (e.g. a recorder) listens.
    """
    publisher = node.create_publisher(Empty, READY_TOPIC, LATCHED_QOS)
    publisher.publish(Empty())


def _raise_keyboard_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def request_exit(node: Node, code: int = 0) -> None:
    """Ask the spinning ``run_node`` loop to return ``code`` (e.g. when a finite job is done)."""
    node.exit_code = code  # type: ignore[attr-defined]
    node.context.try_shutdown()


def run_lifecycle_node(
    factory: Callable[[], LifecycleNode],
    args: Sequence[str] | None = None,
    *,
    threads: int = 1,
) -> int:
    """Like :func:`run_node`, for a lifecycle node (see the module docs for the contract).

    The node starts unconfigured and waits for transitions (``<node>/change_state``). On
    SIGINT/SIGTERM or an external shutdown it is deactivated if still active (so it finalises
    what is open), then shut down (``on_shutdown``), then destroyed.

    Returns:
        0 on a clean shutdown, else the code asked for with :func:`request_exit`.
    """
    return _run(
        factory,
        args,
        threads,
        lambda node: None,
        _finish_lifecycle,  # type: ignore[arg-type]
        own_sigint=True,
    )


def _finish_lifecycle(node: LifecycleNode) -> None:
    # A second Ctrl-C while finalising must not print a traceback either.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    if not node.context.ok():
        return  # request_exit or an external shutdown: rclpy has destroyed the node already
    if lifecycle_state(node) == "active":
        node.trigger_deactivate()
    if lifecycle_state(node) in ("unconfigured", "inactive", "active"):
        node.trigger_shutdown()
    node.destroy_node()


def lifecycle_state(node: LifecycleNode) -> str:
    """The label of ``node``'s current primary state (``"unconfigured"``, ``"active"``, ...)."""
    return str(node._state_machine.current_state[1])  # rclpy offers no public getter


#: Transitions by name, as ``ros2 lifecycle set`` spells them.
TRANSITIONS = {
    "configure": Transition.TRANSITION_CONFIGURE,
    "activate": Transition.TRANSITION_ACTIVATE,
    "deactivate": Transition.TRANSITION_DEACTIVATE,
    "cleanup": Transition.TRANSITION_CLEANUP,
}
#: After an unanswered transition request, how long the node must stay in the starting state
#: before the request is sent again (s).
RESEND_AFTER_S = 2.0
#: The primary state each transition starts from.
_STARTS = {
    "configure": "unconfigured",
    "activate": "inactive",
    "deactivate": "active",
    "cleanup": "inactive",
}
#: The primary state each transition ends in when it succeeds.
_REACHES = {
    "configure": "inactive",
    "activate": "active",
    "deactivate": "inactive",
    "cleanup": "unconfigured",
}


class LifecycleClient:
    """Asks lifecycle nodes for transitions over ``<node>/change_state`` (a lifecycle manager).

    Has its own context and hidden node and does not touch SIGINT/SIGTERM (the session runner
    owns them). Not thread-safe: one caller.
    """

    def __init__(self, domain_id: int | None = None) -> None:
        self._context = Context()
        rclpy.init(
            context=self._context,
            domain_id=domain_id,
            signal_handler_options=SignalHandlerOptions.NO,
        )
        self._node = Node("_academy_lifecycle_client", context=self._context)
        self._executor = SingleThreadedExecutor(context=self._context)
        self._executor.add_node(self._node)
        self._clients: dict[tuple[str, type], Client[Any, Any]] = {}

    def _client(self, node: str, service: type) -> Client[Any, Any]:
        suffix = "change_state" if service is ChangeState else "get_state"
        key = (node, service)
        if key not in self._clients:
            self._clients[key] = self._node.create_client(service, f"{node}/{suffix}")
        return self._clients[key]

    def is_available(self, node: str) -> bool:
        """``node`` (fully qualified) offers its lifecycle services."""
        return bool(self._client(node, ChangeState).service_is_ready()) and bool(
            self._client(node, GetState).service_is_ready()
        )

    def get_state(self, node: str, timeout: float) -> str | None:
        """The label of ``node``'s state, or None if it did not answer within ``timeout`` s."""
        response = self._call(self._client(node, GetState), GetState.Request(), timeout)
        return None if response is None else str(response.current_state.label)

    def change_state(self, node: str, transition: str, timeout: float) -> str | None:
        """Ask ``node`` for ``transition`` (a key of :data:`TRANSITIONS`).

        A response can be lost while the server has not yet matched this client's response
        reader (a DDS discovery race), so an unanswered request is followed with ``get_state``:
        a node in the transition, or too busy in it to answer (``configuring``: a model taking
        seconds to load), is waited for; only a node that has sat in the starting state for
        ``RESEND_AFTER_S`` is asked again, until ``timeout`` (a second request reaching a node
        that got there would be refused).

        Returns:
            None on success, else why it failed (refused, or no answer within ``timeout`` s).
        """
        deadline = time.monotonic() + timeout
        refused = f"{transition} failed (the node refused it or its callback failed; see its log)"
        sent = 0
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return f"no answer to {transition} within {timeout:g} s"
            request = ChangeState.Request()
            request.transition.id = TRANSITIONS[transition]
            response = self._call(self._client(node, ChangeState), request, min(1.0, left))
            sent += 1
            if response is not None:
                return None if response.success else refused
            # No answer: the response was lost, or the node is busy in the transition (a
            # single-threaded node answers nothing while its callback runs). Watch its state:
            # asking again is safe only once it has sat in the starting state for
            # RESEND_AFTER_S (a request still queued behind a get_state answer would otherwise
            # arrive twice, and the second be refused).
            busy = False
            settled = time.monotonic() + RESEND_AFTER_S
            while True:
                state = self.get_state(node, min(1.0, max(0.1, deadline - time.monotonic())))
                now = time.monotonic()
                if state == _REACHES[transition]:
                    return None
                if state != _STARTS[transition]:
                    busy, settled = True, now + RESEND_AFTER_S  # in transition, or silent
                elif now >= settled:
                    break
                if now > deadline:
                    return f"{transition} did not finish within {timeout:g} s (state {state})"
                time.sleep(0.1)
            if busy and sent >= 2:  # it ran the transition twice and came back: it fails
                return refused
            # Back where it started: the request was lost, or the callback failed once;
            # asking again tells which.

    def _call(self, client: Client[Any, Any], request: Any, timeout: float) -> Any:
        if not client.wait_for_service(timeout_sec=timeout):
            return None
        future = client.call_async(request)
        self._executor.spin_until_future_complete(future, timeout_sec=timeout)
        if not future.done():
            client.remove_pending_request(future)
            return None
        return future.result()

    def close(self) -> None:
        """Release the node and the context."""
        self._executor.shutdown()
        self._node.destroy_node()
        self._context.try_shutdown()
