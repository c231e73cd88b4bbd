"""Blocking on rclpy futures from a thread other than the one spinning the node."""

from __future__ import annotations

import threading
from typing import Any

from rclpy.task import Future


def wait_for_future(future: Future, timeout: float) -> Any:
    """Block until ``future`` is done and return its result.

    The node must be spun by an executor in another thread (blocking inside the executor's own
    thread would deadlock). Unlike ``rclpy.spin_until_future_complete`` this does not spin.

    Raises:
        TimeoutError: after ``timeout`` seconds (the future is cancelled).
    """
    done = threading.Event()
    future.add_done_callback(lambda _: done.set())
    if not done.wait(timeout):
        future.cancel()
        raise TimeoutError(f"no answer within {timeout:g} s")
    return future.result()
