"""Fixture skills: ``press_button``, ``turn_knob``, ``open_drawer`` and ``close_drawer``, judged by
the fixture's own joint in the simulated world.

Each acts on the point the station reports for the fixture (its ``handle``: a button's cap top,
a knob's grip, a drawer's post handle), with the top-down hand the manipulation skills use:

- ``press_button``: the closed hand comes down on the cap and presses past its travel; success:
  the cap went down at least 80 % of its travel while pressed, and sprang back up (under 20 %)
  once the hand rose;
- ``turn_knob``: the hand closes on the grip and the wrist turns by ``angle``; success: the knob
  turned by 80 .. 120 % of ``angle`` (the sign included);
- ``open_drawer``: the hand closes on the handle and pulls it toward the robot by the drawer's
  travel; success: the drawer is out at least 80 % of its travel once the hand let go;
- ``close_drawer``: from the drawer pulled out fully, the hand pushes it back in; success: it is
  out at most 10 % of its travel once the hand let go.

A goal naming a fixture the station lacks, or a robot without a hand, is refused before any
motion.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from academy_skills.kinematics import grasp_yaws
from academy_skills.manipulation import (
    GRIP_FORCE,
    REACH_FAILURES,
    REACH_POSITION_TOLERANCE,
    RESET,
    SPEED,
    TABLE_CLEARANCE,
    ManipulationSkill,
    ObjectObservation,
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
from academy_skills.transfer_skills import find_fixture

#: A press goes this far past the cap's travel (m): the joint's limit stops the cap there.
PRESS_BEYOND = 0.006
#: Shares of travel: pressed at least, sprung back at most; a drawer open at least, closed at most.
PRESSED_SHARE = 0.8
RELEASED_SHARE = 0.2
OPEN_SHARE = 0.8
CLOSED_SHARE = 0.1
#: A knob's turn must be within this share of the angle asked (either side).
TURN_SHARE = 0.2
#: Straight steps of a pull, a push or a turn (a single joint-space move sweeps an arc).
WAYPOINTS = 4
FIXTURE_FAILURES = (*REACH_FAILURES, FailureReason.SLIPPED)
#: Half the height of a knob's grip and a drawer's handle post (academy_sim.station): the
#: fingertips stay above what they stand on.
PART_HALF_HEIGHT = 0.02


class _FixtureSkill(ManipulationSkill):
    """Plan the top-down hand at a fixture's handle; :meth:`_act` moves and judges."""

    depth = 0
    closes_on_object = False
    fixture_kind = ""
    #: Where the fixture is put before each attempt (share of its travel).
    start_share = 0.0
    #: How far the wrist has turned from the plan's yaw (a knob's turn), for the retreat.
    _turned = 0.0

    def _name(self, params: Mapping[str, ParamValue]) -> str:
        return str(params["fixture"])

    def check_goal(self, params: Mapping[str, ParamValue]) -> str | None:
        missing = self.missing_capability()
        if missing is not None:
            return missing
        found = find_fixture(self.io.station(), self.fixture_kind, self._name(params))
        return found if isinstance(found, str) else None

    def _plan(
        self,
        ctx: SkillContext,
        params: Mapping[str, ParamValue],
        metrics: dict[str, tuple[float, str]],
    ) -> _Plan:
        found = find_fixture(self.io.station(), self.fixture_kind, self._name(params))
        if isinstance(found, str):
            raise _AttemptEnd(SkillOutcome.REJECTED, found, FailureReason.REFUSED)
        if params.get("reset_scene", True):
            ctx.phase("reset_scene", 0.0)
            self.io.reset_station({found.name: self.start_share})
        fixture = self.io.station().fixtures[found.name]
        assert fixture.handle is not None  # an articulated fixture reports its handle
        self._start = fixture
        ctx.phase("plan", 0.05)
        arm = self.kinematics.arm_for(fixture.handle[1])
        depth = self.kinematics.hand_depth(arm)
        target = self._target(fixture.handle, depth)
        part = ObjectObservation(
            fixture.name, fixture.kind, fixture.color, "cylinder", fixture.handle,
            (1.0, 0.0, 0.0, 0.0), (0.0, 0.0, 0.0),
        )  # fmt: skip
        # A round handle takes the hand at any yaw: the first of four the arm reaches.
        yaws = grasp_yaws((1.0, 0.0, 0.0, 0.0), "cylinder")
        poses = top_down_poses(self.kinematics, arm, target, yaws, self.io.joint_positions())
        metrics["ik_position_error"] = (
            max(poses.above.position_error, poses.at.position_error),
            "m",
        )
        if not poses.reachable:
            raise _AttemptEnd(
                SkillOutcome.REJECTED,
                f"{fixture.name}'s handle at ({target[0]:.2f}, {target[1]:.2f}, {target[2]:.2f}) "
                f"m is out of reach of the {arm.name} arm (the best pose {poses.worst} ends "
                f"{poses.at.position_error:.3f} m from it)",
                FailureReason.OUT_OF_REACH,
            )
        return _Plan(arm.name, arm.gripper, target, poses.yaw, poses.above, poses.at, part)

    def _target(
        self, handle: tuple[float, float, float], depth: float
    ) -> tuple[float, float, float]:
        """The grasp point's target at the handle: between the pads, the fingertips above
        the part below it."""
        bottom = handle[2] - PART_HALF_HEIGHT
        return (handle[0], handle[1], max(handle[2], bottom + TABLE_CLEARANCE + depth))

    def _execute(
        self,
        ctx: SkillContext,
        params: Mapping[str, ParamValue],
        plan: _Plan,
        metrics: dict[str, tuple[float, str]],
    ) -> AttemptResult:
        return self._act(ctx, params, plan, metrics)

    def _act(
        self,
        ctx: SkillContext,
        params: Mapping[str, ParamValue],
        plan: _Plan,
        metrics: dict[str, tuple[float, str]],
    ) -> AttemptResult:
        raise NotImplementedError

    def _joint(self) -> float:
        return self.io.station().fixtures[self._start.name].joint

    def _hold_and_move(
        self,
        ctx: SkillContext,
        params: Mapping[str, ParamValue],
        plan: _Plan,
        offset: tuple[float, float],
        turn: float = 0.0,
    ) -> AttemptResult | None:
        """:meth:`_hold_and_follow` a straight line: the hand moved by ``offset`` (m) and
        turned by ``turn`` (rad) in WAYPOINTS steps."""
        x, y, _ = plan.target
        path = [
            (x + offset[0] * k / WAYPOINTS, y + offset[1] * k / WAYPOINTS, turn * k / WAYPOINTS)
            for k in range(1, WAYPOINTS + 1)
        ]
        return self._hold_and_follow(ctx, params, plan, path)

    def _hold_and_follow(
        self,
        ctx: SkillContext,
        params: Mapping[str, ParamValue],
        plan: _Plan,
        path: list[tuple[float, float, float]],
    ) -> AttemptResult | None:
        """Open around the handle, come down, close on it, take the hand through ``path``
        (x, y m and its turn from the grasp yaw, rad), let go and rise; None when done, an
        AttemptResult when the hand cannot go there."""
        speed = float(params["speed"])
        hand = self.kinematics.robot.hands[plan.gripper]
        ctx.phase("open_gripper", 0.1)
        self._grip(ctx, plan.gripper, hand.max_opening, 0.0)
        ctx.phase("approach", 0.2)
        self._move(ctx, plan.above.positions, speed)
        ctx.phase("descend", 0.3)
        self._move(ctx, plan.at.positions, speed)
        ctx.phase("close_gripper", 0.4)
        self._grip(ctx, plan.gripper, 0.0, float(params["grip_force"]))
        ctx.phase(self.name, 0.5)
        arm = self.kinematics.robot.arms[plan.arm_name]
        z = plan.target[2]
        for step, (x, y, turn) in enumerate(path, 1):
            through = self._solve_holding(arm, (x, y, z), plan.yaw + turn)
            self._turned = turn
            if through.position_error > REACH_POSITION_TOLERANCE:
                self._let_go(ctx, plan, speed)
                return AttemptResult(
                    SkillOutcome.REJECTED,
                    f"the hand cannot {self.name.replace('_', ' ')} here: IK ends "
                    f"{through.position_error:.3f} m short at step {step} of {len(path)}",
                    failure=FailureReason.OUT_OF_REACH,
                )
            self._move(ctx, through.positions, speed / 2)
        self._let_go(ctx, plan, speed)
        return None

    def _let_go(self, ctx: SkillContext, plan: _Plan, speed: float) -> None:
        hand = self.kinematics.robot.hands[plan.gripper]
        ctx.phase("release", 0.85)
        self._grip(ctx, plan.gripper, hand.max_opening, 0.0)
        ctx.phase("retreat", 0.9)
        yaw = plan.yaw + self._turned
        self._turned = 0.0
        self._rise_to_ready(ctx, plan, speed, yaw)


