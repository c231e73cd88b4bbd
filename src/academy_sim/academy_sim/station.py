"""A MuJoCo training station: a robot model compiled from its URDF, a table and props.

The pelvis is welded to the world, as a harnessed humanoid hangs in a training hall, so
manipulation skills need no balance controller. Each actuated joint gets a MuJoCo position servo
(stiffness from its effort limit, critically damped) whose force is clamped to the URDF effort
limit; arm and head bodies are gravity-compensated as a real humanoid's drives do with a
feed-forward term. Objects are free bodies: they are held only by contact and friction.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import mujoco
import numpy as np

from academy_common.frames import yaw_from_quaternion
from academy_description.model_registry import RobotModel
from academy_description.mujoco_model import (
    PROP_BIT,
    ROBOT_BIT,
    SERVO_ARMATURE,
    arm_reach,
    robot_spec,
)
from academy_sim.errors import InvalidPoseError, InvalidStationError, UnknownObjectError
from academy_sim.station_config import (
    ARTICULATED,
    FLOOR_THICKNESS,
    MAX_DROP_HEIGHT,
    PARTICLE_SPACING,
    TRAY_HANDLE,
    TRAY_HANDLE_INSET,
    FixtureSpec,
    ObjectSpec,
    ParticlesSpec,
    StationConfig,
    grid_cells,
    parse_station,
)

#: Contact bits (robot geoms collide with props and the table, never with each other) and the
#: robot alone as a MuJoCo spec come from the description layer, which the IK shares.
#: Position servo stiffness per newton(-metre) of effort limit: N.m/rad per N.m (1/rad), N/m per N.
STIFFNESS_PER_EFFORT = {"revolute": 40.0, "continuous": 40.0, "prismatic": 1000.0}

#: Finger damping per unit of effort limit (s): N.s/m per N, N.m.s/rad per N.m.
FINGER_DAMPING_S = 0.125

#: Contact priority of the props' geoms (robot, table and floor have 0): see ``_add_object``.
PROP_PRIORITY = 1
#: A requested orientation must be a unit quaternion within this (|q| - 1) ...
QUATERNION_NORM_TOLERANCE = 1e-3
#: ... and turn the prop about the vertical only, within this tilt (rad): props are placed upright.
UPRIGHT_TOLERANCE = 0.01


@dataclass(frozen=True)
class ObjectPose:
    """Where one prop is: position (m) and orientation (w, x, y, z quaternion)."""

    name: str
    position: tuple[float, float, float]
    quaternion: tuple[float, float, float, float]


def add_drives(spec: mujoco.MjSpec, robot: RobotModel) -> None:
    """Gravity compensation, rotor inertia and one position servo per driven joint.

    Servo stiffness scales with the joint's effort limit and its force is clamped to it;
    continuous joints (wheels) get an unlimited control range.
    """
    gripper_joints = {j for joints in robot.grippers.values() for j in joints}
    for body in spec.bodies:
        if body.name != "world":
            body.gravcomp = 1.0
    for joint in spec.joints:
        joint.armature = SERVO_ARMATURE
    for name in robot.urdf.actuated_joints:
        limits = robot.urdf.limits[name]
        kind = robot.urdf.joint_types[name]
        actuator = spec.add_actuator(name=name, target=name)
        actuator.trntype = mujoco.mjtTrn.mjTRN_JOINT
        actuator.set_to_position(kp=STIFFNESS_PER_EFFORT[kind] * limits.effort, dampratio=1.0)
        if kind == "continuous":
            actuator.ctrllimited = mujoco.mjtLimited.mjLIMITED_FALSE
        else:
            actuator.ctrlrange = [limits.lower, limits.upper]
            actuator.ctrllimited = mujoco.mjtLimited.mjLIMITED_TRUE
        actuator.forcerange = [-limits.effort, limits.effort]
        actuator.forcelimited = mujoco.mjtLimited.mjLIMITED_TRUE
        if name in gripper_joints:
            # Fingers close smoothly instead of bouncing, at up to 1/FINGER_DAMPING_S m/s
            # (rad/s) at full force: 5 N.s/m for the Aurora's 40 N fingers.
            spec.joint(name).damping = [FINGER_DAMPING_S * limits.effort, 0.0, 0.0]


def robot_alone(
    robot: RobotModel, timestep: float = 0.002, self_collision: bool = False
) -> tuple[mujoco.MjModel, mujoco.MjData]:
    """``robot`` alone at its mount with its drives, at its start posture, servos holding it.

    ``self_collision`` lets every robot geom pair collide (MuJoCo still filters parent/child),
    as the URDF compiles as-is: the baseline of ``bench/model_step_rate.py``. Stations keep it off.
    """
    spec = robot_spec(robot)
    if self_collision:
        for geom in spec.geoms:
            geom.contype = geom.conaffinity = ROBOT_BIT
    spec.option.timestep = timestep
    spec.option.integrator = mujoco.mjtIntegrator.mjINT_IMPLICITFAST
    add_drives(spec, robot)
    model = spec.compile()
    data = mujoco.MjData(model)
    for name, value in robot.urdf.initial_positions.items():
        data.qpos[model.joint(name).qposadr[0]] = value
    mujoco.mj_forward(model, data)
    for name in robot.urdf.actuated_joints:
        data.ctrl[model.actuator(name).id] = data.qpos[model.joint(name).qposadr[0]]
    return model, data


def hold_still(robot: RobotModel, seconds: float, timestep: float = 0.002) -> dict[str, float]:
    """Simulate ``robot`` alone holding its start posture; largest drift per driven joint.

    A valid model holds still within a few milliradians; a model with wrong gains, limits or
    inertias drifts or becomes non-finite (reported as ``inf``).
    """
    model, data = robot_alone(robot, timestep)
    joints = robot.urdf.actuated_joints
    adr = np.array([model.joint(n).qposadr[0] for n in joints])
    start = data.qpos[adr].copy()
    worst = np.zeros(len(joints))
    unstable = (mujoco.mjtWarning.mjWARN_BADQACC, mujoco.mjtWarning.mjWARN_BADQVEL)
    for _ in range(max(1, round(seconds / timestep))):
        mujoco.mj_step(model, data)
        if any(data.warning[w].number for w in unstable):  # MuJoCo reset the state: diverged
            dof = int(data.warning[unstable[0]].lastinfo)  # where it diverged
            culprit = [n for n in joints if model.jnt_dofadr[model.joint(n).id] == dof]
            return {n: float("inf") if n in (culprit or joints) else 0.0 for n in joints}
        worst = np.maximum(worst, np.abs(data.qpos[adr] - start))
    return {n: float(d) for n, d in zip(joints, worst, strict=True)}


#: Table edge beyond a fitted layout's spawn areas, at least (m).
FITTED_TABLE_MARGIN = 0.002


def mount_height(config: StationConfig, robot: RobotModel) -> float:
    """Where ``config`` hangs ``robot``'s root link (m): its own height, else the model's mount."""
    return robot.mount.height if config.pelvis_height is None else config.pelvis_height


def fit_station(config: StationConfig, robot: RobotModel) -> StationConfig:
    """``config`` for ``robot``: its mount height, and the layout fitted to its reach.

    The layout (table and spawn ranges; props keep their size) is scaled about the reference
    shoulders by ``robot arm length / reference arm_length``, then, when the model names its
    ``mount.workspace``, moved so the props' centre sits that far in front of and the table top
    that far below the robot's shoulders. The table grows where a prop's footprint would poke
    over an edge. A station without a ``reach_reference`` keeps its layout. The result is
    validated again (:class:`InvalidStationError` names the robot).
    """
    height = mount_height(config, robot)
    reference = config.reach_reference
    if reference is None:
        return config.model_copy(update={"pelvis_height": height})
    reaches = list(arm_reach(robot).values())
    if not reaches:
        raise InvalidStationError(
            config.station, [f"reach_reference: robot model {robot.name!r} has no arms to fit to"]
        )
    lift = height - robot.mount.height  # a station may hang the robot higher than its mount
    shoulder_x = float(np.mean([r.shoulder[0] for r in reaches]))
    shoulder_z = float(np.mean([r.shoulder[2] for r in reaches])) + lift
    length = float(np.mean([r.length for r in reaches]))
    scale = length / reference.arm_length
    _, width, top = config.table.size
    centre = float(np.mean([np.mean(o.spawn_x) for o in config.objects]))
    forward = (centre - reference.shoulder_x) / reference.arm_length
    below = (reference.shoulder_z - top) / reference.arm_length
    workspace = robot.mount.workspace
    if workspace is not None:
        forward, below = workspace.forward, workspace.below

    def place_x(x: float) -> float:  # about the props' centre, scaled, at the robot's forward
        return shoulder_x + forward * length + (x - centre) * scale

    objects = [
        obj.model_copy(
            update={
                "spawn_x": tuple(place_x(x) for x in obj.spawn_x),
                "spawn_y": tuple(y * scale for y in obj.spawn_y),
            }
        )
        for obj in config.objects
    ]
    # Fixtures move with the layout (their centres scaled, as the props' spawn ranges) and
    # keep their size, as the props do.
    fixtures = [f.model_copy(update={"x": place_x(f.x), "y": f.y * scale}) for f in config.fixtures]
    # Scaled down for a short arm, the props' ranges come closer to each other and to the
    # fixtures, which keep their size as the props do: each moves sideways off what it overlaps.
    taken: list[tuple[float, float, float, float]] = []
    for index, f in enumerate(fixtures):  # each fixture off the ones before it, sideways
        half = f.size[1] / 2
        placed = _clear_of(_as_range(f), taken)
        y = (placed.spawn_y[0] + placed.spawn_y[1]) / 2
        fixtures[index] = f = f.model_copy(update={"y": y})
        taken.append((f.x - f.size[0] / 2, f.x + f.size[0] / 2, y - half, y + half))
    cleared = []
    for obj in objects:
        moved = _clear_of(obj, taken)
        half_x, half_y = moved.footprint(*moved.spawn_yaw)
        taken.append(
            (
                moved.spawn_x[0] - half_x,
                moved.spawn_x[1] + half_x,
                moved.spawn_y[0] - half_y,
                moved.spawn_y[1] + half_y,
            )
        )
        cleared.append(moved)
    objects = cleared
    particles = []
    for bits in config.particles:  # a patch of bits moves like a prop's spawn area
        if bits.spawn_x is None or bits.spawn_y is None:
            particles.append(bits)  # inside a prop: they go where it goes
            continue
        # The patch's centre moves with the layout; it keeps its size, as the props do (a
        # child-sized robot's patch still holds every bit).
        cx, cy = place_x(sum(bits.spawn_x) / 2), scale * sum(bits.spawn_y) / 2
        hx, hy = (bits.spawn_x[1] - bits.spawn_x[0]) / 2, (bits.spawn_y[1] - bits.spawn_y[0]) / 2
        bits = bits.model_copy(
            update={"spawn_x": (cx - hx, cx + hx), "spawn_y": (cy - hy, cy + hy)}
        )
        patch = _clear_of(_patch(bits), taken)
        taken.append((*patch.spawn_x, *patch.spawn_y))
        particles.append(bits.model_copy(update={"spawn_y": patch.spawn_y}))
    low_x, high_x = (place_x(x) for x in config.table.x_range)
    half_width = width * scale / 2
    extents = [(o.spawn_x, o.spawn_y, o.footprint(*o.spawn_yaw)) for o in objects]
    extents += [((f.x, f.x), (f.y, f.y), (f.size[0] / 2, f.size[1] / 2)) for f in fixtures]
    extents += [
        (p.spawn_x, p.spawn_y, (p.size[0] / 2, p.size[1] / 2))
        for p in particles
        if p.spawn_x is not None and p.spawn_y is not None
    ]
    for spawn_x, spawn_y, (half_x, half_y) in extents:
        low_x = min(low_x, spawn_x[0] - half_x - FITTED_TABLE_MARGIN)
        high_x = max(high_x, spawn_x[1] + half_x + FITTED_TABLE_MARGIN)
        half_width = max(half_width, max(map(abs, spawn_y)) + half_y + FITTED_TABLE_MARGIN)
    fitted_top = shoulder_z - below * length
    where = f"{config.station} fitted to {robot.name} (arm scale {scale:.2f})"
    if fitted_top <= 0:
        raise InvalidStationError(
            where,
            [
                f"table.size: top at {fitted_top:.3f} m: below the floor; the shoulders stand "
                f"{shoulder_z:.3f} m high, so the table top may be at most "
                f"{shoulder_z / length:.2f} arm lengths below them (model.yaml "
                f"mount.workspace.below is {below:.2f}), or hang the robot higher "
                "(pelvis_height)"
            ],
        )
    data = config.model_dump()
    data.update(
        pelvis_height=height,
        reach_reference=None,  # fitted: the layout is now this robot's
        table={
            "center_x": (low_x + high_x) / 2,
            "size": (high_x - low_x, 2 * half_width, fitted_top),
        },
        objects=[o.model_dump() for o in objects],
        fixtures=[f.model_dump() for f in fixtures],
        particles=[p.model_dump() for p in particles],
    )
    return parse_station(data, where)


def _as_range(fixture: FixtureSpec) -> ObjectSpec:
    """A fixture's footprint as a prop's spawn area (a box at its one position), to clear."""
    return ObjectSpec(
        name=fixture.name, kind=fixture.kind, color=fixture.color, shape="box",
        size=fixture.size, mass=1.0, friction=(1.0, 0.0, 0.0), rgba=fixture.rgba,
        spawn_x=(fixture.x, fixture.x), spawn_y=(fixture.y, fixture.y), spawn_yaw=(0.0, 0.0),
    )  # fmt: skip


def _patch(bits: ParticlesSpec) -> ObjectSpec:
    """A patch of bits as a prop's spawn area (one bit's size over the patch), to clear."""
    assert bits.spawn_x is not None and bits.spawn_y is not None
    return ObjectSpec(
        name=bits.name, kind=bits.kind, color=bits.color, shape="box", size=bits.size,
        mass=bits.mass, friction=bits.friction, rgba=bits.rgba, spawn_x=bits.spawn_x,
        spawn_y=bits.spawn_y, spawn_yaw=(0.0, 0.0),
    )  # fmt: skip


#: What a prop's spawn area keeps from what it was moved off (m).
FIT_CLEARANCE = 0.005


def _clear_of(obj: ObjectSpec, taken: Sequence[tuple[float, float, float, float]]) -> ObjectSpec:
    """``obj`` with its spawn range moved sideways, away from the middle of each area of
    ``taken`` (x low, x high, y low, y high, m) its spawn area overlaps, until it overlaps
    none (the table grows to hold it)."""
    half_x, half_y = obj.footprint(*obj.spawn_yaw)
    low, high = obj.spawn_y
    for _ in range(len(taken) + 1):
        moved = False
        for x0, x1, y0, y1 in taken:
            if obj.spawn_x[1] + half_x <= x0 or obj.spawn_x[0] - half_x >= x1:
                continue  # apart along x
            if high + half_y <= y0 or low - half_y >= y1:
                continue  # apart along y
            if (low + high) / 2 < (y0 + y1) / 2:
                shift = -((high + half_y) - y0 + FIT_CLEARANCE)
            else:
                shift = y1 - (low - half_y) + FIT_CLEARANCE
            low, high, moved = low + shift, high + shift, True
        if not moved:
            break
    return obj.model_copy(update={"spawn_y": (low, high)})


def build_station_spec(robot: RobotModel, config: StationConfig) -> mujoco.MjSpec:
    """The whole station as a MuJoCo spec (robot + servos + table + props + contact settings)."""
    spec = robot_spec(robot, config.pelvis_height)  # a fitted config: never None here
    spec.option.timestep = config.timestep
    spec.option.cone = (
        mujoco.mjtCone.mjCONE_ELLIPTIC
        if config.contact.cone == "elliptic"
        else mujoco.mjtCone.mjCONE_PYRAMIDAL
    )
    spec.option.impratio = config.contact.impratio
    spec.option.noslip_iterations = config.contact.noslip_iterations
    spec.option.integrator = mujoco.mjtIntegrator.mjINT_IMPLICITFAST

    add_drives(spec, robot)
    finger_links = _finger_links(spec, robot)
    for geom in spec.geoms:
        if geom.parent.name in finger_links:
            geom.friction = list(config.contact.friction)
            geom.condim = config.contact.condim

    depth, width, height = config.table.size
    table = spec.worldbody.add_body(name="table", pos=[config.table.center_x, 0.0, height / 2])
    table.add_geom(
        name="table_top",
        type=mujoco.mjtGeom.mjGEOM_BOX,
        size=[depth / 2, width / 2, height / 2],
        rgba=[0.55, 0.4, 0.25, 1.0],
        contype=PROP_BIT,
        conaffinity=PROP_BIT | ROBOT_BIT,
        friction=[0.6, 0.005, 0.0001],
    )
    spec.worldbody.add_geom(
        name="floor",
        type=mujoco.mjtGeom.mjGEOM_PLANE,
        size=[3.0, 3.0, 0.1],
        rgba=[0.3, 0.3, 0.3, 1.0],
        contype=PROP_BIT,
        conaffinity=PROP_BIT,
    )
    for obj in config.objects:
        _add_object(spec, obj, config, height)
    for fixture in config.fixtures:
        _add_fixture(spec, fixture, height)
    for bits in config.particles:
        _add_particles(spec, bits, height)
    return spec


def _add_particles(spec: mujoco.MjSpec, bits: ParticlesSpec, table_h: float) -> None:
    """``count`` free flat boxes named ``<name>_<i>`` (placed on their patch at each reset)."""
    x, y, z = bits.size
    for index in range(bits.count):
        name = f"{bits.name}_{index}"
        body = spec.worldbody.add_body(name=name, pos=[0.3, 0.0, table_h + z / 2])
        body.add_freejoint(name=f"{name}_free")
        body.add_geom(
            name=name,
            type=mujoco.mjtGeom.mjGEOM_BOX,
            size=[x / 2, y / 2, z / 2],
            mass=bits.mass,
            rgba=list(bits.rgba),
            contype=PROP_BIT,
            conaffinity=PROP_BIT | ROBOT_BIT,
            friction=list(bits.friction),
            condim=3,
            priority=PROP_PRIORITY,
        )


#: A target pad's visual thickness (m): tape on the table, which nothing touches.
PAD_THICKNESS = 0.001


def _add_fixture(spec: mujoco.MjSpec, fixture: FixtureSpec, table_h: float) -> None:
    """A static fixture on the table top: a pad is only seen (no contact: an object set on it
    rests on the table); a bin is a floor and four walls that props and the robot touch."""
    size_x, size_y, size_z = fixture.size
    body = spec.worldbody.add_body(name=fixture.name, pos=[fixture.x, fixture.y, table_h])
    if fixture.kind == "target_pad":
        body.add_geom(
            name=fixture.name,
            type=mujoco.mjtGeom.mjGEOM_BOX,
            size=[size_x / 2, size_y / 2, PAD_THICKNESS / 2],
            pos=[0.0, 0.0, PAD_THICKNESS / 2],
            rgba=list(fixture.rgba),
            contype=0,
            conaffinity=0,
        )
        return
    if fixture.kind in ARTICULATED:
        _ARTICULATED_BUILDERS[fixture.kind](body, fixture)
        return
    if fixture.kind == "shelf":
        _shelf(body, fixture)
        return
    wall = float(fixture.wall or 0.0)
    floor = min(wall, FLOOR_THICKNESS)
    half_x, half_y, half_z = size_x / 2, size_y / 2, size_z / 2
    boxes = {
        "floor": ([half_x, half_y, floor / 2], [0.0, 0.0, floor / 2]),
        "wall_front": ([wall / 2, half_y, half_z], [-half_x + wall / 2, 0.0, half_z]),
        "wall_back": ([wall / 2, half_y, half_z], [half_x - wall / 2, 0.0, half_z]),
        "wall_right": ([half_x, wall / 2, half_z], [0.0, -half_y + wall / 2, half_z]),
        "wall_left": ([half_x, wall / 2, half_z], [0.0, half_y - wall / 2, half_z]),
    }
    for part, (half, pos) in boxes.items():
        body.add_geom(
            name=f"{fixture.name}_{part}",
            type=mujoco.mjtGeom.mjGEOM_BOX,
            size=half,
            pos=pos,
            rgba=list(fixture.rgba),
            contype=PROP_BIT,
            conaffinity=PROP_BIT | ROBOT_BIT,
            friction=[0.6, 0.005, 0.0001],
        )


def _finger_links(spec: mujoco.MjSpec, robot: RobotModel) -> set[str]:
    fingers = {j for joints in robot.grippers.values() for j in joints}
    return {b.name for b in spec.bodies if any(j.name in fingers for j in b.joints)}


def _add_object(
    spec: mujoco.MjSpec, obj: ObjectSpec, config: StationConfig, table_h: float
) -> None:
    x, y, z = obj.size
    body = spec.worldbody.add_body(name=obj.name, pos=[0.3, 0.0, table_h + z / 2])
    body.add_freejoint(name=f"{obj.name}_free")
    box, cylinder = mujoco.mjtGeom.mjGEOM_BOX, mujoco.mjtGeom.mjGEOM_CYLINDER
    if obj.shape == "open_box":  # a floor and four walls, open on top: the name is the floor's
        wall = obj.wall or 0.0
        parts = [
            (obj.name, [x / 2, y / 2, wall / 2], [0.0, 0.0, -z / 2 + wall / 2]),
            (f"{obj.name}_wall_front", [wall / 2, y / 2, z / 2], [x / 2 - wall / 2, 0.0, 0.0]),
            (f"{obj.name}_wall_back", [wall / 2, y / 2, z / 2], [-x / 2 + wall / 2, 0.0, 0.0]),
            (f"{obj.name}_wall_left", [x / 2, wall / 2, z / 2], [0.0, y / 2 - wall / 2, 0.0]),
            (f"{obj.name}_wall_right", [x / 2, wall / 2, z / 2], [0.0, -y / 2 + wall / 2, 0.0]),
        ]
        for name, size, pos in parts:  # each carries a fifth of its mass
            _prop_geom(body, obj, config, name, box, size, obj.mass / len(parts), pos)
        return
    if obj.shape == "tray":  # a post handle on the top at each end, for two hands
        diameter, height = TRAY_HANDLE
        for side, sign in (("right", -1.0), ("left", 1.0)):
            pos = [0.0, sign * (y / 2 - TRAY_HANDLE_INSET), z / 2 + height / 2]
            size = [diameter / 2, height / 2, 0.0]
            _prop_geom(body, obj, config, f"{obj.name}_handle_{side}", cylinder, size, 0.01, pos,
                       rgba=[0.8, 0.8, 0.8, 1.0])  # fmt: skip
    if obj.shape in ("box", "tray"):
        _prop_geom(body, obj, config, obj.name, box, [x / 2, y / 2, z / 2], obj.mass)
    else:
        _prop_geom(body, obj, config, obj.name, cylinder, [x / 2, z / 2, 0.0], obj.mass)


def _prop_geom(
    body: mujoco.MjsBody,
    obj: ObjectSpec,
    config: StationConfig,
    name: str,
    kind: mujoco.mjtGeom,
    size: list[float],
    mass: float,
    pos: list[float] | None = None,
    rgba: list[float] | None = None,
) -> None:
    """One geom of a prop, with the prop's own friction and contact settings."""
    body.add_geom(
        name=name,
        type=kind,
        size=size,
        pos=pos or [0.0, 0.0, 0.0],
        mass=mass,
        rgba=rgba or list(obj.rgba),
        contype=PROP_BIT,
        conaffinity=PROP_BIT | ROBOT_BIT,
        friction=list(obj.friction),
        condim=config.contact.condim,
        # MuJoCo takes the larger friction of two touching geoms unless one has the higher
        # priority: the prop's own friction must govern its contacts, or a slippery prop would
        # grip the rubber pads as well as any other.
        priority=PROP_PRIORITY,
    )


