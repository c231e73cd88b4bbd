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
import collections
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import psutil
import yaml
from _session import running_session

from academy_fleet.robot_container import KINEMATIC_PARAMETERS, MODES

ROOT = Path(__file__).resolve().parents[1]
MODELS = ("aurora_h1", "rethink_baxter", "unitree_g1", "pal_talos")
NAMES = ("alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india",
         "juliett", "kilo", "lima", "mike", "november", "oscar", "papa")  # fmt: skip
#: Spoken names repeat NAMES with these suffixes ("alpha", ..., "alpha two", ...): 160 robots.
ROUNDS = ("", " two", " three", " four", " five", " six", " seven", " eight", " nine", " ten")
STATION = ROOT / "config" / "stations" / "tabletop.yaml"
TOPICS = ROOT / "config" / "recorder" / "episode_topics.yaml"
INSTRUCTION = "reach for the red cube 50 times"
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
                "spoken_name": NAMES[index % len(NAMES)] + ROUNDS[index // len(NAMES)],
            }
        )
    path = directory / "fleet.yaml"
    path.write_text(yaml.safe_dump({"fleet": "bench_hall", "robots": entries}))
    return path


def session_file(
    directory: Path,
    robots: int,
    domain_id: int,
    layout: str,
    processes: int = 2,
    mode: str = "physics",
    update_rate: float = 0.0,
) -> Path:
    fleet = fleet_file(directory, robots)
    episodes = directory / "episodes"
    kinematic = mode == "kinematic"
    container = {"mode": mode, "update_rate": update_rate}
    # one process per node: the container's kinematic profile, set on each node
    hardware = {**KINEMATIC_PARAMETERS} if kinematic else {}
    if update_rate:
        hardware["update_rate"] = update_rate
    robot_nodes: list[dict[str, Any]] = [
        {"name": "controller_manager", "package": "academy_control",
         "executable": "controller_manager", "lifecycle": True,
         "parameters": {"station_file": str(STATION), "seed": -1, **hardware}},
        {"name": "skill_executor", "package": "academy_skills", "executable": "skill_executor",
         "parameters": {"station_file": str(STATION), "use_sim_time": not kinematic}},
        {"name": "recorder", "package": "academy_recorder", "executable": "recorder",
         "lifecycle": True,
         "parameters": {"output_dir": str(episodes), "topics_file": str(TOPICS),
                        "trainer_id": "bench",
                        "hardware_plugin": hardware.get("hardware_plugin", "")}},
    ]  # fmt: skip
    if layout == "robot":
        robot_nodes = [
            {"name": "robot_container", "package": "academy_fleet",
             "executable": "robot_container",
             "parameters": {"station_file": str(STATION), "output_dir": str(episodes),
                            "topics_file": str(TOPICS), "trainer_id": "bench", "seed": -1,
                            **container}},
        ]  # fmt: skip
    containers: list[dict[str, Any]] = []
    if layout == "shared":  # robots split over `processes` fleet containers
        robot_nodes = []
        ids = [f"robot_{i + 1}" for i in range(robots)]
        for k in range(min(processes, robots)):
            containers.append(
                {"name": f"fleet_container_{k + 1}", "package": "academy_fleet",
                 "executable": "fleet_container",
                 "parameters": {"fleet_file": str(fleet), "robot_ids": ids[k::processes],
                                "station_file": str(STATION), "output_dir": str(episodes),
                                "topics_file": str(TOPICS), "trainer_id": "bench", "seed": -1,
                                **container}}
            )  # fmt: skip
    data = {
        "session": {"name": "bench_fleet", "ros_domain_id": domain_id, "grace_period": 20.0,
                    "ready_timeout": max(120.0, 6.0 * robots), "transition_timeout": 60.0},
        "fleet": str(fleet),
        "robot_nodes": robot_nodes,
        "nodes": [
            *containers,
            {"name": "instruction_parser", "package": "academy_instructions",
             "executable": "instruction_parser",
             "parameters": {"fleet_file": str(fleet), "station_file": str(STATION)}},
        ],
    }  # fmt: skip
    path = directory / "session.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def ros_argument(process: psutil.Process, prefix: str) -> str:
    """The value of the process's ``--ros-args`` remap starting with ``prefix`` ("" if none)."""
    try:
        for arg in process.cmdline():
            if arg.startswith(prefix):
                return arg.removeprefix(prefix)
    except psutil.Error:
        pass
    return ""


def node_of(process: psutil.Process) -> str:
    """The node name a session process runs."""
    return ros_argument(process, "__node:=")


def cpu_seconds(processes: list[psutil.Process], key: Any) -> dict[str, float]:
    """User + system CPU seconds so far, summed by ``key``."""
    return totals(processes, lambda p: sum(p.cpu_times()[:2]), key)


def resident_mb(processes: list[psutil.Process]) -> dict[str, float]:
    """Resident memory (MB), summed by node kind."""
    return totals(processes, lambda p: p.memory_info().rss / 1e6, node_of)


def totals(processes: list[psutil.Process], measure: Any, key: Any) -> dict[str, float]:
    result: dict[str, float] = {}
    for process in processes:
        try:
            value = float(measure(process))
        except psutil.Error:
            continue  # it exited meanwhile
        name = key(process)
        result[name] = result.get(name, 0.0) + value
    return result


