"""Real message loss is never silent: written + lost == published, per topic and publisher.

A publisher process sends JointState at ~1 kHz (reliable, keep last 5); the recorder (under the
session runner) is frozen with SIGSTOP three times: across the ATTEMPT_START (loss before the
episode: counted between episodes, not in it; the samples that survived may arrive after the
start event and are still not the episode's), in the middle of the episode (2 s: loss inside),
and across the ATTEMPT_END (loss up to the end; what survived may arrive after the end event and
is still the episode's). While frozen, the publisher's history (5 deep) overwrites what the
recorder has not taken: real loss, revealed by the DDS publication sequence numbers. (A tail loss
revealed only by a message after the end is covered in ``academy_recorder/test/test_segmenter.py``.)

The publisher pauses around each event until the recorder has taken it, so no loss straddles a
window boundary and the recorder's published (its definition in ``academy_recorder.segmenter``)
must equal, exactly (±0), what the publisher counted between the two events. Run it alone to see
the figures:

    python -m pytest tests/test_recorder_loss.py -q -s
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from array import array
from pathlib import Path

import pytest
from ros_client import spinning_node
from rosbags.highlevel import AnyReader
from test_recorder_node import recorder_session  # the same recorder, lifecycle: true

from academy_common.qos import RELIABLE_QOS
from academy_interfaces.msg import SkillEvent

pytestmark = [pytest.mark.integration, pytest.mark.timeout(150)]

JOINT_STATES = "/robot_1/joint_states"
RATE_HZ = 1000.0
DEPTH = 5  # the publisher's history: what survives a frozen reader
#: A reliable sample a frozen reader missed is repaired after the writer's next heartbeat
#: (Fast DDS: every 3 s), each writer on its own: the events and the data of a freeze arrive in
#: either order, seconds apart. The recorder's end_grace (default 0.2 s) must cover that here.
REPAIR_S = 4.5
END_GRACE_S = 5.0


class Publisher:
    """The publisher process (this file run as a script), driven by lines on its stdin."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, __file__, "publish"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )

    def ask(self, command: str, timeout: float = 30.0) -> str:
        """Send ``command``; return its answer line."""
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        answer: list[str] = []
        reader = threading.Thread(target=lambda: answer.append(self.process.stdout.readline()))  # type: ignore[union-attr]
        reader.start()
        reader.join(timeout)
        assert answer and answer[0], f"publisher did not answer {command!r}"
        return answer[0].strip()

    def pause(self) -> int:
        """Stop publishing; return how many messages it has published so far."""
        return int(self.ask("pause").split()[1])

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=10)