#: A shelf's board and legs (m).
SHELF_BOARD = 0.015
SHELF_LEG = 0.02


def _shelf(body: mujoco.MjsBody, fixture: FixtureSpec) -> None:
    """A board whose top is ``size`` z above the table, on a leg at each end (along y)."""
    sx, sy, sz = fixture.size
    box = mujoco.mjtGeom.mjGEOM_BOX
    rgba = list(fixture.rgba)
    _solid(body, f"{fixture.name}_board", box, [sx / 2, sy / 2, SHELF_BOARD / 2],
           [0.0, 0.0, sz - SHELF_BOARD / 2], rgba)  # fmt: skip
    for side, sign in (("right", -1.0), ("left", 1.0)):
        _solid(body, f"{fixture.name}_leg_{side}", box,
               [sx / 2, SHELF_LEG / 2, (sz - SHELF_BOARD) / 2],
               [0.0, sign * (sy / 2 - SHELF_LEG / 2), (sz - SHELF_BOARD) / 2], rgba)  # fmt: skip


#: Sizes of the articulated fixtures' moving parts (m): a button's cap, a knob's grip, a
#: drawer's post handle, and the wall thickness of a drawer's cabinet.
BUTTON_CAP_HEIGHT = 0.02
KNOB_GRIP = (0.04, 0.04)  # diameter, height
HANDLE_POST = (0.024, 0.04)  # diameter, height
CABINET_WALL = 0.01
#: A fixture joint's friction holds like dry friction: MuJoCo's default soft friction
#: constraint lets a joint creep under any load (a 2000 N drawer friction crept 8 cm in 1 s
#: under 100 N); stiffer and harder, it creeps 6 mm, and a 2 N one holds under 1 N (0.06 mm).
FRICTION_SOLIMP = [0.99, 0.999, 0.001, 0.5, 2.0]
FRICTION_SOLREF = [0.005, 1.0]  # s: twice the 2 ms physics step
KNOB_ARMATURE = 0.002  # kg.m^2
#: Moving parts' masses (kg): light, so the robot's servos drive them.
MOVING_MASS = {"button": 0.02, "knob": 0.03, "drawer": 0.4, "door": 0.3}


