"""Launch a training session from the same session YAML that ``academy session up`` reads.

For machines with a full ROS 2 install (launch, launch_ros):

    ros2 launch launch/training_session.launch.py session:=config/sessions/demo.yaml

Validation, executable lookup and parameters come from academy_bringup.session_schema, so both
runners start exactly the same nodes. Respawn maps to launch_ros' ``respawn`` /
``respawn_delay`` (launch has no retry limit or backoff: ``max_respawns`` is not enforced here),
``on_exit: shutdown`` to a Shutdown action, ``required`` to shutting down when the node dies.
"""

from __future__ import annotations

from pathlib import Path

from launch.actions import DeclareLaunchArgument, OpaqueFunction, Shutdown
from launch.substitutions import LaunchConfiguration
from launch_ros.actions import Node

from academy_bringup.session_schema import load_session
from launch import LaunchDescription


def _nodes(context, *args, **kwargs):  # type: ignore[no-untyped-def]
    session = load_session(Path(LaunchConfiguration("session").perform(context)))
    actions = []
    for node in session.nodes:
        spec = node.spec
        params = dict(node.parameters)
        params_file = params.pop("__params_file__", None)
        ends_session = spec.on_exit == "shutdown" or (spec.required and not spec.respawn)
        actions.append(
            Node(
                package=spec.package,
                executable=spec.executable,
                name=spec.name,
                namespace=node.namespace or None,
                parameters=[p for p in (params_file, params) if p],
                arguments=list(spec.arguments),
                respawn=spec.respawn,
                respawn_delay=spec.respawn_delay,
                output="screen",
                on_exit=Shutdown(reason=f"{spec.name} exited") if ends_session else None,
            )
        )
    return actions


def generate_launch_description() -> LaunchDescription:
    return LaunchDescription(
        [
            DeclareLaunchArgument("session", description="session YAML file"),
            OpaqueFunction(function=_nodes),
        ]
    )
