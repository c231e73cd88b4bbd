"""The robot model registry: ``<models dir>/<model>/model.yaml`` entries, validated with their URDF.

An entry (:mod:`academy_description.model_schema`) names the maker, the licence, the maker's
URDF (left unmodified in its installed package), our wrapper xacro that adds ``<ros2_control>``,
the controller config, the mount, the arms and the hands. Loading a model expands the wrapper,
prepares the URDF for MuJoCo (:func:`academy_description.mujoco_model.prepare_urdf`: meshes,
repairs, couplings, effort overrides) and validates the result against the entry.

Where models are found: each directory on ``ACADEMY_MODELS_PATH`` (``os.pathsep``-separated;
the workspace's activation script puts its ``urdf/`` there, so a model just added is found
before a rebuild), then ``share/academy_description/urdf`` of every install prefix on
``AMENT_PREFIX_PATH`` (colcon installs the workspace's ``urdf/`` there).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from academy_description.errors import InvalidDescriptionError, UnknownModelError
from academy_description.model_schema import (
    HandKind,
    ModelEntry,
    Mount,
    read_model_entry,
)
from academy_description.mujoco_model import prepare_urdf
from academy_description.package_paths import resolve_uri
from academy_description.urdf_model import UrdfModel, process_xacro, validate_urdf

#: The xacro argument of every wrapper that names the maker's URDF file.
MAKER_URDF_ARG = "maker_urdf"


def closure_fraction(positions: np.ndarray, open_: np.ndarray, closed: np.ndarray) -> float:
    """Closure (0 open .. 1 closed) of driven joints at ``positions`` between two postures.

    The mean over the joints that move between the postures of how far each has gone; the one
    measure a controller, a skill's judge and the canonical view share.
    """
    span = closed - open_
    moving = span != 0
    if not np.any(moving):
        return 0.0
    fraction = (positions[moving] - open_[moving]) / span[moving]
    return float(np.clip(fraction.mean(), 0.0, 1.0))


@dataclass(frozen=True)
class HandSpec:
    """A hand or gripper: kind, driven joints, open and closed postures, opening when open.

    Its opening (m) is taken as linear in its closure: ``max_opening`` open, 0 closed. For a
    parallel jaw of prismatic fingers that is exact; for revolute fingers it is the chord's
    estimate the controller and the judges share.
    """

    name: str
    kind: HandKind
    joints: tuple[str, ...]
    open: dict[str, float]
    closed: dict[str, float]
    max_opening: float  # m, 0 when unknown

    @property
    def open_array(self) -> np.ndarray:
        return np.array([self.open[j] for j in self.joints])

    @property
    def closed_array(self) -> np.ndarray:
        return np.array([self.closed[j] for j in self.joints])

    def closure(self, positions: Mapping[str, float]) -> float:
        """Closure (0 open .. 1 closed) at joint ``positions``; 0 for a hand with no joints."""
        if self.kind is HandKind.NONE or not self.joints:
            return 0.0
        q = np.array([positions.get(j, self.open[j]) for j in self.joints])
        return closure_fraction(q, self.open_array, self.closed_array)

    def opening(self, positions: Mapping[str, float]) -> float:
        """Estimated opening (m) at joint ``positions``."""
        return self.max_opening * (1.0 - self.closure(positions))

    def closure_for(self, opening: float) -> float:
        """The closure that gives ``opening`` m (clamped to 0 .. 1)."""
        if self.max_opening <= 0:
            return 1.0
        return float(np.clip(1.0 - opening / self.max_opening, 0.0, 1.0))


@dataclass(frozen=True)
class ArmSpec:
    """One arm: joint chain (shoulder to wrist), end-effector link, hand, grasp frame, postures."""

    name: str
    joints: tuple[str, ...]
    elbow: str
    end_effector: str
    gripper: str  # the hand's name, "" when the arm has none
    grasp_xyz: tuple[float, float, float]
    grasp_rpy: tuple[float, float, float]
    ready: dict[str, float]
    ik_seed: dict[str, float]


@dataclass(frozen=True)
class RobotModel:
    """A registered, validated robot model."""

    name: str
    manufacturer: str
    licence: str
    urdf: UrdfModel  # validated, prepared for MuJoCo
    prepared_xml: str
    root_link: str
    mount: Mount
    arms: dict[str, ArmSpec]
    hands: dict[str, HandSpec]
    head: tuple[str, ...]
    torso: tuple[str, ...]
    directory: Path
    controllers_file: Path
    source: str
    repairs: tuple[str, ...]

    @property
    def grippers(self) -> dict[str, tuple[str, ...]]:
        """Driven joints of each hand that can hold something (kind other than none)."""
        return {n: h.joints for n, h in self.hands.items() if h.kind is not HandKind.NONE}


def models_path() -> list[Path]:
    """Directories searched for models, in order (see the module docstring)."""
    dirs = [Path(p) for p in os.environ.get("ACADEMY_MODELS_PATH", "").split(os.pathsep) if p]
    for prefix in os.environ.get("AMENT_PREFIX_PATH", "").split(os.pathsep):
        candidate = Path(prefix) / "share" / "academy_description" / "urdf"
        if prefix and candidate.is_dir() and candidate not in dirs:
            dirs.append(candidate)
    return dirs


def models_dir() -> Path:
    """The first models directory (where ``academy model add`` writes by default)."""
    dirs = models_path()
    if not dirs:
        raise UnknownModelError(
            "no models directory: set ACADEMY_MODELS_PATH or source the workspace's activate.bash"
        )
    return dirs[0]


def _entry_path(name: str, directory: Path | None) -> Path | None:
    for root in [directory] if directory else models_path():
        path = root / name / "model.yaml"
        if path.is_file():
            return path
    return None


def available_models(directory: Path | None = None) -> list[str]:
    """Names of the registered models, sorted."""
    roots = [directory] if directory else models_path()
    return sorted({p.parent.name for root in roots for p in root.glob("*/model.yaml")})


def expand_description(entry: ModelEntry, directory: Path) -> str:
    """Our wrapper xacro expanded with the maker's URDF included: plain URDF XML."""
    mappings = {}
    if entry.source:
        maker = resolve_uri(entry.source, directory)
        if not maker.is_file():
            raise InvalidDescriptionError(
                str(directory / "model.yaml"), [f"source: {entry.source!r}: no file at {maker}"]
            )
        mappings[MAKER_URDF_ARG] = str(maker)
    wrapper = directory / entry.description
    if not wrapper.is_file():
        raise InvalidDescriptionError(
            str(directory / "model.yaml"), [f"description: {entry.description!r}: file not found"]
        )
    return process_xacro(wrapper, mappings)


