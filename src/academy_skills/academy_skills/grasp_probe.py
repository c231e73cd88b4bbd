"""Where a hand holds a prop taken top-down from a table: a closing-hand probe, by physics.

Detection puts a grasp frame between a hand's fingertips; for a hand whose fingers curl around
an object (TIAGo's Hey5, Romeo's four fingers) that point is rarely where the hand holds
anything. This probe finds out with MuJoCo instead of geometry. The robot stands at its ready
posture (servos holding it, gravity compensated) and the world is turned around one hand: for
each candidate grasp orientation, gravity points down the frame's -z (the skills' top-down
convention: z up, the hand coming down) and a table lies under the hand where the skills would
leave it (the grasp point at the prop's centre, or higher when the hand reaches deeper: hand
depth + the skills' clearance over the table). The station's prop stands on that table at each
horizontal offset of a grid around the grasp point. An offset is

- ``clear`` when the open hand comes down on it from 10 cm above without touching it;
- ``touched`` when the closing hand (the skills' grip force, within the URDF's effort limits)
  touches it, still within 3 cm of where it stood;
- ``held`` when, the table taken away, it stays in the hand (moves < 1.5 cm) with the hand
  short of fully closed: what the lift judge asks.

Candidates: the model's current grasp frame, then the hand link's six axis directions as "up"
(a box or a cylinder is grasped from four yaws, so the closing axis within the plane does not
matter). A current frame that holds the props at its own grasp point is kept. Otherwise a
coarse grid ranks the candidates and a fine one finds the held region of the best; the proposed
frame puts the grasp point in its middle. ``academy model add ... --probe-grasp`` runs it and
writes the frame into ``model.yaml``.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import mujoco
import numpy as np

from academy_description.model_registry import RobotModel
from academy_description.mujoco_model import (
    PROP_BIT,
    ROBOT_BIT,
    apply_couplings,
    grasp_site_name,
    robot_spec,
)
from academy_description.onboarding import rpy_of
from academy_sim.station import add_drives
from academy_sim.station_config import ObjectSpec
from academy_skills.manipulation import TABLE_CLEARANCE

TABLE_BIT = 4  # the probe's table meets the hand only: the rest of the arm is above it
CLOSE_S, HOLD_S = 3.0, 1.0  # closing time; time held once the table is gone
TIMESTEP = 0.002
SWEEP = (0.10, 0.05, 0.02, 0.0)  # m above its place: the open hand comes down on the prop
MOVED_WHILE_CLOSING = 0.03  # m: a prop pushed further was pushed away, not grasped
MOVED_IN_HAND = 0.015  # m: the lift judge's tolerance
FULLY_CLOSED = 0.95
CORNERS = np.array(np.meshgrid([-1, 1], [-1, 1], [-1, 1])).T.reshape(-1, 3)


@dataclass(frozen=True)
class OrientationResult:
    """One candidate orientation with one prop: its axes (columns: x, y, z in the hand link's
    frame), the hand's depth under the grasp point, and what the offsets (m, in the frame's x
    and y) did: how many were tried, clear and touched, and which held."""

    label: str
    prop: str
    axes: np.ndarray
    hand_depth: float
    tried: int
    clear: int
    touched: int
    held: list[tuple[float, float]] = field(default_factory=list)


@dataclass(frozen=True)
class GraspProposal:
    """The frame the probe proposes (``xyz``, ``rpy`` in the end-effector link's frame, as
    ``model.yaml`` grasp_frame), the orientation it comes from and every result behind it."""

    xyz: tuple[float, float, float]
    rpy: tuple[float, float, float]
    chosen: OrientationResult | None
    results: list[OrientationResult]


def _rotation_of(rpy: Sequence[float]) -> np.ndarray:
    quat = np.zeros(4)
    mujoco.mju_euler2Quat(quat, np.array(rpy, dtype=float), "XYZ")
    matrix = np.zeros(9)
    mujoco.mju_quat2Mat(matrix, quat)
    return matrix.reshape(3, 3)


def candidate_axes(current_rpy: Sequence[float]) -> list[tuple[str, np.ndarray]]:
    """The current grasp frame, then each link axis as up (columns x, y, z, right-handed)."""
    candidates = [("current grasp frame", _rotation_of(current_rpy))]
    eye = np.eye(3)
    for index, sign in itertools.product(range(3), (1, -1)):
        up = sign * eye[index]
        closing = eye[(index + 1) % 3]
        candidates.append(
            (f"up = {'+-'[sign < 0]}{'xyz'[index]} of the hand link", _frame(closing, up))
        )
    return candidates


def _frame(closing: np.ndarray, up: np.ndarray) -> np.ndarray:
    return np.column_stack([np.cross(closing, up), closing, up])


class GraspProbe:
    """One arm's hand on a mocap table, with a free prop of the station's kind."""

    def __init__(
        self, robot: RobotModel, arm: str, prop: ObjectSpec, grip_force: float = 20.0
    ) -> None:
        self.robot = robot
        self.arm = robot.arms[arm]
        self.hand = robot.hands[self.arm.gripper]
        self.prop_spec = prop
        self.half_height = prop.size[2] / 2
        spec = robot_spec(robot)
        spec.option.timestep = TIMESTEP
        spec.option.integrator = mujoco.mjtIntegrator.mjINT_IMPLICITFAST
        spec.option.cone = mujoco.mjtCone.mjCONE_ELLIPTIC
        spec.option.impratio = 10.0
        add_drives(spec, robot)
        for geom in spec.geoms:  # the station's contact: rubber-like pads (condim 4)
            geom.friction = list(prop.friction)
            geom.condim = 4
        table = spec.worldbody.add_body(name="probe_table", mocap=True)
        table.add_geom(
            name="probe_table",
            type=mujoco.mjtGeom.mjGEOM_BOX,
            size=[0.25, 0.25, 0.02],
            contype=TABLE_BIT,
            conaffinity=TABLE_BIT | PROP_BIT,
        )
        body = spec.worldbody.add_body(name="probe_prop")
        body.add_freejoint()
        if prop.shape == "box":
            shape, size = mujoco.mjtGeom.mjGEOM_BOX, [s / 2 for s in prop.size]
        else:
            shape, size = mujoco.mjtGeom.mjGEOM_CYLINDER, [prop.size[0] / 2, prop.size[2] / 2, 0]
        body.add_geom(
            type=shape,
            size=size,
            mass=prop.mass,
            contype=PROP_BIT,
            conaffinity=ROBOT_BIT | PROP_BIT,
            friction=list(prop.friction),
            condim=4,
        )
        self.model = model = spec.compile()
        self.data = mujoco.MjData(model)
        hand_body = model.body(self.arm.end_effector).id
        self.hand_body = hand_body
        self.hand_geoms = [
            g for g in range(model.ngeom) if self._descends(int(model.geom_bodyid[g]), hand_body)
        ]
        for geom in self.hand_geoms:
            model.geom_contype[geom] |= TABLE_BIT
        self.table = model.geom("probe_table").id
        self.mocap = model.body_mocapid[model.body("probe_table").id]
        self.prop = model.body("probe_prop").id
        self.qadr = int(model.jnt_qposadr[model.body_jntadr[self.prop]])
        self.site = model.site(grasp_site_name(self.arm.end_effector)).id
        self.actuators = {j: model.actuator(j).id for j in robot.urdf.actuated_joints}
        for joint in self.hand.joints:
            force = min(grip_force, robot.urdf.limits[joint].effort)
            model.actuator_forcerange[self.actuators[joint]] = (-force, force)
        self.posture = {**robot.urdf.initial_positions, **self.arm.ready}

    def _descends(self, body: int, ancestor: int) -> bool:
        while body > 0:
            if body == ancestor:
                return True
            body = int(self.model.body_parentid[body])
        return False

    def _pose(self, closure: float) -> None:
        model, data = self.model, self.data
        mujoco.mj_resetData(model, data)
        for joint, value in self.posture.items():
            data.qpos[model.joint(joint).qposadr[0]] = value
        for joint in self.hand.joints:
            opened, closed = self.hand.open[joint], self.hand.closed[joint]
            data.qpos[model.joint(joint).qposadr[0]] = opened + closure * (closed - opened)
        apply_couplings(model, data)
        mujoco.mj_kinematics(model, data)

    def _depth(self, up: np.ndarray) -> float:
        """How far the hand reaches below the grasp point along -``up``, open or closed."""
        deepest = 0.0
        for closure in (0.0, 1.0):
            self._pose(closure)
            origin = self.data.site_xpos[self.site]
            for geom in self.hand_geoms:
                centre, half = self.model.geom_aabb[geom][:3], self.model.geom_aabb[geom][3:]
                rotation = self.data.geom_xmat[geom].reshape(3, 3)
                points = self.data.geom_xpos[geom] + (CORNERS * half + centre) @ rotation.T
                deepest = max(deepest, float((-(points - origin) @ up).max()))
        return deepest

    def _touching(self) -> bool:
        model, data = self.model, self.data
        return any(
            self.prop in (model.geom_bodyid[c.geom1], model.geom_bodyid[c.geom2])
            and self.table not in (c.geom1, c.geom2)
            for c in data.contact[: data.ncon]
        )

    def _closure(self) -> float:
        joints = {
            j: float(self.data.qpos[self.model.joint(j).qposadr[0]]) for j in self.hand.joints
        }
        return self.hand.closure(joints)

    def try_orientation(
        self, label: str, axes: np.ndarray, offsets: Sequence[tuple[float, float]]
    ) -> OrientationResult:
        """Grasp the prop at each horizontal ``offset`` with the hand turned so ``axes``
        (in the hand link's frame) is the grasp frame."""
        model, data = self.model, self.data
        self._pose(0.0)
        link = data.xmat[self.hand_body].reshape(3, 3).copy()
        frame = link @ axes
        up, x_axis, y_axis = frame[:, 2], frame[:, 0], frame[:, 1]
        origin = data.site_xpos[self.site].copy()
        depth = self._depth(up)
        top = origin - max(self.half_height, depth + TABLE_CLEARANCE) * up
        quat = np.zeros(4)
        mujoco.mju_mat2Quat(quat, frame.flatten())
        clear = touched = 0
        held: list[tuple[float, float]] = []
        for dx, dy in offsets:
            self._pose(0.0)
            model.opt.gravity[:] = -9.81 * up
            data.mocap_pos[self.mocap] = top - 0.02 * up
            data.mocap_quat[self.mocap] = quat
            model.geom_contype[self.table] = TABLE_BIT
            model.geom_conaffinity[self.table] = TABLE_BIT | PROP_BIT
            start = top + self.half_height * up + dx * x_axis + dy * y_axis
            if not self._clear(start, up, quat):
                continue
            clear += 1
            for joint, actuator in self.actuators.items():
                data.ctrl[actuator] = data.qpos[model.joint(joint).qposadr[0]]
            for joint in self.hand.joints:
                data.ctrl[self.actuators[joint]] = self.hand.closed[joint]
            mujoco.mj_step(model, data, nstep=round(CLOSE_S / TIMESTEP))
            position = data.qpos[self.qadr : self.qadr + 3]
            if not self._touching() or np.linalg.norm(position - start) > MOVED_WHILE_CLOSING:
                continue
            touched += 1
            in_hand = frame.T @ (position - data.site_xpos[self.site])
            model.geom_contype[self.table] = model.geom_conaffinity[self.table] = 0
            mujoco.mj_step(model, data, nstep=round(HOLD_S / TIMESTEP))
            lifted = frame.T @ (data.qpos[self.qadr : self.qadr + 3] - data.site_xpos[self.site])
            if (
                self._touching()
                and np.linalg.norm(lifted - in_hand) < MOVED_IN_HAND
                and self._closure() < FULLY_CLOSED
            ):
                held.append((round(float(dx), 4), round(float(dy), 4)))
        return OrientationResult(
            label, self.prop_spec.name, axes, depth, len(offsets), clear, touched, held
        )

    def _clear(self, start: np.ndarray, up: np.ndarray, quat: np.ndarray) -> bool:
        """Whether the open hand comes down on a prop at ``start`` without touching it: the prop
        swept up through the hand to its place."""
        for above in SWEEP:
            self.data.qpos[self.qadr : self.qadr + 3] = start - above * up
            self.data.qpos[self.qadr + 3 : self.qadr + 7] = quat
            mujoco.mj_forward(self.model, self.data)
            if self._touching():
                return False
        return True


def grid(
    span: float, step: float, centre: tuple[float, float] = (0.0, 0.0)
) -> list[tuple[float, float]]:
    """Offsets (m) from ``centre`` - ``span`` to ``centre`` + ``span`` every ``step``."""
    count = round(span / step)
    values = [i * step for i in range(-count, count + 1)]
    return [(centre[0] + dx, centre[1] + dy) for dx in values for dy in values]


def middle(points: Sequence[tuple[float, float]], step: float) -> tuple[float, float]:
    """The held offset deepest inside the held region: most held neighbours within one step
    (diagonals too), then nearest the region's centroid."""
    held = np.array(points)
    centroid = held.mean(axis=0)

    def key(point: np.ndarray) -> tuple[int, float]:
        near = int((np.abs(held - point).max(axis=1) <= step * 1.01).sum())
        return (-near, float(np.linalg.norm(point - centroid)))

    best = min(held, key=key)
    return (float(best[0]), float(best[1]))


def propose_grasp_frame(
    robot: RobotModel,
    arm: str,
    props: Sequence[ObjectSpec],
    coarse: float = 0.02,
    fine: float = 0.01,
    span: float = 0.08,
    grip_force: float = 20.0,
    progress: Callable[[str], None] | None = None,
) -> GraspProposal:
    """Rank the candidate orientations on a ``coarse`` grid, search the best on a ``fine``
    grid, and propose the grasp frame in the middle of its held region.

    A current frame that holds every prop at its own grasp point stays as it is. Otherwise the
    frame must serve every prop in ``props``: orientations are ranked by how many props they
    hold, then by held offsets; the middle is taken among the offsets that hold every
    prop when there are some, else among all that hold one. When nothing holds anywhere, the
    proposal keeps the current frame (``chosen`` is None).
    """
    probes = [GraspProbe(robot, arm, prop, grip_force) for prop in props]
    spec = robot.arms[arm]
    results: list[OrientationResult] = []
    ranked: list[tuple[tuple[int, int], str, np.ndarray]] = []
    for index, (label, axes) in enumerate(candidate_axes(spec.grasp_rpy)):
        per_prop = [p.try_orientation(label, axes, grid(span, coarse)) for p in probes]
        results.extend(per_prop)
        score = (sum(1 for r in per_prop if r.held), sum(len(r.held) for r in per_prop))
        ranked.append((score, label, axes))
        if progress is not None:
            for probe, result in zip(probes, per_prop, strict=True):
                progress(
                    f"{arm} arm, {label}, {probe.prop_spec.name}: {len(result.held)} of "
                    f"{result.tried} offsets held ({result.clear} clear, {result.touched} "
                    f"touched), hand depth {result.hand_depth:.3f} m"
                )
        if index == 0 and all((0.0, 0.0) in r.held for r in per_prop):
            # The current frame holds every prop at its own grasp point: it stays.
            best_now = max(per_prop, key=lambda r: len(r.held))
            return GraspProposal(spec.grasp_xyz, spec.grasp_rpy, best_now, results)
    score, label, axes = max(ranked, key=lambda r: r[0])  # the first best: current on ties
    if score[0] == 0:
        return GraspProposal(spec.grasp_xyz, spec.grasp_rpy, None, results)
    coarse_held = [r.held for r in results if r.label == label]
    centre = middle(_common_or_all(coarse_held), coarse)
    refined = [
        p.try_orientation(label, axes, grid(coarse + 2 * fine, fine, centre)) for p in probes
    ]
    results.extend(refined)
    fine_held = [r.held for r in refined]
    if progress is not None:
        progress(f"{arm} arm, {label}, {fine * 100:g} cm grid: {[len(h) for h in fine_held]} held")
    if any(fine_held):
        dx, dy = middle(_common_or_all(fine_held), fine)
    else:
        dx, dy = centre
    chosen = max((r for r in results if r.label == label), key=lambda r: len(r.held))
    # The offsets are in the probed frame's x and y, from the current grasp point.
    xyz = np.array(spec.grasp_xyz) + axes @ np.array([dx, dy, 0.0])
    return GraspProposal(
        tuple(round(float(v), 4) for v in xyz),  # type: ignore[arg-type]
        tuple(round(v, 4) for v in rpy_of(axes)),  # type: ignore[arg-type]
        chosen,
        results,
    )


def _common_or_all(held: Sequence[Sequence[tuple[float, float]]]) -> list[tuple[float, float]]:
    """The offsets every prop held at, else every offset some prop held at."""
    sets = [set(h) for h in held if h]
    common = set.intersection(*sets) if len(sets) == len(held) else set()
    return sorted(common) if common else sorted(set().union(*sets))
