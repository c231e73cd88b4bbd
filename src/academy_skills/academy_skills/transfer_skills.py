"""Skills that carry an object somewhere, judged by physics: ``pick_and_place`` (onto a target
pad), ``put_in_bin``, ``take_out_of_bin``, ``sort_by_colour`` (into the bin of its colour),
``stack``, ``unstack``, ``arrange_in_row`` and ``rotate`` (turned in place).

Each grasps and lifts as ``lift`` does (:class:`~academy_skills.manipulation.ManipulationSkill`),
carries the object over its goal (high enough to clear what stands there: a bin's walls, the
block it is stacked on), lowers it until it is just above the surface there, lets go and rises
straight up. Then the judge reads where the object rests, from the station's state only:

- ``pick_and_place``: its centre within the pad's footprint, standing (centre at its resting
  height within 1 cm);
- ``put_in_bin`` / ``sort_by_colour``: its centre inside the (right) bin's walls and below their
  rim (upright or not);
- ``take_out_of_bin`` / ``unstack``: a reset first puts it in the bin / on the other prop; it
  must end standing on the table beside it, within 3 cm of the spot (the prop below unmoved);
- ``stack``: resting on the other prop's top (centre height within 1 cm of that top plus half its
  own height), its centre within STACK_TOLERANCE of the other's axis, and the other still
  standing where it was;
- ``arrange_in_row``: standing beside the other prop in a row across the table (in line within
  1.5 cm, the gap within 2 cm of the one asked);
- ``rotate``: turned by ``angle`` (its measured yaw change within ROTATE_TOLERANCE), within 3 cm
  of where it was, standing.

A goal naming a fixture or prop the station lacks is refused before anything moves.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import replace

from academy_common.frames import yaw_from_quaternion
from academy_skills.kinematics import IkSolution
from academy_skills.manipulation import (
    APPROACH_HEIGHT,
    GRIP_FORCE,
    GRIP_WIDTH,
    HEIGHT,
    HOLD_TIME,
    OBJECT,
    PLACE_HEIGHT_TOLERANCE,
    PLACE_TARGET_TOLERANCE,
    REACH_FAILURES,
    REACH_POSITION_TOLERANCE,
    RESET,
    SETTLE_S,
    SPEED,
    FixtureObservation,
    ManipulationSkill,
    ObjectObservation,
    PlaceGoal,
    RobotIOError,
    StationObservation,
    _AttemptEnd,
    _Plan,
)
from academy_skills.skill_library import (
    AttemptResult,
    Capability,
    FailureReason,
    ParameterSpec,
    ParamValue,
    SkillContext,
    SkillOutcome,
    failed,
    register_skill,
)

#: A stacked object's centre lies within this of the axis of what it is stacked on (m).
STACK_TOLERANCE = 0.025
#: A rotated object's yaw change is within this of the angle asked (rad, ~11 degrees).
ROTATE_TOLERANCE = 0.2

CARRY_FAILURES = (
    *REACH_FAILURES,
    FailureReason.SLIPPED,
    FailureReason.DROPPED,
    FailureReason.TIPPED_OVER,
)


def find_fixture(
    observation: StationObservation, kind: str, name: str, near: str = ""
) -> FixtureObservation | str:
    """The fixture ``name`` of ``kind`` (``""``: the one of that kind nearest the prop
    ``near``, else the first by name), or why the station has none."""
    of_kind = {n: f for n, f in observation.fixtures.items() if f.kind == kind}
    if name:
        found = of_kind.get(name)
        if found is not None:
            return found
        known = ", ".join(sorted(of_kind)) or "none"
        return f"no {kind} called {name!r} at this station ({kind}s here: {known})"
    if not of_kind:
        return f"this station has no {kind} (a station with one: config/stations/)"
    prop = observation.objects.get(near)
    if prop is None:
        return of_kind[min(of_kind)]
    here = prop.position[:2]
    return min(of_kind.values(), key=lambda f: (math.dist(f.position[:2], here), f.name))


class _CarrySkill(ManipulationSkill):
    """Grasp, lift, carry to :meth:`_goal`, set down, judge (a fixture-bound goal is checked
    before any attempt)."""

    depth = 4
    #: The fixture kind the goal is (None: no fixture) and the parameter naming it.
    fixture_kind: str | None = None
    fixture_parameter = "target"

    def check_goal(self, params: Mapping[str, ParamValue]) -> str | None:
        refused = super().check_goal(params)
        if refused is not None or self.fixture_kind is None:
            return refused
        try:
            found = self._find(params)
        except RobotIOError as error:
            return str(error)
        return found if isinstance(found, str) else None

    def _find(self, params: Mapping[str, ParamValue]) -> FixtureObservation | str:
        """The goal's fixture (the one named, else the one nearest the object), or why none."""
        assert self.fixture_kind is not None
        return find_fixture(
            self.io.station(),
            self.fixture_kind,
            str(params[self.fixture_parameter]),
            str(params["object"]),
        )

    def _fixture(self, params: Mapping[str, ParamValue]) -> FixtureObservation | AttemptResult:
        found = self._find(params)
        if isinstance(found, str):
            return AttemptResult(SkillOutcome.REJECTED, found, failure=FailureReason.REFUSED)
        return found

    def _standing_at(
        self,
        plan: _Plan,
        goal: PlaceGoal,
        metrics: dict[str, tuple[float, str]],
    ) -> tuple[AttemptResult | None, tuple[float, float]]:
        """Whether the object stands on the surface at the goal (None) or why not, and its
        offset (dx, dy) from the goal's centre (m)."""
        obj = self.io.station().objects[plan.obj.name]
        dx, dy = obj.position[0] - goal.x, obj.position[1] - goal.y
        metrics["distance_to_target"] = (math.hypot(dx, dy), "m")
        height = obj.position[2] - plan.obj.position[2] - (goal.base - plan.surface)
        return self._not_standing(plan, height, metrics), (dx, dy)


TARGET = ParameterSpec(
    "target", str, "target pad to set it on (default: the one nearest the object)",
    default="", refers="target_pad",
)  # fmt: skip