def load_model(name: str, directory: Path | None = None) -> RobotModel:
    """Load and validate model ``name`` (registry entry + URDF).

    Raises:
        UnknownModelError: no such model (the message lists the known ones).
        InvalidDescriptionError: the entry or its URDF is invalid (every problem listed).
        PackageNotFoundError: the maker's package is not installed.
    """
    entry_path = _entry_path(name, directory)
    if entry_path is None:
        known = ", ".join(available_models(directory)) or "(none)"
        searched = ", ".join(str(d) for d in ([directory] if directory else models_path()))
        raise UnknownModelError(
            f"unknown robot model {name!r} (searched {searched}); known models: {known}"
        )
    entry = read_model_entry(entry_path)
    source = str(entry_path)
    if entry.model != name:
        raise InvalidDescriptionError(
            source, [f"model: {entry.model!r}: must equal the directory name {name!r}"]
        )
    base = entry_path.parent
    xml = expand_description(entry, base)
    maker_dir = resolve_uri(entry.source, base).parent if entry.source else base
    prepared = prepare_urdf(
        xml,
        str(base / entry.description),
        maker_dir,
        entry.couplings,
        entry.limit_overrides,
        non_contact_links=entry.non_contact_links,
    )
    urdf = validate_urdf(prepared.xml, str(base / entry.description))
    problems = check_entry(entry, urdf)
    if problems:
        raise InvalidDescriptionError(source, problems)
    controllers = base / entry.controllers
    if not controllers.is_file():
        raise InvalidDescriptionError(
            source, [f"controllers: {entry.controllers!r}: file not found"]
        )
    hands = {
        n: HandSpec(n, h.kind, h.joints, dict(h.open), dict(h.closed), h.max_opening)
        for n, h in entry.hands.items()
    }
    arms: dict[str, ArmSpec] = {
        side: ArmSpec(
            side,
            a.joints,
            a.elbow,
            a.end_effector,
            a.hand,
            a.grasp_frame.xyz,
            a.grasp_frame.rpy,
            dict(a.ready),
            dict(a.ik_seed),
        )
        for side, a in entry.arms.items()
    }
    return RobotModel(
        name=name,
        manufacturer=entry.maker,
        licence=entry.licence,
        urdf=urdf,
        prepared_xml=prepared.xml,
        root_link=entry.root_link,
        mount=entry.mount,
        arms=arms,
        hands=hands,
        head=entry.head,
        torso=entry.torso,
        directory=base,
        controllers_file=controllers,
        source=entry.source,
        repairs=prepared.repairs,
    )


