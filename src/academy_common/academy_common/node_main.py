"""The one entry-point skeleton every Academy node uses (the ros2/demos idiom).

``run_node(MyNode)`` initialises rclpy, spins the node, and turns Ctrl-C / SIGTERM / an external
shutdown into a clean exit, so the session runner's signals end every node the same way.
"""

from __future__ import annotations

import signal
import sys
from collections.abc import Callable, Sequence
from types import FrameType

import rclpy
from rclpy.executors import ExternalShutdownException, MultiThreadedExecutor
from rclpy.node import Node
from std_msgs.msg import Empty

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
    argv = list(sys.argv if args is None else args)
    # rclpy handles SIGINT; make SIGTERM (what supervisors send) behave the same way.
    signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)
    with rclpy.init(args=argv):
        node = factory()
        announce_ready(node)
        executor = MultiThreadedExecutor(num_threads=threads) if threads > 1 else None
        try:
            if executor is None:
                rclpy.spin(node)
            else:
                executor.add_node(node)
                executor.spin()
        except (KeyboardInterrupt, ExternalShutdownException):
            pass
        finally:
            code = int(getattr(node, "exit_code", 0))
            node.destroy_node()
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