@register_skill(
    category="manipulation",
    verbs=("pick and place", "move", "bring"),
    requires=(Capability.ARM, Capability.HAND),
    fixtures=("target_pad",),
    carries=True,
    success="the object, picked up and carried over the target pad, rests standing on the "
    "table with its centre on the pad's footprint",
    failures=CARRY_FAILURES,
)  # fmt: skip
class PickAndPlaceSkill(_CarrySkill):
    """Pick an object up and set it down on a target pad."""

    name = "pick_and_place"
    description = (
        "pick an object up and set it down on a target pad (success: it stands with its "
        "centre on the pad)"
    )
    parameters = (OBJECT, TARGET, SPEED, RESET, GRIP_WIDTH, GRIP_FORCE, HEIGHT, HOLD_TIME)
    fixture_kind = "target_pad"

    def _goal(self, params: Mapping[str, ParamValue], plan: _Plan) -> PlaceGoal | AttemptResult:
        pad = self._fixture(params)
        if isinstance(pad, AttemptResult):
            return pad
        self._pad = pad
        return PlaceGoal(pad.position[0], pad.position[1])

    def _judge_goal(
        self, plan: _Plan, goal: PlaceGoal, metrics: dict[str, tuple[float, str]]
    ) -> AttemptResult:
        fallen, (dx, dy) = self._standing_at(plan, goal, metrics)
        if fallen is not None:
            return fallen
        half_x, half_y = self._pad.inner_half_extents()
        if abs(dx) > half_x or abs(dy) > half_y:
            return failed(
                f"{plan.obj.name} rests off the pad: its centre is ({dx:+.3f}, {dy:+.3f}) m from "
                f"the pad's, which reaches +-{half_x:.3f}, +-{half_y:.3f} m",
                metrics,
                FailureReason.MISSED,
            )
        return AttemptResult(SkillOutcome.SUCCEEDED, "", metrics)


#: What a prop set in a bin keeps from its walls and from the props already there (m).
BIN_MARGIN = 0.008


def _radius(obj: ObjectObservation) -> float:
    """Half the prop's footprint at any yaw (m): its half diagonal, or a cylinder's radius."""
    if obj.shape == "box":
        return math.hypot(obj.size[0], obj.size[1]) / 2
    return obj.size[0] / 2


def free_spot(
    bin_: FixtureObservation,
    obj: ObjectObservation,
    world: StationObservation,
    centre_first: bool = False,
) -> tuple[float, float] | None:
    """Where in the bin to set ``obj`` down: the free point nearest where it stands (so two
    props from either side of the table fit side by side), else the centre or a corner
    (``centre_first``: the centre before all, farthest from the walls); None when nothing
    fits."""
    radius = _radius(obj)
    inner_x, inner_y = bin_.inner_half_extents()
    room_x, room_y = inner_x - radius - BIN_MARGIN, inner_y - radius - BIN_MARGIN
    if room_x < 0 or room_y < 0:
        return None
    cx, cy = bin_.position[0], bin_.position[1]
    inside = [
        o
        for o in world.objects.values()
        if o.name != obj.name and abs(o.position[0] - cx) <= inner_x
        and abs(o.position[1] - cy) <= inner_y
    ]  # fmt: skip

    def clamp(value: float, room: float) -> float:
        return max(-room, min(room, value))

    nearest = (clamp(obj.position[0] - cx, room_x), clamp(obj.position[1] - cy, room_y))
    corners = [(sx * room_x, sy * room_y) for sx in (-1, 1) for sy in (-1, 1)]
    spots = [(0.0, 0.0), nearest] if centre_first else [nearest, (0.0, 0.0)]
    for dx, dy in [*spots, *corners]:
        spot = (cx + dx, cy + dy)
        if all(math.dist(spot, o.position[:2]) >= radius + _radius(o) + BIN_MARGIN for o in inside):
            return spot
    return None


BIN = ParameterSpec(
    "bin", str, "bin to put it in (default: the one nearest the object)", default="", refers="bin"
)


@register_skill(
    category="manipulation",
    verbs=("throw away", "bin", "drop", "discard"),
    requires=(Capability.ARM, Capability.HAND),
    fixtures=("bin",),
    carries=True,
    success="the object, carried over the bin's walls and set down inside, rests with its "
    "centre inside the walls and below their rim",
    failures=CARRY_FAILURES,
)  # fmt: skip
class PutInBinSkill(_CarrySkill):
    """Pick an object up and put it in a bin."""

    name = "put_in_bin"
    description = (
        "pick an object up and put it in a bin (success: it rests inside the walls, below the rim)"
    )
    parameters: tuple[ParameterSpec, ...] = (
        OBJECT, BIN, SPEED, RESET, GRIP_WIDTH, GRIP_FORCE, HEIGHT, HOLD_TIME,
    )  # fmt: skip
    fixture_kind = "bin"
    fixture_parameter = "bin"

    def _goal(self, params: Mapping[str, ParamValue], plan: _Plan) -> PlaceGoal | AttemptResult:
        found = self._fixture(params)
        if isinstance(found, AttemptResult):
            return found
        self._bin = found
        spot = free_spot(found, plan.obj, self.io.station())
        if spot is None:
            return AttemptResult(
                SkillOutcome.REJECTED,
                f"no room for {plan.obj.name} in {found.name}: its inside "
                f"({2 * found.inner_half_extents()[0]:.3f} x "
                f"{2 * found.inner_half_extents()[1]:.3f} m) is too small or taken",
                failure=FailureReason.REFUSED,
            )
        return PlaceGoal(spot[0], spot[1], found.floor, found.size[2])

    def _judge_goal(
        self, plan: _Plan, goal: PlaceGoal, metrics: dict[str, tuple[float, str]]
    ) -> AttemptResult:
        obj = self.io.station().objects[plan.obj.name]
        bin_ = self._bin
        dx, dy = obj.position[0] - goal.x, obj.position[1] - goal.y
        half_x, half_y = bin_.inner_half_extents()
        rim = bin_.position[2] + bin_.size[2]
        metrics["distance_to_target"] = (math.hypot(dx, dy), "m")
        metrics["below_rim"] = (rim - obj.position[2], "m")
        if abs(dx) > half_x or abs(dy) > half_y or obj.position[2] >= rim:
            return failed(
                f"{plan.obj.name} is not in {bin_.name}: its centre is ({dx:+.3f}, {dy:+.3f}) m "
                f"from the bin's (inside: +-{half_x:.3f}, +-{half_y:.3f} m) and "
                f"{obj.position[2] - rim:+.3f} m from the rim's height",
                metrics,
                FailureReason.MISSED,
            )
        return AttemptResult(SkillOutcome.SUCCEEDED, "", metrics)


