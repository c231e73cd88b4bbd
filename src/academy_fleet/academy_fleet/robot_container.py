"""Robots' nodes in one process, as a ROS 2 component container holds components.

Two executables:

- ``robot_container``: the controller manager, skill executor and recorder of the one robot whose
  namespace it is started in (``--ros-args -r __ns:=/robot_<n>``; a session's ``robot_nodes``);
- ``fleet_container``: those three nodes for each robot of ``robot_ids`` (from ``fleet_file``:
  each robot's model), each robot in its own namespace; a session starts one or a few of them
  as plain ``nodes``.

Each node keeps its own name in its robot's namespace (``/robot_1/controller_manager``, ...), as
if it ran alone, and its robot's ``/<robot>/clock`` as ``/clock``. Each robot has its own
executors: a multi-threaded one for its controller manager and skill executor (goals block while
they wait on other actions), and rclpy's C++ events executor for the skill executor's high-rate
inputs and action clients (its ``joint_states``, ``/clock``, ...); each recorder drains its
recorded topics on a thread of its own (see :mod:`academy_common.input_node`). The container
configures and activates its lifecycle nodes itself (as launch_ros' ``autostart`` does),
announces ``<container>/ready`` once they are all active, and on SIGINT/SIGTERM deactivates them
(recorders first: they finalise their bags) before exiting; nodes are destroyed only once no
executor spins on them.

Parameters (handed to the nodes that use them): ``station_file``, ``controllers_file`` (empty:
each model's), ``mode`` (``physics``, the default: MuJoCo stations; ``kinematic``: joints follow
commands, no contacts, see :data:`KINEMATIC_PARAMETERS`), ``update_rate`` (Hz; 0: the mode's:
each model's file in physics, 10 in kinematic), ``seed``, ``output_dir``, ``topics_file``,
``trainer_id``; ``robot_container`` also
``robot_id`` and ``robot_model``; ``fleet_container`` ``fleet_file`` and ``robot_ids``.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import rclpy
from rclpy.executors import Executor, MultiThreadedExecutor, SingleThreadedExecutor
from rclpy.lifecycle import LifecycleNode
from rclpy.node import Node
from rclpy.parameter import Parameter
from rclpy.signals import SignalHandlerOptions

from academy_common.input_node import input_executor, spin_events
from academy_common.node_main import announce_ready, lifecycle_state
from academy_control.controller_manager_node import ControllerManagerNode
from academy_description.fleet import load_fleet
from academy_recorder.recorder_node import RecorderNode
from academy_skills.skill_executor_node import SkillExecutorNode

#: Executor threads per robot: its skill executor blocks one per running goal and action client
#: (its controller manager's loop has a thread of its own).
THREADS_PER_ROBOT = 6
SHARED_PARAMETERS = (
    "station_file", "controllers_file", "output_dir", "topics_file", "trainer_id",
)  # fmt: skip
MODES = ("physics", "kinematic")
#: The kinematic mode's controller manager parameters: joints follow commands (no contacts) at
#: 10 Hz on the wall clock, the props' state once a second (nothing moves them) and trajectory
#: feedback twice a second: what a large-fleet rehearsal needs, at a fraction of the cost.
KINEMATIC_PARAMETERS: dict[str, Any] = {
    "hardware_plugin": "academy_sim/KinematicSystem",
    "update_rate": 10.0,
    "publish_clock": False,
    "station_state_rate": 1.0,
    "action_monitor_rate": 2.0,
}


class RobotNodes:
    """One robot's controller manager, skill executor and recorder, in ``namespace``, and the
    events executor that takes the skill executor's high-rate inputs (``inputs``)."""

    def __init__(self, namespace: str, values: dict[str, Any]) -> None:
        def options(names: Sequence[str], *extra: Parameter[Any]) -> dict[str, Any]:
            overrides = [Parameter(n, value=values[n]) for n in names if values[n] != ""]
            return {
                "namespace": namespace,
                "use_global_arguments": False,  # not the container's name and parameters
                "cli_args": ["--ros-args", "-r", f"/clock:={namespace}/clock"],
                "parameter_overrides": [*overrides, *extra],
            }

        kinematic = values["mode"] == "kinematic"
        profile = dict(KINEMATIC_PARAMETERS) if kinematic else {}
        if values["update_rate"]:
            profile["update_rate"] = values["update_rate"]
        hardware = [Parameter(n, value=v) for n, v in profile.items()]
        plugin = (
            [Parameter("hardware_plugin", value=profile["hardware_plugin"])] if kinematic else []
        )
        robot = ("robot_id", "robot_model", "station_file")
        self.inputs = input_executor()
        self.controller_manager = ControllerManagerNode(
            **options((*robot, "controllers_file", "seed"), *hardware)
        )
        self.skill_executor = SkillExecutorNode(
            input_executor=self.inputs,
            **options(robot, Parameter("use_sim_time", value=not kinematic)),
        )
        self.recorder = RecorderNode(
            **options(
                ("robot_id", "robot_model", "output_dir", "topics_file", "trainer_id"), *plugin
            ),
        )