def _fixture_parameter(kind: str, what: str) -> ParameterSpec:
    return ParameterSpec(
        "fixture", str, f"{what} (default: the station's first {kind})", default="", refers=kind
    )


@register_skill(
    category="fixtures",
    verbs=("press", "press the button", "push the button", "hit"),
    requires=(Capability.ARM, Capability.HAND),
    fixtures=("button",),
    success="the button's cap went down at least 80 % of its travel while pressed and sprang "
    "back under 20 % once the hand rose",
    failures=FIXTURE_FAILURES,
)  # fmt: skip
class PressButtonSkill(_FixtureSkill):
    """Press a spring-loaded button with the closed hand."""

    name = "press_button"
    description = "press a button down with the closed hand (success: 80 % of its travel)"
    parameters = (_fixture_parameter("button", "button to press"), SPEED, RESET, GRIP_FORCE)
    fixture_kind = "button"

    def _target(
        self, handle: tuple[float, float, float], depth: float
    ) -> tuple[float, float, float]:
        # The closed fingertips, ``depth`` below the grasp point, just above the cap.
        return (handle[0], handle[1], handle[2] + depth + 0.01)

    def _act(
        self,
        ctx: SkillContext,
        params: Mapping[str, ParamValue],
        plan: _Plan,
        metrics: dict[str, tuple[float, str]],
    ) -> AttemptResult:
        speed = float(params["speed"])
        arm = self.kinematics.robot.arms[plan.arm_name]
        travel = self._start.travel
        ctx.phase("close_gripper", 0.1)
        self._grip(ctx, plan.gripper, 0.0, float(params["grip_force"]))
        ctx.phase("approach", 0.2)
        self._move(ctx, plan.above.positions, speed)
        self._move(ctx, plan.at.positions, speed)
        ctx.phase("press", 0.5)
        x, y, z = plan.target
        down = self._solve_holding(arm, (x, y, z - 0.01 - travel - PRESS_BEYOND), plan.yaw)
        self._move(ctx, down.positions, speed / 4)
        deepest = 0.0
        began = ctx.now()
        while ctx.now() - began < 0.3:
            deepest = max(deepest, self._joint())
            ctx.sleep(0.05)
        ctx.phase("retreat", 0.8)
        self._move(ctx, plan.above.positions, speed)
        self._move(ctx, arm.ready, speed)
        ctx.sleep(0.3)
        after = self._joint()
        metrics["pressed_depth"] = (deepest, "m")
        metrics["depth_after"] = (after, "m")
        name = self._start.name
        if deepest < PRESSED_SHARE * travel:
            return failed(
                f"{name} went down only {deepest * 1000:.1f} mm of its {travel * 1000:.0f} mm "
                f"(needs {PRESSED_SHARE:.0%})",
                metrics,
                FailureReason.MISSED,
            )
        if after > RELEASED_SHARE * travel:
            return failed(
                f"{name} stayed down {after * 1000:.1f} mm after the hand rose (stuck, or the "
                "hand still on it)",
                metrics,
                FailureReason.COLLIDED,
            )
        return AttemptResult(SkillOutcome.SUCCEEDED, "", metrics)