def stack_base(
    observation: StationObservation, params: Mapping[str, ParamValue]
) -> ObjectObservation | str:
    """The prop to stack on, or why there is none."""
    name, onto = str(params["object"]), str(params["onto"])
    others = {n: o for n, o in observation.objects.items() if n != name}
    if onto:
        if onto == name:
            return f"cannot stack {name} on itself: name another prop as onto"
        if onto not in others:
            known = ", ".join(sorted(others)) or "(none)"
            return f"unknown prop {onto!r} to stack on; this station has {known}"
        return others[onto]
    boxes = [o for o in others.values() if o.shape == "box"]
    if not boxes:
        return f"nothing to stack {name} on: this station has no other box-shaped prop"
    mine = observation.objects.get(name)
    here = mine.position[:2] if mine is not None else (0.0, 0.0)
    return min(boxes, key=lambda o: math.dist(o.position[:2], here))


ONTO = ParameterSpec(
    "onto", str, "prop to stack it on (default: the nearest other box-shaped prop)", default="",
    refers="prop",
)  # fmt: skip


@register_skill(
    category="manipulation",
    verbs=("stack", "stack up", "put on top of"),
    station="stacking",
    requires=(Capability.ARM, Capability.HAND),
    carries=True,
    success="the object rests on the other prop's top (centre height within 1 cm of that top "
    "plus half its own height), within 2.5 cm of its axis, and the other prop did not move "
    "more than 2 cm",
    failures=CARRY_FAILURES,
)  # fmt: skip
class StackSkill(_CarrySkill):
    """Pick an object up and set it on top of another prop."""

    name = "stack"
    description = (
        "pick an object up and set it on top of another prop (success: it rests on its top, "
        "centred)"
    )
    parameters = (OBJECT, ONTO, SPEED, RESET, GRIP_WIDTH, GRIP_FORCE, HEIGHT, HOLD_TIME)

    def check_goal(self, params: Mapping[str, ParamValue]) -> str | None:
        refused = super().check_goal(params)
        if refused is not None:
            return refused
        try:
            found = stack_base(self.io.station(), params)
        except RobotIOError as error:
            return str(error)
        return found if isinstance(found, str) else None

    def _goal(self, params: Mapping[str, ParamValue], plan: _Plan) -> PlaceGoal | AttemptResult:
        observation = self.io.station()
        found = stack_base(observation, params)
        if isinstance(found, str):
            return AttemptResult(SkillOutcome.REJECTED, found, failure=FailureReason.REFUSED)
        base = found
        self._below = base
        top = base.position[2] + base.size[2] / 2 - observation.table_height
        return PlaceGoal(base.position[0], base.position[1], top, top)

    def _judge_goal(
        self, plan: _Plan, goal: PlaceGoal, metrics: dict[str, tuple[float, str]]
    ) -> AttemptResult:
        fallen, (dx, dy) = self._standing_at(plan, goal, metrics)
        before = self._below
        now = self.io.station().objects[before.name]
        moved = math.dist(now.position, before.position)
        metrics["base_moved"] = (moved, "m")
        name = plan.obj.name
        if moved > PLACE_TARGET_TOLERANCE * 2 / 3:
            return failed(
                f"{before.name} was knocked {moved:.3f} m while stacking {name} on it (at most "
                f"{PLACE_TARGET_TOLERANCE * 2 / 3:.3f} m)",
                metrics,
                FailureReason.PUSHED_AWAY,
            )
        if fallen is not None:
            return failed(
                f"{name} does not rest on {before.name}'s top: {fallen.reason}",
                metrics,
                FailureReason.TIPPED_OVER,
            )
        off = math.hypot(dx, dy)
        if off > STACK_TOLERANCE:
            return failed(
                f"{name} rests on {before.name} {off:.3f} m off its axis (at most "
                f"{STACK_TOLERANCE} m)",
                metrics,
                FailureReason.MISSED,
            )
        return AttemptResult(SkillOutcome.SUCCEEDED, "", metrics)


ANGLE = ParameterSpec(
    "angle", float, "how far to turn it about the vertical (left +)", default=math.pi / 2,
    unit="rad", minimum=-math.pi, maximum=math.pi,
)  # fmt: skip
ROTATE_HEIGHT = ParameterSpec(
    "height", float, "how high to lift it to turn it", default=0.05, unit="m", minimum=0.02,
    maximum=0.15,
)  # fmt: skip


@register_skill(
    category="manipulation",
    verbs=("rotate", "turn around", "spin"),
    requires=(Capability.ARM, Capability.HAND),
    success="the object, lifted, turned by the wrist and set down, has turned by angle (its "
    "measured yaw change within 0.2 rad), within 3 cm of where it was, standing",
    failures=CARRY_FAILURES,
)  # fmt: skip
class RotateSkill(_CarrySkill):
    """Pick an object up, turn it about the vertical and set it down where it was."""

    name = "rotate"
    description = (
        "pick an object up, turn it by angle about the vertical and set it down where it was "
        "(success: its yaw changed by angle, +-0.2 rad)"
    )
    parameters = (OBJECT, ANGLE, SPEED, RESET, GRIP_WIDTH, GRIP_FORCE, ROTATE_HEIGHT, HOLD_TIME)

    def _goal(self, params: Mapping[str, ParamValue], plan: _Plan) -> PlaceGoal | AttemptResult:
        start = plan.obj.position
        return PlaceGoal(start[0], start[1], turn=float(params["angle"]))

    def _judge_goal(
        self, plan: _Plan, goal: PlaceGoal, metrics: dict[str, tuple[float, str]]
    ) -> AttemptResult:
        fallen, (dx, dy) = self._standing_at(plan, goal, metrics)
        if fallen is not None:
            return fallen
        obj = self.io.station().objects[plan.obj.name]
        turned = yaw_from_quaternion(*obj.quaternion) - yaw_from_quaternion(*plan.obj.quaternion)
        turned = math.remainder(turned, 2 * math.pi)
        metrics["turned"] = (turned, "rad")
        off = math.hypot(dx, dy)
        name = plan.obj.name
        if off > PLACE_TARGET_TOLERANCE:
            return failed(
                f"{name} was set down {off:.3f} m from where it was (at most "
                f"{PLACE_TARGET_TOLERANCE} m)",
                metrics,
                FailureReason.MISSED,
            )
        if abs(math.remainder(turned - goal.turn, 2 * math.pi)) > ROTATE_TOLERANCE:
            return failed(
                f"{name} turned {turned:+.2f} rad; asked {goal.turn:+.2f} rad (tolerance "
                f"{ROTATE_TOLERANCE} rad)",
                metrics,
                FailureReason.SLIPPED,
            )
        return AttemptResult(SkillOutcome.SUCCEEDED, "", metrics)


