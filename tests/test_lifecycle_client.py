"""The session runner's lifecycle client against a node whose configure takes seconds.

A robot model that takes 3 s to load on a loaded host must come up: the client's first request
times out (its per-request wait is 1 s), and asking again while the node is ``configuring`` would
be refused once it reached ``inactive``. The client waits for the transition instead. The twin:
a node whose configure fails is reported as failed, not as reached.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest
from session_harness import wait_lifecycle_available

from academy_common.node_main import LifecycleClient

pytestmark = [pytest.mark.integration, pytest.mark.timeout(90)]

NODE = textwrap.dedent(
    """
    import sys, time
    from rclpy.lifecycle import Node, TransitionCallbackReturn
    from academy_common.node_main import run_lifecycle_node

    class Slow(Node):
        def __init__(self):
            super().__init__("slow_node")

        def on_configure(self, state):
            time.sleep(3.0)
            return TransitionCallbackReturn.SUCCESS if sys.argv[1] == "ok" else (
                TransitionCallbackReturn.FAILURE)

    raise SystemExit(run_lifecycle_node(Slow, sys.argv[:1]))
    """
)


def run_configure(domain_id: int, outcome: str) -> tuple[str | None, str | None]:
    process = subprocess.Popen([sys.executable, "-c", NODE, outcome])
    client = LifecycleClient(domain_id)
    try:
        wait_lifecycle_available(client, "/slow_node")
        failure = client.change_state("/slow_node", "configure", timeout=20.0)
        return failure, client.get_state("/slow_node", 5.0)
    finally:
        client.close()
        process.terminate()
        process.wait(timeout=20)


def test_a_configure_slower_than_one_request_succeeds_once(domain_id: int) -> None:
    failure, state = run_configure(domain_id, "ok")
    assert failure is None
    assert state == "inactive"


def test_twin_a_slow_configure_that_fails_is_reported(domain_id: int) -> None:
    failure, state = run_configure(domain_id, "fail")
    assert failure is not None and "configure failed" in failure
    assert state == "unconfigured"