class Container:
    """A host node (parameters, readiness) and the nodes of the robots it holds."""

    def __init__(self, host: Node, robots: dict[str, dict[str, Any]]) -> None:
        self.host = host
        self.robots = [RobotNodes(f"/{rid}", values) for rid, values in robots.items()]

    @property
    def lifecycle_nodes(self) -> list[LifecycleNode]:
        """Controller managers first, recorders last (a recorder records the rest)."""
        managers: list[LifecycleNode] = [r.controller_manager for r in self.robots]
        return [*managers, *(r.recorder for r in self.robots)]

    def bring_up(self) -> None:
        """Configure, then activate, every lifecycle node; then say the container is ready."""
        for transition, reaches in (("configure", "inactive"), ("activate", "active")):
            for node in self.lifecycle_nodes:
                getattr(node, f"trigger_{transition}")()
                if lifecycle_state(node) != reaches:
                    name = node.get_fully_qualified_name()
                    raise RuntimeError(f"{name}: {transition} failed (see its log)")
        announce_ready(self.host)

    def deactivate(self, nodes: Sequence[LifecycleNode]) -> None:
        """Deactivate those of ``nodes`` that are active."""
        for node in nodes:
            if lifecycle_state(node) == "active":
                node.trigger_deactivate()

    def destroy(self) -> None:
        """Shut the lifecycle nodes down and destroy every node (the executors have stopped:
        destroying an entity a spinning executor waits on raises in its thread)."""
        for node in self.lifecycle_nodes:
            if lifecycle_state(node) in ("unconfigured", "inactive"):
                node.trigger_shutdown()
        for robot in self.robots:
            robot.skill_executor.destroy_node()
            robot.controller_manager.destroy_node()
            robot.recorder.destroy_node()
        self.host.destroy_node()


def _shared_values(host: Node) -> dict[str, Any]:
    for name in SHARED_PARAMETERS:
        host.declare_parameter(name, "")
    host.declare_parameter("seed", -1)
    host.declare_parameter("mode", "physics")
    host.declare_parameter("update_rate", 0.0)
    values = {n: host.get_parameter(n).value for n in (*SHARED_PARAMETERS, "seed")}
    mode, rate = host.get_parameter("mode").value, host.get_parameter("update_rate").value
    if mode not in MODES:
        raise ValueError(f"parameter mode: {mode!r}: must be one of {', '.join(MODES)}")
    if not rate >= 0.0:
        raise ValueError(f"parameter update_rate: {rate}: Hz > 0, or 0 for the mode's")
    return {**values, "mode": mode, "update_rate": rate}


def one_robot() -> Container:
    """``robot_container``: the robot of the container's namespace."""
    host = Node("robot_container")
    values = _shared_values(host)
    host.declare_parameter("robot_id", "")
    host.declare_parameter("robot_model", "")
    robot_id = host.get_parameter("robot_id").value or host.get_namespace().strip("/")
    values.update(robot_id=robot_id, robot_model=host.get_parameter("robot_model").value)
    return Container(host, {robot_id: values})


