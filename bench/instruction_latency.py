"""Latency from trainer text to the first trajectory point reaching a controller, over real DDS.

Starts a session (controller_manager, skill_executor, instruction_parser) in a private
ROS_DOMAIN_ID, then from this process says "reach for the red cube" ``--utterances`` times
(waiting for each goal to end) and measures, per utterance, from publishing the Utterance to:

* the Instruction on ``/trainer/instructions`` (parser only: the baseline);
* the first command a controller accepted (``*/commanded_trajectory``): parse, dispatch, goal
  acceptance, station reset, IK, and the first gripper/arm command.

Prints JSON (median, p95 in ms). Usage: python bench/instruction_latency.py [--utterances N]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import threading
import time
from pathlib import Path

import yaml
from _session import running_session

ROOT = Path(__file__).resolve().parents[1]
TEXT = "reach for the red cube"


def session_file(directory: Path, domain_id: int) -> Path:
    station = str(ROOT / "config/stations/tabletop.yaml")
    data = {
        "session": {"name": "bench_latency", "ros_domain_id": domain_id, "grace_period": 5.0},
        "robots": [{"id": "robot_1", "model": "aurora_h1"}],
        "nodes": [
            {"name": "controller_manager", "package": "academy_control",
             "executable": "controller_manager", "robot": "robot_1",
             "parameters": {"controllers_file": str(ROOT / "urdf/aurora_h1/controllers.yaml"),
                            "station_file": station}},
            {"name": "skill_executor", "package": "academy_skills",
             "executable": "skill_executor", "robot": "robot_1",
             "parameters": {"station_file": station, "use_sim_time": True}},
            {"name": "instruction_parser", "package": "academy_instructions",
             "executable": "instruction_parser",
             "parameters": {"robot_ids": ["robot_1"], "station_file": station}},
        ],
    }  # fmt: skip
    path = directory / "session.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def summarise(samples: list[float]) -> dict[str, float]:
    ms = [s * 1000 for s in samples]
    return {
        "median_ms": round(statistics.median(ms), 2),
        "p95_ms": round(statistics.quantiles(ms, n=20, method="inclusive")[18], 2),
        "max_ms": round(max(ms), 2),
        "n": len(ms),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--utterances", type=int, default=20)
    parser.add_argument("--domain-id", type=int, default=226)
    args = parser.parse_args()
    os.environ["ROS_DOMAIN_ID"] = str(args.domain_id)
    os.environ.setdefault("ROS_AUTOMATIC_DISCOVERY_RANGE", "LOCALHOST")
    import rclpy
    from rclpy.executors import MultiThreadedExecutor
    from trajectory_msgs.msg import JointTrajectory

    from academy_common.qos import RELIABLE_QOS
    from academy_instructions.trainer_channel import TrainerChannel
    from academy_interfaces.msg import Instruction

    workdir = Path(tempfile.mkdtemp(prefix="academy_latency_"))
    first_command: list[float] = []
    instruction_seen: list[float] = []
    lock = threading.Lock()
    with running_session(session_file(workdir, args.domain_id)):
        rclpy.init()
        node = rclpy.create_node("instruction_latency_bench")
        state = {"armed": False, "sent": 0.0}

        def on_command(msg: JointTrajectory) -> None:
            now = time.perf_counter()
            with lock:
                if state["armed"]:
                    state["armed"] = False
                    first_command.append(now - state["sent"])

        def on_instruction(msg: Instruction) -> None:
            instruction_seen.append(time.perf_counter() - state["sent"])

        for controller in ("joint_trajectory_controller", "left_gripper_controller",
                           "right_gripper_controller"):  # fmt: skip
            node.create_subscription(
                JointTrajectory, f"/robot_1/{controller}/commanded_trajectory", on_command,
                RELIABLE_QOS,
            )  # fmt: skip
        node.create_subscription(Instruction, "/trainer/instructions", on_instruction, RELIABLE_QOS)
        channel = TrainerChannel(node, "bench", ["robot_1"])
        executor = MultiThreadedExecutor(num_threads=2)
        executor.add_node(node)
        spinner = threading.Thread(target=executor.spin, daemon=True)
        spinner.start()
        if not channel.wait_for_listener(30.0):
            raise SystemExit("instruction_parser did not come up")
        time.sleep(2.0)  # let every endpoint match
        outcomes = []
        for _ in range(args.utterances + 2):  # two warm-ups
            with lock:
                state["armed"], state["sent"] = True, time.perf_counter()
            conversation = channel.say(TEXT)
            if not conversation.finished.wait(60):
                raise SystemExit("an utterance did not finish within 60 s")
            end = conversation.goal_end
            outcomes.append(end.outcome.value if end is not None else -1)
        report = {
            "benchmark": "instruction_latency",
            "text": TEXT,
            "baseline_text_to_instruction": summarise(instruction_seen[2:]),
            "text_to_first_trajectory_point": summarise(first_command[2:]),
            "samples_ms": [round(v * 1000, 1) for v in first_command[2:]],
            "goal_outcomes": {str(v): outcomes[2:].count(v) for v in sorted(set(outcomes[2:]))},
        }
        print(json.dumps(report, indent=2))
        executor.shutdown()
        spinner.join(timeout=5.0)
        node.destroy_node()
        rclpy.shutdown()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