def _solid(body: mujoco.MjsBody, name: str, kind: int, size: list[float], pos: list[float],
           rgba: list[float], mass: float | None = None) -> None:  # fmt: skip
    geom = body.add_geom(
        name=name,
        type=kind,
        size=size,
        pos=pos,
        rgba=rgba,
        contype=PROP_BIT,
        conaffinity=PROP_BIT | ROBOT_BIT,
        friction=[1.0, 0.005, 0.0001],
    )
    if mass is not None:
        geom.mass = mass


def _button(body: mujoco.MjsBody, fixture: FixtureSpec) -> None:
    """A housing on the table and a cap on a spring-loaded slide (down: pressed)."""
    sx, sy, sz = fixture.size
    rgba = list(fixture.rgba)
    grey = [0.3, 0.3, 0.3, 1.0]
    _solid(body, f"{fixture.name}_housing", mujoco.mjtGeom.mjGEOM_BOX, [sx / 2, sy / 2, sz / 2],
           [0.0, 0.0, sz / 2], grey)  # fmt: skip
    cap = body.add_body(name=f"{fixture.name}_cap", pos=[0.0, 0.0, sz + BUTTON_CAP_HEIGHT / 2])
    cap.gravcomp = 1.0  # the spring carries the cap's weight: no sag at rest
    joint = cap.add_joint(name=f"{fixture.name}_joint", type=mujoco.mjtJoint.mjJNT_SLIDE)
    joint.axis = [0.0, 0.0, 1.0]
    joint.range = [-float(fixture.travel or 0.0), 0.0]
    joint.limited = mujoco.mjtLimited.mjLIMITED_TRUE
    stiffness = float(fixture.stiffness or 0.0)
    joint.stiffness = [stiffness, 0.0, 0.0]  # MuJoCo 4: linear, quadratic, cubic terms
    joint.damping = [2.0 * math.sqrt(stiffness * MOVING_MASS["button"]), 0.0, 0.0]  # critical
    radius = 0.3 * min(sx, sy)
    cylinder = mujoco.mjtGeom.mjGEOM_CYLINDER
    mass = MOVING_MASS["button"]
    _solid(cap, fixture.name, cylinder, [radius, BUTTON_CAP_HEIGHT / 2, 0.0], [0.0, 0.0, 0.0],
           rgba, mass)  # fmt: skip


