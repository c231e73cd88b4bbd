"""Blocking on rclpy futures from a thread other than the one spinning the node."""

from __future__ import annotations

import threading
from concurrent.futures import CancelledError
from typing import TypeVar, cast

from rclpy.task import Future

T = TypeVar("T")


def wait_for_future(future: Future[T], timeout: float) -> T:
    """Block until ``future`` is done and return its result.

    The node must be spun by an executor in another thread (blocking inside the executor's own
    thread would deadlock). Unlike ``rclpy.spin_until_future_complete`` this does not spin.

    Raises:
        TimeoutError: after ``timeout`` seconds (the future is cancelled).
        CancelledError: something else cancelled ``future`` (it has no result).
        Exception: whatever the call behind ``future`` raised.
    """
    done = threading.Event()
    future.add_done_callback(lambda _: done.set())
    if not done.wait(timeout):
        future.cancel()
        raise TimeoutError(f"no answer within {timeout:g} s")
    if future.cancelled():
        raise CancelledError("the future was cancelled before it had a result")
    # Finished and not cancelled: result() holds the call's T (rclpy types it T | None because
    # an unfinished or cancelled future returns None).
    return cast(T, future.result())