TURN_ANGLE = ParameterSpec(
    "angle", float, "how far to turn it (left +)", default=math.pi / 2, unit="rad",
    minimum=-2.5, maximum=2.5,
)  # fmt: skip


@register_skill(
    category="fixtures",
    verbs=("turn the knob", "twist", "turn"),
    requires=(Capability.ARM, Capability.HAND),
    fixtures=("knob",),
    success="the knob turned by 80 .. 120 % of angle, the sign included",
    failures=FIXTURE_FAILURES,
)  # fmt: skip
class TurnKnobSkill(_FixtureSkill):
    """Grip a knob and turn it with the wrist."""

    name = "turn_knob"
    description = "grip a knob and turn it by angle (success: 80 .. 120 % of the angle)"
    parameters = (
        _fixture_parameter("knob", "knob to turn"), TURN_ANGLE, SPEED, RESET, GRIP_FORCE
    )  # fmt: skip
    fixture_kind = "knob"

    def _act(
        self,
        ctx: SkillContext,
        params: Mapping[str, ParamValue],
        plan: _Plan,
        metrics: dict[str, tuple[float, str]],
    ) -> AttemptResult:
        angle = float(params["angle"])
        before = self._joint()
        refused = self._hold_and_move(ctx, params, plan, (0.0, 0.0), angle)
        if refused is not None:
            return refused
        turned = self._joint() - before
        metrics["turned"] = (turned, "rad")
        if abs(turned - angle) > TURN_SHARE * abs(angle):
            return failed(
                f"{self._start.name} turned {turned:+.2f} rad; asked {angle:+.2f} rad (within "
                f"{TURN_SHARE:.0%})",
                metrics,
                FailureReason.SLIPPED,
            )
        return AttemptResult(SkillOutcome.SUCCEEDED, "", metrics)