#: Where take_out_of_bin sets a prop down: this far beyond the bin's side wall (m).
BESIDE_BIN = 0.03


@register_skill(
    category="manipulation",
    verbs=("take", "take out", "get", "fetch"),
    requires=(Capability.ARM, Capability.HAND),
    fixtures=("bin",),
    carries=True,
    success="the object, taken from inside the bin over its walls, stands on the table beside "
    "the bin (centre within 3 cm of the spot, at its resting height within 1 cm)",
    failures=CARRY_FAILURES,
)  # fmt: skip
class TakeOutOfBinSkill(_CarrySkill):
    """Take an object out of a bin and set it down on the table beside it."""

    name = "take_out_of_bin"
    description = (
        "take an object out of a bin and stand it on the table beside it (success: it stands "
        "within 3 cm of the spot)"
    )
    parameters = (
        OBJECT,
        ParameterSpec(
            "bin", str, "bin to take it from (default: the one nearest the object)",
            default="", refers="from:bin",
        ),
        SPEED, RESET, GRIP_WIDTH, GRIP_FORCE, HEIGHT, HOLD_TIME,
    )  # fmt: skip
    fixture_kind = "bin"
    fixture_parameter = "bin"

    def _plan(
        self,
        ctx: SkillContext,
        params: Mapping[str, ParamValue],
        metrics: dict[str, tuple[float, str]],
    ) -> _Plan:
        """A reset puts the object in the bin first (a free spot on its floor); without one it
        must be there already."""
        name = str(params["object"])
        world = self.io.station()
        found = find_fixture(world, self.fixture_kind, str(params[self.fixture_parameter]), name)
        if isinstance(found, str) or name not in world.objects:
            raise _AttemptEnd(
                SkillOutcome.REJECTED,
                found if isinstance(found, str) else f"unknown object {name!r}",
                FailureReason.REFUSED,
            )
        if params.get("reset_scene", True):
            ctx.phase("reset_scene", 0.0)
            others = {n: o for n, o in world.objects.items() if n == name}  # it alone
            spot = free_spot(found, world.objects[name], StationObservation(
                world.table_height, others, world.fixtures, world.table_extent
            ), centre_first=True)  # fmt: skip
            if spot is None:
                raise _AttemptEnd(
                    SkillOutcome.REJECTED, f"{name} does not fit in {found.name}",
                    FailureReason.REFUSED,
                )  # fmt: skip
            z = found.position[2] + found.floor + world.objects[name].size[2] / 2 + 0.002
            self.io.reset_station(places={name: (spot[0], spot[1], z)})
            ctx.sleep(0.2)  # let it settle on the bin's floor
        obj = self.io.station().objects[name]
        half_x, half_y = found.inner_half_extents()
        if abs(obj.position[0] - found.position[0]) > half_x or (
            abs(obj.position[1] - found.position[1]) > half_y
        ):
            raise _AttemptEnd(
                SkillOutcome.REJECTED, f"{name} is not in {found.name}", FailureReason.REFUSED
            )
        self._bin = found
        return super()._plan(ctx, {**params, "reset_scene": False}, metrics)

    def _goal(self, params: Mapping[str, ParamValue], plan: _Plan) -> PlaceGoal | AttemptResult:
        bin_, obj = self._bin, plan.obj
        side = 1.0 if obj.position[1] >= bin_.position[1] else -1.0
        y = bin_.position[1] + side * (bin_.size[1] / 2 + _radius(obj) + BESIDE_BIN)
        x = bin_.position[0]
        off = self.io.station().off_table(x, y, _radius(obj), _radius(obj))
        if off is not None:
            return AttemptResult(
                SkillOutcome.REJECTED, f"no room beside {bin_.name}: {off}",
                failure=FailureReason.REFUSED,
            )  # fmt: skip
        return PlaceGoal(x, y, 0.0, bin_.size[2])

    def _judge_goal(
        self, plan: _Plan, goal: PlaceGoal, metrics: dict[str, tuple[float, str]]
    ) -> AttemptResult:
        fallen, (dx, dy) = self._standing_at(plan, goal, metrics)
        if fallen is not None:
            return fallen
        off = math.hypot(dx, dy)
        if off > PLACE_TARGET_TOLERANCE:
            return failed(
                f"{plan.obj.name} stands {off:.3f} m from the spot beside {self._bin.name} "
                f"(at most {PLACE_TARGET_TOLERANCE} m)",
                metrics,
                FailureReason.MISSED,
            )
        return AttemptResult(SkillOutcome.SUCCEEDED, "", metrics)


FROM = ParameterSpec(
    "from", str, "prop it is stacked on (default: the nearest other box-shaped prop)",
    default="", refers="from:prop",
)  # fmt: skip