def fleet_robots() -> Container:
    """``fleet_container``: the robots ``robot_ids`` of ``fleet_file`` (default: all)."""
    host = Node("fleet_container")
    values = _shared_values(host)
    host.declare_parameter("fleet_file", "")
    host.declare_parameter("robot_ids", [""])
    # ids and models only: each robot's nodes load (and check) their own model
    fleet = load_fleet(Path(str(host.get_parameter("fleet_file").value)), check_models=False)
    wanted = [r for r in host.get_parameter("robot_ids").value or [] if r]
    models = {r.id: r.model for r in fleet.robots}
    unknown = sorted(set(wanted) - set(models))
    if unknown:
        raise ValueError(f"robot_ids: {unknown}: not in the fleet; robots: {', '.join(models)}")
    ids = wanted or list(models)
    return Container(host, {r: {**values, "robot_id": r, "robot_model": models[r]} for r in ids})


def run(factory: Callable[[], Container], args: Sequence[str] | None) -> int:
    """Build the container, spin it, bring it up; on SIGINT/SIGTERM shut it down cleanly."""
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda signum, frame: stop.set())
    argv = None if args is None else list(args)
    with rclpy.init(args=argv, signal_handler_options=SignalHandlerOptions.NO):
        container = factory()
        # One executor per robot, not one for all: rclpy rebuilds the wait set from every
        # entity of its nodes at each wake-up, so a shared executor's cost grows with the
        # square of the robots it holds (bench/robots_per_host.py, docs/benchmarks.md).
        host = SingleThreadedExecutor()
        host.add_node(container.host)
        goals: list[Executor] = []
        inputs: list[Executor] = []
        for robot in container.robots:
            executor = MultiThreadedExecutor(num_threads=THREADS_PER_ROBOT)
            executor.add_node(robot.controller_manager)
            executor.add_node(robot.skill_executor)
            executor.add_node(robot.recorder)  # its recorded topics: drained by its own thread
            goals.append(executor)
            inputs.append(robot.inputs)
        # The inputs spin on until the goals have ended (their action clients complete them).
        stopping, inputs_stopping = threading.Event(), threading.Event()
        spinners = [(host, "host", stopping), *((e, "goals", stopping) for e in goals)]
        spinners += [(e, "inputs", inputs_stopping) for e in inputs]
        threads = {
            spinner: threading.Thread(target=_spin, args=(spinner, until), name=name, daemon=True)
            for spinner, name, until in spinners
        }
        for thread in threads.values():  # before bring-up: transitions wait on services they serve
            thread.start()
        try:
            container.bring_up()
            while not stop.wait(0.1) and container.host.context.ok():
                pass
        finally:
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            stopping.set()
            alive = container.host.context.ok()
            if alive:
                # Recorders first (they finalise their bags). The controller managers then end
                # their running goals, whose callbacks return on the multi-threaded executors,
                # still spinning.
                container.deactivate([r.recorder for r in container.robots])
                for robot in container.robots:  # running goals end now, not at a timeout
                    robot.skill_executor.stop()
                container.deactivate([r.controller_manager for r in container.robots])
            inputs_stopping.set()
            _stop([host, *goals, *inputs], threads)
            if alive:
                container.destroy()
    return 0


def _stop(executors: Sequence[Executor], threads: dict[Executor, threading.Thread]) -> None:
    """Shut ``executors`` down and wait for their threads."""
    for executor in executors:
        executor.shutdown(timeout_sec=5.0)
    for executor in executors:
        threads[executor].join(timeout=5.0)


def _spin(executor: Executor, stopping: threading.Event) -> None:
    """Spin until the executor is shut down (an events executor: until ``stopping``); what it
    raises while the container stops is the stop, not a fault (nothing to print)."""
    try:
        if isinstance(executor, Executor):
            executor.spin()
        else:  # rclpy's EventsExecutor is no Executor subclass
            spin_events(executor, stopping)
    except Exception:
        if not stopping.is_set():
            raise


def main(args: Sequence[str] | None = None) -> int:
    """Entry point of the ``robot_container`` executable."""
    return run(one_robot, args)


def fleet_main(args: Sequence[str] | None = None) -> int:
    """Entry point of the ``fleet_container`` executable."""
    return run(fleet_robots, args)


if __name__ == "__main__":
    raise SystemExit(main())
