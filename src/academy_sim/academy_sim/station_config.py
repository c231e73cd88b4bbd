"""Station configuration (``config/stations/<name>.yaml``), validated on load.

A station is one training place: a table in front of a robot hanging on its safety harness, and
props on the table. Every number has its unit in the field description; nothing has a hidden
default in code, so the YAML file is the whole truth about a station.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from academy_sim.errors import InvalidStationError

Range = tuple[float, float]


class _Strict(BaseModel):
    # Lax mode so YAML lists validate as tuples; unknown keys are still errors.
    model_config = ConfigDict(extra="forbid", frozen=True)


class ObjectSpec(_Strict):
    """One prop. ``size`` is (x, y, z) extents for a box, (diameter, diameter, height) otherwise."""

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    kind: str = Field(min_length=1, description="object class a trainer names, e.g. cube, cup")
    color: str = Field(min_length=1, description="colour word a trainer names, e.g. red")
    shape: Literal["box", "cylinder"]
    size: tuple[float, float, float] = Field(description="m")
    mass: float = Field(gt=0, description="kg")
    rgba: tuple[float, float, float, float]
    spawn_x: Range = Field(description="m, range of the start position (station frame)")
    spawn_y: Range = Field(description="m")
    spawn_yaw: Range = Field(description="rad")

    @model_validator(mode="after")
    def _check(self) -> ObjectSpec:
        if min(self.size) <= 0:
            raise ValueError(f"size: {list(self.size)}: every extent must be > 0 m")
        for name in ("spawn_x", "spawn_y", "spawn_yaw"):
            low, high = getattr(self, name)
            if low > high:
                raise ValueError(f"{name}: [{low}, {high}]: the lower bound exceeds the upper")
        return self


class TableSpec(_Strict):
    """The table: a box standing on the floor in front of the robot."""

    center_x: float = Field(description="m, forward distance of the table centre from the pelvis")
    size: tuple[float, float, float] = Field(description="m, (depth, width, height)")


class ContactSpec(_Strict):
    """MuJoCo contact settings that make friction grasps hold (see docs/simulation.md)."""

    friction: tuple[float, float, float] = Field(description="sliding, torsional, rolling")
    condim: Literal[3, 4, 6]
    impratio: float = Field(ge=1)
    noslip_iterations: int = Field(ge=0)
    cone: Literal["pyramidal", "elliptic"]


class StationConfig(_Strict):
    """A whole station."""

    station: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    timestep: float = Field(gt=0, le=0.002, description="s, physics step (<= 0.002 s: >= 500 Hz)")
    pelvis_height: float = Field(gt=0, description="m, where the harness holds the pelvis")
    table: TableSpec
    contact: ContactSpec
    objects: tuple[ObjectSpec, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_names(self) -> StationConfig:
        names = [o.name for o in self.objects]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"objects: duplicate names {duplicates}")
        return self


def parse_station(data: object, source: str = "<station>") -> StationConfig:
    """Validate a station mapping; raise :class:`InvalidStationError` listing every problem."""
    try:
        return StationConfig.model_validate(data)
    except ValidationError as error:
        problems = []
        for item in error.errors():
            where = ".".join(str(p) for p in item["loc"]) or "(top level)"
            if item["type"] == "value_error":  # our checks name the field and value themselves
                problems.append(f"{where}: {item['msg'].removeprefix('Value error, ')}")
            else:
                problems.append(f"{where}: {item.get('input')!r}: {item['msg']}")
        raise InvalidStationError(source, problems) from None


def load_station(path: Path) -> StationConfig:
    """Load and validate a station YAML file."""
    if not path.is_file():
        raise InvalidStationError(str(path), ["file not found"])
    return parse_station(yaml.safe_load(path.read_text(encoding="utf-8")), str(path))