@register_skill(
    category="manipulation",
    verbs=("unstack", "take off", "take it off"),
    station="stacking",
    requires=(Capability.ARM, Capability.HAND),
    carries=True,
    success="the object, taken off the prop it was stacked on, stands on the table beside it "
    "(within 3 cm of the spot) and the prop below did not move more than 2 cm",
    failures=CARRY_FAILURES,
)  # fmt: skip
class UnstackSkill(_CarrySkill):
    """Take an object off the prop it is stacked on and stand it on the table beside it."""

    name = "unstack"
    description = (
        "take an object off the prop it is stacked on and stand it beside it (success: it "
        "stands within 3 cm of the spot, the prop below unmoved)"
    )
    parameters = (OBJECT, FROM, SPEED, RESET, GRIP_WIDTH, GRIP_FORCE, HEIGHT, HOLD_TIME)

    def check_goal(self, params: Mapping[str, ParamValue]) -> str | None:
        refused = super().check_goal(params)
        if refused is not None:
            return refused
        found = stack_base(self.io.station(), {**params, "onto": params["from"]})
        return found if isinstance(found, str) else None

    def _plan(
        self,
        ctx: SkillContext,
        params: Mapping[str, ParamValue],
        metrics: dict[str, tuple[float, str]],
    ) -> _Plan:
        """A reset stacks the object on its base first; without one it must be on it."""
        name = str(params["object"])
        world = self.io.station()
        base = stack_base(world, {**params, "onto": params["from"]})
        if isinstance(base, str):
            raise _AttemptEnd(SkillOutcome.REJECTED, base, FailureReason.REFUSED)
        if params.get("reset_scene", True):
            ctx.phase("reset_scene", 0.0)
            self.io.reset_station()
            base = self.io.station().objects[base.name]
            top = base.position[2] + base.size[2] / 2
            z = top + world.objects[name].size[2] / 2 + 0.002
            self.io.reset_station(places={
                base.name: (base.position[0], base.position[1], 0.0),
                name: (base.position[0], base.position[1], z),
            })  # fmt: skip
            ctx.sleep(0.2)  # let it settle on the base
        world = self.io.station()
        below, obj = world.objects[base.name], world.objects[name]
        if math.dist(obj.position[:2], below.position[:2]) > STACK_TOLERANCE or (
            obj.position[2] < below.position[2] + below.size[2] / 2
        ):
            raise _AttemptEnd(
                SkillOutcome.REJECTED, f"{name} is not on {below.name}", FailureReason.REFUSED
            )
        self._below = below
        return super()._plan(ctx, {**params, "reset_scene": False}, metrics)

    def _goal(self, params: Mapping[str, ParamValue], plan: _Plan) -> PlaceGoal | AttemptResult:
        below, obj = self._below, plan.obj
        side = 1.0 if below.position[1] >= 0 else -1.0  # outward, away from the midline
        y = below.position[1] + side * (_radius(below) + _radius(obj) + BESIDE_BIN)
        x = below.position[0]
        off = self.io.station().off_table(x, y, _radius(obj), _radius(obj))
        if off is not None:
            return AttemptResult(
                SkillOutcome.REJECTED, f"no room beside {below.name}: {off}",
                failure=FailureReason.REFUSED,
            )  # fmt: skip
        world = self.io.station()
        surface = below.position[2] + below.size[2] / 2 - world.table_height
        return PlaceGoal(x, y, 0.0, surface)

    def _judge_goal(
        self, plan: _Plan, goal: PlaceGoal, metrics: dict[str, tuple[float, str]]
    ) -> AttemptResult:
        now = self.io.station().objects[self._below.name]
        moved = math.dist(now.position, self._below.position)
        metrics["base_moved"] = (moved, "m")
        if moved > PLACE_TARGET_TOLERANCE * 2 / 3:
            return failed(
                f"{self._below.name} was knocked {moved:.3f} m while unstacking "
                f"{plan.obj.name} (at most {PLACE_TARGET_TOLERANCE * 2 / 3:.3f} m)",
                metrics,
                FailureReason.PUSHED_AWAY,
            )
        fallen, (dx, dy) = self._standing_at(plan, goal, metrics)
        if fallen is not None:
            return fallen
        off = math.hypot(dx, dy)
        if off > PLACE_TARGET_TOLERANCE:
            return failed(
                f"{plan.obj.name} stands {off:.3f} m from the spot beside {self._below.name} "
                f"(at most {PLACE_TARGET_TOLERANCE} m)",
                metrics,
                FailureReason.MISSED,
            )
        return AttemptResult(SkillOutcome.SUCCEEDED, "", metrics)


@register_skill(
    category="manipulation",
    verbs=("sort", "sort by colour", "sort by color"),
    station="sorting",
    requires=(Capability.ARM, Capability.HAND),
    fixtures=("bin",),
    success="the object rests inside the walls of the bin of its own colour, below their rim",
    failures=CARRY_FAILURES,
)  # fmt: skip
class SortByColourSkill(PutInBinSkill):
    """Put an object in the bin of its colour."""

    name = "sort_by_colour"
    description = "put an object in the bin of its colour (success: inside that bin's walls)"
    parameters = (OBJECT, SPEED, RESET, GRIP_WIDTH, GRIP_FORCE, HEIGHT, HOLD_TIME)

    def _matching(self, params: Mapping[str, ParamValue]) -> FixtureObservation | str:
        world = self.io.station()
        obj = world.objects.get(str(params["object"]))
        if obj is None:
            return f"unknown object {params['object']!r}"
        bins = [f for _, f in sorted(world.fixtures.items()) if f.kind == "bin"]
        same = [f for f in bins if f.color == obj.color]
        if not same:
            colours = ", ".join(f.color for f in bins) or "none"
            return f"no {obj.color} bin for {obj.name} at this station (bins: {colours})"
        return same[0]

    def check_goal(self, params: Mapping[str, ParamValue]) -> str | None:
        refused = ManipulationSkill.check_goal(self, params)
        if refused is not None:
            return refused
        found = self._matching(params)
        return found if isinstance(found, str) else None

    def _fixture(self, params: Mapping[str, ParamValue]) -> FixtureObservation | AttemptResult:
        found = self._matching(params)
        if isinstance(found, str):
            return AttemptResult(SkillOutcome.REJECTED, found, failure=FailureReason.REFUSED)
        return found


ROW_GAP = ParameterSpec(
    "gap", float, "free space between the two, along the row", default=0.04, unit="m",
    minimum=0.01, maximum=0.15,
)  # fmt: skip
BESIDE = ParameterSpec(
    "beside", str, "prop to line it up with (default: the nearest other prop)", default="",
    refers="prop",
)  # fmt: skip
#: A row: the two centres within this of one line across the table (m), the gap within
#: ROW_GAP_TOLERANCE of the one asked.
ROW_TOLERANCE = 0.015
ROW_GAP_TOLERANCE = 0.02


