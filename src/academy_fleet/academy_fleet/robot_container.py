"""``robot_container``: one robot's nodes in one process, as a ROS 2 component container holds them.

The controller manager, skill executor and recorder of the robot whose namespace this process is
started in (``--ros-args -r __ns:=/robot_<n>``) are built here, each with its own name in that
namespace, and share one multi-threaded executor: one DDS participant and one Python runtime per
robot instead of three. The container configures and activates its lifecycle nodes itself (as
launch_ros' ``autostart`` does), announces ``robot_container/ready`` once they are active, and on
SIGINT/SIGTERM deactivates them (the recorder finalises its bag) before exiting.

Parameters (of the container; handed to the nodes that use them): ``robot_id``, ``robot_model``,
``station_file``, ``controllers_file`` (empty: the model's), ``seed``, ``output_dir``,
``topics_file``, ``trainer_id``. The robot's nodes use ``/<robot>/clock`` as their ``/clock``.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Sequence
from typing import Any

import rclpy
from rclpy.executors import MultiThreadedExecutor, SingleThreadedExecutor
from rclpy.lifecycle import LifecycleNode
from rclpy.node import Node
from rclpy.parameter import Parameter
from rclpy.signals import SignalHandlerOptions

from academy_common.node_main import announce_ready, lifecycle_state
from academy_control.controller_manager_node import ControllerManagerNode
from academy_recorder.recorder_node import RecorderNode
from academy_skills.skill_executor_node import SkillExecutorNode

#: Executor threads: the skill executor blocks one per running goal and action client; the
#: controller manager's loop has its own thread.
THREADS = 8
STRING_PARAMETERS = (
    "robot_id", "robot_model", "station_file", "controllers_file", "output_dir", "topics_file",
    "trainer_id",
)  # fmt: skip


class RobotContainer:
    """The host node (parameters, readiness) and the robot's three nodes."""

    def __init__(self) -> None:
        self.host = Node("robot_container")
        for name in STRING_PARAMETERS:
            self.host.declare_parameter(name, "")
        self.host.declare_parameter("seed", -1)
        namespace = self.host.get_namespace()
        values = {n: self.host.get_parameter(n).value for n in (*STRING_PARAMETERS, "seed")}
        values["robot_id"] = values["robot_id"] or namespace.strip("/")

        def options(names: Sequence[str], *extra: Parameter[Any]) -> dict[str, Any]:
            overrides = [Parameter(n, value=values[n]) for n in names if values[n] != ""]
            return {
                "namespace": namespace,
                "use_global_arguments": False,  # the container's own name and parameters
                "cli_args": ["--ros-args", "-r", f"/clock:={namespace.rstrip('/')}/clock"],
                "parameter_overrides": [*overrides, *extra],
            }

        robot = ("robot_id", "robot_model", "station_file")
        self.controller_manager = ControllerManagerNode(
            **options((*robot, "controllers_file", "seed"))
        )
        self.skill_executor = SkillExecutorNode(
            **options(robot, Parameter("use_sim_time", value=True))
        )
        self.recorder = RecorderNode(
            **options(("robot_id", "robot_model", "output_dir", "topics_file", "trainer_id"))
        )
        self.lifecycle_nodes: list[LifecycleNode] = [self.controller_manager, self.recorder]
        #: Spun by the multi-threaded executor (blocking goals); the recorder, which takes every
        #: 100 Hz message, gets a single-threaded one (see academy_common.input_node).
        self.nodes: list[Node] = [self.host, self.skill_executor, self.controller_manager]

    def bring_up(self) -> None:
        """Configure then activate the lifecycle nodes (recorder last: it records the rest)."""
        for node in self.lifecycle_nodes:
            node.trigger_configure()
            if lifecycle_state(node) != "inactive":
                raise RuntimeError(f"{node.get_fully_qualified_name()}: configure failed")
        for node in self.lifecycle_nodes:
            node.trigger_activate()
            if lifecycle_state(node) != "active":
                raise RuntimeError(f"{node.get_fully_qualified_name()}: activate failed")
        announce_ready(self.host)

    def shut_down(self) -> None:
        """Deactivate (the recorder first: it finalises its bag), shut down, destroy."""
        for node in reversed(self.lifecycle_nodes):
            if lifecycle_state(node) == "active":
                node.trigger_deactivate()
            if lifecycle_state(node) in ("unconfigured", "inactive"):
                node.trigger_shutdown()
        for each in [*self.nodes, self.recorder]:
            each.destroy_node()


def main(args: Sequence[str] | None = None) -> int:
    """Entry point of the ``robot_container`` executable."""
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda signum, frame: stop.set())
    argv = None if args is None else list(args)
    with rclpy.init(args=argv, signal_handler_options=SignalHandlerOptions.NO):
        container = RobotContainer()
        executor = MultiThreadedExecutor(num_threads=THREADS)
        for each in container.nodes:
            executor.add_node(each)
        recording = SingleThreadedExecutor()
        recording.add_node(container.recorder)
        for spin, name in ((executor.spin, "executor"), (recording.spin, "recorder")):
            threading.Thread(target=spin, name=name, daemon=True).start()
        try:
            container.bring_up()
            while not stop.wait(0.1) and container.host.context.ok():
                pass
        finally:
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            if container.host.context.ok():
                container.shut_down()
            executor.shutdown(timeout_sec=5.0)
            recording.shutdown(timeout_sec=5.0)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
