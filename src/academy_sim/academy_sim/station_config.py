"""Station configuration (``config/stations/<name>.yaml``), validated on load.

A station is one training place: a table in front of a robot hanging on its safety harness, and
props on the table. Every number has its unit in the field description; nothing has a hidden
default in code, so the YAML file is the whole truth about a station.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from academy_sim.errors import InvalidStationError

Range = tuple[float, float]


#: A tray's post handles: diameter and height (m), their centres this far in from its ends.
TRAY_HANDLE = (0.024, 0.04)
TRAY_HANDLE_INSET = 0.03

#: Highest a prop may start above its resting height (m): it falls onto the table from there.
MAX_DROP_HEIGHT = 0.30


class _Strict(BaseModel):
    # Lax mode so YAML lists validate as tuples; unknown keys are still errors, and so are
    # .nan/.inf (a NaN spawn bound would put a prop nowhere).
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class ObjectSpec(_Strict):
    """One prop. ``size`` is (x, y, z) extents for a box or a tray (a box with a post handle on
    its top at each end along y: TRAY_HANDLE), (diameter, diameter, height) for a cylinder."""

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    kind: str = Field(min_length=1, description="object class a trainer names, e.g. cube, cup")
    color: str = Field(min_length=1, description="colour word a trainer names, e.g. red")
    shape: Literal["box", "cylinder", "tray", "open_box"]
    size: tuple[float, float, float] = Field(description="m")
    mass: float = Field(gt=0, description="kg")
    friction: tuple[float, float, float] = Field(
        description="sliding, torsional, rolling; MuJoCo uses the prop's own friction for its "
        "contacts (the prop geom has the higher priority), so a low value makes it slippery"
    )
    rgba: tuple[float, float, float, float]
    spawn_x: Range = Field(description="m, range of the start position (station frame)")
    spawn_y: Range = Field(description="m")
    spawn_yaw: Range = Field(description="rad")
    wall: float | None = Field(
        default=None,
        description="m, wall and floor thickness of an open_box (a cup or a tub: a floor and "
        "four walls, open on top); null for a solid prop",
    )

    @model_validator(mode="after")
    def _check(self) -> ObjectSpec:
        problems = []
        if min(self.size) <= 0:
            problems.append(f"size: {list(self.size)}: every extent must be > 0 m")
        if self.shape == "open_box":
            if self.wall is None or not 0 < 2 * self.wall < min(self.size[:2]):
                problems.append(
                    f"wall: {self.wall}: an open_box needs a wall thickness > 0 m and less than "
                    f"half its smallest width ({min(self.size[:2]) / 2:.3f} m)"
                )
            elif self.wall >= self.size[2]:
                problems.append(f"wall: {self.wall}: its floor must be lower than its walls")
        elif self.wall is not None:
            problems.append(f"wall: {self.wall}: only an open_box has walls; use null")
        sliding, torsional, rolling = self.friction
        if sliding <= 0 or torsional < 0 or rolling < 0:
            problems.append(
                f"friction: {list(self.friction)}: sliding must be > 0, torsional and rolling >= 0"
            )
        for name in ("spawn_x", "spawn_y", "spawn_yaw"):
            low, high = getattr(self, name)
            if low > high:
                problems.append(f"{name}: [{low}, {high}]: the lower bound exceeds the upper")
        low, high = self.spawn_yaw
        if low < -math.pi or high > math.pi:
            problems.append(f"spawn_yaw: [{low}, {high}]: must lie within [-pi, pi] rad")
        if problems:
            raise ValueError("\n".join(problems))
        return self

    def footprint(self, yaw_low: float, yaw_high: float | None = None) -> tuple[float, float]:
        """Largest half extents (m) along x and y of the prop standing turned by a yaw in range.

        With one yaw, the half extents at that yaw. A box's extent along an axis is largest at the
        ends of the range or where ``d(a|cos| + b|sin|) = 0``; a cylinder's is its radius.
        """
        high = yaw_low if yaw_high is None else yaw_high
        if self.shape == "cylinder":
            radius = self.size[0] / 2
            return radius, radius
        a, b = self.size[0] / 2, self.size[1] / 2
        critical = [math.atan2(b, a), math.atan2(a, b)]
        yaws = [yaw_low, high] + [
            sign * angle + k * math.pi
            for angle in critical
            for sign in (1, -1)
            for k in range(-2, 3)
            if yaw_low <= sign * angle + k * math.pi <= high
        ]
        half_x = max(a * abs(math.cos(t)) + b * abs(math.sin(t)) for t in yaws)
        half_y = max(a * abs(math.sin(t)) + b * abs(math.cos(t)) for t in yaws)
        return half_x, half_y


#: The fixture kinds a station can have, and what each is for.
FIXTURE_KINDS = {
    "target_pad": "a flat marker on the table top (tape): where pick_and_place sets an object down",
    "bin": "an open box standing on the table (floor and four walls): put_in / take_out",
    "pegboard": "a block with a square hole (a bin with thick walls): insert_peg",
    "shelf": "a board on two legs over the table, size z its top's height: place_on_shelf",
    "button": "a housing with a cap on a spring-loaded slide: press_button",
    "knob": "a base with a grip cylinder on a vertical hinge that holds where it is turned",
    "drawer": "an open cabinet with a drawer sliding out toward the robot, a post handle on top",
    "door": "a panel along y hinged at its right end, swinging open toward the robot (left +), "
    "a post handle on its top near the free end",
}
#: Kinds with walls around an open inside (``wall`` thick), on a floor at most FLOOR_THICKNESS.
WALLED = ("bin", "pegboard")
FLOOR_THICKNESS = 0.008  # m


def kind_floor(kind: str) -> str:
    return "hole's floor" if kind == "pegboard" else "bin's floor"


#: Kinds with a joint: its travel (m or rad) and how it resists (stiffness, damping, friction).
ARTICULATED = ("button", "knob", "drawer", "door")


class FixtureSpec(_Strict):
    """One fixture: a static part of the station that skills act with (not a prop: it does not
    move). Placed by the centre of its footprint on the table top; ``size`` is its outer
    extents (x, y, z)."""

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    kind: Literal["target_pad", "bin", "pegboard", "shelf", "button", "knob", "drawer", "door"] = (
        Field(description=", ".join(FIXTURE_KINDS))
    )
    color: str = Field(min_length=1, description="colour word a trainer names, e.g. green")
    x: float = Field(description="m, forward position of the footprint's centre (station frame)")
    y: float = Field(description="m, lateral position (left +)")
    size: tuple[float, float, float] = Field(description="m, outer extents x, y, z")
    wall: float | None = Field(
        description="m, wall and floor thickness of a bin; null for a target_pad"
    )
    rgba: tuple[float, float, float, float]
    travel: float | None = Field(
        default=None,
        description="a button's press depth or a drawer's pull-out (m), a knob's or a door's "
        "turn (rad); null for a static fixture",
    )
    stiffness: float | None = Field(
        default=None,
        description="a button's spring (N/m) pushing the cap back up; null otherwise",
    )
    friction: float | None = Field(
        default=None,
        description="a knob's or door's (N.m) or a drawer's (N) joint friction, which holds it "
        "where it is left; null otherwise",
    )

    @property
    def floor(self) -> float:
        """Height above the table (m) of what a prop set in or on it stands on: a bin's or a
        pegboard's floor, a shelf's top; 0 otherwise."""
        if self.kind == "shelf":
            return self.size[2]
        return min(self.wall, FLOOR_THICKNESS) if self.kind in WALLED and self.wall else 0.0

    @model_validator(mode="after")
    def _check(self) -> FixtureSpec:
        problems = []
        if min(self.size) <= 0:
            problems.append(f"size: {list(self.size)}: every extent must be > 0 m")
        wants = {
            "button": ("travel", "stiffness"),
            "knob": ("travel", "friction"),
            "drawer": ("travel", "friction"),
            "door": ("travel", "friction"),
        }.get(self.kind, ())
        for key in ("travel", "stiffness", "friction"):
            value = getattr(self, key)
            if key in wants and (value is None or value <= 0):
                problems.append(f"{key}: {value}: a {self.kind} needs a {key} > 0")
            elif key not in wants and value is not None:
                problems.append(f"{key}: {value}: a {self.kind} has none; use null")
        if self.kind in WALLED:
            if self.wall is None or not 0 < 2 * self.wall < min(self.size[:2]):
                problems.append(
                    f"wall: {self.wall}: a {self.kind} needs a wall thickness > 0 m and less "
                    f"than half its smallest width ({min(self.size[:2]) / 2:.3f} m)"
                )
            elif min(self.wall, FLOOR_THICKNESS) >= self.size[2]:
                problems.append(
                    f"size: {list(self.size)}: the {kind_floor(self.kind)} must be lower than "
                    f"its walls ({FLOOR_THICKNESS} m floor)"
                )
        elif self.wall is not None:
            problems.append(f"wall: {self.wall}: only a bin or a pegboard has walls; use null")
        if problems:
            raise ValueError("\n".join(problems))
        return self


class ParticlesSpec(_Strict):
    """Loose bits on the table (crumbs, dirt): ``count`` small free flat boxes scattered over a
    patch at every reset. Real MuJoCo bodies: wiping and sweeping move them by contact, and
    their judges count where they lie."""

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    kind: str = Field(min_length=1, description="what a trainer calls them, e.g. crumbs, dirt")
    color: str = Field(min_length=1)
    count: int = Field(ge=1, le=60, description="how many bits (each a free body)")
    size: tuple[float, float, float] = Field(description="m, each bit's extents x, y, z")
    mass: float = Field(gt=0, description="kg, each bit")
    friction: tuple[float, float, float] = Field(description="sliding, torsional, rolling")
    rgba: tuple[float, float, float, float]
    spawn_x: Range | None = Field(
        default=None, description="m, the patch they are scattered over (station frame)"
    )
    spawn_y: Range | None = Field(default=None, description="m")
    inside: str | None = Field(
        default=None,
        description="an open_box prop they start in, heaped on its floor (beads in a cup to "
        "pour), instead of a patch on the table",
    )

    @model_validator(mode="after")
    def _check(self) -> ParticlesSpec:
        problems = []
        if (self.inside is None) == (self.spawn_x is None or self.spawn_y is None):
            raise ValueError(
                f"spawn_x, spawn_y, inside: {self.spawn_x}, {self.spawn_y}, {self.inside}: give "
                "either a patch on the table (spawn_x and spawn_y) or the prop they start in "
                "(inside)"
            )
        if not all(0 < v <= MAX_PARTICLE for v in self.size):
            problems.append(
                f"size: {list(self.size)}: each extent must be > 0 and <= {MAX_PARTICLE} m "
                "(bits, not props)"
            )
        if self.friction[0] <= 0 or min(self.friction[1:]) < 0:
            problems.append(
                f"friction: {list(self.friction)}: sliding must be > 0, torsional and rolling >= 0"
            )
        cells = self.count
        if self.spawn_x is not None and self.spawn_y is not None:
            cells = 1
            for name, (low, high) in (("spawn_x", self.spawn_x), ("spawn_y", self.spawn_y)):
                if low > high:
                    problems.append(f"{name}: [{low}, {high}]: the lower bound exceeds the upper")
                cells *= grid_cells(low, high, self.size)
        if not problems and cells < self.count:
            problems.append(
                f"count: {self.count}: the patch holds at most {cells} bits of this size "
                f"{PARTICLE_SPACING} x their width apart; widen spawn_x/spawn_y or lower count"
            )
        if problems:
            raise ValueError("\n".join(problems))
        return self


#: A bit is at most this big (m), and bits start at least this many widths apart.
MAX_PARTICLE = 0.03
PARTICLE_SPACING = 1.5


def grid_cells(low: float, high: float, size: tuple[float, float, float]) -> int:
    """How many bits of ``size`` fit along [low, high] m, PARTICLE_SPACING widths apart."""
    return max(1, int((high - low) // (PARTICLE_SPACING * max(size[:2]))) + 1)


def heap_layers(bits: ParticlesSpec, prop: ObjectSpec) -> int:
    """How many layers of ``bits`` heaped in the open_box ``prop`` take (each a grid over its
    inside); more than fit below its rim is refused on load."""
    wall = prop.wall or 0.0
    per_layer = grid_cells(0.0, prop.size[0] - 2 * wall - bits.size[0], bits.size)
    per_layer *= grid_cells(0.0, prop.size[1] - 2 * wall - bits.size[1], bits.size)
    return -(-bits.count // per_layer)


class TableSpec(_Strict):
    """The table: a box standing on the floor in front of the robot."""

    center_x: float = Field(description="m, forward distance of the table centre from the pelvis")
    size: tuple[float, float, float] = Field(description="m, (depth, width, height)")

    @model_validator(mode="after")
    def _check(self) -> TableSpec:
        if min(self.size) <= 0:
            raise ValueError(f"size: {list(self.size)}: every extent must be > 0 m")
        return self

    @property
    def x_range(self) -> tuple[float, float]:
        """Front and back edges of the table top (m)."""
        return self.center_x - self.size[0] / 2, self.center_x + self.size[0] / 2

    @property
    def y_range(self) -> tuple[float, float]:
        """Right and left edges of the table top (m)."""
        return -self.size[1] / 2, self.size[1] / 2


class ContactSpec(_Strict):
    """MuJoCo contact settings that make friction grasps hold (see docs/simulation.md)."""

    friction: tuple[float, float, float] = Field(description="sliding, torsional, rolling")
    condim: Literal[3, 4, 6]
    impratio: float = Field(ge=1)
    noslip_iterations: int = Field(ge=0)
    cone: Literal["pyramidal", "elliptic"]


class ReachReference(_Strict):
    """The arm a station's layout was drawn for; a station with one is fitted to each robot.

    For a robot with arms ``L`` long, the table and the props' spawn ranges are scaled by
    ``L / arm_length`` (the props keep their size) and placed in front of and below its
    shoulders: at its ``mount.workspace`` when ``model.yaml`` has one, else at the layout's own
    share of the reference arm. So a child-sized iCub gets a low, near table and a Baxter a far
    one (academy_sim.station.fit_station).
    """

    shoulder_x: float = Field(description="m, forward position of the reference shoulders")
    shoulder_z: float = Field(gt=0, description="m, height of the reference shoulders")
    arm_length: float = Field(gt=0, description="m, reference shoulder -> elbow -> grasp point")


class StationConfig(_Strict):
    """A whole station."""

    station: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    timestep: float = Field(gt=0, le=0.002, description="s, physics step (<= 0.002 s: >= 500 Hz)")
    pelvis_height: float | None = Field(
        ge=0,
        description="m, where the harness holds the robot's root link; null: the mount height "
        "of the robot's model.yaml",
    )
    reach_reference: ReachReference | None = Field(
        description="the arm the layout was drawn for (fitted to each robot); null: the layout "
        "is used as written, whatever the robot"
    )
    table: TableSpec
    contact: ContactSpec
    objects: tuple[ObjectSpec, ...] = Field(min_length=1)
    fixtures: tuple[FixtureSpec, ...] = Field(
        default=(), description="static fixtures on the table (none: a plain table)"
    )
    particles: tuple[ParticlesSpec, ...] = Field(
        default=(), description="loose bits scattered on the table (crumbs, dirt) to wipe or sweep"
    )

    @model_validator(mode="after")
    def _check(self) -> StationConfig:
        names = [o.name for o in self.objects] + [f.name for f in self.fixtures]
        names += [p.name for p in self.particles]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        problems = [f"objects, fixtures: duplicate names {duplicates}"] if duplicates else []
        problems += spawn_problems(self)
        props = {o.name: o for o in self.objects}
        for index, bits in enumerate(self.particles):
            if bits.inside is None:
                continue
            prop = props.get(bits.inside)
            if prop is None or prop.shape != "open_box":
                boxes = ", ".join(n for n, o in props.items() if o.shape == "open_box")
                problems.append(
                    f"particles[{index}].inside: {bits.inside!r}: not an open_box prop here "
                    f"(open_box props: {boxes or 'none'})"
                )
            elif heap_layers(bits, prop) * bits.size[2] > prop.size[2] - (prop.wall or 0.0):
                problems.append(
                    f"particles[{index}].count: {bits.count}: heaped in {prop.name} they would "
                    f"rise over its rim ({heap_layers(bits, prop)} layers of "
                    f"{bits.size[2]} m); lower count"
                )
        if problems:
            raise ValueError("\n".join(problems))
        return self


def spawn_problems(config: StationConfig) -> list[str]:
    """Spawn ranges that would start a prop off the table top or inside another prop.

    A prop must stand wholly on the table top at every pose its ranges allow (its footprint at
    the worst yaw of ``spawn_yaw``), and two props' spawn areas must not overlap.
    """
    problems = []
    areas: list[tuple[str, Area]] = []
    for index, obj in enumerate(config.objects):
        half_x, half_y = obj.footprint(*obj.spawn_yaw)
        where = f"objects[{index}] ({obj.name})"
        for key, (low, high), (edge_low, edge_high), half in (
            ("spawn_x", obj.spawn_x, config.table.x_range, half_x),
            ("spawn_y", obj.spawn_y, config.table.y_range, half_y),
        ):
            valid_low, valid_high = edge_low + half, edge_high - half
            if low < valid_low - 1e-9 or high > valid_high + 1e-9:
                problems.append(
                    f"{where}.{key}: [{low}, {high}]: off the table top; valid within "
                    f"[{valid_low:.4f}, {valid_high:.4f}] m (table edges {edge_low:.3f} .. "
                    f"{edge_high:.3f} m, less the prop's half footprint {half:.4f} m at yaw "
                    f"{list(obj.spawn_yaw)})"
                )
        area = (
            obj.spawn_x[0] - half_x,
            obj.spawn_x[1] + half_x,
            obj.spawn_y[0] - half_y,
            obj.spawn_y[1] + half_y,
        )
        other = _overlapped(area, areas)
        if other is not None:
            problems.append(
                f"{where}: spawn area x {list(obj.spawn_x)}, y {list(obj.spawn_y)} overlaps "
                f"{other}'s: two props could start inside each other"
            )
        areas.append((obj.name, area))
    for index, fixture in enumerate(config.fixtures):
        where = f"fixtures[{index}] ({fixture.name})"
        half_x, half_y = fixture.size[0] / 2, fixture.size[1] / 2
        for key, value, (edge_low, edge_high), half in (
            ("x", fixture.x, config.table.x_range, half_x),
            ("y", fixture.y, config.table.y_range, half_y),
        ):
            if not edge_low + half - 1e-9 <= value <= edge_high - half + 1e-9:
                problems.append(
                    f"{where}.{key}: {value}: off the table top; valid within "
                    f"[{edge_low + half:.4f}, {edge_high - half:.4f}] m"
                )
        area = (fixture.x - half_x, fixture.x + half_x, fixture.y - half_y, fixture.y + half_y)
        other = _overlapped(area, areas)
        if other is not None:
            problems.append(
                f"{where}: footprint x [{area[0]:.3f}, {area[1]:.3f}], y [{area[2]:.3f}, "
                f"{area[3]:.3f}] m overlaps {other}'s spawn area or footprint"
            )
        areas.append((fixture.name, area))
    for index, bits in enumerate(config.particles):
        if bits.spawn_x is None or bits.spawn_y is None:
            continue  # inside a prop
        where = f"particles[{index}] ({bits.name})"
        half_x, half_y = bits.size[0] / 2, bits.size[1] / 2
        for key, (low, high), (edge_low, edge_high), half in (
            ("spawn_x", bits.spawn_x, config.table.x_range, half_x),
            ("spawn_y", bits.spawn_y, config.table.y_range, half_y),
        ):
            if low < edge_low + half - 1e-9 or high > edge_high - half + 1e-9:
                problems.append(
                    f"{where}.{key}: [{low}, {high}]: off the table top; valid within "
                    f"[{edge_low + half:.4f}, {edge_high - half:.4f}] m"
                )
        area = (
            bits.spawn_x[0] - half_x,
            bits.spawn_x[1] + half_x,
            bits.spawn_y[0] - half_y,
            bits.spawn_y[1] + half_y,
        )
        other = _overlapped(area, areas)
        if other is not None:
            problems.append(
                f"{where}: patch x {list(bits.spawn_x)}, y {list(bits.spawn_y)} overlaps "
                f"{other}'s spawn area or footprint"
            )
        areas.append((bits.name, area))
    return problems


Area = tuple[float, float, float, float]  # x low, x high, y low, y high (m)


def _overlapped(area: Area, areas: list[tuple[str, Area]]) -> str | None:
    """The first of ``areas`` (name, area) that ``area`` overlaps, by name."""
    for other, (x0, x1, y0, y1) in areas:
        if area[0] < x1 and x0 < area[1] and area[2] < y1 and y0 < area[3]:
            return other
    return None


def parse_station(data: object, source: str = "<station>") -> StationConfig:
    """Validate a station mapping; raise :class:`InvalidStationError` listing every problem."""
    try:
        return StationConfig.model_validate(data)
    except ValidationError as error:
        problems = []
        for item in error.errors():
            where = ".".join(str(p) for p in item["loc"]) or "(top level)"
            if item["type"] == "value_error":  # our checks name the field and value themselves
                for line in item["msg"].removeprefix("Value error, ").splitlines():
                    problems.append(f"{where}: {line}" if item["loc"] else line)
            else:
                problems.append(f"{where}: {item.get('input')!r}: {item['msg']}")
        raise InvalidStationError(source, problems) from None


def load_station(path: Path) -> StationConfig:
    """Load and validate a station YAML file."""
    if not path.is_file():
        raise InvalidStationError(str(path), ["file not found"])
    return parse_station(yaml.safe_load(path.read_text(encoding="utf-8")), str(path))
