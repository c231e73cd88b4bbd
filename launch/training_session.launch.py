"""Launch a training session from the same session YAML that ``academy session up`` reads.

For machines with a full ROS 2 install (launch, launch_ros):

    ros2 launch launch/training_session.launch.py session:=config/sessions/demo.yaml

Validation, executable lookup and parameters come from academy_bringup.session_schema, so both
runners start exactly the same nodes. Respawn maps to launch_ros' ``respawn`` /
``respawn_delay`` (launch has no retry limit or backoff: ``max_respawns`` is not enforced here),
``on_exit: shutdown`` to a Shutdown action, ``required`` to shutting down when the node dies.

The session → node list step (:func:`node_launches`) imports nothing from launch, so it is tested
where launch is not installed; only :func:`generate_launch_description` needs launch/launch_ros.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, NamedTuple

from academy_bringup.session_schema import load_session


class NodeLaunch(NamedTuple):
    """One session node as launch_ros' ``Node`` takes it, plus whether its exit ends the session.

    A NamedTuple, not a dataclass: launch executes this file without registering it in
    ``sys.modules``, where a dataclass cannot resolve its annotations.
    """

    package: str
    executable: str
    name: str
    namespace: str | None
    parameters: list[Any]  # a parameters file (path) and/or a mapping, as launch_ros takes them
    arguments: list[str]
    remappings: list[tuple[str, str]]
    respawn: bool
    respawn_delay: float
    ends_session: bool
    lifecycle: bool  # declared as launch_ros' LifecycleNode (a lifecycle manager drives it)


def node_launches(session_file: Path, check_executables: bool = True) -> list[NodeLaunch]:
    """The nodes of ``session_file`` in session order (raises SessionValidationError)."""
    session = load_session(session_file, check_executables=check_executables)
    launches = []
    for node in session.nodes:
        spec = node.spec
        params = dict(node.parameters)
        params_file = params.pop("__params_file__", None)
        launches.append(
            NodeLaunch(
                package=spec.package,
                executable=spec.executable,
                name=spec.name,
                namespace=node.namespace or None,
                parameters=[p for p in (params_file, params) if p],
                arguments=list(spec.arguments),
                remappings=node.remappings,
                respawn=spec.respawn,
                respawn_delay=spec.respawn_delay,
                ends_session=spec.on_exit == "shutdown" or (spec.required and not spec.respawn),
                lifecycle=spec.lifecycle,
            )
        )
    return launches


def _nodes(context, *args, **kwargs):  # type: ignore[no-untyped-def]
    from launch.actions import Shutdown
    from launch.substitutions import LaunchConfiguration
    from launch_ros.actions import LifecycleNode, Node

    session_file = Path(LaunchConfiguration("session").perform(context))
    actions = []
    for node in node_launches(session_file):
        # launch_ros' LifecycleNode needs a namespace argument ("" for the root).
        kind, extra = (
            (LifecycleNode, {"namespace": node.namespace or ""})
            if node.lifecycle
            else (
                Node,
                {"namespace": node.namespace},
            )
        )
        actions.append(
            kind(
                package=node.package,
                executable=node.executable,
                name=node.name,
                parameters=node.parameters,
                arguments=node.arguments,
                remappings=node.remappings,
                respawn=node.respawn,
                respawn_delay=node.respawn_delay,
                output="screen",
                on_exit=Shutdown(reason=f"{node.name} exited") if node.ends_session else None,
                **extra,
            )
        )
    lifecycle_names = [
        f"{n.namespace or ''}/{n.name}" for n in node_launches(session_file) if n.lifecycle
    ]
    if lifecycle_names:
        # The stand-in runner configures and activates these itself; under ros2 launch a
        # lifecycle manager (e.g. nav2_lifecycle_manager with node_names) or `ros2 lifecycle set`
        # does it. Said once, so that nobody wonders why a recorder does not record.
        from launch.actions import LogInfo

        actions.append(
            LogInfo(msg="lifecycle nodes to configure and activate: " + ", ".join(lifecycle_names))
        )
    return actions


def generate_launch_description():  # type: ignore[no-untyped-def]
    from launch.actions import DeclareLaunchArgument, OpaqueFunction

    from launch import LaunchDescription

    return LaunchDescription(
        [
            DeclareLaunchArgument("session", description="session YAML file"),
            OpaqueFunction(function=_nodes),
        ]
    )
