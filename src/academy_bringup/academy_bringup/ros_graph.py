"""rclpy implementation of :class:`~academy_bringup.session_supervisor.GraphProbe`."""

from __future__ import annotations

import rclpy
from rclpy.context import Context
from rclpy.node import Node
from rclpy.signals import SignalHandlerOptions


class RclpyGraphProbe:
    """A hidden node of the runner that looks up node names on the ROS graph."""

    def __init__(self, domain_id: int | None = None) -> None:
        self._context = Context()
        # The supervisor owns SIGINT/SIGTERM (it must forward them), so rclpy must not.
        rclpy.init(
            context=self._context,
            domain_id=domain_id,
            signal_handler_options=SignalHandlerOptions.NO,
        )
        # A leading underscore hides the node from `ros2 node list`, like ros2cli's daemon.
        self._node = Node("_academy_session_runner", context=self._context)

    def is_ready(self, namespace: str, name: str) -> bool:
        """The node is on the graph and offers ``<node>/ready`` (it finished initialising)."""
        if (name, namespace) not in self._node.get_node_names_and_namespaces():
            return False
        ready = f"{namespace.rstrip('/')}/{name}/ready"
        topics = self._node.get_publisher_names_and_types_by_node(name, namespace)
        return any(topic == ready for topic, _ in topics)

    def close(self) -> None:
        self._node.destroy_node()
        self._context.try_shutdown()
