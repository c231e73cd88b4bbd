"""Action round-trip latency between two processes over real DDS.

Starts a ``skill_executor`` process (resolved like ``ros2 run``) in a private ROS_DOMAIN_ID and
measures, from this process:

* baseline: ``list_skills`` service round trip to the same process (one request, one response);
* measured: an ExecuteSkill goal (``wait`` with duration 0) from send to result: goal request,
  acceptance, execution, status, result request and response.

Prints one JSON object: median / p95 / mean in milliseconds for both, and their ratio.
Usage: python bench/action_latency.py [--goals N] [--domain-id D]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time

import rclpy
from rclpy.executors import MultiThreadedExecutor

from academy_common.futures import wait_for_future
from academy_interfaces.srv import ListSkills
from academy_skills.skill_client import SkillClient


def summarise(samples_s: list[float]) -> dict[str, float]:
    ms = [s * 1000 for s in samples_s]
    return {
        "median_ms": round(statistics.median(ms), 3),
        "p95_ms": round(statistics.quantiles(ms, n=20)[18], 3),
        "mean_ms": round(statistics.fmean(ms), 3),
        "n": len(ms),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--goals", type=int, default=200)
    # 0..101 and 215..232 are the ids whose DDS ports stay clear of Linux's ephemeral ports;
    # tests use 1..100.
    parser.add_argument("--domain-id", type=int, default=230)
    args = parser.parse_args()
    os.environ["ROS_DOMAIN_ID"] = str(args.domain_id)
    os.environ.setdefault("ROS_AUTOMATIC_DISCOVERY_RANGE", "LOCALHOST")

    from academy_bringup.session_schema import resolve_executable

    exe = resolve_executable("academy_skills", "skill_executor")
    if exe is None:
        print("skill_executor not installed: run `make setup`", file=sys.stderr)
        return 2
    server = subprocess.Popen(
        [str(exe), "--ros-args", "-r", "__ns:=/bench_robot"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        rclpy.init()
        node = rclpy.create_node("action_latency_bench")
        executor = MultiThreadedExecutor(num_threads=2)
        executor.add_node(node)
        spinner = threading.Thread(target=executor.spin, daemon=True)
        spinner.start()
        client = SkillClient(node, "bench_robot")
        client.wait_for_server(30.0)
        service = node.create_client(ListSkills, "/bench_robot/list_skills")
        if not service.wait_for_service(timeout_sec=30.0):
            raise RuntimeError("list_skills not available")

        def service_call() -> None:
            wait_for_future(service.call_async(ListSkills.Request()), 10.0)

        # warm-up: discovery of every endpoint, first allocations
        for _ in range(10):
            service_call()
            client.execute("wait", {"duration": 0.0})
        baseline: list[float] = []
        measured: list[float] = []
        outcomes: dict[str, int] = {}
        for _ in range(args.goals):  # interleave so both see the same machine load
            start = time.perf_counter()
            service_call()
            baseline.append(time.perf_counter() - start)
            start = time.perf_counter()
            result = client.execute("wait", {"duration": 0.0})
            measured.append(time.perf_counter() - start)
            outcomes[result.outcome.name] = outcomes.get(result.outcome.name, 0) + 1
        report = {
            "benchmark": "action_latency",
            "what": "ExecuteSkill goal round trip (send -> result) between two processes",
            "rmw": rclpy.get_rmw_implementation_identifier(),
            "action_round_trip": summarise(measured),
            "baseline_service_round_trip": summarise(baseline),
            "ratio_median_action_over_service": round(
                statistics.median(measured) / statistics.median(baseline), 2
            ),
            "outcomes": outcomes,
            "host_cpus": os.cpu_count(),
        }
        print(json.dumps(report, indent=2))
        executor.shutdown()
        spinner.join(timeout=5.0)
        node.destroy_node()
        rclpy.try_shutdown()
        if outcomes != {"SUCCEEDED": args.goals}:
            # a rejected or failed goal returns early: its latency is not the one reported
            print(f"error: not every timed goal succeeded: {outcomes}", file=sys.stderr)
            return 1
        return 0
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()


if __name__ == "__main__":
    raise SystemExit(main())
