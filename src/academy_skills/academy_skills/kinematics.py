"""Arm kinematics on the robot model: forward kinematics and inverse kinematics with mink.

The IK model is the same MuJoCo compilation of the URDF the simulator uses (root welded at the
station's pelvis height, a grasp site between the finger pads), so a solution here is a pose the
simulated robot can really take. Only the chosen arm's joints move; joint limits are enforced.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import mink
import mujoco
import numpy as np

from academy_common.frames import yaw_from_quaternion
from academy_description.model_registry import ArmSpec, RobotModel
from academy_description.mujoco_model import (
    SERVO_ARMATURE,
    apply_couplings,
    grasp_site_name,
    robot_spec,
)

#: IK stops when its error shrank less than 0.01 mm over this many iterations.
STALL_WINDOW = 10
#: IK has converged within these (m, rad); short of them, :meth:`ArmKinematics.solve` restarts.
CONVERGED_POSITION = 5e-4
CONVERGED_ORIENTATION = 5e-3
#: Restarts from fixed pseudo-random postures (after the arm's ik_seed), and their generator's
#: seed: the same target gets the same answer every time.
RESTARTS = 4
RESTART_SEED = 2026
#: Largest hand yaw (rad) used to square the jaws on a box: beyond it the wrist runs out of
#: range; closing parallel jaws turns a box the rest of the way.
MAX_GRASP_YAW = 0.35


@dataclass(frozen=True)
class IkSolution:
    """An IK answer: arm joint positions and how far the grasp site ends from the target."""

    positions: dict[str, float]
    position_error: float  # m
    orientation_error: float  # rad
    iterations: int


class ArmKinematics:
    """FK/IK for the arms of one robot model standing at one station."""

    def __init__(self, robot: RobotModel, pelvis_height: float | None) -> None:
        self.robot = robot
        self.model = robot_spec(robot, pelvis_height).compile()
        self.data = mujoco.MjData(self.model)
        self._configuration = mink.Configuration(self.model)
        self._limits = [mink.ConfigurationLimit(self.model)]
        limited = self.model.jnt_limited.astype(bool)
        self._lower = np.full(self.model.nq, -np.inf)
        self._upper = np.full(self.model.nq, np.inf)
        for joint in range(self.model.njnt):
            if limited[joint]:
                adr = self.model.jnt_qposadr[joint]
                self._lower[adr], self._upper[adr] = self.model.jnt_range[joint]
        self._qpos = {
            name: int(self.model.joint(name).qposadr[0]) for name in robot.urdf.actuated_joints
        }
        self._depth = {side: self._hand_depth(arm) for side, arm in robot.arms.items()}

    def acceleration_limits(self, joints: Mapping[str, float]) -> dict[str, float]:
        """Each driven joint's effort limit over its inertia (joint-space mass matrix diagonal
        plus the servos' rotor inertia) at ``joints``: rad/s^2 (m/s^2) at full effort."""
        model, data = self.model, self.data
        data.qpos[:] = self._q(joints)
        mujoco.mj_forward(model, data)
        inertia = np.zeros((model.nv, model.nv))
        mujoco.mj_fullM(model, data, inertia)
        limits = self.robot.urdf.limits
        result = {}
        for name in self._qpos:
            dof = int(model.joint(name).dofadr[0])
            result[name] = limits[name].effort / (inertia[dof, dof] + SERVO_ARMATURE)
        return result

    def hand_depth(self, arm: ArmSpec) -> float:
        """How far (m) ``arm``'s hand reaches below its grasp point, pointing down, open or
        closed: the grasp point must stay this far above a table (fingertips under it)."""
        return self._depth[arm.name]

    def _hand_depth(self, arm: ArmSpec) -> float:
        model, data = self.model, self.data
        site = model.site(grasp_site_name(arm.end_effector)).id
        hand = model.body(arm.end_effector).id
        in_hand = [g for g in range(model.ngeom) if _descends(model, model.geom_bodyid[g], hand)]
        corners = np.array(np.meshgrid([-1, 1], [-1, 1], [-1, 1])).T.reshape(-1, 3)
        spec = self.robot.hands.get(arm.gripper)
        postures = [spec.open, spec.closed] if spec is not None else [{}]
        deepest = 0.0
        for posture in postures:
            data.qpos[:] = self._q({**self.robot.urdf.initial_positions, **posture})
            apply_couplings(model, data)
            mujoco.mj_kinematics(model, data)
            frame = data.site_xmat[site].reshape(3, 3)
            for g in in_hand:
                centre, half = model.geom_aabb[g][:3], model.geom_aabb[g][3:]
                points = (
                    data.geom_xpos[g]
                    + (corners * half + centre) @ data.geom_xmat[g].reshape(3, 3).T
                )
                below = -((points - data.site_xpos[site]) @ frame[:, 2])
                deepest = max(deepest, float(below.max()))
        return deepest

    def arm_for(self, y: float) -> ArmSpec:
        """The arm on the side of lateral position ``y`` (y > 0: left)."""
        side = "left" if y > 0 else "right"
        return self.robot.arms[side]

    def _straight(self, arm: ArmSpec, q: np.ndarray) -> bool:
        """Whether ``arm``'s elbow is straight in ``q`` (a singular pose for IK)."""
        return bool(abs(q[self._qpos[arm.elbow]]) < 0.1)

    def _q(self, joints: Mapping[str, float]) -> np.ndarray:
        q = np.array(self.model.qpos0)
        for name, value in joints.items():
            if name in self._qpos:
                q[self._qpos[name]] = value
        return q

    def body_pose(self, body: str, joints: Mapping[str, float]) -> tuple[np.ndarray, np.ndarray]:
        """Position (m) and rotation matrix of body ``body`` (a link MuJoCo kept: one a joint
        moves) for joint positions ``joints``, station frame."""
        self.data.qpos[:] = self._q(joints)
        apply_couplings(self.model, self.data)
        mujoco.mj_kinematics(self.model, self.data)
        index = self.model.body(body).id
        return np.array(self.data.xpos[index]), np.array(self.data.xmat[index]).reshape(3, 3)

    def joint_body(self, joint: str) -> str:
        """The body (link) joint ``joint`` moves."""
        return str(self.model.body(self.model.jnt_bodyid[self.model.joint(joint).id]).name)

    def grasp_point(self, arm: ArmSpec, joints: Mapping[str, float]) -> np.ndarray:
        """Position of ``arm``'s grasp site for joint positions ``joints`` (m, station frame)."""
        self.data.qpos[:] = self._q(joints)
        mujoco.mj_kinematics(self.model, self.data)
        site = self.model.site(grasp_site_name(arm.end_effector)).id
        return np.array(self.data.site_xpos[site])

    def solve(
        self,
        arm: ArmSpec,
        target: tuple[float, float, float],
        yaw: float,
        seed: Mapping[str, float],
        max_iterations: int = 100,
        orientation_cost: float = 0.5,
        restarts: bool = True,
        tilt: float = 0.0,
        pitch: float = 0.0,
    ) -> IkSolution:
        """Arm joint positions putting the grasp site at ``target`` with fingers pointing down.

        ``yaw`` turns the hand about the vertical so the jaws close along the object's faces;
        ``tilt`` and ``pitch`` then roll it about its own x and y axes (rad: pouring).
        A lower ``orientation_cost`` lets the hand tilt to keep the position exact (lifting).

        The answer nearest ``seed`` comes first: IK starts there. When it does not converge
        (a local minimum: a wrist turned the wrong way round), it starts again from the arm's
        ``ik_seed`` and from RESTARTS fixed pseudo-random postures within the joint limits,
        and the best answer wins (position error in m plus a tenth of the orientation error
        in rad): the same answer for the same question, every time. ``restarts=False`` keeps to
        the posture near ``seed`` (a hand holding an object moves on from where it is).
        """
        best = self._solve_from(
            arm, target, yaw, seed, max_iterations, orientation_cost, tilt, pitch
        )
        if _converged(best) or not restarts:
            return best
        limits = self.robot.urdf.limits
        rng = np.random.default_rng(RESTART_SEED)
        starts = [dict(arm.ik_seed)] if arm.ik_seed else []
        starts += [
            {
                j: float(rng.uniform(max(limits[j].lower, -math.pi), min(limits[j].upper, math.pi)))
                for j in arm.joints
            }
            for _ in range(RESTARTS)
        ]  # a continuous joint's infinite range: one turn
        for start in starts:
            solution = self._solve_from(
                arm, target, yaw, {**seed, **start}, max_iterations, orientation_cost, tilt, pitch
            )
            if _score(solution) < _score(best):
                best = solution
            if _converged(best):
                break
        return best

    def _solve_from(
        self,
        arm: ArmSpec,
        target: tuple[float, float, float],
        yaw: float,
        seed: Mapping[str, float],
        max_iterations: int,
        orientation_cost: float,
        tilt: float = 0.0,
        pitch: float = 0.0,
    ) -> IkSolution:
        """One IK run from ``seed`` (see :meth:`solve`)."""
        # Measured positions can sit a hair outside the limits (servo overshoot); mink's limit
        # constraints are infeasible from there, so start inside them.
        q = np.clip(self._q(seed), self._lower, self._upper)
        if arm.ik_seed and self._straight(arm, q):  # a singular pose: start from the seed
            for joint, value in arm.ik_seed.items():
                q[self._qpos[joint]] = value
        configuration = self._configuration
        configuration.update(q)
        arm_dofs = {int(self.model.joint(j).dofadr[0]) for j in arm.joints}
        frozen = [d for d in range(self.model.nv) if d not in arm_dofs]
        task = mink.FrameTask(
            grasp_site_name(arm.end_effector),
            "site",
            position_cost=1.0,
            orientation_cost=orientation_cost,
        )
        rotation = mink.SO3.from_rpy_radians(tilt, pitch, yaw)
        task.set_target(mink.SE3.from_rotation_and_translation(rotation, np.array(target)))
        freeze = [mink.DofFreezingTask(self.model, frozen)]
        error = task.compute_error(configuration)
        iterations = 0
        history: list[float] = []
        while iterations < max_iterations:
            iterations += 1
            try:
                velocity = mink.solve_ik(
                    configuration,
                    [task],
                    0.1,
                    "daqp",
                    damping=1e-3,
                    limits=self._limits,
                    constraints=freeze,
                )
            except mink.NoSolutionFound:
                break  # report the best pose so far; its error says how far off it is
            configuration.integrate_inplace(velocity, 0.1)
            error = task.compute_error(configuration)
            if np.linalg.norm(error[:3]) < CONVERGED_POSITION and (
                np.linalg.norm(error[3:]) < CONVERGED_ORIENTATION
            ):
                break
            # Stuck against joint limits: another hundred steps would not change the verdict.
            history.append(float(np.linalg.norm(error)))
            if len(history) > STALL_WINDOW and history[-STALL_WINDOW - 1] - history[-1] < 1e-5:
                break
        solution = configuration.q
        return IkSolution(
            positions={j: float(solution[self._qpos[j]]) for j in arm.joints},
            position_error=float(np.linalg.norm(error[:3])),
            orientation_error=float(np.linalg.norm(error[3:])),
            iterations=iterations,
        )