def check_entry(entry: ModelEntry, urdf: UrdfModel) -> list[str]:
    """Problems between a registry entry and its (validated) URDF, one line each."""
    problems: list[str] = []
    actuated = set(urdf.actuated_joints)
    roots = [link for link in urdf.links if link not in urdf.parents]
    if entry.root_link not in urdf.links:
        problems.append(f"root_link: {entry.root_link!r}: not a link of the URDF")
    elif roots != [entry.root_link]:
        problems.append(f"root_link: {entry.root_link!r}: the URDF's root link is {roots}")

    def joints_ok(where: str, joints: Iterable[str]) -> None:
        for joint in joints:
            if joint not in actuated:
                problems.append(f"{where}: {joint!r}: not an actuated joint of the URDF")

    def posture_ok(where: str, posture: dict[str, float]) -> None:
        joints_ok(where, posture)
        for joint, value in posture.items():
            limits = urdf.limits.get(joint)
            if limits is not None and not limits.lower - 1e-9 <= value <= limits.upper + 1e-9:
                problems.append(
                    f"{where}.{joint}: {value}: outside its limits [{limits.lower}, {limits.upper}]"
                )

    for side, arm in entry.arms.items():
        joints_ok(f"arms.{side}.joints", arm.joints)
        if arm.elbow not in arm.joints:
            problems.append(f"arms.{side}.elbow: {arm.elbow!r}: not one of the arm's joints")
        if arm.end_effector not in urdf.links:
            problems.append(f"arms.{side}.end_effector: {arm.end_effector!r}: not a link")
        if arm.hand and arm.hand not in entry.hands:
            valid = ", ".join(entry.hands) or "(no hands declared)"
            problems.append(f"arms.{side}.hand: {arm.hand!r}: not in hands ({valid})")
        posture_ok(f"arms.{side}.ready", arm.ready)
        posture_ok(f"arms.{side}.ik_seed", arm.ik_seed)
    for name, hand in entry.hands.items():
        joints_ok(f"hands.{name}.joints", hand.joints)
        posture_ok(f"hands.{name}.open", hand.open)
        posture_ok(f"hands.{name}.closed", hand.closed)
        if hand.kind is not HandKind.NONE:
            if not hand.joints:
                problems.append(f"hands.{name}.joints: a {hand.kind.value} hand needs joints")
            for posture in ("open", "closed"):
                missing = sorted(set(hand.joints) - set(getattr(hand, posture)))
                if missing:
                    problems.append(f"hands.{name}.{posture}: lacks {', '.join(missing)}")
    joints_ok("head", entry.head)
    joints_ok("torso", entry.torso)
    return problems
