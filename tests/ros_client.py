"""An rclpy node in the test process, spun on a background thread (for tests that talk to nodes)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import rclpy
from rclpy.action import ActionClient
from rclpy.client import Client
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


#: After a server is seen, how long to let it match this client's reply reader (s): rclpy's
#: wait_for_server/wait_for_service see the request side only, and a request sent before the
#: server matched the reply reader loses its reply (a DDS discovery race).
DISCOVERY_SETTLE_S = 1.0


def action_client(node: Node, action_type: Any, name: str, timeout: float = 20.0) -> ActionClient:
    """An action client whose server is up and has matched it."""
    client = ActionClient(node, action_type, name)
    assert client.wait_for_server(timeout_sec=timeout), f"no action server {name}"
    time.sleep(DISCOVERY_SETTLE_S)
    return client


def service_client(node: Node, service_type: Any, name: str, timeout: float = 20.0) -> Client:
    """A service client whose server is up and has matched it."""
    client = node.create_client(service_type, name)
    assert client.wait_for_service(timeout_sec=timeout), f"no service {name}"
    time.sleep(DISCOVERY_SETTLE_S)
    return client