def _knob(body: mujoco.MjsBody, fixture: FixtureSpec) -> None:
    """A base plate and a grip cylinder on a vertical hinge whose friction holds it."""
    sx, sy, sz = fixture.size
    _solid(body, f"{fixture.name}_base", mujoco.mjtGeom.mjGEOM_BOX, [sx / 2, sy / 2, sz / 2],
           [0.0, 0.0, sz / 2], [0.3, 0.3, 0.3, 1.0])  # fmt: skip
    diameter, height = KNOB_GRIP
    grip = body.add_body(name=f"{fixture.name}_grip", pos=[0.0, 0.0, sz + height / 2])
    joint = grip.add_joint(name=f"{fixture.name}_joint", type=mujoco.mjtJoint.mjJNT_HINGE)
    joint.axis = [0.0, 0.0, 1.0]
    travel = float(fixture.travel or 0.0)
    joint.range = [-travel, travel]
    joint.limited = mujoco.mjtLimited.mjLIMITED_TRUE
    joint.frictionloss = float(fixture.friction or 0.0)
    joint.damping = [0.01, 0.0, 0.0]
    # The shaft's and its bearing's inertia: the 30 g grip alone (6e-6 kg.m^2) makes every
    # soft constraint on the joint (friction, limits) give way under a finger's touch.
    joint.armature = KNOB_ARMATURE
    joint.solimp_friction, joint.solref_friction = FRICTION_SOLIMP, FRICTION_SOLREF
    grip.add_geom(
        name=fixture.name,
        type=mujoco.mjtGeom.mjGEOM_CYLINDER,
        size=[diameter / 2, height / 2, 0.0],
        rgba=list(fixture.rgba),
        contype=PROP_BIT,
        conaffinity=PROP_BIT | ROBOT_BIT,
        friction=[1.2, 0.02, 0.001],
        mass=MOVING_MASS["knob"],
    )
    # A pointer on the grip's top, to see the turn.
    grip.add_geom(
        name=f"{fixture.name}_pointer",
        type=mujoco.mjtGeom.mjGEOM_BOX,
        size=[diameter / 2, 0.003, 0.001],
        pos=[diameter / 4, 0.0, height / 2 + 0.001],
        rgba=[1.0, 1.0, 1.0, 1.0],
        contype=0,
        conaffinity=0,
    )