@register_skill(
    category="manipulation",
    verbs=("line up", "arrange", "arrange in a row", "put in a row"),
    station="stacking",
    requires=(Capability.ARM, Capability.HAND),
    success="the object stands beside the other prop in a row across the table: centres "
    "within 1.5 cm of one line (same distance from the robot), the free gap between them "
    "within 2 cm of gap",
    failures=CARRY_FAILURES,
)  # fmt: skip
class ArrangeInRowSkill(_CarrySkill):
    """Stand an object beside another one, in a row across the table, ``gap`` apart."""

    name = "arrange_in_row"
    description = (
        "stand an object beside another in a row across the table, gap m apart (success: in "
        "line within 1.5 cm, the gap within 2 cm)"
    )
    parameters = (OBJECT, BESIDE, ROW_GAP, SPEED, RESET, GRIP_WIDTH, GRIP_FORCE, HEIGHT, HOLD_TIME)

    def _other(self, params: Mapping[str, ParamValue]) -> ObjectObservation | str:
        world = self.io.station()
        name, beside = str(params["object"]), str(params["beside"])
        others = {n: o for n, o in world.objects.items() if n != name}
        if beside:
            return others.get(beside) or f"no other prop called {beside!r} at this station"
        mine = world.objects.get(name)
        if mine is None or not others:
            return f"nothing to line {name} up with at this station"
        return min(others.values(), key=lambda o: math.dist(o.position[:2], mine.position[:2]))

    def check_goal(self, params: Mapping[str, ParamValue]) -> str | None:
        refused = super().check_goal(params)
        if refused is not None:
            return refused
        found = self._other(params)
        return found if isinstance(found, str) else None

    def _goal(self, params: Mapping[str, ParamValue], plan: _Plan) -> PlaceGoal | AttemptResult:
        other = self._other(params)
        if isinstance(other, str):
            return AttemptResult(SkillOutcome.REJECTED, other, failure=FailureReason.REFUSED)
        self._beside = other
        # On the object's own side of the other (its arm need not cross over).
        side = 1.0 if plan.obj.position[1] >= other.position[1] else -1.0
        spacing = _radius(other) + _radius(plan.obj) + float(params["gap"])
        y = other.position[1] + side * spacing
        return PlaceGoal(other.position[0], y)

    def _judge_goal(
        self, plan: _Plan, goal: PlaceGoal, metrics: dict[str, tuple[float, str]]
    ) -> AttemptResult:
        fallen, _ = self._standing_at(plan, goal, metrics)
        if fallen is not None:
            return fallen
        world = self.io.station()
        obj, other = world.objects[plan.obj.name], world.objects[self._beside.name]
        off_line = abs(obj.position[0] - other.position[0])
        gap = abs(obj.position[1] - other.position[1]) - _radius(obj) - _radius(other)
        asked = (
            math.dist((goal.x, goal.y), self._beside.position[:2])
            - _radius(plan.obj)
            - (_radius(self._beside))
        )
        metrics["off_line"] = (off_line, "m")
        metrics["gap"] = (gap, "m")
        if off_line > ROW_TOLERANCE or abs(gap - asked) > ROW_GAP_TOLERANCE:
            return failed(
                f"{obj.name} and {other.name} are {off_line:.3f} m out of line (at most "
                f"{ROW_TOLERANCE}) with a {gap:.3f} m gap (asked {asked:.3f} +- "
                f"{ROW_GAP_TOLERANCE})",
                metrics,
                FailureReason.MISSED,
            )
        return AttemptResult(SkillOutcome.SUCCEEDED, "", metrics)


#: An inserted peg: its bottom's centre within the hole, at least this share of the hole's
#: depth below the board's top, its axis tilted at most PEG_TILT (rad) from vertical.
PEG_DEPTH_SHARE = 0.6
PEG_TILT = math.radians(20.0)


@register_skill(
    category="manipulation",
    verbs=("insert", "insert the peg", "plug in"),
    requires=(Capability.ARM, Capability.HAND),
    fixtures=("pegboard",),
    carries=True,
    success="the peg stands in the pegboard's hole: its bottom inside the hole, at least 60 % "
    "of the hole's depth below the board's top, tilted at most 20 degrees",
    failures=CARRY_FAILURES,
)  # fmt: skip
class InsertPegSkill(PutInBinSkill):
    """Pick a peg up and insert it in a pegboard's hole."""

    name = "insert_peg"
    description = (
        "insert a peg in a pegboard's hole (success: its bottom 60 % of the hole deep, upright)"
    )
    parameters = (
        OBJECT,
        ParameterSpec(
            "board", str, "pegboard to insert it in (default: the one nearest the peg)",
            default="", refers="pegboard",
        ),
        SPEED, RESET, GRIP_WIDTH, GRIP_FORCE, HEIGHT, HOLD_TIME,
    )  # fmt: skip
    fixture_kind = "pegboard"
    fixture_parameter = "board"

    def check_goal(self, params: Mapping[str, ParamValue]) -> str | None:
        refused = super().check_goal(params)
        if refused is not None:
            return refused
        board = self._fixture(params)
        obj = self.io.station().objects[str(params["object"])]
        if isinstance(board, FixtureObservation):
            hole = 2 * min(board.inner_half_extents())
            if 2 * _radius(obj) >= hole:
                return (
                    f"{obj.name} ({2 * _radius(obj):.3f} m across) does not fit {board.name}'s "
                    f"{hole:.3f} m hole"
                )
        return None

    def _goal(self, params: Mapping[str, ParamValue], plan: _Plan) -> PlaceGoal | AttemptResult:
        found = self._fixture(params)
        if isinstance(found, AttemptResult):
            return found
        self._bin = found
        hole = 2 * min(found.inner_half_extents())
        if 2 * _radius(plan.obj) >= hole:
            return AttemptResult(
                SkillOutcome.REJECTED,
                f"{plan.obj.name} ({2 * _radius(plan.obj):.3f} m across) does not fit "
                f"{found.name}'s {hole:.3f} m hole",
                failure=FailureReason.REFUSED,
            )
        return PlaceGoal(found.position[0], found.position[1], found.floor, found.size[2])

    def _judge_goal(
        self, plan: _Plan, goal: PlaceGoal, metrics: dict[str, tuple[float, str]]
    ) -> AttemptResult:
        obj = self.io.station().objects[plan.obj.name]
        board = self._bin
        w, x, y, z = obj.quaternion  # the peg's axis: its body z in the world
        up = (2 * (x * z + w * y), 2 * (y * z - w * x), 1 - 2 * (x * x + y * y))
        half = obj.size[2] / 2
        bottom = [obj.position[i] - half * up[i] for i in range(3)]
        tilt = math.acos(max(-1.0, min(1.0, up[2])))
        inner_x, inner_y = board.inner_half_extents()
        inside = abs(bottom[0] - goal.x) <= inner_x and abs(bottom[1] - goal.y) <= inner_y
        top = board.position[2] + board.size[2]
        depth = top - bottom[2]
        needed = PEG_DEPTH_SHARE * (board.size[2] - board.floor)
        metrics["bottom_off_axis"] = (math.hypot(bottom[0] - goal.x, bottom[1] - goal.y), "m")
        metrics["inserted_depth"] = (depth, "m")
        metrics["tilt"] = (math.degrees(tilt), "deg")
        if not inside or depth < needed or tilt > PEG_TILT:
            return failed(
                f"{plan.obj.name} is not in {board.name}'s hole: its bottom "
                f"{'inside' if inside else 'outside'} the hole, {depth:.3f} m below the top "
                f"(needs {needed:.3f}), tilted {math.degrees(tilt):.0f} deg (at most "
                f"{math.degrees(PEG_TILT):.0f})",
                metrics,
                FailureReason.MISSED,
            )
        return AttemptResult(SkillOutcome.SUCCEEDED, "", metrics)