class _OpenCloseSkill(_FixtureSkill):
    """Take a drawer's or a door's handle and take it along :meth:`_path` to ``goal_share``
    of its travel (1 open, 0 closed); judged by the fixture's joint once the hand let go."""

    goal_share = 1.0

    @property
    def needs(self) -> str:
        return f"at least {OPEN_SHARE:.0%}" if self.goal_share else f"at most {CLOSED_SHARE:.0%}"

    def _passes(self, share: float) -> bool:
        return share >= OPEN_SHARE if self.goal_share else share <= CLOSED_SHARE

    def _path(self, plan: _Plan) -> list[tuple[float, float, float]]:
        raise NotImplementedError

    def _act(
        self,
        ctx: SkillContext,
        params: Mapping[str, ParamValue],
        plan: _Plan,
        metrics: dict[str, tuple[float, str]],
    ) -> AttemptResult:
        refused = self._hold_and_follow(ctx, params, plan, self._path(plan))
        if refused is not None:
            return refused
        share = self._joint() / self._start.travel
        metrics["open_share"] = (share, "")
        if not self._passes(share):
            what = "out" if self.fixture_kind == "drawer" else "open"
            return failed(
                f"{self._start.name} is {what} {share:.0%} of its travel (needs {self.needs})",
                metrics,
                FailureReason.SLIPPED,
            )
        return AttemptResult(SkillOutcome.SUCCEEDED, "", metrics)


