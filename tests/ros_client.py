"""An rclpy node in the test process, spun on a background thread (for tests that talk to nodes)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import rclpy
from rclpy.context import Context
from rclpy.executors import MultiThreadedExecutor
from rclpy.node import Node


@contextmanager
def spinning_node(name: str) -> Iterator[Node]:
    """A node in its own context (this test's ROS_DOMAIN_ID), spinning until the block ends."""
    context = Context()
    rclpy.init(context=context)
    node = rclpy.create_node(name, context=context)
    executor = MultiThreadedExecutor(num_threads=2, context=context)
    executor.add_node(node)
    thread = threading.Thread(target=executor.spin, daemon=True)
    thread.start()
    try:
        yield node
    finally:
        executor.shutdown()
        thread.join(timeout=5)  # the spin thread must be gone before the node and context
        node.destroy_node()
        rclpy.shutdown(context=context)