SHELF = ParameterSpec(
    "shelf", str, "shelf to put it on (default: the one nearest the object)", default="",
    refers="shelf",
)  # fmt: skip


@register_skill(
    category="manipulation",
    verbs=("shelve", "put on the shelf", "place on the shelf"),
    requires=(Capability.ARM, Capability.HAND),
    fixtures=("shelf",),
    carries=True,
    success="the object stands on the shelf's board (centre at the board's top plus half its "
    "height within 1 cm, within the board's footprint)",
    failures=CARRY_FAILURES,
)  # fmt: skip
class PlaceOnShelfSkill(_CarrySkill):
    """Pick an object up and stand it on a shelf."""

    name = "place_on_shelf"
    description = "pick an object up and stand it on a shelf (success: it stands on the board)"
    parameters = (
        OBJECT, SHELF,
        ParameterSpec(
            "side", str, "which half of the board: auto (the object's own side), left or right",
            default="auto", choices=("auto", "left", "right"),
        ),
        SPEED, RESET, GRIP_WIDTH, GRIP_FORCE, HEIGHT, HOLD_TIME,
    )  # fmt: skip
    fixture_kind = "shelf"
    fixture_parameter = "shelf"

    def _goal(self, params: Mapping[str, ParamValue], plan: _Plan) -> PlaceGoal | AttemptResult:
        found = self._fixture(params)
        if isinstance(found, AttemptResult):
            return found
        self._shelf = found
        # The free spot nearest the object on the half asked (auto: its own side, so its arm
        # need not cross over), beside what already stands there.
        side = str(params.get("side", "auto"))
        if side == "auto":
            side = "left" if plan.obj.position[1] >= found.position[1] else "right"
        quarter = found.size[1] / 4
        half = replace(
            found,
            position=(
                found.position[0],
                found.position[1] + (quarter if side == "left" else -quarter),
                found.position[2],
            ),
            size=(found.size[0], found.size[1] / 2, found.size[2]),
        )
        world = self.io.station()
        on_board = {
            n: o
            for n, o in world.objects.items()
            if o.position[2] > found.position[2] + found.floor
        }
        spot = free_spot(half, plan.obj, replace(world, objects=on_board))
        if spot is None:
            return AttemptResult(
                SkillOutcome.REJECTED, f"no room for {plan.obj.name} on the {side} half of "
                f"{found.name}", failure=FailureReason.REFUSED,
            )  # fmt: skip
        return PlaceGoal(spot[0], spot[1], found.floor, found.floor)

    def _judge_goal(
        self, plan: _Plan, goal: PlaceGoal, metrics: dict[str, tuple[float, str]]
    ) -> AttemptResult:
        fallen, _ = self._standing_at(plan, goal, metrics)
        if fallen is not None:
            return fallen
        obj = self.io.station().objects[plan.obj.name]
        shelf = self._shelf
        if not (
            abs(obj.position[0] - shelf.position[0]) <= shelf.size[0] / 2
            and abs(obj.position[1] - shelf.position[1]) <= shelf.size[1] / 2
        ):
            return failed(
                f"{obj.name} is not over {shelf.name}'s board", metrics, FailureReason.MISSED
            )
        return AttemptResult(SkillOutcome.SUCCEEDED, "", metrics)


@register_skill(
    category="manipulation",
    verbs=("take from the shelf", "take down"),
    requires=(Capability.ARM, Capability.HAND),
    fixtures=("shelf",),
    carries=True,
    success="the object, taken from the shelf's board, stands on the table in front of the "
    "shelf (within 3 cm of the spot)",
    failures=CARRY_FAILURES,
)  # fmt: skip
class TakeFromShelfSkill(TakeOutOfBinSkill):
    """Take an object from a shelf and stand it on the table in front of it."""

    name = "take_from_shelf"
    description = (
        "take an object from a shelf and stand it on the table in front of it (success: within "
        "3 cm of the spot)"
    )
    parameters = (
        OBJECT,
        ParameterSpec(
            "shelf", str, "shelf to take it from (default: the one nearest the object)",
            default="", refers="from:shelf",
        ),
        SPEED, RESET, GRIP_WIDTH, GRIP_FORCE, HEIGHT, HOLD_TIME,
    )  # fmt: skip
    fixture_kind = "shelf"
    fixture_parameter = "shelf"

    def _goal(self, params: Mapping[str, ParamValue], plan: _Plan) -> PlaceGoal | AttemptResult:
        shelf, obj = self._bin, plan.obj
        x = shelf.position[0] - shelf.size[0] / 2 - _radius(obj) - BESIDE_BIN
        y = obj.position[1]
        off = self.io.station().off_table(x, y, _radius(obj), _radius(obj))
        if off is not None:
            return AttemptResult(
                SkillOutcome.REJECTED, f"no room in front of {shelf.name}: {off}",
                failure=FailureReason.REFUSED,
            )  # fmt: skip
        return PlaceGoal(x, y, 0.0, 0.0)