def episode_totals(episodes: Path) -> dict[str, Any]:
    """Episodes written, their messages and losses, and how many ended in each outcome."""
    documents = [json.loads(p.read_text()) for p in episodes.glob("*/*/episode.json")]
    outcomes = collections.Counter(d["outcome"] for d in documents)
    return {
        "episodes": len(documents),
        "messages_recorded": sum(d["message_count"] for d in documents),
        "messages_lost": sum(sum(d["messages_lost"].values()) for d in documents),
        "outcomes": dict(sorted(outcomes.items())),
    }


def run_size(robots: int, args: argparse.Namespace) -> dict[str, Any]:
    import rclpy
    from diagnostic_msgs.msg import DiagnosticArray
    from rclpy.executors import MultiThreadedExecutor

    from academy_common.qos import RELIABLE_QOS
    from academy_instructions.trainer_channel import TrainerChannel

    seconds, domain_id = args.seconds, args.domain_id
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
    session_path = session_file(
        workdir, robots, domain_id, args.layout, args.processes, args.mode, args.update_rate
    )
    with running_session(session_path) as session:
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
        for index in range(robots if args.instruction else 0):
            channel.say(f"robot {index + 1}, {args.instruction}")
        time.sleep(WARM_UP_S)
        processes = psutil.Process(session.pid).children(recursive=True)
        by_node_before, wall_before = cpu_seconds(processes, node_of), time.perf_counter()
        measuring.set()
        time.sleep(seconds)
        measuring.clear()
        wall = time.perf_counter() - wall_before
        by_node, memory = cpu_seconds(processes, node_of), resident_mb(processes)
        executor.shutdown()
        spinner.join(timeout=5.0)
        node.destroy_node()
        rclpy.shutdown()
    # By node kind (every robot's controller_manager, ...; a container hosts several robots):
    # per robot = all but the shared instruction parser, over the robots.
    cores = {k: (v - by_node_before.get(k, 0.0)) / wall for k, v in by_node.items()}
    shared_cores = cores.pop("instruction_parser", 0.0)
    shared_mb = memory.pop("instruction_parser", 0.0)
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
            "cpu_cores_per_robot_mean": round(sum(cores.values()) / robots, 3),
            "cpu_cores_per_robot_by_node_kind": {
                k: round(v / robots, 3) for k, v in sorted(cores.items())
            },
            "cpu_cores_shared": round(shared_cores, 3),
            "cpu_cores_total": round(sum(cores.values()) + shared_cores, 3),
            "rss_mb_per_robot_mean": round(sum(memory.values()) / robots, 1),
            "rss_mb_shared": round(shared_mb, 1),
            **episode_totals(workdir / "episodes"),
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
    parser.add_argument("--layout", choices=("process", "robot", "shared"), default="process")
    parser.add_argument(
        "--processes", type=int, default=2, help="fleet containers of the shared layout"
    )
    parser.add_argument(
        "--mode",
        choices=MODES,
        default=MODES[0],
        help="MuJoCo physics, or kinematic (joints follow commands: academy_sim/KinematicSystem)",
    )
    parser.add_argument(
        "--update-rate", type=float, default=0.0, help="control Hz (0: each model's, 100)"
    )
    parser.add_argument(
        "--instruction",
        default=INSTRUCTION,
        help="what every robot is told to practise ('': nothing, to measure idle robots)",
    )
    parser.add_argument("--domain-id", type=int, default=224)
    parser.add_argument("--keep-going", action="store_true", help="run sizes after a failure")
    parser.add_argument("--one-size", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    most = len(NAMES) * len(ROUNDS)
    if max(args.robots) > most:
        parser.error(f"--robots {max(args.robots)}: at most {most} (the spoken names there are)")
    os.environ.setdefault("ROS_AUTOMATIC_DISCOVERY_RANGE", "LOCALHOST")
    if args.one_size:  # a child run: one size, its JSON on stdout
        print(json.dumps(run_size(args.robots[0], args)))
        return 0
    curve = []
    for robots in args.robots:
        # Each size in a fresh process: a clean rclpy context and nothing left of the last size.
        child = subprocess.run(
            [sys.executable, __file__, "--one-size", "--robots", str(robots),
             "--seconds", str(args.seconds), "--layout", args.layout,
             "--processes", str(args.processes), "--mode", args.mode,
             "--update-rate", str(args.update_rate), "--instruction", args.instruction,
             "--domain-id", str(args.domain_id)],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        lines = [line for line in child.stdout.splitlines() if line.startswith("{")]
        if child.returncode != 0 or not lines:
            size = {"robots": robots, "passes": False, "error": child.stderr[-2000:]}
        else:
            size = json.loads(lines[-1])
        curve.append(size)
        print(json.dumps(size), file=sys.stderr, flush=True)  # progress; the report: stdout
        if not size["passes"] and not args.keep_going:
            break
    passing = [s["robots"] for s in curve if s["passes"]]
    report = {
        "benchmark": "robots_per_host",
        "layout": args.layout,
        "processes": args.processes if args.layout == "shared" else None,
        "mode": args.mode,
        "update_rate_hz": args.update_rate or "mode's",
        "instruction": args.instruction,
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
