"""ROS interfaces of a simulated station, created by the ``MujocoSystem`` hardware plugin.

In simulation the hardware plugin and the world are one MuJoCo model, so the process that steps
the physics also publishes the props' ground truth (``station/state``) and resets them between
attempts (``station/reset``), as a Gazebo world plugin would beside gz_ros2_control. The
controller manager only asks its hardware for these interfaces; it knows nothing of stations.
"""

from __future__ import annotations

import threading

from geometry_msgs.msg import Point  # type: ignore[import-untyped]
from rclpy.callback_groups import CallbackGroup
from rclpy.node import Node

from academy_common.qos import RELIABLE_QOS
from academy_interfaces.msg import FixtureState, ObjectState, Particles, StationState
from academy_interfaces.srv import ResetStation
from academy_sim.errors import InvalidPoseError
from academy_sim.station import ObjectPose, Station


class StationIO:
    """Publishes ``station/state`` and serves ``station/reset`` for a simulated station."""

    def __init__(
        self, node: Node, station: Station, lock: threading.RLock, group: CallbackGroup
    ) -> None:
        self._node = node
        self._station = station
        self._lock = lock
        self._publisher = node.create_publisher(StationState, "station/state", RELIABLE_QOS)
        node.create_service(ResetStation, "station/reset", self._reset, callback_group=group)

    def state(self) -> StationState:
        """The station now (call with the lock held)."""
        msg = StationState()
        msg.header.stamp = self._node.get_clock().now().to_msg()
        msg.header.frame_id = "world"
        msg.station = self._station.config.station
        msg.table_height = float(self._station.table_height)
        table = self._station.config.table
        msg.table_x_range = [float(v) for v in table.x_range]
        msg.table_y_range = [float(v) for v in table.y_range]
        for name in self._station.object_names:
            spec = self._station.object_spec(name)
            pose = self._station.object_pose(name)
            item = ObjectState(name=name, shape=spec.shape, color=spec.color, kind=spec.kind)
            item.pose.position.x, item.pose.position.y, item.pose.position.z = (
                float(v) for v in pose.position
            )
            o = item.pose.orientation
            o.w, o.x, o.y, o.z = (float(v) for v in pose.quaternion)
            item.size.x, item.size.y, item.size.z = (float(v) for v in spec.size)
            item.mass = float(spec.mass)
            msg.objects.append(item)
        for fixture in self._station.fixtures:
            state = FixtureState(name=fixture.name, kind=fixture.kind, color=fixture.color)
            state.pose.position.x, state.pose.position.y = fixture.x, fixture.y
            state.pose.position.z = float(self._station.table_height)
            state.pose.orientation.w = 1.0
            state.size.x, state.size.y, state.size.z = (float(v) for v in fixture.size)
            state.wall = float(fixture.wall or 0.0)
            state.floor = float(fixture.floor)
            joint = self._station.fixture_joint(fixture.name)
            if joint is not None:
                state.joint, state.travel = joint.position, joint.travel
                state.handle.x, state.handle.y, state.handle.z = joint.handle
            msg.fixtures.append(state)
        for bits in self._station.particles:
            loose = Particles(name=bits.name, kind=bits.kind, color=bits.color)
            loose.size.x, loose.size.y, loose.size.z = (float(v) for v in bits.size)
            loose.positions = [
                Point(x=float(x), y=float(y), z=float(z))
                for x, y, z in self._station.particle_positions(bits.name)
            ]
            msg.particles.append(loose)
        return msg

    def publish_state(self) -> None:
        """Publish the current state (call with the lock held)."""
        self._publisher.publish(self.state())

    def _reset(
        self, request: ResetStation.Request, response: ResetStation.Response
    ) -> ResetStation.Response:
        try:
            poses = requested_poses(request)
            with self._lock:
                fixtures = dict(zip(request.fixture_names, request.fixture_positions, strict=False))
                if len(request.fixture_names) != len(request.fixture_positions):
                    raise InvalidPoseError(
                        "station reset",
                        [
                            f"fixture_names has {len(request.fixture_names)} entries but "
                            f"fixture_positions has {len(request.fixture_positions)}; they must "
                            "pair up"
                        ],
                    )
                seed = None if request.seed < 0 else request.seed
                self._station.reset_objects(seed, poses, fixtures)
                response.state = self.state()
        except InvalidPoseError as error:  # nothing moved: the station checks before it places
            response.message = str(error)
            return response
        response.success = True
        response.message = "objects placed"
        return response


def requested_poses(request: ResetStation.Request) -> list[ObjectPose]:
    """The explicit poses of a reset request (raises InvalidPoseError if they do not pair up)."""
    if len(request.object_names) != len(request.poses):
        raise InvalidPoseError(
            "station reset",
            [
                f"object_names has {len(request.object_names)} entries but poses has "
                f"{len(request.poses)}; they must pair up"
            ],
        )
    return [
        ObjectPose(
            name,
            (pose.position.x, pose.position.y, pose.position.z),
            (pose.orientation.w, pose.orientation.x, pose.orientation.y, pose.orientation.z),
        )
        for name, pose in zip(request.object_names, request.poses, strict=True)
    ]