def _converged(solution: IkSolution) -> bool:
    return (
        solution.position_error < CONVERGED_POSITION
        and solution.orientation_error < CONVERGED_ORIENTATION
    )


def _score(solution: IkSolution) -> float:
    return solution.position_error + 0.1 * solution.orientation_error


def _descends(model: mujoco.MjModel, body: int, ancestor: int) -> bool:
    """Whether ``body`` is ``ancestor`` or below it in the kinematic tree."""
    while body > 0:
        if body == ancestor:
            return True
        body = int(model.body_parentid[body])
    return False


def grasp_yaws(quaternion: tuple[float, float, float, float], shape: str) -> list[float]:
    """Hand yaws to try for a top-down grasp, best first: :func:`grasp_yaw`, then the same
    turned by a quarter, the other quarter and a half turn (jaws close across the same faces of
    a box, or around a cylinder, whichever way the hand comes). Wrists differ: one model's hand
    reaches a table only turned across, another's only turned back (RobotModel grasp frames)."""
    base = grasp_yaw(quaternion, shape)
    turns = (0.0, math.pi / 2, -math.pi / 2, math.pi)
    return [math.remainder(base + turn, 2 * math.pi) for turn in turns]


def grasp_yaw(quaternion: tuple[float, float, float, float], shape: str) -> float:
    """Hand yaw that puts the jaws on an object's faces (boxes: nearest quarter turn)."""
    yaw = yaw_from_quaternion(*quaternion)
    if shape not in ("box", "open_box"):
        return 0.0
    quarter = math.pi / 2
    squared = yaw - quarter * round(yaw / quarter)
    return max(-MAX_GRASP_YAW, min(MAX_GRASP_YAW, squared))
