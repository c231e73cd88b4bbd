"""Simulation real-time factor with controllers and ROS I/O, against a bare ``mj_step`` loop.

In one process, on the same station model (Aurora H1 + tabletop props, 500 Hz physics):

* baseline: a bare Python loop of ``mujoco.mj_step`` for ``--seconds`` of wall time;
* measured: the ``controller_manager`` node unpaced (``real_time: false``): hardware read, the
  joint trajectory and gripper controllers (an arm trajectory always running), hardware write,
  5 physics steps per 100 Hz cycle, ``joint_states`` every cycle and ``station/state`` at 10 Hz
  over DDS to a subscriber in another process;
* paced: the same node at real time (``real_time: true``): achieved control rate vs the configured
  100 Hz, p99 period jitter, and CPU seconds per simulated second against the bare loop's.

Prints JSON. Usage: python bench/sim_rtf.py [--seconds S] [--domain-id D]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Another process subscribing to joint_states, as a recorder would; it keeps its count in a file
# (argv[1]) so the benchmark can read it and then kill it, however busy it is.
SUBSCRIBER = """
import sys, rclpy
from pathlib import Path
from sensor_msgs.msg import JointState
from academy_common.qos import RELIABLE_QOS
out = Path(sys.argv[1])
count = 0
def on(msg):
    global count
    count += 1
rclpy.init()
node = rclpy.create_node("rtf_bench_listener")
node.create_subscription(JointState, "/bench/joint_states", on, RELIABLE_QOS)
print("ready", flush=True)
while True:
    rclpy.spin_once(node, timeout_sec=0.2)
    out.write_text(str(count))
"""


def bare_rtf(seconds: float) -> dict[str, float]:
    import mujoco

    from academy_description.model_registry import load_model
    from academy_sim.station import Station
    from academy_sim.station_config import load_station

    station = Station(load_model("aurora_h1"), load_station(ROOT / "config/stations/tabletop.yaml"))
    model, data = station.model, station.data
    steps = 0
    start, cpu_start = time.perf_counter(), time.process_time()
    while time.perf_counter() - start < seconds:
        for _ in range(100):
            mujoco.mj_step(model, data)
        steps += 100
    wall = time.perf_counter() - start
    sim_seconds = steps * model.opt.timestep
    cpu = time.process_time() - cpu_start
    # The same physics paced at real time: 5 steps every 10 ms, sleeping in between, as the
    # controller manager runs it (a CPU that sleeps between cycles runs them slower).
    cpu_start = time.process_time()
    next_time = start = time.perf_counter()
    cycles = 0
    while time.perf_counter() - start < seconds:
        mujoco.mj_step(model, data, nstep=5)
        cycles += 1
        next_time += 0.01
        delay = next_time - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
    paced_cpu = time.process_time() - cpu_start
    return {
        "steps_per_s": steps / wall,
        "rtf": sim_seconds / wall,
        "cpu_s_per_sim_s": cpu / sim_seconds,
        "paced_cpu_s_per_sim_s": paced_cpu / (cycles * 5 * model.opt.timestep),
    }


def node_run(seconds: float, real_time: bool) -> dict[str, object]:
    import rclpy
    from rclpy.executors import MultiThreadedExecutor

    from academy_control.controller_manager_node import ControllerManagerNode
    from academy_control.trajectory import TrajectoryPoint

    args = [
        "--ros-args", "-r", "__ns:=/bench",
        "-p", "robot_model:=aurora_h1",
        "-p", f"controllers_file:={ROOT / 'urdf/aurora_h1/controllers.yaml'}",
        "-p", f"station_file:={ROOT / 'config/stations/tabletop.yaml'}",
        "-p", f"real_time:={'true' if real_time else 'false'}",
    ]  # fmt: skip
    rclpy.init(args=args)
    node = ControllerManagerNode()
    node.trigger_configure()  # a lifecycle node: hardware loaded, then the loop started
    node.trigger_activate()
    executor = MultiThreadedExecutor(num_threads=2)
    executor.add_node(node)
    spinner = threading.Thread(target=executor.spin, daemon=True)
    spinner.start()
    manager = node.manager
    jtc = manager.trajectory_controllers["joint_trajectory_controller"]
    start_updates, start_wall = manager.updates, time.perf_counter()
    cpu_start = time.process_time()
    node.loop_statistics = type(node.loop_statistics)()
    target = -1.0
    while time.perf_counter() - start_wall < seconds:
        with manager.lock:
            if jtc.active is None:  # keep an arm moving all the time
                target = -1.9 if target > -1.5 else -1.0
                point = TrajectoryPoint(1.0, (target,))
                manager.follow("joint_trajectory_controller", ["right_elbow"], [point])
        time.sleep(0.01)
    wall = time.perf_counter() - start_wall
    cpu = time.process_time() - cpu_start
    updates = manager.updates - start_updates
    stats = node.loop_statistics.summary(manager.config.update_rate)
    executor.shutdown()
    spinner.join(timeout=5.0)
    node.destroy_node()
    rclpy.shutdown()
    sim_seconds = updates * manager.period
    return {
        "rtf": sim_seconds / wall,
        "cycles_per_s": updates / wall,
        # CPU of the whole process (loop, executor and DDS threads) per simulated second
        "cpu_s_per_sim_s": cpu / sim_seconds,
        "loop": stats,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--domain-id", type=int, default=229)
    args = parser.parse_args()
    os.environ["ROS_DOMAIN_ID"] = str(args.domain_id)
    os.environ.setdefault("ROS_AUTOMATIC_DISCOVERY_RANGE", "LOCALHOST")
    count_file = Path(tempfile.mkdtemp(prefix="academy_rtf_")) / "count"
    listener = subprocess.Popen(
        [sys.executable, "-c", SUBSCRIBER, str(count_file)], stdout=subprocess.PIPE, text=True
    )
    assert listener.stdout is not None
    listener.stdout.readline()  # "ready"
    try:
        bare = bare_rtf(args.seconds)
        unpaced = node_run(args.seconds, real_time=False)
        paced = node_run(args.seconds, real_time=True)
    finally:
        time.sleep(1.0)
        received = int(count_file.read_text() or 0) if count_file.exists() else -1
        listener.kill()
        listener.wait()
    report = {
        "benchmark": "sim_rtf",
        "physics_hz": 500,
        "baseline_bare_mj_step": bare,
        "controllers_and_ros_io": unpaced,
        "unpaced_rtf_ratio_vs_bare": unpaced["rtf"] / bare["rtf"],
        "unpaced_overhead_vs_bare": bare["rtf"] / unpaced["rtf"] - 1.0,
        # The budget's measure: what running the robot at real time costs per simulated second,
        # physics included, against the bare loop's cost for the same physics.
        "real_time_cpu_overhead_vs_bare": (
            paced["cpu_s_per_sim_s"] / bare["paced_cpu_s_per_sim_s"] - 1.0
        ),
        "paced_real_time": paced,
        "joint_states_received_by_other_process": received,
    }
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
