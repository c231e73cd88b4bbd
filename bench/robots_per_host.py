"""How many robots run at real time on this host, each with its full stack, with zero loss.

For each fleet size N (``--robots 1 2 4 8``), a session runs N robots of mixed real models
(Aurora H1, Rethink Baxter, Unitree G1, PAL Talos in turn), each with its own controller manager
(MuJoCo station, 500 Hz physics, 100 Hz control and ``joint_states``), skill executor and
recorder, and one shared instruction parser. This process tells every robot to practise
("robot k, reach for the red cube 50 times") and then, over ``--seconds`` of steady practice,
measures:

* each robot's control loop: achieved rate over configured (from its ``/diagnostics``, one
  window a second), the lowest and the mean;
* CPU (cores) and resident memory (MB) of each robot's processes (psutil), and of the shared ones;
* the recorders' losses: after the session stops, every ``episode.json``'s per-topic ``lost``
  counts (sequence-numbered topics: recorded + lost == published).

The baseline is N = 1 in the same run. A size passes when every robot's mean rate is >= 99 % of
the configured rate and nothing was lost; the curve stops at the first size that fails
(``--keep-going`` runs them all). ``--layout`` picks how nodes are placed in processes: one
process per node (``process``), or one process per robot for all its nodes (``robot``, as a
ROS 2 component container would). Prints JSON.

Usage: python bench/robots_per_host.py [--robots 1 2 4 8] [--seconds 30] [--layout process]
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
from typing import Any

import psutil
import yaml
from _session import running_session

ROOT = Path(__file__).resolve().parents[1]
MODELS = ("aurora_h1", "rethink_baxter", "unitree_g1", "pal_talos")
NAMES = ("alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india",
         "juliett", "kilo", "lima", "mike", "november", "oscar", "papa")  # fmt: skip
STATION = ROOT / "config" / "stations" / "tabletop.yaml"
TOPICS = ROOT / "config" / "recorder" / "episode_topics.yaml"
#: Practice settles in (every robot has started its goal) for this long before measuring (s).
WARM_UP_S = 10.0


def fleet_file(directory: Path, robots: int) -> Path:
    from academy_description.model_registry import load_model

    entries = []
    for index in range(robots):
        model = MODELS[index % len(MODELS)]
        entries.append(
            {
                "id": f"robot_{index + 1}",
                "model": model,
                "maker": load_model(model).manufacturer,
                "serial": f"BENCH-{index + 1:03d}",
                "station": f"station_{index + 1}",
                "spoken_name": NAMES[index % len(NAMES)] + ("" if index < len(NAMES) else " two"),
            }
        )
    path = directory / "fleet.yaml"
    path.write_text(yaml.safe_dump({"fleet": "bench_hall", "robots": entries}))
    return path


def session_file(directory: Path, robots: int, domain_id: int, layout: str) -> Path:
    fleet = fleet_file(directory, robots)
    episodes = directory / "episodes"
    robot_nodes: list[dict[str, Any]] = [
        {"name": "controller_manager", "package": "academy_control",
         "executable": "controller_manager", "lifecycle": True,
         "parameters": {"station_file": str(STATION), "seed": -1}},
        {"name": "skill_executor", "package": "academy_skills", "executable": "skill_executor",
         "parameters": {"station_file": str(STATION), "use_sim_time": True}},
        {"name": "recorder", "package": "academy_recorder", "executable": "recorder",
         "lifecycle": True,
         "parameters": {"output_dir": str(episodes), "topics_file": str(TOPICS),
                        "trainer_id": "bench"}},
    ]  # fmt: skip
    if layout == "robot":
        robot_nodes = [
            {"name": "robot_container", "package": "academy_fleet",
             "executable": "robot_container",
             "parameters": {"station_file": str(STATION), "output_dir": str(episodes),
                            "topics_file": str(TOPICS), "trainer_id": "bench", "seed": -1}},
        ]  # fmt: skip
    data = {
        "session": {"name": "bench_fleet", "ros_domain_id": domain_id, "grace_period": 20.0,
                    "ready_timeout": 120.0, "transition_timeout": 60.0},
        "fleet": str(fleet),
        "robot_nodes": robot_nodes,
        "nodes": [
            {"name": "instruction_parser", "package": "academy_instructions",
             "executable": "instruction_parser",
             "parameters": {"fleet_file": str(fleet), "station_file": str(STATION)}},
        ],
    }  # fmt: skip
    path = directory / "session.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def robot_of(process: psutil.Process) -> str:
    """The robot namespace a session process serves ("" for shared nodes)."""
    try:
        for arg in process.cmdline():
            if arg.startswith("__ns:=/robot_"):
                return arg.removeprefix("__ns:=/")
    except psutil.Error:
        pass
    return ""


def node_of(process: psutil.Process) -> str:
    """The node name a session process runs (``__node:=``), "" if none."""
    try:
        for arg in process.cmdline():
            if arg.startswith("__node:="):
                return arg.removeprefix("__node:=")
    except psutil.Error:
        pass
    return ""


def cpu_seconds(processes: list[psutil.Process], key: Any = robot_of) -> dict[str, float]:
    totals: dict[str, float] = {}
    for process in processes:
        try:
            times = process.cpu_times()
        except psutil.Error:
            continue
        name = key(process)
        totals[name] = totals.get(name, 0.0) + times.user + times.system
    return totals


def resident_mb(processes: list[psutil.Process]) -> dict[str, float]:
    totals: dict[str, float] = {}
    for process in processes:
        try:
            rss = process.memory_info().rss
        except psutil.Error:
            continue
        key = robot_of(process)
        totals[key] = totals.get(key, 0.0) + rss / 1e6
    return totals


def losses(episodes: Path) -> dict[str, int]:
    lost = recorded = count = 0
    for path in episodes.glob("*/*/episode.json"):
        document = json.loads(path.read_text())
        count += 1
        lost += sum(document["messages_lost"].values())
        recorded += document["message_count"]
    return {"episodes": count, "messages_recorded": recorded, "messages_lost": lost}


def run_size(robots: int, seconds: float, domain_id: int, layout: str) -> dict[str, Any]:
    import rclpy
    from diagnostic_msgs.msg import DiagnosticArray
    from rclpy.executors import MultiThreadedExecutor

    from academy_common.qos import RELIABLE_QOS
    from academy_instructions.trainer_channel import TrainerChannel

    workdir = Path(tempfile.mkdtemp(prefix=f"academy_fleet_{robots}_"))
    ids = [f"robot_{i + 1}" for i in range(robots)]
    ratios: dict[str, list[float]] = {r: [] for r in ids}
    jitter: dict[str, list[float]] = {r: [] for r in ids}
    measuring = threading.Event()
    result: dict[str, Any] = {
        "robots": robots,
        "models": [MODELS[i % len(MODELS)] for i in range(robots)],
    }
    os.environ["ROS_DOMAIN_ID"] = str(domain_id)
    started = time.perf_counter()
    with running_session(session_file(workdir, robots, domain_id, layout)) as session:
        result["startup_s"] = round(time.perf_counter() - started, 1)
        rclpy.init()
        node = rclpy.create_node("robots_per_host_bench")

        def on_diagnostics(msg: DiagnosticArray) -> None:
            if not measuring.is_set():
                return
            for status in msg.status:
                robot = status.name.strip("/").split("/")[0]
                values = {v.key: float(v.value) for v in status.values}
                if robot in ratios and "achieved_ratio" in values:
                    ratios[robot].append(values["achieved_ratio"])
                    jitter[robot].append(values["jitter_p99_ms"])

        node.create_subscription(DiagnosticArray, "/diagnostics", on_diagnostics, RELIABLE_QOS)
        channel = TrainerChannel(node, "bench", ids)
        executor = MultiThreadedExecutor(num_threads=2)
        executor.add_node(node)
        spinner = threading.Thread(target=executor.spin, daemon=True)
        spinner.start()
        if not channel.wait_for_listener(60.0):
            raise SystemExit("instruction_parser did not come up")
        time.sleep(2.0)
        for index in range(robots):
            channel.say(f"robot {index + 1}, reach for the red cube 50 times")
        time.sleep(WARM_UP_S)
        processes = psutil.Process(session.pid).children(recursive=True)
        cpu_before, wall_before = cpu_seconds(processes), time.perf_counter()
        by_node_before = cpu_seconds(processes, node_of)
        measuring.set()
        time.sleep(seconds)
        measuring.clear()
        wall = time.perf_counter() - wall_before
        cpu_after, memory = cpu_seconds(processes), resident_mb(processes)
        by_node = cpu_seconds(processes, node_of)
        executor.shutdown()
        spinner.join(timeout=5.0)
        node.destroy_node()
        rclpy.shutdown()
    cores = {k: (cpu_after.get(k, 0.0) - cpu_before.get(k, 0.0)) / wall for k in cpu_after}
    per_robot_cpu = [cores.get(r, 0.0) for r in ids]
    per_robot_mem = [memory.get(r, 0.0) for r in ids]
    means = {r: statistics.fmean(v) for r, v in ratios.items() if v}
    result.update(
        {
            "control_rate_ratio_mean_min": round(min(means.values()), 4) if means else None,
            "control_rate_ratio_window_min": round(min(min(v) for v in ratios.values() if v), 4)
            if means
            else None,
            "robots_reporting": len(means),
            "jitter_p99_ms_max": round(max(max(v) for v in jitter.values() if v), 2)
            if means
            else None,
            "cpu_cores_per_robot_mean": round(statistics.fmean(per_robot_cpu), 3),
            "cpu_cores_by_node_kind": {
                k: round((v - by_node_before.get(k, 0.0)) / wall / robots, 3)
                for k, v in sorted(by_node.items())
                if k != "instruction_parser"
            },
            "cpu_cores_shared": round(cores.get("", 0.0), 3),
            "cpu_cores_total": round(sum(cores.values()), 3),
            "rss_mb_per_robot_mean": round(statistics.fmean(per_robot_mem), 1),
            "rss_mb_shared": round(memory.get("", 0.0), 1),
            **losses(workdir / "episodes"),
        }
    )
    ratio = result["control_rate_ratio_mean_min"]
    result["passes"] = bool(
        ratio is not None
        and ratio >= 0.99
        and len(means) == robots
        and result["messages_lost"] == 0
    )
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--robots", type=int, nargs="+", default=[1, 2, 4, 8])
    parser.add_argument("--seconds", type=float, default=30.0, help="measured window per size")
    parser.add_argument("--layout", choices=("process", "robot"), default="process")
    parser.add_argument("--domain-id", type=int, default=224)
    parser.add_argument("--keep-going", action="store_true", help="run sizes after a failure")
    args = parser.parse_args()
    os.environ.setdefault("ROS_AUTOMATIC_DISCOVERY_RANGE", "LOCALHOST")
    curve = []
    for robots in args.robots:
        size = run_size(robots, args.seconds, args.domain_id, args.layout)
        curve.append(size)
        print(json.dumps(size), flush=True)
        if not size["passes"] and not args.keep_going:
            break
    passing = [s["robots"] for s in curve if s["passes"]]
    report = {
        "benchmark": "robots_per_host",
        "layout": args.layout,
        "host_cpus": os.cpu_count(),
        "seconds_measured_per_size": args.seconds,
        "baseline_1_robot": curve[0] if curve and curve[0]["robots"] == 1 else None,
        "curve": curve,
        "max_robots_at_real_time_zero_loss": max(passing) if passing else 0,
    }
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