def _drawer(body: mujoco.MjsBody, fixture: FixtureSpec) -> None:
    """An open cabinet (floor, back and side walls, no lid, open toward the robot) and a
    drawer that slides out toward the robot (-x), with a post handle on top at its front."""
    sx, sy, sz = fixture.size
    w = CABINET_WALL
    grey = [0.45, 0.4, 0.35, 1.0]
    box = mujoco.mjtGeom.mjGEOM_BOX
    _solid(body, f"{fixture.name}_floor", box, [sx / 2, sy / 2, w / 2], [0.0, 0.0, w / 2], grey)
    _solid(body, f"{fixture.name}_back", box, [w / 2, sy / 2, sz / 2],
           [sx / 2 - w / 2, 0.0, sz / 2], grey)  # fmt: skip
    for side, sign in (("right", -1.0), ("left", 1.0)):
        _solid(body, f"{fixture.name}_{side}", box, [sx / 2, w / 2, sz / 2],
               [0.0, sign * (sy / 2 - w / 2), sz / 2], grey)  # fmt: skip
    dx, dy, dz = sx - w - 0.004, sy - 2 * w - 0.004, sz - w - 0.01
    drawer = body.add_body(
        name=f"{fixture.name}_drawer", pos=[-(sx - dx) / 2 + 0.0, 0.0, w + 0.002 + dz / 2]
    )
    drawer.gravcomp = 1.0  # runners carry it: it slides, it does not rub on the floor
    joint = drawer.add_joint(name=f"{fixture.name}_joint", type=mujoco.mjtJoint.mjJNT_SLIDE)
    joint.axis = [-1.0, 0.0, 0.0]  # + opens: toward the robot
    joint.range = [0.0, float(fixture.travel or 0.0)]
    joint.limited = mujoco.mjtLimited.mjLIMITED_TRUE
    joint.frictionloss = float(fixture.friction or 0.0)
    joint.damping = [2.0, 0.0, 0.0]
    joint.solimp_friction, joint.solref_friction = FRICTION_SOLIMP, FRICTION_SOLREF
    _solid(drawer, fixture.name, box, [dx / 2, dy / 2, dz / 2], [0.0, 0.0, 0.0],
           list(fixture.rgba), MOVING_MASS["drawer"])  # fmt: skip
    diameter, height = HANDLE_POST
    _solid(drawer, f"{fixture.name}_handle", mujoco.mjtGeom.mjGEOM_CYLINDER,
           [diameter / 2, height / 2, 0.0], [-dx / 2 + 0.03, 0.0, dz / 2 + height / 2],
           [0.8, 0.8, 0.8, 1.0], 0.02)  # fmt: skip


