"""From a maker's URDF to a MuJoCo model: mesh preparation, repairs, mounting, grasp sites.

This is the description layer's job, so the simulator and the inverse kinematics compile the
same thing. :func:`prepare_urdf` turns expanded URDF XML into XML MuJoCo compiles, and reports
every change it made (never silently):

- mesh URIs (``package://``, also the malformed ``package:///``) resolved to installed files;
  COLLADA and ASCII STL converted into the mesh cache (:mod:`academy_description.mesh_cache`);
- visual geometry dropped (MuJoCo simulates collision geometry; rendering is not done here);
- massless links given a floor mass, and inertias that are not positive definite or break the
  triangle inequality replaced by the nearest physical ones (eigenvalues floored and balanced);
- couplings the URDF lacks (from ``model.yaml``) added as ``<mimic>``, which MuJoCo turns into
  joint equality constraints, as it does for the maker's own ``<mimic>`` tags;
- effort and velocity limits overridden where ``model.yaml`` says the URDF's are placeholders.

:func:`robot_spec` builds the robot alone as a MuJoCo spec: root welded at its mount height and
turned to face world +x, robot geoms that never collide with each other (self-collision off:
stepping is 5-40x faster and a harnessed robot's arms are kept apart by IK and limits), links kept
as bodies (``fusestatic`` off, so end-effector frames exist) and a grasp site on each arm.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from academy_description.errors import (
    InvalidDescriptionError,
    MeshPreparationError,
    PackageNotFoundError,
)
from academy_description.mesh_cache import prepare_mesh
from academy_description.package_paths import resolve_uri

if TYPE_CHECKING:
    import mujoco

    from academy_description.model_registry import RobotModel
    from academy_description.model_schema import Coupling, LimitOverride

#: Contact bits: robot geoms collide with props and the table, never with each other.
ROBOT_BIT = 2
PROP_BIT = 1
#: Lightest link MuJoCo is given (kg): massless moving links make its inertia matrix singular.
MASS_FLOOR = 1e-3
#: Smallest principal inertia as a fraction of mass (m^2): a 1 mm radius of gyration.
INERTIA_FLOOR_PER_KG = 1e-6
#: Yaw (rad) that turns a root frame facing along this axis to face world +x.
#: Reflected rotor inertia of every simulated servo (kg.m^2 or kg): the station adds it to every
#: joint (keeps light links stable at 500 Hz), and the IK's effort-limited accelerations count it.
SERVO_ARMATURE = 0.01
FORWARD_YAW = {"+x": 0.0, "-x": math.pi, "+y": -math.pi / 2, "-y": math.pi / 2}


@dataclass(frozen=True)
class PreparedUrdf:
    """URDF XML MuJoCo compiles, and one line per change made to get there."""

    xml: str
    repairs: tuple[str, ...]


#: Valid names an error message lists before "...".
NAMES_SHOWN = 8


def grasp_site_name(end_effector: str) -> str:
    """The MuJoCo site at the grasp point of the hand on ``end_effector``."""
    return f"{end_effector}_grasp"


def prepare_urdf(
    xml: str,
    source: str,
    base_dir: Path | None = None,
    couplings: Sequence[Coupling] = (),
    limit_overrides: Mapping[str, LimitOverride] | None = None,
    mesh_dir: Path | None = None,
    non_contact_links: Mapping[str, str] | None = None,
) -> PreparedUrdf:
    """Make expanded URDF ``xml`` compile in MuJoCo; report every repair.

    ``non_contact_links`` (link -> reason) lose their ``<collision>`` elements: volumes a planner
    keeps clear (TIAGo's 20 cm hand safety box) would otherwise push props the fingers never touch.

    Raises:
        InvalidDescriptionError: a mesh is missing or unreadable, a package is not installed, a
            coupling or override names a joint the URDF lacks, or a non-contact link is not a
            link with collision geometry (every problem listed).
    """
    try:
        root = ET.fromstring(xml)
    except ET.ParseError as error:
        raise InvalidDescriptionError(source, [f"not well-formed XML: {error}"]) from None
    problems: list[str] = []
    repairs: list[str] = []
    _prepare_meshes(root, base_dir, mesh_dir, problems, repairs)
    for link in root.findall("link"):
        repairs.extend(_repair_inertial(link))
    joints = {j.get("name", ""): j for j in root.findall("joint")}
    for coupling in couplings:
        follower, leader = joints.get(coupling.joint), joints.get(coupling.leader)
        if follower is None or leader is None:
            missing = coupling.joint if follower is None else coupling.leader
            problems.append(f"couplings: joint {missing!r} is not a joint of the URDF")
            continue
        if follower.find("mimic") is not None:
            problems.append(f"couplings: {coupling.joint!r} already has a <mimic> in the URDF")
            continue
        ET.SubElement(
            follower,
            "mimic",
            joint=coupling.leader,
            multiplier=repr(coupling.multiplier),
            offset=repr(coupling.offset),
        )
        repairs.append(
            f"joint '{coupling.joint}': coupled to '{coupling.leader}' "
            f"(x{coupling.multiplier:g}, model.yaml couplings)"
        )
    for name, override in (limit_overrides or {}).items():
        joint = joints.get(name)
        if joint is None or joint.get("type") not in ("revolute", "prismatic", "continuous"):
            problems.append(f"limit_overrides: {name!r} is not a movable joint of the URDF")
            continue
        limit = joint.find("limit")
        if limit is None:  # legal for continuous joints (passive wheels): give them one
            limit = ET.SubElement(joint, "limit")
        for attribute in ("effort", "velocity"):
            value = getattr(override, attribute)
            if value is not None:
                repairs.append(
                    f"joint '{name}': {attribute} {limit.get(attribute)} -> {value:g} "
                    f"({override.reason})"
                )
                limit.set(attribute, repr(value))
    links = {link.get("name", ""): link for link in root.findall("link")}
    for name, reason in (non_contact_links or {}).items():
        body = links.get(name)
        collisions = [] if body is None else body.findall("collision")
        if body is None or not collisions:
            what = "is not a link of the URDF" if body is None else "has no <collision>"
            valid = sorted(n for n, link in links.items() if link.find("collision") is not None)
            shown = ", ".join(valid[:NAMES_SHOWN]) + (", ..." if len(valid) > NAMES_SHOWN else "")
            problems.append(
                f"non_contact_links: {name!r} {what}; valid: one of its {len(valid)} links "
                f"with a <collision> ({shown or 'none'})"
            )
            continue
        for collision in collisions:
            body.remove(collision)
        repairs.append(f"link '{name}': {len(collisions)} collision element(s) removed ({reason})")
    if problems:
        raise InvalidDescriptionError(source, problems)
    for old in root.findall("mujoco"):
        root.remove(old)
    extension = ET.SubElement(root, "mujoco")
    # strippath off: mesh paths are absolute; balanceinertia as a last resort after our repairs.
    ET.SubElement(
        extension,
        "compiler",
        strippath="false",
        fusestatic="false",
        balanceinertia="true",
        discardvisual="true",
    )
    return PreparedUrdf(ET.tostring(root, encoding="unicode"), tuple(repairs))


def _prepare_meshes(
    root: ET.Element,
    base_dir: Path | None,
    mesh_dir: Path | None,
    problems: list[str],
    repairs: list[str],
) -> None:
    conversions: dict[str, int] = {}
    for link in root.findall("link"):
        for visual in link.findall("visual"):
            link.remove(visual)
    for mesh in root.iter("mesh"):
        uri = mesh.get("filename", "")
        try:
            prepared = prepare_mesh(resolve_uri(uri, base_dir), mesh_dir)
        except (PackageNotFoundError, MeshPreparationError) as error:
            problems.append(f"mesh {uri!r}: {error}")
            continue
        mesh.set("filename", str(prepared.path))
        if prepared.conversion:
            conversions[prepared.conversion] = conversions.get(prepared.conversion, 0) + 1
        if uri.startswith("package:///"):
            conversions["malformed package:/// URI read as package://"] = (
                conversions.get("malformed package:/// URI read as package://", 0) + 1
            )
    for what, count in sorted(conversions.items()):
        repairs.append(f"meshes: {count} x {what}")


def _repair_inertial(link: ET.Element) -> list[str]:
    inertial = link.find("inertial")
    if inertial is None:
        return []
    name = link.get("name", "?")
    repairs: list[str] = []
    mass_el = inertial.find("mass")
    if mass_el is None:
        mass_el = ET.SubElement(inertial, "mass", value="0")
    try:
        mass = float(mass_el.get("value", "0"))
    except ValueError:
        mass = 0.0
    if not mass >= MASS_FLOOR or not math.isfinite(mass):
        repairs.append(f"link '{name}': mass {mass:g} kg -> {MASS_FLOOR:g} kg (floor)")
        mass = MASS_FLOOR
        mass_el.set("value", repr(mass))
    inertia = inertial.find("inertia")
    if inertia is None:
        inertia = ET.SubElement(inertial, "inertia")
    keys = ("ixx", "ixy", "ixz", "iyy", "iyz", "izz")
    try:
        values = {k: float(inertia.get(k, "0")) for k in keys}
    except ValueError:
        values = dict.fromkeys(keys, 0.0)
    matrix = np.array(
        [
            [values["ixx"], values["ixy"], values["ixz"]],
            [values["ixy"], values["iyy"], values["iyz"]],
            [values["ixz"], values["iyz"], values["izz"]],
        ]
    )
    if not np.all(np.isfinite(matrix)):
        matrix = np.zeros((3, 3))
    eigenvalues, vectors = np.linalg.eigh(matrix)
    floor = mass * INERTIA_FLOOR_PER_KG
    physical = eigenvalues[0] >= floor and eigenvalues[0] + eigenvalues[1] >= eigenvalues[2]
    if physical:
        return repairs
    fixed = np.maximum(eigenvalues, floor)
    if fixed[0] + fixed[1] < fixed[2]:  # balance: raise the two smaller to half the largest
        fixed[:2] = np.maximum(fixed[:2], fixed[2] / 2)
    repaired = vectors @ np.diag(fixed) @ vectors.T
    for key, (i, j) in zip(keys, ((0, 0), (0, 1), (0, 2), (1, 1), (1, 2), (2, 2)), strict=True):
        inertia.set(key, repr(float(repaired[i, j])))
    shown = ", ".join(f"{v:.3g}" for v in eigenvalues)
    repairs.append(
        f"link '{name}': principal inertia ({shown}) kg.m^2 is not physical -> "
        f"({', '.join(f'{v:.3g}' for v in fixed)})"
    )
    return repairs


def robot_spec(robot: RobotModel, height: float | None = None) -> mujoco.MjSpec:
    """The robot alone as a MuJoCo spec: welded at its mount, facing +x, grasp sites added.

    ``height`` overrides the mount height (m) of ``model.yaml`` (a station may hang it higher).
    Used both by the station and by inverse kinematics, so both see the same kinematics.
    """
    import mujoco

    spec = mujoco.MjSpec.from_string(robot.prepared_xml)
    root = spec.body(robot.root_link)
    root.pos = [0.0, 0.0, robot.mount.height if height is None else height]
    yaw = FORWARD_YAW[robot.mount.forward_axis]
    root.quat = [math.cos(yaw / 2), 0.0, 0.0, math.sin(yaw / 2)]
    for geom in spec.geoms:
        geom.contype = ROBOT_BIT
        geom.conaffinity = PROP_BIT
    for arm in robot.arms.values():
        hand = spec.body(arm.end_effector)
        quat = np.zeros(4)
        mujoco.mju_euler2Quat(quat, np.array(arm.grasp_rpy), "XYZ")
        hand.add_site(
            name=grasp_site_name(arm.end_effector),
            pos=list(arm.grasp_xyz),
            quat=quat.tolist(),
            size=[0.01, 0.0, 0.0],
        )
    return spec


def apply_couplings(model: mujoco.MjModel, data: mujoco.MjData) -> None:
    """Put every coupled (``<mimic>``) joint where its coupling says, in ``data.qpos``.

    MuJoCo enforces couplings as equality constraints during simulation; forward kinematics
    alone (``mj_kinematics``) does not, so code that poses a model by hand calls this first.
    A joint equality's polynomial is q1 = c0 + c1 q2 (higher terms unused by URDF mimic).
    """
    import mujoco

    for eq in range(model.neq):
        if model.eq_type[eq] != mujoco.mjtEq.mjEQ_JOINT:
            continue
        follower, leader = model.eq_obj1id[eq], model.eq_obj2id[eq]
        c0, c1 = model.eq_data[eq][0], model.eq_data[eq][1]
        data.qpos[model.jnt_qposadr[follower]] = c0 + c1 * data.qpos[model.jnt_qposadr[leader]]


@dataclass(frozen=True)
class ArmReach:
    """Where an arm starts and how far it reaches, the robot at its mount facing +x (m)."""

    shoulder: tuple[float, float, float]  # anchor of the arm's first joint
    length: float  # shoulder -> elbow -> grasp point


def arm_reach(robot: RobotModel) -> dict[str, ArmReach]:
    """Each arm's shoulder position and length, at the mount, joints at zero.

    The two segment lengths (shoulder to elbow, elbow to grasp site) do not depend on the arm's
    posture; only the wrist's angle moves the grasp site a little along the second.
    """
    import mujoco

    model = robot_spec(robot).compile()
    data = mujoco.MjData(model)
    mujoco.mj_kinematics(model, data)
    reach = {}
    for side, arm in robot.arms.items():
        shoulder = np.array(data.xanchor[model.joint(arm.joints[0]).id])
        elbow = np.array(data.xanchor[model.joint(arm.elbow).id])
        grasp = np.array(data.site_xpos[model.site(grasp_site_name(arm.end_effector)).id])
        length = float(np.linalg.norm(elbow - shoulder) + np.linalg.norm(grasp - elbow))
        reach[side] = ArmReach((float(shoulder[0]), float(shoulder[1]), float(shoulder[2])), length)
    return reach
