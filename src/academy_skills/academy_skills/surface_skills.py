"""Loose-bit skills: wipe crumbs off a patch of the table with a sponge, sweep them onto a pad,
pour beads from a mug into a bin.

The crumbs are real MuJoCo bodies (a station's ``particles``: small free flat boxes scattered
over a patch at each reset); the hand or the held sponge moves them by contact in straight
strokes across the patch, toward the robot's midline. The judges count where the bits lie
afterwards, from the simulated world only:

- ``wipe``: at least WIPE_SHARE of the bits have left the area they covered at the start, none
  fell off the table, and the sponge stayed in the hand.
- ``sweep``: at least SWEEP_SHARE of the bits lie on the target pad, none fell off the table.
- ``pour``: the mug (an open box) is carried over the bin, tipped by ``tilt`` about the hand's
  own axis, held, righted and set back down; at least POUR_SHARE of the beads it held lie
  inside the bin's walls, below the rim.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from academy_skills.kinematics import IkSolution
from academy_skills.manipulation import (
    GRIP_FORCE,
    GRIP_WIDTH,
    HEIGHT,
    HOLD_TIME,
    REACH_FAILURES,
    REACH_POSITION_TOLERANCE,
    RESET,
    SPEED,
    FixtureObservation,
    ManipulationSkill,
    ObjectObservation,
    ParticlesObservation,
    PlaceGoal,
    RobotIOError,
    StationObservation,
    _AttemptEnd,
    _Plan,
    top_down_poses,
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
from academy_skills.transfer_skills import BIN, CARRY_FAILURES, TARGET, _CarrySkill, find_fixture

#: A wipe clears at least this share of the bits from where they lay; a sweep gathers at least
#: SWEEP_SHARE of them on the pad.
WIPE_SHARE = 0.9
SWEEP_SHARE = 0.7
#: A bit is out of the start area when its centre is this far outside it (m).
AREA_MARGIN = 0.005
#: A bit this far below the table top fell off it (m).
FALLEN = 0.05
#: The held sponge's bottom skims the table this high (m); the empty hand's fingertips too.
SKIM = 0.002
#: Strokes start this far behind the area (the sponge's or hand's leading face, m), run this
#: far past it, and move between rows this high.
RUN_IN = 0.02
OVERRUN = 0.03
STROKE_LIFT = 0.04
STROKE_WAYPOINTS = 5
#: Neighbouring rows overlap: their spacing is this share of the tool's width across them.
ROW_SHARE = 0.8
#: The empty hand's width across a stroke (m): about a closed hand's fingers.
HAND_WIDTH = 0.02
#: After the strokes the sponge must still be this close to where the grasp left it (m).
HELD_TOLERANCE = 0.03

SURFACE_FAILURES = (
    *REACH_FAILURES,
    FailureReason.SLIPPED,
    FailureReason.DROPPED,
)

DIRT = ParameterSpec(
    "dirt", str, "the loose bits to clear (default: the station's only set)", default="",
)  # fmt: skip
SPONGE = ParameterSpec(
    "object", str, "what to wipe with (a prop the hand holds), e.g. yellow_sponge",
    default="yellow_sponge", refers="object",
)  # fmt: skip


def find_particles(observation: StationObservation, name: str) -> ParticlesObservation | str:
    """The set of loose bits ``name`` (``""``: the station's only one), or why none."""
    if name:
        found = observation.particles.get(name)
        if found is not None:
            return found
        known = ", ".join(sorted(observation.particles)) or "none"
        return f"no loose bits called {name!r} at this station (here: {known})"
    if not observation.particles:
        return "this station has no loose bits to clear (a station with some: crumbs.yaml)"
    if len(observation.particles) > 1:
        return f"name the bits to clear (dirt): {', '.join(sorted(observation.particles))}"
    return next(iter(observation.particles.values()))


Area = tuple[float, float, float, float]  # x low, x high, y low, y high (m)


def covered(bits: ParticlesObservation) -> Area:
    """The area the bits' footprints cover now."""
    xs = [p[0] for p in bits.positions]
    ys = [p[1] for p in bits.positions]
    hx, hy = bits.size[0] / 2, bits.size[1] / 2
    return min(xs) - hx, max(xs) + hx, min(ys) - hy, max(ys) + hy


def inside(point: tuple[float, float, float], area: Area, margin: float = 0.0) -> bool:
    x, y = point[0], point[1]
    return area[0] - margin <= x <= area[1] + margin and area[2] - margin <= y <= area[3] + margin


def rows(low: float, high: float, width: float) -> list[float]:
    """Stroke centre lines across [low, high] for a tool ``width`` wide (overlapping)."""
    span = high - low
    if span <= width:
        return [(low + high) / 2]
    count = math.ceil((span - width) / (ROW_SHARE * width)) + 1
    return list(np.linspace(low + width / 2, high - width / 2, count))


class _SurfaceSkill(ManipulationSkill):
    """Strokes across the loose bits, toward the robot's midline; the judges count them."""

    def check_goal(self, params: Mapping[str, ParamValue]) -> str | None:
        refused = self.missing_capability()
        if refused is not None:
            return refused
        try:
            found = find_particles(self.io.station(), str(params["dirt"]))
        except RobotIOError as error:
            return str(error)
        return found if isinstance(found, str) else None

    def _bits(self, params: Mapping[str, ParamValue]) -> ParticlesObservation:
        found = find_particles(self.io.station(), str(params["dirt"]))
        if isinstance(found, str):
            raise _AttemptEnd(SkillOutcome.REJECTED, found, FailureReason.REFUSED)
        return found

    def _strokes(
        self,
        ctx: SkillContext,
        plan: _Plan,
        centres: list[float],
        y_from: float,
        y_to: float,
        z: float,
        speed: float,
    ) -> None:
        """For each row x in ``centres``: over (x, y_from), down to z, straight along y to
        y_to in STROKE_WAYPOINTS steps, up again (hand positions, m).

        Raises:
            _AttemptEnd: a stroke out of reach (refused), a stop, a failed motion.
        """
        arm = self.kinematics.robot.arms[plan.arm_name]

        def go(point: tuple[float, float, float], pace: float) -> None:
            solution = self._solve_holding(arm, point, plan.yaw)
            if solution.position_error > REACH_POSITION_TOLERANCE:
                raise _AttemptEnd(
                    SkillOutcome.REJECTED,
                    f"a stroke is out of reach of the {arm.name} arm: IK ends "
                    f"{solution.position_error:.3f} m from ({point[0]:.2f}, {point[1]:.2f}, "
                    f"{point[2]:.2f}) m",
                    FailureReason.OUT_OF_REACH,
                )
            self._move(ctx, solution.positions, pace)

        for index, x in enumerate(centres):
            ctx.phase(f"stroke_{index + 1}", 0.5 + 0.3 * index / len(centres))
            hand = self._hand(plan)
            go((float(hand[0]), float(hand[1]), z + STROKE_LIFT), speed)
            go((x, y_from, z + STROKE_LIFT), speed)
            go((x, y_from, z), speed / 2)
            for step in range(1, STROKE_WAYPOINTS + 1):
                go((x, y_from + (y_to - y_from) * step / STROKE_WAYPOINTS, z), speed / 2)
        hand = self._hand(plan)
        go((float(hand[0]), float(hand[1]), z + STROKE_LIFT), speed)

    def _judge_share(
        self,
        bits: ParticlesObservation,
        good: int,
        needed: float,
        metric: str,
        where: str,
        metrics: dict[str, tuple[float, str]],
    ) -> AttemptResult:
        """Success when none of ``bits`` fell off the table and ``good`` of them (those the
        judge counts: ``where`` they should be) are at least the share ``needed``."""
        share = good / len(bits.positions)
        metrics[metric] = (share, "")
        table = self.io.station().table_height
        fallen = sum(1 for p in bits.positions if p[2] < table - FALLEN)
        metrics["bits_fallen"] = (float(fallen), "")
        if fallen:
            return failed(
                f"{fallen} of {len(bits.positions)} {bits.kind} fell off the table",
                metrics,
                FailureReason.DROPPED,
            )
        if share < needed:
            return failed(
                f"{good} of {len(bits.positions)} {bits.kind} are {where} ({share:.0%}; needs "
                f"{needed:.0%})",
                metrics,
                FailureReason.MISSED,
            )
        return AttemptResult(SkillOutcome.SUCCEEDED, "", metrics)


@register_skill(
    category="surface",
    verbs=("wipe", "wipe clean", "clean", "wipe up"),
    requires=(Capability.ARM, Capability.HAND),
    station="crumbs",
    success="with the sponge held throughout, at least 90 % of the loose bits have left the "
    "area they covered at the start (centres over 5 mm outside it) and none fell off the table",
    failures=SURFACE_FAILURES,
)  # fmt: skip
class WipeSkill(_SurfaceSkill):
    """Pick up the sponge, wipe it across the crumbs in overlapping strokes, put it down."""

    name = "wipe"
    description = (
        "wipe the loose bits off their patch with a held sponge (success: 90 % cleared from "
        "where they lay, none on the floor)"
    )
    parameters = (SPONGE, DIRT, SPEED, RESET, GRIP_WIDTH, GRIP_FORCE, HOLD_TIME)
    depth = 4  # grasp and lift the sponge, then the strokes (_carry_and_place)

    def check_goal(self, params: Mapping[str, ParamValue]) -> str | None:
        return super().check_goal(params) or ManipulationSkill.check_goal(self, params)

    def _execute(
        self,
        ctx: SkillContext,
        params: Mapping[str, ParamValue],
        plan: _Plan,
        metrics: dict[str, tuple[float, str]],
    ) -> AttemptResult:
        # Lift the sponge just clear of the table, then wipe from there.
        return super()._execute(ctx, {**params, "height": STROKE_LIFT}, plan, metrics)

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
        world = self.io.station()
        bits = self._bits(params)
        area = covered(bits)
        sponge = world.objects[plan.obj.name]
        half_x, half_y = footprint(sponge)
        held = plan.held if plan.held is not None else np.zeros(3)
        sign = 1.0 if (area[2] + area[3]) / 2 < 0 else -1.0  # toward the midline
        near, far = (area[2], area[3]) if sign > 0 else (area[3], area[2])
        y_from = near - sign * (half_y + RUN_IN) - float(held[1])
        y_to = far + sign * (half_y + OVERRUN) - float(held[1])
        centres = [x - float(held[0]) for x in rows(area[0], area[1], 2 * half_x)]
        self._strokes(ctx, plan, centres, y_from, y_to, plan.target[2] + SKIM, speed)
        distance, _ = self._in_hand_distance(plan)
        metrics["sponge_off_grasp"] = (distance, "m")
        if distance > HELD_TOLERANCE:
            self._grip(ctx, plan.gripper, width, 0.0)
            self._rise_to_ready(ctx, plan, speed)
            return failed(
                f"the sponge slipped in the hand while wiping: {distance:.3f} m from where the "
                f"grasp left it (tolerance {HELD_TOLERANCE} m)",
                metrics,
                FailureReason.SLIPPED,
            )
        ctx.phase("put_down", 0.85)
        self._place(ctx, plan, speed, PlaceGoal(0.0, 0.0, base=plan.surface))
        self._grip(ctx, plan.gripper, width, 0.0)
        self._rise_to_ready(ctx, plan, speed)
        ctx.phase("judge", 0.95)
        after = self._bits(params)
        out = [p for p in after.positions if not inside(p, area, AREA_MARGIN)]
        return self._judge_share(
            after, len(out), WIPE_SHARE, "cleared_share", "cleared from where they lay", metrics
        )


def footprint(obj: ObjectObservation) -> tuple[float, float]:
    """Half extents (m) along x and y of a box-shaped prop at its yaw now."""
    w, _, _, z = obj.quaternion
    yaw = 2.0 * math.atan2(z, w)
    a, b = obj.size[0] / 2, obj.size[1] / 2
    c, s = abs(math.cos(yaw)), abs(math.sin(yaw))
    return a * c + b * s, a * s + b * c


@register_skill(
    category="surface",
    verbs=("sweep", "sweep up", "brush"),
    requires=(Capability.ARM, Capability.HAND),
    fixtures=("target_pad",),
    station="crumbs",
    success="at least 70 % of the loose bits lie on the target pad (centres on its footprint) "
    "and none fell off the table",
    failures=SURFACE_FAILURES,
)  # fmt: skip
class SweepSkill(_SurfaceSkill):
    """Sweep the crumbs onto a pad with the closed hand's edge, in strokes across them."""

    name = "sweep"
    description = (
        "sweep the loose bits onto a target pad with the closed hand (success: 70 % on the "
        "pad, none on the floor)"
    )
    parameters = (DIRT, TARGET, SPEED, RESET, GRIP_FORCE)
    depth = 0  # its own motion: see _execute
    closes_on_object = False

    def check_goal(self, params: Mapping[str, ParamValue]) -> str | None:
        refused = super().check_goal(params)
        if refused is not None:
            return refused
        found = find_fixture(self.io.station(), "target_pad", str(params["target"]))
        return found if isinstance(found, str) else None

    def _plan(
        self,
        ctx: SkillContext,
        params: Mapping[str, ParamValue],
        metrics: dict[str, tuple[float, str]],
    ) -> _Plan:
        world = self._scene(ctx, params)
        ctx.phase("plan", 0.05)
        bits = self._bits(params)
        area = covered(bits)
        centre = ((area[0] + area[1]) / 2, (area[2] + area[3]) / 2)
        arm = self.kinematics.arm_for(centre[1])
        z = world.table_height + self.kinematics.hand_depth(arm) + SKIM
        target = (centre[0], centre[1], z)
        poses = top_down_poses(
            self.kinematics, arm, target, [0.0, math.pi / 2], self.io.joint_positions()
        )
        if not poses.reachable:
            raise _AttemptEnd(
                SkillOutcome.REJECTED,
                f"the {bits.kind} at ({centre[0]:.2f}, {centre[1]:.2f}) m are out of reach of "
                f"the {arm.name} arm",
                FailureReason.OUT_OF_REACH,
            )
        patch = ObjectObservation(
            bits.name, bits.kind, bits.color, "patch", (*centre, world.table_height),
            (1.0, 0.0, 0.0, 0.0), (area[1] - area[0], area[3] - area[2], bits.size[2]),
        )  # fmt: skip
        return _Plan(arm.name, arm.gripper, target, poses.yaw, poses.above, poses.at, patch)

    def _execute(
        self,
        ctx: SkillContext,
        params: Mapping[str, ParamValue],
        plan: _Plan,
        metrics: dict[str, tuple[float, str]],
    ) -> AttemptResult:
        speed = float(params["speed"])
        world = self.io.station()
        found = find_fixture(world, "target_pad", str(params["target"]))
        if isinstance(found, str):
            return AttemptResult(SkillOutcome.REJECTED, found, metrics, FailureReason.REFUSED)
        pad = found
        bits = self._bits(params)
        area = covered(bits)
        sign = 1.0 if pad.position[1] > (area[2] + area[3]) / 2 else -1.0
        near = area[2] if sign > 0 else area[3]
        y_from = near - sign * (HAND_WIDTH / 2 + RUN_IN)
        y_to = pad.position[1] - sign * HAND_WIDTH / 2
        low = max(area[0], pad.position[0] - pad.size[0] / 2)
        high = min(area[1], pad.position[0] + pad.size[0] / 2)
        centres = rows(min(low, high), max(low, high), HAND_WIDTH)
        ctx.phase("close_gripper", 0.1)
        self._grip(ctx, plan.gripper, 0.0, float(params["grip_force"]))
        ctx.phase("approach", 0.2)
        self._move(ctx, plan.above.positions, speed)
        self._strokes(ctx, plan, centres, y_from, y_to, plan.target[2], speed)
        ctx.phase("retreat", 0.85)
        self._rise_to_ready(ctx, plan, speed)
        ctx.phase("judge", 0.95)
        after = self._bits(params)
        half_x, half_y = pad.size[0] / 2, pad.size[1] / 2
        on_pad = (
            pad.position[0] - half_x,
            pad.position[0] + half_x,
            pad.position[1] - half_y,
            pad.position[1] + half_y,
        )
        gathered = [p for p in after.positions if inside(p, on_pad)]
        return self._judge_share(
            after, len(gathered), SWEEP_SHARE, "on_pad_share", f"on {pad.name}", metrics
        )


#: A pour puts at least this share of the beads the mug held into the bin.
POUR_SHARE = 0.8
TILT = ParameterSpec(
    "tilt", float, "how far to tip the box over (about the hand's own axis)", default=2.3,
    unit="rad", minimum=0.8, maximum=2.6,
)  # fmt: skip
POUR_TIME = ParameterSpec(
    "pour_time", float, "how long to hold it tipped", default=1.5, unit="s", minimum=0.3,
    maximum=5.0,
)  # fmt: skip
#: The tipped mug swings about the grasp point: the hand carries it this much higher (m).
TIP_CLEARANCE = 0.04


def in_bin(point: tuple[float, float, float], bin_: FixtureObservation) -> bool:
    """Whether a point lies inside a bin's walls, below its rim."""
    half_x, half_y = bin_.inner_half_extents()
    return (
        abs(point[0] - bin_.position[0]) <= half_x
        and abs(point[1] - bin_.position[1]) <= half_y
        and point[2] < bin_.position[2] + bin_.size[2]
    )


@register_skill(
    category="manipulation",
    verbs=("pour", "pour out", "empty", "tip out"),
    requires=(Capability.ARM, Capability.HAND),
    fixtures=("bin",),
    station="pouring",
    success="the mug, carried over the bin and tipped, leaves at least 80 % of the beads it "
    "held inside the bin's walls, below the rim",
    failures=CARRY_FAILURES,
)  # fmt: skip
class PourSkill(_CarrySkill):
    """Pick up a mug of beads, pour them into a bin, set the mug back down."""

    name = "pour"
    description = (
        "pour the beads from a mug into a bin (success: 80 % of them inside the bin's walls)"
    )
    parameters = (
        ParameterSpec(
            "object", str, "the open box to pour from", default="blue_tub", refers="object"
        ),
        BIN, TILT, POUR_TIME, DIRT, SPEED, RESET, GRIP_WIDTH, GRIP_FORCE, HEIGHT, HOLD_TIME,
    )  # fmt: skip
    fixture_kind = "bin"
    fixture_parameter = "bin"
    grasp_raise = 0.0  # the palm clear of the mouth

    def check_goal(self, params: Mapping[str, ParamValue]) -> str | None:
        refused = super().check_goal(params)
        if refused is not None:
            return refused
        found = find_particles(self.io.station(), str(params["dirt"]))
        return found if isinstance(found, str) else None

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
        found = self._fixture(params)
        if isinstance(found, AttemptResult):
            self._put_back(ctx, plan, speed, width)
            return AttemptResult(found.outcome, found.reason, metrics, found.failure)
        bin_ = found
        world = self.io.station()
        bits = find_particles(world, str(params["dirt"]))
        if isinstance(bits, str):
            raise _AttemptEnd(SkillOutcome.REJECTED, bits, FailureReason.REFUSED)
        mug = world.objects[plan.obj.name]
        held = [i for i, p in enumerate(bits.positions) if inside(p, _box(mug))]
        metrics["beads_held"] = (float(len(held)), "")
        if not held:
            self._put_back(ctx, plan, speed, width)
            return AttemptResult(
                SkillOutcome.REJECTED,
                f"{plan.obj.name} holds none of the {bits.kind}: nothing to pour",
                metrics,
                FailureReason.REFUSED,
            )
        arm = self.kinematics.robot.arms[plan.arm_name]
        goal = PlaceGoal(bin_.position[0], bin_.position[1], bin_.floor, bin_.size[2])
        carry_z = max(lifted[2], self._carry_height(plan, goal)) + TIP_CLEARANCE
        start = self._hand(plan)
        ctx.phase("carry", 0.6)
        hand_x, hand_y = self._hand_over(plan, goal)
        over = self._solve_holding(arm, (hand_x, hand_y, carry_z), plan.yaw)
        if over.position_error > REACH_POSITION_TOLERANCE:
            self._put_back(ctx, plan, speed, width)
            return AttemptResult(
                SkillOutcome.REJECTED,
                f"cannot carry {plan.obj.name} over {bin_.name}: IK ends "
                f"{over.position_error:.3f} m short",
                metrics,
                FailureReason.OUT_OF_REACH,
            )
        self._move(ctx, over.positions, speed)
        ctx.phase("tip", 0.7)
        point = (hand_x, hand_y, carry_z)

        def tip(tilt: float, pitch: float = 0.0) -> IkSolution:
            return self.kinematics.solve(
                arm, point, plan.yaw, self.io.joint_positions(), orientation_cost=TIP_COST,
                restarts=False, tilt=tilt, pitch=pitch,
            )  # fmt: skip

        tilt = float(params["tilt"])
        tipped = min((tip(way * tilt) for way in (1.0, -1.0)), key=_ik_score)
        metrics["tip_orientation_error"] = (tipped.orientation_error, "rad")
        self._move(ctx, tipped.positions, speed / 2)
        pour_time = float(params["pour_time"])
        ctx.sleep(pour_time / 3)
        # Rock it end to end: what lies under the palm runs out at either end of the mouth.
        tilted = tilt if _ik_score(tip(tilt)) <= _ik_score(tip(-tilt)) else -tilt
        for rock in (ROCK, -ROCK):
            self._move(ctx, tip(tilted, rock).positions, speed / 2)
            ctx.sleep(pour_time / 3)
        ctx.phase("right", 0.8)
        self._move(ctx, over.positions, speed / 2)
        ctx.sleep(SETTLE_POUR)
        ctx.phase("put_back", 0.85)
        back = self._solve_holding(arm, (float(start[0]), float(start[1]), carry_z), plan.yaw)
        self._move(ctx, back.positions, speed)
        self._put_back(ctx, plan, speed, width)
        ctx.phase("judge", 0.95)
        after = self.io.station().particles[bits.name]
        poured = [i for i in held if in_bin(after.positions[i], bin_)]
        spilled = [
            i
            for i in held
            if not in_bin(after.positions[i], bin_)
            and not inside(after.positions[i], _box(self.io.station().objects[plan.obj.name]))
        ]
        share = len(poured) / len(held)
        metrics["poured_share"] = (share, "")
        metrics["spilled"] = (float(len(spilled)), "")
        if share >= POUR_SHARE:
            return AttemptResult(SkillOutcome.SUCCEEDED, "", metrics)
        return failed(
            f"{len(poured)} of the {len(held)} {bits.kind} are in {bin_.name} ({share:.0%}; needs "
            f"{POUR_SHARE:.0%}); {len(spilled)} spilled outside it",
            metrics,
            FailureReason.DROPPED if spilled else FailureReason.MISSED,
        )

    def _put_back(self, ctx: SkillContext, plan: _Plan, speed: float, width: float) -> None:
        """Lower the held mug onto the table where the hand is, let go, rise."""
        self._place(ctx, plan, speed, PlaceGoal(0.0, 0.0, base=plan.surface))
        self._grip(ctx, plan.gripper, width, 0.0)
        self._rise_to_ready(ctx, plan, speed)


#: Tipped, the hand holds the orientation this firmly (IK cost), and rocks the box this far
#: about its other axis each way (rad).
TIP_COST = 0.5
ROCK = 0.35


def _ik_score(solution: IkSolution) -> float:
    return solution.position_error + 0.1 * solution.orientation_error


#: After righting the mug, what still rolls in it settles (s).
SETTLE_POUR = 0.5


def _box(obj: ObjectObservation) -> Area:
    """An upright prop's footprint as an area (at its yaw: the bounding box)."""
    half_x, half_y = footprint(obj)
    x, y = obj.position[0], obj.position[1]
    return x - half_x, x + half_x, y - half_y, y + half_y
