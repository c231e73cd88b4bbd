"""Controller configuration files (``config/controllers/<model>.yaml``), validated on load.

The layout is ros2_control's: ``controller_manager.ros__parameters`` holds ``update_rate`` and one
``<controller>: {type: ...}`` entry per controller; each controller's own parameters sit under
``<controller>.ros__parameters``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from academy_control.errors import InvalidControllerConfigError

JOINT_STATE_BROADCASTER = "joint_state_broadcaster/JointStateBroadcaster"
JOINT_TRAJECTORY_CONTROLLER = "joint_trajectory_controller/JointTrajectoryController"
HAND_CONTROLLER = "academy_control/HandController"
CONTROLLER_TYPES = (
    JOINT_STATE_BROADCASTER,
    JOINT_TRAJECTORY_CONTROLLER,
    HAND_CONTROLLER,
)


class _Config(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class BroadcasterConfig(_Config):
    publish_rate: float = Field(gt=0, description="Hz")


class JointTolerances(_Config):
    trajectory: float = Field(ge=0, description="rad or m; 0 = not checked")
    goal: float = Field(gt=0, description="rad or m")


class Constraints(_Config):
    goal_time: float = Field(ge=0, description="s")
    stopped_velocity_tolerance: float = Field(gt=0)
    default: JointTolerances
    joints: dict[str, JointTolerances] = Field(default_factory=dict)


class TrajectoryControllerConfig(_Config):
    joints: tuple[str, ...] = Field(min_length=1)
    command_interfaces: tuple[Literal["position"], ...]
    state_interfaces: tuple[Literal["position", "velocity"], ...]
    allow_partial_joints_goal: bool
    state_publish_rate: float = Field(gt=0)
    constraints: Constraints

    def tolerances(self, joint: str) -> JointTolerances:
        """Tolerances of ``joint`` (its own entry, else the default)."""
        return self.constraints.joints.get(joint, self.constraints.default)


class HandControllerConfig(_Config):
    """A hand or gripper driven between the open and closed postures of its ``model.yaml`` entry.

    A command's opening (m, as control_msgs/GripperCommand's ``position``) maps linearly onto the
    hand's closure (0 open .. 1 closed) and so onto every driven joint: a parallel jaw and a
    multi-finger hand take the same command.
    """

    hand: str = Field(min_length=1, description="the hand's name under hands: in model.yaml")
    joints: tuple[str, ...] = Field(min_length=1, description="the hand's driven joints")
    goal_tolerance: float = Field(gt=0, description="m of opening")
    stall_velocity_threshold: float = Field(gt=0, description="rad/s or m/s of any joint")
    stall_timeout: float = Field(gt=0, description="s")
    max_effort: float = Field(gt=0, description="N or N.m per joint (clamped to the URDF's)")


ControllerConfig = BroadcasterConfig | TrajectoryControllerConfig | HandControllerConfig
_CONFIG_CLASS: dict[str, type[_Config]] = {
    JOINT_STATE_BROADCASTER: BroadcasterConfig,
    JOINT_TRAJECTORY_CONTROLLER: TrajectoryControllerConfig,
    HAND_CONTROLLER: HandControllerConfig,
}


class ControllerManagerConfig(BaseModel):
    """The whole file: the manager's rate and each controller's type and parameters."""

    model_config = ConfigDict(frozen=True)

    update_rate: float
    types: dict[str, str]
    controllers: dict[str, ControllerConfig]


def parse_controllers(
    data: object,
    joints: tuple[str, ...],
    source: str = "<controllers>",
    hands: Mapping[str, tuple[str, ...]] | None = None,
) -> ControllerManagerConfig:
    """Validate a controllers mapping against the hardware's ``joints`` and the model's ``hands``
    (name -> driven joints; None: not checked); list every problem."""
    problems: list[str] = []
    if not isinstance(data, dict):
        raise InvalidControllerConfigError(source, ["(top level): a mapping is required"])
    manager = (data.get("controller_manager") or {}).get("ros__parameters")
    if not isinstance(manager, dict):
        raise InvalidControllerConfigError(
            source, ["controller_manager.ros__parameters: missing (a mapping is required)"]
        )
    rate = manager.get("update_rate")
    if not isinstance(rate, int | float) or isinstance(rate, bool) or rate <= 0:
        problems.append(f"controller_manager.ros__parameters.update_rate: {rate!r}: Hz > 0")
    types: dict[str, str] = {}
    configs: dict[str, ControllerConfig] = {}
    for name, entry in manager.items():
        if name == "update_rate":
            continue
        kind = entry.get("type") if isinstance(entry, dict) else None
        if kind not in CONTROLLER_TYPES:
            problems.append(
                f"controller_manager.ros__parameters.{name}.type: {kind!r}: "
                f"valid types: {', '.join(CONTROLLER_TYPES)}"
            )
            continue
        params = (data.get(name) or {}).get("ros__parameters")
        if not isinstance(params, dict):
            problems.append(f"{name}.ros__parameters: missing for controller {name!r}")
            continue
        try:
            config = _CONFIG_CLASS[kind].model_validate(params)
        except ValidationError as error:
            for item in error.errors():
                where = ".".join(str(p) for p in item["loc"])
                problems.append(
                    f"{name}.ros__parameters.{where}: {item.get('input')!r}: {item['msg']}"
                )
            continue
        for joint in getattr(config, "joints", ()):
            if joint not in joints:
                problems.append(
                    f"{name}.ros__parameters.joints: {joint!r}: not a joint of the hardware"
                )
        if isinstance(config, HandControllerConfig) and hands is not None:
            problems += _hand_problems(name, config, hands)
        types[name] = kind
        configs[name] = config  # type: ignore[assignment]
    extra = sorted(set(data) - {"controller_manager"} - set(manager))
    for name in extra:
        problems.append(f"{name}: parameters for a controller the manager does not load")
    if problems:
        raise InvalidControllerConfigError(source, problems)
    assert isinstance(rate, int | float)  # checked above
    return ControllerManagerConfig(update_rate=float(rate), types=types, controllers=configs)


def _hand_problems(
    name: str, config: HandControllerConfig, hands: Mapping[str, tuple[str, ...]]
) -> list[str]:
    where = f"{name}.ros__parameters"
    if config.hand not in hands:
        known = ", ".join(sorted(hands)) or "(none)"
        return [f"{where}.hand: {config.hand!r}: not a hand of the model; hands: {known}"]
    if tuple(config.joints) != hands[config.hand]:
        return [
            f"{where}.joints: {list(config.joints)}: must be the driven joints of hand "
            f"{config.hand!r} in model.yaml, {list(hands[config.hand])}"
        ]
    return []


def load_controllers(
    path: Path, joints: tuple[str, ...], hands: Mapping[str, tuple[str, ...]] | None = None
) -> ControllerManagerConfig:
    """Load and validate a controllers YAML file."""
    if not path.is_file():
        raise InvalidControllerConfigError(str(path), ["file not found"])
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return parse_controllers(data, joints, str(path), hands)
