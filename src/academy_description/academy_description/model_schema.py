"""The registry entry of a robot model, ``urdf/<model>/model.yaml``: its schema, validated on load.

Everything the workspace knows about a model that its maker's URDF does not say is here, never
in code: who makes it and under which licence, where the maker's URDF is installed, how it is
mounted in a station, its arms (shoulder-to-wrist chains, end-effector link, grasp frame, ready
posture), its hands (kind, joints, open and closed postures), couplings the URDF lacks, and
effort limits that replace the URDF's placeholders, and links whose collision geometry is a
planning volume rather than the body (TIAGo's hand safety boxes). ``academy model add`` writes
the first version of the file from the URDF; people refine it and ``academy model check``
validates it.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from academy_common.problems import validation_problems
from academy_description.errors import InvalidDescriptionError

#: Version of this file's layout; bump it when a field changes meaning.
SCHEMA_VERSION = 1

Vector3 = tuple[float, float, float]
NonEmptyStr = Annotated[str, Field(min_length=1)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class HandKind(StrEnum):
    """What a hand can do: close two jaws, close fingers, or nothing."""

    PARALLEL_JAW = "parallel_jaw"
    MULTI_FINGER = "multi_finger"
    NONE = "none"


class ForwardAxis(StrEnum):
    """The root link's axis the robot faces along (REP 103 says +x; not every maker does)."""

    PLUS_X = "+x"
    MINUS_X = "-x"
    PLUS_Y = "+y"
    MINUS_Y = "-y"


class Workspace(_Strict):
    """Where on a table this robot's hands work best, in arm lengths from its shoulders.

    Stations with a ``reach_reference`` centre their props ``forward`` arm lengths in front of
    the shoulders on a table top ``below`` arm lengths under them. Found by trying top-down
    grasps there with the robot's own IK (see urdf/README.md); absent, a station keeps its
    layout's own proportions.
    """

    forward: float = Field(gt=0, le=1.2, description="arm lengths in front of the shoulders")
    below: float = Field(gt=-0.5, le=1.2, description="arm lengths from shoulders to table top")


class Mount(_Strict):
    """How the robot stands in a station: its root link welded at ``height`` above the floor."""

    height: float = Field(ge=0, le=3.0, description="m, root link above the floor (feet on it)")
    forward_axis: ForwardAxis = Field(description="root-frame axis the robot faces along")
    workspace: Workspace | None = None


class GraspFrame(_Strict):
    """The grasp point (between the fingertips) in the end-effector link's frame.

    ``rpy`` turns the link frame into the grasp frame: x forward, y the closing direction, z
    up when the hand points down at a table (the frame the skills aim, as a top-down grasp).
    """

    xyz: Vector3 = Field(description="m, in the end-effector link's frame")
    rpy: Vector3 = Field(default=(0.0, 0.0, 0.0), description="rad, roll-pitch-yaw")


class ArmEntry(_Strict):
    """One arm: its joint chain from shoulder to wrist and what sits at its end."""

    joints: tuple[str, ...] = Field(min_length=3, description="shoulder to wrist, in chain order")
    elbow: str = Field(min_length=1, description="the elbow joint: the arm is straight at 0")
    end_effector: str = Field(min_length=1, description="link the hand is mounted on")
    hand: str = Field(default="", description="key in hands, empty when the arm has none")
    grasp_frame: GraspFrame
    ready: dict[str, float] = Field(
        description="rad: posture between attempts, hand raised clear of the table"
    )
    ik_seed: dict[str, float] = Field(
        default_factory=dict, description="rad: where IK starts when the arm hangs straight"
    )


class HandEntry(_Strict):
    """A hand or gripper: its driven joints and the postures that open and close it."""

    kind: HandKind
    joints: tuple[str, ...] = Field(default=(), description="driven joints (followers excluded)")
    open: dict[str, float] = Field(default_factory=dict, description="rad or m: fully open")
    closed: dict[str, float] = Field(default_factory=dict, description="rad or m: fully closed")
    max_opening: float = Field(
        default=0.0, ge=0.0, le=0.5, description="m between the pads when open (0: unknown)"
    )


class Coupling(_Strict):
    """A follower joint driven by a leader, as URDF's ``<mimic>``: q = multiplier * leader + offset.

    For hands whose maker wrote no ``<mimic>`` tags (TIAGo's Hey5).
    """

    joint: str
    leader: str
    multiplier: float = 1.0
    offset: float = 0.0


class LimitOverride(_Strict):
    """Limits replacing the URDF's where they are placeholders (iCub's 50000) or zero (Romeo)."""

    effort: float | None = Field(default=None, gt=0, description="N.m or N")
    velocity: float | None = Field(default=None, gt=0, description="rad/s or m/s")
    reason: str = Field(min_length=1)


class ModelEntry(_Strict):
    """The whole ``model.yaml``."""

    schema_version: Literal[1]
    model: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    maker: str = Field(min_length=1)
    licence: str = Field(min_length=1, description="SPDX id of the maker's description")
    source: str = Field(
        default="", description="the maker's URDF, unmodified: package:// URI or path"
    )
    description: str = Field(min_length=1, description="our wrapper xacro, next to this file")
    controllers: str = Field(min_length=1, description="controller config, next to this file")
    root_link: str = Field(min_length=1)
    mount: Mount
    arms: dict[Literal["left", "right"], ArmEntry] = Field(min_length=1)
    hands: dict[str, HandEntry] = Field(default_factory=dict)
    head: tuple[str, ...] = Field(default=(), description="neck joints, base to tip")
    torso: tuple[str, ...] = Field(default=(), description="waist/torso joints")
    couplings: tuple[Coupling, ...] = ()
    limit_overrides: dict[str, LimitOverride] = Field(default_factory=dict)
    non_contact_links: dict[str, NonEmptyStr] = Field(
        default_factory=dict,
        description="link -> why its collision geometry is not the body: it never touches props",
    )


def read_model_entry(path: Path) -> ModelEntry:
    """Read and validate ``model.yaml`` at ``path``.

    Raises:
        InvalidDescriptionError: every problem, as ``key: value: what would be valid``.
    """
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise InvalidDescriptionError(str(path), [f"not valid YAML: {error}"]) from None
    try:
        return ModelEntry.model_validate(raw if raw is not None else {})
    except ValidationError as error:
        raise InvalidDescriptionError(str(path), validation_problems(error, ModelEntry)) from None


def write_model_entry(entry: ModelEntry, path: Path, header: str = "") -> None:
    """Write ``entry`` as YAML (enums as their values), with ``header`` comment lines first."""
    data = entry.model_dump(mode="json")
    if not data.get("non_contact_links"):  # optional: most models have none
        data.pop("non_contact_links", None)
    text = yaml.safe_dump(data, sort_keys=False, default_flow_style=None, width=100)
    path.write_text(header + text, encoding="utf-8")