#: A door panel's thickness (m), and its gap above the table (it hangs on its hinge).
DOOR_THICKNESS = 0.015
DOOR_GAP = 0.003


def _door(body: mujoco.MjsBody, fixture: FixtureSpec) -> None:
    """A panel along y, ``size`` (thickness, width, height), on a vertical hinge at its right
    end (y - width / 2) that turns it open toward the robot (left +), with a post handle on its
    top 0.03 m from the free end."""
    _, width, height = fixture.size
    hinge = body.add_body(name=f"{fixture.name}_panel", pos=[0.0, -width / 2, 0.0])
    hinge.gravcomp = 1.0  # it hangs on its hinge: it does not rub on the table
    joint = hinge.add_joint(name=f"{fixture.name}_joint", type=mujoco.mjtJoint.mjJNT_HINGE)
    joint.axis = [0.0, 0.0, 1.0]
    joint.range = [0.0, float(fixture.travel or 0.0)]
    joint.limited = mujoco.mjtLimited.mjLIMITED_TRUE
    joint.frictionloss = float(fixture.friction or 0.0)
    joint.damping = [0.5, 0.0, 0.0]
    joint.armature = KNOB_ARMATURE
    joint.solimp_friction, joint.solref_friction = FRICTION_SOLIMP, FRICTION_SOLREF
    box = mujoco.mjtGeom.mjGEOM_BOX
    mass = MOVING_MASS["door"]
    _solid(hinge, fixture.name, box, [DOOR_THICKNESS / 2, width / 2, height / 2],
           [0.0, width / 2, DOOR_GAP + height / 2], list(fixture.rgba), mass)  # fmt: skip
    diameter, post = HANDLE_POST
    _solid(hinge, f"{fixture.name}_handle", mujoco.mjtGeom.mjGEOM_CYLINDER,
           [diameter / 2, post / 2, 0.0], [0.0, width - 0.03, DOOR_GAP + height + post / 2],
           [0.8, 0.8, 0.8, 1.0], 0.02)  # fmt: skip


_ARTICULATED_BUILDERS = {"button": _button, "knob": _knob, "drawer": _drawer, "door": _door}


@dataclass(frozen=True)
class FixtureJoint:
    """An articulated fixture's state: its joint position (m or rad; 0 at rest: unpressed,
    centred, closed), its travel, and the point a hand acts on now (m, station frame): a
    button's cap top, a knob's grip centre, a drawer's handle centre."""

    position: float
    travel: float
    handle: tuple[float, float, float]


