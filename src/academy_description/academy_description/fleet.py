"""The fleet file (``config/fleet.yaml``): which robots stand in the hall, validated on load.

Each robot has an id (its ROS namespace, ``robot_<n>`` so a trainer can say "robot two"), a
registered model, the model's maker (checked against the registry, so a mislabelled robot is
caught before it trains), a serial number, its station and a spoken name a trainer may call it
by ("baxter, grasp the red cube"). Every problem is listed at once, each as
``robots[i].key: value: what would be valid``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from academy_common.problems import ProblemsError, validation_problems
from academy_description.errors import DescriptionError, UnknownModelError
from academy_description.model_registry import available_models, load_model

SnakeName = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]
#: Words a spoken name may not be: they already mean something in an instruction.
RESERVED_WORDS = frozenset(
    {"robot", "everyone", "everybody", "all", "stop", "halt", "freeze", "reset", "resume",
     "continue", "cancel", "please", "the", "a", "and"}
)  # fmt: skip


class InvalidFleetError(ProblemsError, DescriptionError):
    """A fleet file is invalid; ``problems`` holds one line per problem."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class FleetRobot(_Strict):
    """One robot of the hall."""

    id: Annotated[str, Field(pattern=r"^robot_[1-9][0-9]*$", description="robot_<n>")]
    model: SnakeName
    maker: Annotated[str, Field(min_length=1)]
    serial: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", max_length=64)]
    station: SnakeName
    spoken_name: Annotated[str, Field(pattern=r"^[a-z]+( [a-z]+)*$", max_length=40)]


class FleetFile(_Strict):
    """Top level of a fleet file."""

    fleet: SnakeName
    robots: Annotated[list[FleetRobot], Field(min_length=1)]


def parse_fleet(data: object, source: str = "<fleet>", check_models: bool = True) -> FleetFile:
    """Validate fleet data: schema, unique ids/serials/stations/names, models and makers."""
    try:
        fleet = FleetFile.model_validate(data)
    except ValidationError as error:
        raise InvalidFleetError(source, validation_problems(error, FleetFile)) from None
    problems: list[str] = []
    for key in ("id", "serial", "station", "spoken_name"):
        seen: dict[str, int] = {}
        for index, robot in enumerate(fleet.robots):
            value = getattr(robot, key)
            if value in seen:
                problems.append(
                    f"robots[{index}].{key}: {value!r}: already robots[{seen[value]}]'s; "
                    f"each robot needs its own {key}"
                )
            seen.setdefault(value, index)
    known = available_models() if check_models else []
    for index, robot in enumerate(fleet.robots):
        where = f"robots[{index}]"
        reserved = sorted(set(robot.spoken_name.split()) & RESERVED_WORDS)
        if reserved:
            problems.append(
                f"{where}.spoken_name: {robot.spoken_name!r}: {', '.join(reserved)} already "
                "mean(s) something in an instruction; choose another name"
            )
        if not check_models:
            continue
        if robot.model not in known:
            problems.append(
                f"{where}.model: {robot.model!r}: not a registered model; known: "
                f"{', '.join(known)} (`academy model list`)"
            )
            continue
        try:
            maker = load_model(robot.model).manufacturer
        except (UnknownModelError, DescriptionError) as error:
            problems.append(f"{where}.model: {robot.model!r}: does not load: {error}")
            continue
        if robot.maker != maker:
            problems.append(
                f"{where}.maker: {robot.maker!r}: model {robot.model} is made by {maker!r}"
            )
    if problems:
        raise InvalidFleetError(source, problems)
    return fleet


def load_fleet(path: Path, check_models: bool = True) -> FleetFile:
    """Read and validate a fleet file (:class:`InvalidFleetError` lists every problem)."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise InvalidFleetError(str(path), [f"cannot read: {error.strerror}"]) from None
    except yaml.YAMLError as error:
        raise InvalidFleetError(str(path), [f"not valid YAML: {error}"]) from None
    return parse_fleet(data, str(path), check_models)
