"""The canonical cross-brand skeleton: every model's joints and hands mapped onto one humanoid.

Pooled data from different makers lines up through this mapping, generated from ``model.yaml``
and the URDF (never written by hand):

- **body parts**: ``torso``, ``head``, ``left_arm``, ``right_arm``, ``left_hand``, ``right_hand``,
  ``left_leg``, ``right_leg``, ``base`` (wheels, casters, suspension), ``other``; each lists the
  model's native joints in chain order;
- **arm slots**: per side, the shoulder (first arm joint), elbow, wrist (last arm joint) and the
  end-effector link;
- **hand closure**: one scalar per hand, 0 fully open .. 1 fully closed, from the hand's open and
  closed postures (the mean over its driven joints);
- **end-effector poses** in the canonical base frame: at the root link, turned so the robot faces
  +x (its ``mount.forward_axis``), z up, in metres (:class:`CanonicalKinematics`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from academy_description.model_registry import RobotModel
from academy_description.mujoco_model import apply_couplings

PARTS = (
    "torso",
    "head",
    "left_arm",
    "right_arm",
    "left_hand",
    "right_hand",
    "left_leg",
    "right_leg",
    "base",
    "other",
)
_LEG = re.compile(r"leg|hip|knee|ankle|foot|toe", re.IGNORECASE)
_BASE = re.compile(r"wheel|caster|suspension", re.IGNORECASE)


@dataclass(frozen=True)
class CanonicalMapping:
    """How one model maps onto the canonical humanoid (see the module docstring)."""

    model: str
    parts: dict[str, tuple[str, ...]]
    arm_slots: dict[str, dict[str, str]]
    hands: dict[str, dict[str, Any]]  # side -> name, kind, joints, open, closed
    base_link: str
    forward_axis: str

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form (``academy model show --json``, episode metadata)."""
        return {
            "model": self.model,
            "base_frame": {"link": self.base_link, "forward_axis": self.forward_axis},
            "parts": {k: list(v) for k, v in self.parts.items()},
            "arm_slots": self.arm_slots,
            "hands": self.hands,
        }


def side_of(name: str) -> str | None:
    """The side a joint or link name says: ``left``, ``right`` or None.

    Recognises ``left_..``/``..._left_..``, ``l_..``/``.._l``, and ``L``/``R`` before a capital
    (Romeo's ``LShoulderPitch``).
    """
    # "^L(?=[A-Z])" is case-sensitive in meaning (LShoulder): test it without IGNORECASE.
    if re.match(r"^L(?=[A-Z])", name):
        return "left"
    if re.match(r"^R(?=[A-Z])", name):
        return "right"
    lowered = name.lower()
    for side, word in (("left", "left"), ("right", "right")):
        if word in lowered:
            return side
    for side, letter in (("left", "l"), ("right", "r")):
        if re.search(rf"(^|_){letter}(_|$)", lowered):
            return side
    return None


def canonical_mapping(model: RobotModel) -> CanonicalMapping:
    """The canonical mapping of ``model``, generated from its registry entry and URDF."""
    parts: dict[str, list[str]] = {part: [] for part in PARTS}
    assigned: set[str] = set()
    parts["torso"] = list(model.torso)
    parts["head"] = list(model.head)
    assigned |= set(model.torso) | set(model.head)
    slots: dict[str, dict[str, str]] = {}
    hands: dict[str, dict[str, Any]] = {}
    for side, arm in model.arms.items():
        parts[f"{side}_arm"] = list(arm.joints)
        assigned |= set(arm.joints)
        slots[side] = {
            "shoulder": arm.joints[0],
            "elbow": arm.elbow,
            "wrist": arm.joints[-1],
            "end_effector": arm.end_effector,
        }
        hand = model.hands.get(arm.gripper)
        if hand is not None:
            parts[f"{side}_hand"] = list(hand.joints)
            assigned |= set(hand.joints)
            hands[side] = {
                "name": hand.name,
                "kind": hand.kind.value,
                "joints": list(hand.joints),
                "open": hand.open,
                "closed": hand.closed,
                "max_opening": hand.max_opening,  # m, open; linear in closure
            }
    for joint in model.urdf.actuated_joints:
        if joint in assigned:
            continue
        joint_side = side_of(joint)
        if _BASE.search(joint):
            parts["base"].append(joint)
        elif _LEG.search(joint) and joint_side:
            parts[f"{joint_side}_leg"].append(joint)
        else:
            parts["other"].append(joint)
    return CanonicalMapping(
        model=model.name,
        parts={k: tuple(v) for k, v in parts.items()},
        arm_slots=slots,
        hands=hands,
        base_link=model.root_link,
        forward_axis=model.mount.forward_axis.value,
    )


class CanonicalKinematics:
    """End-effector poses of one model in the canonical base frame, from native joint states."""

    def __init__(self, model: RobotModel) -> None:
        import mujoco

        from academy_description.mujoco_model import robot_spec

        self.robot = model
        self.model = robot_spec(model, height=0.0).compile()  # root at the origin, facing +x
        self.data = mujoco.MjData(self.model)
        self._qpos = {
            self.model.joint(i).name: int(self.model.jnt_qposadr[i]) for i in range(self.model.njnt)
        }

    def end_effectors(
        self, positions: Mapping[str, float]
    ) -> dict[str, tuple[tuple[float, ...], tuple[float, ...]]]:
        """Per arm side: (position m, w-x-y-z quaternion) of its end-effector link."""
        import mujoco

        self.data.qpos[:] = self.model.qpos0
        for joint, value in positions.items():
            if joint in self._qpos:
                self.data.qpos[self._qpos[joint]] = value
        apply_couplings(self.model, self.data)
        mujoco.mj_kinematics(self.model, self.data)
        poses = {}
        for side, arm in self.robot.arms.items():
            body = self.data.body(arm.end_effector)
            poses[side] = (
                tuple(float(v) for v in body.xpos),
                tuple(float(v) for v in body.xquat),
            )
        return poses