class _DrawerSkill(_OpenCloseSkill):
    fixture_kind = "drawer"

    def _path(self, plan: _Plan) -> list[tuple[float, float, float]]:
        """Straight along x: out is toward the robot (-x)."""
        move = self._start.joint - self.goal_share * self._start.travel
        x, y, _ = plan.target
        return [(x + move * k / WAYPOINTS, y, 0.0) for k in range(1, WAYPOINTS + 1)]


@register_skill(
    category="fixtures",
    verbs=("open the drawer", "pull out", "open"),
    requires=(Capability.ARM, Capability.HAND),
    fixtures=("drawer",),
    success="the drawer is out at least 80 % of its travel once the hand let go",
    failures=FIXTURE_FAILURES,
)  # fmt: skip
class OpenDrawerSkill(_DrawerSkill):
    """Grip a drawer's handle and pull the drawer out."""

    name = "open_drawer"
    description = "pull a drawer out by its handle (success: out 80 % of its travel)"
    parameters = (_fixture_parameter("drawer", "drawer to open"), SPEED, RESET, GRIP_FORCE)


@register_skill(
    category="fixtures",
    verbs=("close the drawer", "push in", "shut", "close"),
    requires=(Capability.ARM, Capability.HAND),
    fixtures=("drawer",),
    success="from the drawer pulled out fully, it is out at most 10 % of its travel once the "
    "hand let go",
    failures=FIXTURE_FAILURES,
)  # fmt: skip
class CloseDrawerSkill(_DrawerSkill):
    """Grip a pulled-out drawer's handle and push the drawer back in."""

    name = "close_drawer"
    description = "push a pulled-out drawer back in (success: out at most 10 % of its travel)"
    parameters = (_fixture_parameter("drawer", "drawer to close"), SPEED, RESET, GRIP_FORCE)
    start_share = 1.0
    goal_share = 0.0


#: Waypoints of a door's arc (a straight step would pull the handle off its circle).
ARC_WAYPOINTS = 8


class _DoorSkill(_OpenCloseSkill):
    fixture_kind = "door"

    def _path(self, plan: _Plan) -> list[tuple[float, float, float]]:
        """Round the hinge, the hand turning with the door (+ opens: turns left)."""
        door = self._start
        assert door.handle is not None and door.hinge is not None
        hx, hy = door.hinge
        radius = math.hypot(door.handle[0] - hx, door.handle[1] - hy)
        start = math.atan2(door.handle[1] - hy, door.handle[0] - hx)
        sweep = self.goal_share * door.travel - door.joint
        steps = [sweep * k / ARC_WAYPOINTS for k in range(1, ARC_WAYPOINTS + 1)]
        return [
            (hx + radius * math.cos(start + a), hy + radius * math.sin(start + a), a) for a in steps
        ]


@register_skill(
    category="fixtures",
    verbs=("open the door", "swing open"),
    requires=(Capability.ARM, Capability.HAND),
    fixtures=("door",),
    success="the door is open at least 80 % of its travel once the hand let go",
    failures=FIXTURE_FAILURES,
)  # fmt: skip
class OpenDoorSkill(_DoorSkill):
    """Grip a hinged door's handle and swing it open toward the robot."""

    name = "open_door"
    description = "swing a hinged door open by its handle (success: open 80 % of its travel)"
    parameters = (_fixture_parameter("door", "door to open"), SPEED, RESET, GRIP_FORCE)


@register_skill(
    category="fixtures",
    verbs=("close the door", "shut the door", "swing shut"),
    requires=(Capability.ARM, Capability.HAND),
    fixtures=("door",),
    success="from the door swung open fully, it is open at most 10 % of its travel once the "
    "hand let go",
    failures=FIXTURE_FAILURES,
)  # fmt: skip
class CloseDoorSkill(_DoorSkill):
    """Grip an open door's handle and swing it shut."""

    name = "close_door"
    description = "swing an open door shut (success: open at most 10 % of its travel)"
    parameters = (_fixture_parameter("door", "door to close"), SPEED, RESET, GRIP_FORCE)
    start_share = 1.0
    goal_share = 0.0
