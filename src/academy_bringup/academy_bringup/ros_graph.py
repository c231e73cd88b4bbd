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

    def has_node(self, namespace: str, name: str) -> bool:
        return (name, namespace) in self._node.get_node_names_and_namespaces()

    def close(self) -> None:
        self._node.destroy_node()
        self._context.try_shutdown()