def test_forced_loss_is_counted_exactly(start_session, tmp_path: Path) -> None:
    output = tmp_path / "episodes"
    session = start_session(recorder_session(output, end_grace=END_GRACE_S))
    session.wait_for(r"session 'it_recorder' is up", timeout=60)
    (recorder_pid,) = session.child_pids()["/robot_1/recorder"]
    publisher = Publisher()

    def frozen(seconds: float) -> None:
        os.kill(recorder_pid, signal.SIGSTOP)
        time.sleep(seconds)

    def thaw() -> None:
        os.kill(recorder_pid, signal.SIGCONT)

    try:
        assert publisher.ask("wait_matched") == "matched"
        with spinning_node("loss_test") as node:
            events = node.create_publisher(SkillEvent, "/robot_1/skill_events", RELIABLE_QOS)
            deadline = time.monotonic() + 30
            while events.get_subscription_count() < 1:
                assert time.monotonic() < deadline, "the recorder never subscribed to events"
                time.sleep(0.1)
            start = SkillEvent(goal_id="b" * 32, skill="lift", repetition=1, repetitions=1)
            start.event = SkillEvent.ATTEMPT_START
            end = SkillEvent(goal_id="b" * 32, skill="lift", repetition=1, repetitions=1)
            end.event = SkillEvent.ATTEMPT_END
            end.phase = "lift"

            publisher.ask("resume")
            time.sleep(0.5)  # between episodes
            frozen(1.0)  # loss before the episode
            first = publisher.pause()
            events.publish(start)  # while frozen: comes before or after what survived
            thaw()
            session.wait_for(r"episode \S+ opened: lift #1", timeout=20)
            time.sleep(REPAIR_S)  # what survived has come (it is not the episode's)
            publisher.ask("resume")
            time.sleep(0.5)
            frozen(2.0)  # loss inside the episode
            thaw()
            time.sleep(0.5)
            frozen(1.0)  # loss up to the end
            last = publisher.pause()
            events.publish(end)  # while frozen: what survived may come after it (the episode's)
            thaw()
            session.wait_for(r"episode \S+: lift #1 .* lost\)", timeout=20)  # closed
            publisher.ask("resume")
            time.sleep(0.5)  # after the episode
            publisher.pause()
    finally:
        publisher.close()
    session.process.send_signal(signal.SIGINT)
    assert session.wait(timeout=30) == 0

    (document_path,) = output.glob("*/*/episode.json")
    document = json.loads(document_path.read_text())
    stats = document["topics"][JOINT_STATES]
    sent = last - first
    print(
        f"\n{JOINT_STATES}: published by the publisher in the episode {sent}, recorder: "
        f"written {stats['written']} + lost {stats['lost']} = published {stats['published']}"
    )
    assert document["complete"] is True and document["ended_in_phase"] == "lift"
    assert stats["written"] + stats["lost"] == stats["published"] == sent
    assert stats["lost"] > 0  # the twin: the loss was real and was seen
    (per_publisher,) = stats["publishers"].values()
    assert per_publisher == {k: stats[k] for k in ("published", "written", "lost")}
    with AnyReader([document_path.parent / "bag"]) as reader:
        numbers = [
            round(reader.deserialize(raw, c.msgtype).position[0] * 1000) + 1
            for c, _, raw in reader.messages()
            if c.topic == JOINT_STATES
        ]
    print(
        f"window: sequence numbers {first + 1}..{last}; in the bag {min(numbers)}..{max(numbers)}"
    )
    assert len(numbers) == stats["written"]
    assert first + 1 <= min(numbers) and max(numbers) <= last
    # The loss before the start was not the episode's, and was not silent either.
    assert "lost between episodes" in session.text()


def publish_main() -> int:
    """The publisher process: JointState at RATE_HZ, reliable keep-last DEPTH; stdin commands
    ``wait_matched``, ``pause`` (answers ``paused <published so far>``), ``resume``."""
    import rclpy
    from rclpy.qos import HistoryPolicy, QoSProfile, ReliabilityPolicy
    from sensor_msgs.msg import JointState

    rclpy.init()
    node = rclpy.create_node("loss_publisher")
    qos = QoSProfile(
        history=HistoryPolicy.KEEP_LAST, depth=DEPTH, reliability=ReliabilityPolicy.RELIABLE
    )
    publisher = node.create_publisher(JointState, JOINT_STATES, qos)
    running = threading.Event()
    count = 0

    def loop() -> None:
        nonlocal count
        msg = JointState(name=["j1", "j2"])
        period = 1.0 / RATE_HZ
        next_at = time.monotonic()
        while True:
            if not running.is_set():
                running.wait()
                next_at = time.monotonic()
            msg.position = array("d", [count * 0.001, 0.0])
            publisher.publish(msg)
            count += 1
            next_at = max(next_at + period, time.monotonic() - 0.01)
            time.sleep(max(0.0, next_at - time.monotonic()))

    threading.Thread(target=loop, daemon=True).start()
    for line in sys.stdin:
        command = line.strip()
        if command == "wait_matched":
            while publisher.get_subscription_count() < 1:
                time.sleep(0.05)
            print("matched", flush=True)
        elif command == "pause":
            running.clear()
            time.sleep(0.05)  # the loop finishes the message it was sending
            print(f"paused {count}", flush=True)
        elif command == "resume":
            running.set()
            print("resumed", flush=True)
    return 0


if __name__ == "__main__" and sys.argv[1:] == ["publish"]:
    raise SystemExit(publish_main())
