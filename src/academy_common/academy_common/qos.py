"""Named QoS profiles used across the Academy graph.

Every publisher and subscriber picks one of these by name, so that matching endpoints always agree
(a reliable subscriber never silently misses a best-effort publisher's data, and vice versa).
"""

from __future__ import annotations

from rclpy.qos import (
    DurabilityPolicy,
    HistoryPolicy,
    QoSProfile,
    ReliabilityPolicy,
    qos_profile_sensor_data,
)

#: High-rate sensor streams (joint_states, audio): the newest sample matters more than every
#: sample, and a slow subscriber must never back-pressure the publisher. Best effort, depth 10.
SENSOR_QOS: QoSProfile = qos_profile_sensor_data

#: Commands, instructions and events (trajectories, skill_events, utterances): each message
#: changes what a robot does or marks an episode boundary, so none may be dropped. Reliable,
#: keep the last 100 so bursts (e.g. a program firing events quickly) survive a slow reader.
RELIABLE_QOS: QoSProfile = QoSProfile(
    history=HistoryPolicy.KEEP_LAST,
    depth=100,
    reliability=ReliabilityPolicy.RELIABLE,
    durability=DurabilityPolicy.VOLATILE,
)

#: The newest state a controller acts on (a skill reading joint_states or station/state): it
#: matches reliable publishers, but keeps only the last sample, so a reader that falls behind
#: (a busy host) acts on the present, never on a backlog (depth 100 at 100 Hz is 1 s old).
LATEST_QOS: QoSProfile = QoSProfile(
    history=HistoryPolicy.KEEP_LAST,
    depth=1,
    reliability=ReliabilityPolicy.RELIABLE,
    durability=DurabilityPolicy.VOLATILE,
)

#: Trainer instructions: reliable like every command, and transient local (last 100) so that a
#: node that matched the parser late (a recorder starting up) still gets the instruction that
#: caused the goal it records. Volatile reliable subscribers are compatible with it.
INSTRUCTIONS_QOS: QoSProfile = QoSProfile(
    history=HistoryPolicy.KEEP_LAST,
    depth=100,
    reliability=ReliabilityPolicy.RELIABLE,
    durability=DurabilityPolicy.TRANSIENT_LOCAL,
)

#: Latched state (robot status, robot description): a late joiner must get the current value
#: at once. Reliable, transient local, depth 1.
LATCHED_QOS: QoSProfile = QoSProfile(
    history=HistoryPolicy.KEEP_LAST,
    depth=1,
    reliability=ReliabilityPolicy.RELIABLE,
    durability=DurabilityPolicy.TRANSIENT_LOCAL,
)

#: Simulation time (``/clock``): one message per control cycle; only the newest matters and a
#: slow subscriber must never slow the simulation down. Best effort, depth 1 (as Gazebo's bridge).
CLOCK_QOS: QoSProfile = QoSProfile(
    history=HistoryPolicy.KEEP_LAST,
    depth=1,
    reliability=ReliabilityPolicy.BEST_EFFORT,
    durability=DurabilityPolicy.VOLATILE,
)