#: A laid-down object is let go this far above the table (m): the palm and the fingers, turned
#: with it, reach a little below its side.
LAY_DOWN_DROP = 0.012
#: Turned over, its own vertical axis must lie within this of horizontal (rad): 15 degrees.
FLIP_TOLERANCE = math.radians(15.0)
#: The turned hand's orientation must come this close to a quarter turn (rad).
FLIP_IK_TOLERANCE = 0.15
FLIP_HEIGHT = ParameterSpec(
    "height", float, "how high to lift it to turn it over", default=0.06, unit="m",
    minimum=0.05, maximum=0.15,
)  # fmt: skip


def vertical_half_extent(obj: ObjectObservation) -> float:
    """Half a box-shaped prop's extent along the world vertical at its orientation now (m)."""
    w, x, y, z = obj.quaternion
    # The rotation matrix's bottom row: how each of its own axes leans into the vertical.
    row = (2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y))
    return sum(abs(r) * s / 2 for r, s in zip(row, obj.size, strict=True))


def tilt_from_vertical(obj: ObjectObservation) -> float:
    """Angle (rad) between a prop's own vertical axis and the world's."""
    _, x, y, _ = obj.quaternion
    return math.acos(max(-1.0, min(1.0, 1 - 2 * (x * x + y * y))))


@register_skill(
    category="manipulation",
    verbs=("flip", "lay down", "turn over", "lay flat", "lay on its side"),
    requires=(Capability.ARM, Capability.HAND),
    station="flipping",
    success="the object, lifted, turned a quarter over by the wrist and set down, lies on its "
    "side: its own vertical axis within 15 degrees of horizontal, resting on the table (centre "
    "within 1 cm of its lying height)",
    failures=CARRY_FAILURES,
)  # fmt: skip
class FlipSkill(_CarrySkill):
    """Pick a standing object up, turn it a quarter over and lay it on its side."""

    name = "flip"
    description = (
        "pick a standing object up, turn it a quarter over and lay it on its side (success: "
        "its axis within 15 degrees of horizontal, resting on the table)"
    )
    parameters = (OBJECT, SPEED, RESET, GRIP_WIDTH, GRIP_FORCE, FLIP_HEIGHT, HOLD_TIME)

    def _carry_and_place(
        self,
        ctx: SkillContext,
        params: Mapping[str, ParamValue],
        plan: _Plan,
        lifted: tuple[float, float, float],
        width: float,
        metrics: dict[str, tuple[float, str]],
    ) -> AttemptResult:
        speed = float(params["speed"])
        arm = self.kinematics.robot.arms[plan.arm_name]

        def turned(point: tuple[float, float, float], pitch: float) -> IkSolution:
            return self.kinematics.solve(
                arm, point, plan.yaw, self.io.joint_positions(), restarts=False, pitch=pitch
            )

        # About the jaws' own axis: the fingers stay beside it, neither above nor under it.
        pitch, over = min(
            ((way * math.pi / 2, turned(lifted, way * math.pi / 2)) for way in (1.0, -1.0)),
            key=lambda c: c[1].position_error + 0.1 * c[1].orientation_error,
        )
        metrics["turn_orientation_error"] = (over.orientation_error, "rad")
        if (
            over.position_error > REACH_POSITION_TOLERANCE
            or over.orientation_error > FLIP_IK_TOLERANCE
        ):
            self._place(ctx, plan, speed)
            self._retreat(ctx, plan, speed, width)
            return AttemptResult(
                SkillOutcome.REJECTED,
                f"the {arm.name} wrist cannot turn {plan.obj.name} a quarter over here: IK ends "
                f"{over.position_error:.3f} m and {over.orientation_error:.2f} rad off",
                metrics,
                FailureReason.OUT_OF_REACH,
            )
        ctx.phase("turn_over", 0.7)
        self._move(ctx, over.positions, speed / 3)
        ctx.sleep(SETTLE_S)
        ctx.phase("lay_down", 0.8)
        world = self.io.station()
        obj = world.objects[plan.obj.name]
        bottom = obj.position[2] - vertical_half_extent(obj)
        hand = self._hand(plan)
        drop = bottom - (world.table_height + LAY_DOWN_DROP)
        down = turned((float(hand[0]), float(hand[1]), float(hand[2]) - drop), pitch)
        self._move(ctx, down.positions, speed / 3)
        ctx.phase("release", 0.88)
        self._grip(ctx, plan.gripper, width, 0.0)
        ctx.sleep(SETTLE_S)
        ctx.phase("retreat", 0.92)
        hand = self._hand(plan)
        up = turned((float(hand[0]), float(hand[1]), float(hand[2]) + APPROACH_HEIGHT), pitch)
        self._move(ctx, up.positions, speed)
        self._move(ctx, arm.ready, speed)
        ctx.sleep(SETTLE_S)
        return self._judge_flipped(plan, metrics)

    def _judge_flipped(self, plan: _Plan, metrics: dict[str, tuple[float, str]]) -> AttemptResult:
        world = self.io.station()
        obj = world.objects[plan.obj.name]
        tilt = tilt_from_vertical(obj)
        metrics["tilt_from_vertical"] = (math.degrees(tilt), "deg")
        lying = world.table_height + vertical_half_extent(obj)
        metrics["above_lying_height"] = (obj.position[2] - lying, "m")
        if abs(obj.position[2] - lying) > PLACE_HEIGHT_TOLERANCE:
            return failed(
                f"{plan.obj.name} does not rest on the table: its centre is "
                f"{obj.position[2] - lying:+.3f} m from its lying height",
                metrics,
                FailureReason.DROPPED,
            )
        if abs(tilt - math.pi / 2) > FLIP_TOLERANCE:
            return failed(
                f"{plan.obj.name} is tilted {math.degrees(tilt):.0f} deg from upright; lying on "
                f"its side is 90 +- {math.degrees(FLIP_TOLERANCE):.0f}",
                metrics,
                FailureReason.MISSED,
            )
        return AttemptResult(SkillOutcome.SUCCEEDED, "", metrics)
