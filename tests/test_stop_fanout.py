""" "everyone stop" reaches every robot at once: each live robot's e-stop service is called within
100 ms of the utterance although one robot is dead (no service at all) and one is slow (its
service sleeps 2 s before answering); the trainer hears which robot did not answer."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from ros_client import spinning_node
from session_harness import REPO, node_session

from academy_common.qos import RELIABLE_QOS
from academy_interfaces.msg import TrainerFeedback, Utterance

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]

#: The longest a live robot's e-stop may take to be called after the utterance (s).
ENGAGE_WITHIN_S = 0.100
DEAD, SLOW, LIVE = "robot_1", "robot_2", "robot_3"  # the dead one first: no waiting in line

# A fake robot: serves /<robot>/estop, appends "<wall time> <data>" to a file as soon as a call
# arrives, answers after <delay> s; prints "matched" once a client (the parser) has found it.
FAKE_ESTOP = """
import sys, time
import rclpy
from std_srvs.srv import SetBool

robot, delay, out = sys.argv[1], float(sys.argv[2]), sys.argv[3]
rclpy.init()
node = rclpy.create_node("fake_estop_" + robot)

def serve(request, response):
    with open(out, "a") as f:
        f.write(f"{time.time():.6f} {int(request.data)}\\n")
    time.sleep(delay)
    response.success = True
    response.message = "fake e-stop of " + robot + " engaged"
    return response

node.create_service(SetBool, "/" + robot + "/estop", serve)
while node.count_clients("/" + robot + "/estop") == 0:
    rclpy.spin_once(node, timeout_sec=0.05)
print("matched", flush=True)
rclpy.spin(node)
"""


@dataclass
class FakeEstop:
    """A fake robot's e-stop server process and the file where it writes each call's time."""

    robot: str
    calls: Path
    process: subprocess.Popen

    def wait_matched(self, timeout: float) -> None:
        """Block until the server says the parser's client found it."""
        line: list[str] = []
        assert self.process.stdout is not None
        stdout = self.process.stdout
        reader = threading.Thread(target=lambda: line.append(stdout.readline()), daemon=True)
        reader.start()
        reader.join(timeout)
        assert line and line[0].strip() == "matched", f"the parser never found {self.robot}"


@contextlib.contextmanager
def fake_estops(robots: dict[str, float], directory: Path) -> Iterator[dict[str, FakeEstop]]:
    """One fake e-stop server process per robot (robot -> answer delay, s); all killed after."""
    fakes: dict[str, FakeEstop] = {}
    try:
        for robot, delay in robots.items():
            calls = directory / f"{robot}.calls"
            process = subprocess.Popen(
                [sys.executable, "-c", FAKE_ESTOP, robot, str(delay), str(calls)],
                stdout=subprocess.PIPE,
                text=True,
                start_new_session=True,
            )
            fakes[robot] = FakeEstop(robot, calls, process)
        yield fakes
        for fake in fakes.values():  # still serving: none died along the way
            assert fake.process.poll() is None, f"the fake e-stop of {fake.robot} died"
    finally:
        for fake in fakes.values():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(fake.process.pid, signal.SIGKILL)
            fake.process.wait(timeout=10)
            assert fake.process.stdout is not None
            fake.process.stdout.close()


def first_call(path: Path, deadline: float) -> float | None:
    """Wall time of the first call recorded in ``path``, waiting until ``deadline``."""
    while time.monotonic() < deadline:
        if path.exists() and (lines := path.read_text().splitlines()):
            stamp, data = lines[0].split()
            assert data == "1", "the e-stop was called with data=false (a release)"
            return float(stamp)
        time.sleep(0.01)
    return None


def test_everyone_stop_reaches_every_live_robot_within_100_ms(
    start_session, tmp_path: Path
) -> None:
    session = start_session(
        node_session(
            "it_stop_fanout",
            {
                "name": "instruction_parser",
                "package": "academy_instructions",
                "executable": "instruction_parser",
                "parameters": {
                    "robot_ids": [DEAD, SLOW, LIVE],
                    "station_file": str(REPO / "config/stations/tabletop.yaml"),
                },
            },
        )
    )
    session.wait_for(r"session 'it_stop_fanout' is up", timeout=60)
    with (
        fake_estops({SLOW: 2.0, LIVE: 0.0}, tmp_path) as fakes,
        spinning_node("stop_fanout_test") as node,
    ):
        feedback: list[TrainerFeedback] = []
        node.create_subscription(
            TrainerFeedback, "/trainer/feedback", feedback.append, RELIABLE_QOS
        )
        publisher = node.create_publisher(Utterance, "/trainer/utterance", RELIABLE_QOS)
        deadline = time.monotonic() + 30
        while publisher.get_subscription_count() == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert publisher.get_subscription_count() > 0, "the parser does not listen"
        for fake in fakes.values():  # "up": the parser's e-stop clients have found it
            fake.wait_matched(timeout=30)
        time.sleep(0.5)  # both ends of the utterance topic matched, not just the publisher's

        sent = time.time()
        publisher.publish(
            Utterance(utterance_id="u_stop", trainer_id="t", source=1, text="everyone stop")
        )
        for robot in (SLOW, LIVE):
            called = first_call(fakes[robot].calls, time.monotonic() + 5)
            assert called is not None, f"{robot}'s e-stop was never called"
            print(f"{robot}: e-stop called {called - sent:.3f} s after the utterance")
            assert called - sent < ENGAGE_WITHIN_S, f"{robot} called {called - sent:.3f} s after"

        # The trainer hears: the dead robot did not answer, the slow one had not confirmed in
        # time (and later did), the live one engaged.
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not any(
            f.robot_id == SLOW and f.level == TrainerFeedback.LEVEL_INFO for f in feedback
        ):
            time.sleep(0.05)
        said = {(f.robot_id, f.level, f.text) for f in feedback if f.utterance_id == "u_stop"}
    error, info = TrainerFeedback.LEVEL_ERROR, TrainerFeedback.LEVEL_INFO
    silent = "did not answer the e-stop within 1 s; it may still be moving"
    assert (DEAD, error, f"{DEAD} {silent}") in said, said
    assert (SLOW, error, f"{SLOW} {silent}") in said, said
    assert (LIVE, info, f"{LIVE}: fake e-stop of {LIVE} engaged") in said, said
    late = [t for r, level, t in said if r == SLOW and level == info]
    assert late and late[0].endswith(" s)") and "(after 2." in late[0], said