class Station:
    """A compiled station with its state; the simulated side of the robot's hardware.

    Joint order everywhere is the URDF's actuated-joint order (``joint_names``).
    """

    def __init__(self, robot: RobotModel, config: StationConfig, seed: int | None = None) -> None:
        self.robot = robot
        self.config = config = fit_station(config, robot)
        self.model = build_station_spec(robot, config).compile()
        self.data = mujoco.MjData(self.model)
        self.joint_names: tuple[str, ...] = tuple(robot.urdf.actuated_joints)
        self._qpos = np.array([self.model.joint(n).qposadr[0] for n in self.joint_names])
        self._dof = np.array([self.model.joint(n).dofadr[0] for n in self.joint_names])
        self._act = np.array([self.model.actuator(n).id for n in self.joint_names])
        self._effort_limits = np.array([robot.urdf.limits[n].effort for n in self.joint_names])
        self._objects = {o.name: o for o in config.objects}
        self._rng = np.random.default_rng(seed)
        self.table_height = config.table.size[2]
        for name, value in robot.urdf.initial_positions.items():
            self.data.qpos[self.model.joint(name).qposadr[0]] = value
        self.reset_objects()
        self.data.ctrl[self._act] = self.data.qpos[self._qpos]

    # -- hardware side -------------------------------------------------------------------------
    def positions(self) -> np.ndarray:
        """Joint positions (rad or m), URDF order."""
        return np.array(self.data.qpos[self._qpos])

    def velocities(self) -> np.ndarray:
        """Joint velocities (rad/s or m/s)."""
        return np.array(self.data.qvel[self._dof])

    def efforts(self) -> np.ndarray:
        """Actuator forces (N.m or N)."""
        return np.array(self.data.actuator_force[self._act])

    def command(self, positions: np.ndarray) -> None:
        """Set every servo's position target (the caller guarantees finite values)."""
        self.data.ctrl[self._act] = positions

    def set_effort_limit(self, joint: str, effort: float) -> None:
        """Clamp one servo's force to ``effort`` (N or N.m), at most its URDF limit."""
        index = self.joint_names.index(joint)
        limit = min(abs(effort), float(self._effort_limits[index]))
        self.model.actuator_forcerange[self._act[index]] = (-limit, limit)

    def step(self, steps: int = 1) -> None:
        """Advance physics by ``steps`` time steps."""
        mujoco.mj_step(self.model, self.data, nstep=steps)

    # -- props --------------------------------------------------------------------------------
    @property
    def object_names(self) -> tuple[str, ...]:
        """Names of the props, in configuration order."""
        return tuple(self._objects)

    def object_spec(self, name: str) -> ObjectSpec:
        """The configuration of prop ``name``."""
        self._check_object(name)
        return self._objects[name]

    def object_pose(self, name: str) -> ObjectPose:
        """Where prop ``name`` is now."""
        self._check_object(name)
        body = self.model.body(name)
        pos = self.data.xpos[body.id]
        quat = self.data.xquat[body.id]
        return ObjectPose(name, (pos[0], pos[1], pos[2]), (quat[0], quat[1], quat[2], quat[3]))

    @property
    def particles(self) -> tuple[ParticlesSpec, ...]:
        """The station's sets of loose bits."""
        return self.config.particles

    def particle_positions(self, name: str) -> np.ndarray:
        """Where each bit of set ``name`` is now: (count, 3) m.

        Raises:
            UnknownObjectError: no such set here.
        """
        bits = next((p for p in self.config.particles if p.name == name), None)
        if bits is None:
            known = ", ".join(p.name for p in self.config.particles) or "(none)"
            raise UnknownObjectError(f"particles {name!r}: not in this station; known: {known}")
        ids = [self.model.body(f"{name}_{i}").id for i in range(bits.count)]
        return np.array(self.data.xpos[ids])

    def _scatter(self, bits: ParticlesSpec, rng: np.random.Generator) -> None:
        """Lay the bits flat on random cells of a grid over their patch (a bit per cell, each
        shifted within it), PARTICLE_SPACING widths apart at least."""
        if bits.inside is not None:
            self._heap(bits)
            return
        assert bits.spawn_x is not None and bits.spawn_y is not None
        pitch = PARTICLE_SPACING * max(bits.size[:2])
        axes = []
        for low, high in (bits.spawn_x, bits.spawn_y):
            n = max(1, int((high - low) // pitch) + 1)
            axes.append(np.linspace(low, high, n) if n > 1 else np.array([(low + high) / 2]))
        cells = [(x, y) for x in axes[0] for y in axes[1]]
        chosen = rng.choice(len(cells), size=bits.count, replace=False)
        slack = (pitch - max(bits.size[:2])) / 2
        for index, cell in enumerate(chosen):
            x, y = cells[int(cell)]
            jx, jy = rng.uniform(-slack, slack, size=2) if slack > 0 else (0.0, 0.0)
            joint = self.model.joint(f"{bits.name}_{index}_free")
            adr, dof = joint.qposadr[0], joint.dofadr[0]
            z = self.table_height + bits.size[2] / 2 + 0.0005
            low_x, high_x = bits.spawn_x
            low_y, high_y = bits.spawn_y
            self.data.qpos[adr : adr + 7] = (
                float(np.clip(x + jx, low_x, high_x)),
                float(np.clip(y + jy, low_y, high_y)),
                z,
                1.0,
                0.0,
                0.0,
                0.0,
            )
            self.data.qvel[dof : dof + 6] = 0.0

    def _heap(self, bits: ParticlesSpec) -> None:
        """Lay the bits in layers on the floor of the open_box prop they start in, on a grid
        over its inside turned with it."""
        assert bits.inside is not None
        prop = self._objects[bits.inside]
        joint = self.model.joint(f"{prop.name}_free")
        px, py, pz, qw, _, _, qz = self.data.qpos[joint.qposadr[0] : joint.qposadr[0] + 7]
        yaw = 2.0 * math.atan2(qz, qw)
        wall = prop.wall or 0.0
        pitch = PARTICLE_SPACING * max(bits.size[:2])
        half_x = prop.size[0] / 2 - wall - bits.size[0] / 2
        half_y = prop.size[1] / 2 - wall - bits.size[1] / 2
        nx = grid_cells(-half_x, half_x, bits.size)
        ny = grid_cells(-half_y, half_y, bits.size)
        floor = pz - prop.size[2] / 2 + wall
        c, s = math.cos(yaw), math.sin(yaw)
        for index in range(bits.count):
            layer, cell = divmod(index, nx * ny)
            i, j = divmod(cell, ny)
            lx = (i - (nx - 1) / 2) * pitch
            ly = (j - (ny - 1) / 2) * pitch
            joint = self.model.joint(f"{bits.name}_{index}_free")
            adr, dof = joint.qposadr[0], joint.dofadr[0]
            self.data.qpos[adr : adr + 7] = (
                px + c * lx - s * ly,
                py + s * lx + c * ly,
                floor + (layer + 0.5) * bits.size[2] + 0.0005 * (layer + 1),
                1.0, 0.0, 0.0, 0.0,
            )  # fmt: skip
            self.data.qvel[dof : dof + 6] = 0.0

    @property
    def fixtures(self) -> tuple[FixtureSpec, ...]:
        """The station's fixtures as fitted to this robot (where they stand)."""
        return self.config.fixtures

    def fixture_joint(self, name: str) -> FixtureJoint | None:
        """An articulated fixture's joint now (None for a static fixture)."""
        spec = next((f for f in self.config.fixtures if f.name == name), None)
        if spec is None:
            known = ", ".join(f.name for f in self.config.fixtures) or "(none)"
            raise UnknownObjectError(f"fixture {name!r}: not in this station; known: {known}")
        if spec.kind not in ARTICULATED:
            return None
        joint = self.model.joint(f"{name}_joint")
        position = float(self.data.qpos[joint.qposadr[0]])
        part = name if spec.kind in ("button", "knob") else f"{name}_handle"
        geom = self.model.geom(part)
        centre = self.data.geom_xpos[geom.id]
        if spec.kind == "button":  # the cap's top face
            top = centre[2] + BUTTON_CAP_HEIGHT / 2
            handle = (float(centre[0]), float(centre[1]), float(top))
        else:
            handle = (float(centre[0]), float(centre[1]), float(centre[2]))
        # The button's joint goes down (negative) when pressed: report the depth.
        shown = -position if spec.kind == "button" else position
        return FixtureJoint(shown, float(spec.travel or 0.0), handle)

    def set_fixture(self, name: str, share: float) -> None:
        """Put an articulated fixture at ``share`` of its travel (0 rest .. 1 full; a knob
        -1 .. 1), at rest."""
        spec = next(f for f in self.config.fixtures if f.name == name)
        joint = self.model.joint(f"{name}_joint")
        travel = float(spec.travel or 0.0)
        value = share * travel * (-1.0 if spec.kind == "button" else 1.0)
        self.data.qpos[joint.qposadr[0]] = value
        self.data.qvel[joint.dofadr[0]] = 0.0

    def place_object(
        self, name: str, x: float, y: float, yaw: float, z: float | None = None
    ) -> None:
        """Put prop ``name`` at rest on the table at (x, y) turned by ``yaw`` (or at height z)."""
        spec = self.object_spec(name)
        joint = self.model.joint(f"{name}_free")
        adr, dof = joint.qposadr[0], joint.dofadr[0]
        height = self.table_height + spec.size[2] / 2 + 0.001 if z is None else z
        self.data.qpos[adr : adr + 7] = (
            x,
            y,
            height,
            math.cos(yaw / 2),
            0.0,
            0.0,
            math.sin(yaw / 2),
        )
        self.data.qvel[dof : dof + 6] = 0.0

    def reset_objects(
        self,
        seed: int | None = None,
        poses: Sequence[ObjectPose] = (),
        fixtures: Mapping[str, float] | None = None,
    ) -> None:
        """Put every prop at a random start pose within its spawn range, or where ``poses`` say,
        and every articulated fixture at rest, or at the share of its travel ``fixtures`` says.

        A pose's ``position`` z of 0 means "at rest on the table top" (a Pose message's default);
        any other z is the height of the prop's centre (see :meth:`pose_problems`).

        Raises:
            InvalidPoseError: listing every refused pose; then nothing has changed (no prop
                moved, the random generator not advanced).
        """
        problems = [p for pose in poses for p in self.pose_problems(pose)]
        names = [pose.name for pose in poses]
        problems += [
            f"{name}: placed {names.count(name)} times in one reset; name each object once"
            for name in sorted({n for n in names if names.count(n) > 1})
        ]
        fixtures = dict(fixtures or {})
        articulated = {f.name: f for f in self.config.fixtures if f.kind in ARTICULATED}
        for name, share in sorted(fixtures.items()):
            fixture = articulated.get(name)
            low = -1.0 if fixture is not None and fixture.kind == "knob" else 0.0
            if fixture is None:
                known = ", ".join(articulated) or "(none)"
                problems.append(f"{name}: not an articulated fixture here; known: {known}")
            elif not (math.isfinite(share) and low <= share <= 1.0):
                problems.append(f"{name}: position {share}: a share of its travel in [{low:g}, 1]")
        if problems:
            raise InvalidPoseError("station reset", problems)
        rng = self._rng if seed is None or seed < 0 else np.random.default_rng(seed)
        for spec in self._objects.values():
            self.place_object(
                spec.name,
                float(rng.uniform(*spec.spawn_x)),
                float(rng.uniform(*spec.spawn_y)),
                float(rng.uniform(*spec.spawn_yaw)),
            )
        for pose in poses:
            x, y, z = pose.position
            self.place_object(pose.name, x, y, yaw_from_quaternion(*pose.quaternion), z or None)
        for name in articulated:
            self.set_fixture(name, fixtures.get(name, 0.0))
        for bits in self.config.particles:
            self._scatter(bits, rng)
        self.forward()

    def pose_problems(self, pose: ObjectPose) -> list[str]:
        """Why ``pose`` cannot start its prop (empty when it can), each naming the valid range.

        Valid: a known prop; finite numbers; a unit quaternion turning it about the vertical only;
        its whole footprint on the table top; z = 0 (at rest on the table top) or a centre height
        from resting on the table to ``MAX_DROP_HEIGHT`` above that.
        """
        name = pose.name
        if name not in self._objects:
            return [f"{name}: unknown object; known: {', '.join(self._objects)}"]
        values = (*pose.position, *pose.quaternion)
        if not all(math.isfinite(v) for v in values):
            return [
                f"{name}: position {list(pose.position)}, quaternion {list(pose.quaternion)}: "
                "every value must be a finite number"
            ]
        problems = []
        w, qx, qy, qz = pose.quaternion
        norm = math.sqrt(w * w + qx * qx + qy * qy + qz * qz)
        if abs(norm - 1.0) > QUATERNION_NORM_TOLERANCE:
            problems.append(
                f"{name}: quaternion (w, x, y, z) {list(pose.quaternion)}: norm {norm:.4f}; "
                f"must be a unit quaternion (norm 1 +- {QUATERNION_NORM_TOLERANCE})"
            )
            return problems
        # Angle between the prop's vertical axis and the world's: cos(tilt) = 1 - 2 (x^2 + y^2).
        tilt = math.acos(max(-1.0, min(1.0, 1.0 - 2.0 * (qx * qx + qy * qy) / norm**2)))
        if tilt > UPRIGHT_TOLERANCE:
            problems.append(
                f"{name}: quaternion (w, x, y, z) {list(pose.quaternion)}: tilted {tilt:.3f} rad "
                f"from upright; props are placed upright: only a turn about the vertical "
                f"(x = y = 0), tilt <= {UPRIGHT_TOLERANCE} rad"
            )
        spec = self._objects[name]
        table = self.config.table
        half_x, half_y = spec.footprint(yaw_from_quaternion(w, qx, qy, qz))
        x, y, z = pose.position
        for axis, value, (edge_low, edge_high), half in (
            ("x", x, table.x_range, half_x),
            ("y", y, table.y_range, half_y),
        ):
            low, high = edge_low + half, edge_high - half
            if not low <= value <= high:
                problems.append(
                    f"{name}: position {axis} {value:.4f} m: off the table top; valid "
                    f"{low:.4f} .. {high:.4f} m (table edges less the prop's half footprint "
                    f"{half:.4f} m at this yaw)"
                )
        resting = self.table_height + spec.size[2] / 2
        if z != 0.0 and not resting <= z <= resting + MAX_DROP_HEIGHT:
            problems.append(
                f"{name}: position z {z:.4f} m: below the table top or inside the table; valid "
                f"0 (at rest on the table) or {resting:.4f} .. {resting + MAX_DROP_HEIGHT:.4f} m "
                f"(resting on the table to {MAX_DROP_HEIGHT} m above)"
            )
        return problems

    def forward(self) -> None:
        """Recompute derived quantities (poses, contacts) after placing objects by hand."""
        mujoco.mj_forward(self.model, self.data)

    def _check_object(self, name: str) -> None:
        if name not in self._objects:
            known = ", ".join(self._objects)
            raise UnknownObjectError(f"object {name!r}: not in this station; known: {known}")
