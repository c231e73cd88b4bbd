"""The robot model registry: ``urdf/<model>/model.yaml`` entries, validated against their URDF.

Each entry names the manufacturer, the description file (xacro or URDF), the root link, the arms
(joint chain, end-effector link, gripper) and the grippers (finger joints). ``academy session``
checks robot models against this registry; the simulator and controllers load models through it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import yaml

from academy_description.errors import InvalidDescriptionError, UnknownModelError
from academy_description.urdf_model import UrdfModel, process_xacro, validate_urdf

#: Where models live unless ACADEMY_MODELS_PATH says otherwise: the workspace's urdf/ directory
#: (this module is used from the source tree: colcon --symlink-install).
DEFAULT_MODELS_DIR = Path(__file__).resolve().parents[3] / "urdf"


@dataclass(frozen=True)
class ArmSpec:
    """One arm: its joint chain (shoulder to wrist), end-effector link, gripper name."""

    name: str
    joints: tuple[str, ...]
    end_effector: str
    gripper: str


@dataclass(frozen=True)
class RobotModel:
    """A registered, validated robot model."""

    name: str
    manufacturer: str
    urdf: UrdfModel
    root_link: str
    arms: dict[str, ArmSpec]
    grippers: dict[str, tuple[str, ...]]  # gripper name -> finger joints
    directory: Path


def models_dir() -> Path:
    """The registry directory (``ACADEMY_MODELS_PATH`` or the workspace's ``urdf/``)."""
    return Path(os.environ.get("ACADEMY_MODELS_PATH", str(DEFAULT_MODELS_DIR)))


def available_models(directory: Path | None = None) -> list[str]:
    """Names of the registered models, sorted."""
    root = directory or models_dir()
    return sorted(p.parent.name for p in root.glob("*/model.yaml"))


def load_model(name: str, directory: Path | None = None) -> RobotModel:
    """Load and validate model ``name`` (registry entry + URDF).

    Raises:
        UnknownModelError: no such model (the message lists the known ones).
        InvalidDescriptionError: the entry or its URDF is invalid (every problem listed).
    """
    root = directory or models_dir()
    entry_path = root / name / "model.yaml"
    if not entry_path.is_file():
        known = ", ".join(available_models(root)) or "(none)"
        raise UnknownModelError(f"unknown robot model {name!r} in {root}; known models: {known}")
    entry = yaml.safe_load(entry_path.read_text(encoding="utf-8")) or {}
    source = str(entry_path)
    problems: list[str] = []
    allowed = {"model", "manufacturer", "description", "root_link", "arms", "grippers"}
    for key in sorted(set(entry) - allowed):
        problems.append(f"{key}: unknown key; valid keys: {', '.join(sorted(allowed))}")
    if entry.get("model") != name:
        problems.append(f"model: {entry.get('model')!r}: must equal the directory name {name!r}")
    for key in ("manufacturer", "description", "root_link"):
        if not isinstance(entry.get(key), str) or not entry.get(key):
            problems.append(f"{key}: {entry.get(key)!r}: a non-empty string is required")
    if problems:
        raise InvalidDescriptionError(source, problems)
    description = entry_path.parent / entry["description"]
    if not description.is_file():
        raise InvalidDescriptionError(
            source, [f"description: {entry['description']!r}: file not found"]
        )
    urdf = validate_urdf(process_xacro(description), str(description))
    grippers = {
        g: tuple(spec.get("joints", [])) for g, spec in (entry.get("grippers") or {}).items()
    }
    arms: dict[str, ArmSpec] = {}
    for arm_name, spec in (entry.get("arms") or {}).items():
        arms[arm_name] = ArmSpec(
            arm_name,
            tuple(spec.get("joints", [])),
            spec.get("end_effector", ""),
            spec.get("gripper", ""),
        )
    if entry["root_link"] not in urdf.links:
        problems.append(f"root_link: {entry['root_link']!r}: not a link of the URDF")
    for arm in arms.values():
        for joint in arm.joints:
            if joint not in urdf.limits:
                problems.append(f"arms.{arm.name}.joints: {joint!r}: not an actuated joint")
        if arm.end_effector not in urdf.links:
            problems.append(f"arms.{arm.name}.end_effector: {arm.end_effector!r}: not a link")
        if arm.gripper and arm.gripper not in grippers:
            problems.append(f"arms.{arm.name}.gripper: {arm.gripper!r}: not in grippers")
    for gripper, joints in grippers.items():
        for joint in joints:
            if urdf.joint_types.get(joint) != "prismatic":
                problems.append(f"grippers.{gripper}.joints: {joint!r}: not a prismatic joint")
    if problems:
        raise InvalidDescriptionError(source, problems)
    return RobotModel(
        name=name,
        manufacturer=entry["manufacturer"],
        urdf=urdf,
        root_link=entry["root_link"],
        arms=arms,
        grippers=grippers,
        directory=entry_path.parent,
    )
