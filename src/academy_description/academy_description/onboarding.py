"""Onboard a maker's URDF as a registry model: detect its parts, write our wrapper files, report.

``academy model add NAME --urdf URI --maker MAKER`` calls :func:`onboard`. It reads the maker's
URDF unmodified from its installed package, prepares it for MuJoCo (meshes into the cache, every
repair reported), compiles it and *detects* what the workspace needs, from the kinematic tree and
forward kinematics rather than from a table of known robots:

- **hands**: per side, the link nearest the root whose name says hand, gripper or palm (with the
  side in the name: ``left``/``l_``/``L...``), else the last link of the arm chain;
- **arms**: the movable joints between the branch point of the two hands' paths and the hand;
  the **torso** joints are the movable joints on the shared path; the **elbow** is the arm joint
  farthest from both the shoulder and the hand;
- **hand kind**: no joints below the hand: none; only prismatic, or two fingertips: parallel jaw;
  otherwise multi-finger. Open and closed postures: each driven hand joint's limit at which the
  fingertips spread most, and the other limit;
- **forward axis**: the way the hands move when the elbows flex (elbows bend forward);
- **mount height**: the root height that puts the lowest collision geometry on the floor;
- **grasp frame**: the fingertips' centroid half-closed, with z pointing back up the hand and y
  along the closing direction;
- **ready posture**: elbows flexed, hands in front at about elbow height;
- **effort placeholders** (above :data:`PLACEHOLDER_EFFORT`): replaced by an estimate from the
  gravity load of the joint's subtree, reported.

It then writes ``<models dir>/NAME/{model.yaml, NAME.urdf.xacro, controllers.yaml}`` (the maker's
files stay in their package), loads the new model through the registry and returns a report of
every detection, repair and problem. Detection can be wrong for an unusual robot: the files are
ours, meant to be read and corrected, and ``academy model check`` re-validates them.
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from academy_description.canonical import side_of
from academy_description.errors import DescriptionError, InvalidDescriptionError
from academy_description.model_registry import RobotModel, load_model
from academy_description.model_schema import (
    SCHEMA_VERSION,
    ArmEntry,
    Coupling,
    ForwardAxis,
    GraspFrame,
    HandEntry,
    HandKind,
    LimitOverride,
    ModelEntry,
    Mount,
    Workspace,
    read_model_entry,
    write_model_entry,
)
from academy_description.mujoco_model import apply_couplings, prepare_urdf
from academy_description.package_paths import resolve_uri
from academy_description.urdf_model import ACTUATED_TYPES, process_xacro

#: Effort limits at or above this (N.m or N) are placeholders, not a drive's rating.
PLACEHOLDER_EFFORT = 10_000.0
#: Estimated effort = this factor x the gravity torque of the joint's subtree at full reach.
EFFORT_SAFETY_FACTOR = 3.0
MIN_ESTIMATED_EFFORT = 1.0  # N.m or N
#: Velocity limit given to a joint whose URDF says 0 or nothing (rad/s or m/s): slow and safe.
DEFAULT_VELOCITY = 1.0
#: Elbow flexion used to find the forward axis and for the ready posture (rad, within limits).
READY_ELBOW = 1.4
IK_SEED_ELBOW = 0.8
#: The hand is closed this far (0..1) when its grasp point is measured.
GRASP_POINT_CLOSURE = 0.5

_HAND_WORDS = re.compile(r"hand|gripper|palm", re.IGNORECASE)
_HEAD_WORDS = re.compile(r"head|neck", re.IGNORECASE)


@dataclass
class OnboardingReport:
    """What ``academy model add`` found, repaired and wrote; ``problems`` empty when valid."""

    name: str
    detected: list[str] = field(default_factory=list)
    repairs: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class _Joint:
    name: str
    kind: str
    parent: str
    child: str
    mimic: bool
    leader: str
    multiplier: float
    offset: float
    lower: float
    upper: float
    effort: float
    velocity: float


class _Tree:
    """The maker URDF's kinematic tree (names only; geometry comes from MuJoCo)."""

    def __init__(self, root: ET.Element) -> None:
        self.links = [link.get("name", "") for link in root.findall("link")]
        self.joints: dict[str, _Joint] = {}
        self.parent_joint: dict[str, _Joint] = {}
        for element in root.findall("joint"):
            limit = element.find("limit")
            mimic = element.find("mimic")

            def coefficient(
                attribute: str, default: float, mimic: ET.Element | None = mimic
            ) -> float:
                try:
                    return float(mimic.get(attribute, default)) if mimic is not None else default
                except ValueError:
                    return default

            def value(attribute: str, default: float, limit: ET.Element | None = limit) -> float:
                try:
                    return float(limit.get(attribute, default)) if limit is not None else default
                except ValueError:
                    return default

            joint = _Joint(
                name=element.get("name", ""),
                kind=element.get("type", ""),
                parent=element.find("parent").get("link", ""),  # type: ignore[union-attr]
                child=element.find("child").get("link", ""),  # type: ignore[union-attr]
                mimic=mimic is not None,
                leader=mimic.get("joint", "") if mimic is not None else "",
                multiplier=coefficient("multiplier", 1.0),
                offset=coefficient("offset", 0.0),
                lower=value("lower", -math.pi if element.get("type") == "continuous" else 0.0),
                upper=value("upper", math.pi if element.get("type") == "continuous" else 0.0),
                effort=value("effort", 0.0),
                velocity=value("velocity", 0.0),
            )
            self.joints[joint.name] = joint
            self.parent_joint[joint.child] = joint
        roots = [link for link in self.links if link not in self.parent_joint]
        self.root = roots[0] if roots else ""

    def path(self, link: str) -> list[_Joint]:
        """Joints from the root down to ``link``."""
        chain: list[_Joint] = []
        while link in self.parent_joint:
            joint = self.parent_joint[link]
            chain.append(joint)
            link = joint.parent
        return chain[::-1]

    def below(self, link: str) -> list[_Joint]:
        """Every joint in the subtree under ``link``."""
        found: list[_Joint] = []
        frontier = [link]
        while frontier:
            current = frontier.pop()
            for joint in self.joints.values():
                if joint.parent == current:
                    found.append(joint)
                    frontier.append(joint.child)
        return found

    def movable(self, joints: Iterable[_Joint]) -> list[_Joint]:
        return [j for j in joints if j.kind in ACTUATED_TYPES]


def _read_maker_urdf(uri: str) -> tuple[str, Path]:
    path = resolve_uri(uri, Path.cwd())
    if not path.is_file():
        raise InvalidDescriptionError(uri, [f"no file at {path}"])
    return process_xacro(path), path


def onboard(
    name: str,
    urdf_uri: str,
    maker: str,
    licence: str,
    models_dir: Path,
    forward_axis: str | None = None,
    overwrite: bool = False,
    couplings: Sequence[Coupling] = (),
    fit: Callable[[RobotModel], WorkspaceFit] | None = None,
) -> OnboardingReport:
    """Detect, write and validate model ``name`` from the maker URDF at ``urdf_uri``.

    ``fit`` (the skills' IK probe, which this layer cannot import) is run on the written model
    when it has a hand: its workspace goes into ``mount.workspace``, its ready postures into
    the arms' ``ready`` and the wrapper's start positions, and the grasp frames it probed (if
    any: ``academy model add --probe-grasp``) into the arms' ``grasp_frame``.

    ``couplings`` are joints the maker left without ``<mimic>`` (TIAGo's Hey5 fingers): they
    are written to ``model.yaml`` and treated as followers. When overwriting, the existing
    entry's couplings are kept unless ``couplings`` are given, and its ``non_contact_links``
    are kept and applied before detection (a planning volume is not the hand or the feet).

    Raises:
        DescriptionError: the URDF cannot be read or prepared, or the model exists (and not
            ``overwrite``). Problems found after the files are written are in the report.
    """
    import mujoco

    if not re.fullmatch(r"[a-z][a-z0-9_]*", name):
        raise InvalidDescriptionError(
            name, ["model name: use lower case letters, digits and _, starting with a letter"]
        )
    target = models_dir / name
    if (target / "model.yaml").exists() and not overwrite:
        raise DescriptionError(
            f"model {name!r} already exists in {models_dir}: choose another name, or pass "
            "--overwrite to replace its files"
        )
    non_contact_links: dict[str, str] = {}
    if (target / "model.yaml").is_file():
        try:
            existing = read_model_entry(target / "model.yaml")
        except InvalidDescriptionError:
            existing = None
        if existing is not None:
            couplings = couplings or existing.couplings
            non_contact_links = dict(existing.non_contact_links)
    report = OnboardingReport(name)
    xml, path = _read_maker_urdf(urdf_uri)
    prepared = prepare_urdf(
        xml, urdf_uri, path.parent, couplings, non_contact_links=non_contact_links
    )
    tree = _Tree(ET.fromstring(prepared.xml))  # with the couplings as <mimic>
    report.repairs.extend(prepared.repairs)
    spec = mujoco.MjSpec.from_string(prepared.xml)
    model = spec.compile()
    data = mujoco.MjData(model)
    mujoco.mj_kinematics(model, data)
    detector = _Detector(tree, model, data, report)
    entry = detector.entry(name, maker, licence, urdf_uri, forward_axis)
    entry = entry.model_copy(
        update={"couplings": tuple(couplings), "non_contact_links": non_contact_links}
    )
    target.mkdir(parents=True, exist_ok=True)
    model_file = target / "model.yaml"
    wrapper = target / f"{name}.urdf.xacro"
    controllers = target / "controllers.yaml"
    header = _header(name, maker, urdf_uri)
    write_model_entry(entry, model_file, header)
    wrapper.write_text(_wrapper_xacro(name, tree, detector.driven()), encoding="utf-8")
    controllers.write_text(
        _controllers_yaml(name, entry, detector.driven(), tree.joints), encoding="utf-8"
    )
    report.written.extend([model_file, wrapper, controllers])
    if fit is None:
        return report
    try:
        model = load_model(name, models_dir)
    except DescriptionError as error:  # check_model reports it in full
        report.problems.append(f"workspace not fitted: the model does not load: {error}")
        return report
    if not model.grippers:
        report.detected.append("workspace: not fitted (no hand that can hold an object)")
        return report
    fitted = fit(model)
    report.detected.extend([*fitted.notes, fitted.summary])
    arms = {}
    for side, arm in entry.arms.items():
        update: dict[str, Any] = {}
        if fitted.ready.get(side):
            update["ready"] = fitted.ready[side]
        if side in fitted.grasp_frames:
            update["grasp_frame"] = fitted.grasp_frames[side]
        arms[side] = arm.model_copy(update=update)
    for side in sorted(set(entry.arms) - {s for s, r in fitted.ready.items() if r}):
        report.detected.append(f"{side} arm: no ready pose above the workspace; kept elbows bent")
    mount = entry.mount.model_copy(update={"workspace": fitted.workspace})
    entry = entry.model_copy(update={"mount": mount, "arms": arms})
    write_model_entry(entry, model_file, header)
    start = {j: v for side in arms for j, v in arms[side].ready.items()}
    wrapper.write_text(_wrapper_xacro(name, tree, detector.driven(), start), encoding="utf-8")
    return report


@dataclass(frozen=True)
class WorkspaceFit:
    """What a workspace probe found: the place, each arm's ready posture there (None: none
    found), and lines for the report; with a grasp probe, the grasp frames it proposes per arm
    (arms absent from ``grasp_frames`` keep the detected one)."""

    workspace: Workspace
    ready: Mapping[str, Mapping[str, float] | None]
    summary: str
    grasp_frames: Mapping[str, GraspFrame] = field(default_factory=dict)
    notes: tuple[str, ...] = ()


class _Detector:
    """Detection over the tree and a compiled MuJoCo model at its zero posture."""

    def __init__(self, tree: _Tree, model: Any, data: Any, report: OnboardingReport) -> None:
        self.tree = tree
        self.model = model
        self.data = data
        self.report = report

    # ---- geometry helpers ----
    def _body_pos(self, link: str) -> np.ndarray:
        return np.array(self.data.body(link).xpos)

    def _pad_pos(self, link: str) -> np.ndarray:
        """Centre of ``link``'s geometry (its pad), else its origin (a link with none)."""
        model, data = self.model, self.data
        body = model.body(link).id
        centres = [
            data.geom_xpos[g] + data.geom_xmat[g].reshape(3, 3) @ model.geom_aabb[g][:3]
            for g in range(model.ngeom)
            if model.geom_bodyid[g] == body
        ]
        return np.mean(centres, axis=0) if centres else self._body_pos(link)

    def _fk(self, posture: dict[str, float]) -> None:
        import mujoco

        model, data = self.model, self.data
        data.qpos[:] = model.qpos0
        for joint, value in posture.items():
            data.qpos[model.joint(joint).qposadr[0]] = value
        apply_couplings(model, data)
        mujoco.mj_kinematics(model, data)

    def _lowest_point(self) -> float:
        model, data = self.model, self.data
        lowest = math.inf
        for geom in range(model.ngeom):
            center = model.geom_aabb[geom][:3]
            half = model.geom_aabb[geom][3:]
            rotation = data.geom_xmat[geom].reshape(3, 3)
            for corner in np.array(np.meshgrid([-1, 1], [-1, 1], [-1, 1])).T.reshape(-1, 3):
                point = data.geom_xpos[geom] + rotation @ (center + corner * half)
                lowest = min(lowest, float(point[2]))
        return lowest

    # ---- detection ----
    def hand_link(self, side: str) -> str | None:
        # Links named hand/gripper/palm, and the parents of movable joints so named (Romeo's
        # fingers hang on its wrist link by a joint called LHand). Links with movable joints
        # below them (fingers) are preferred, then the one nearest the root (the hand's base).
        candidates = {
            link for link in self.tree.links if _HAND_WORDS.search(link) and side_of(link) == side
        }
        candidates |= {
            j.parent
            for j in self.tree.joints.values()
            if j.kind in ACTUATED_TYPES and _HAND_WORDS.search(j.name) and side_of(j.name) == side
        }
        if not candidates:
            return None

        def rank(link: str) -> tuple[bool, int]:
            fingers = any(j.kind in ACTUATED_TYPES for j in self.tree.below(link))
            return (not fingers, len(self.tree.path(link)))

        return min(sorted(candidates), key=rank)

    def fingertips(self, hand: str) -> list[str]:
        below = self.tree.below(hand)
        parents = {j.parent for j in below}
        moving = {j.child for j in below if j.kind in ACTUATED_TYPES}
        tips = []
        for joint in below:
            if joint.child in parents:
                continue  # not a leaf
            # a leaf on a moving branch: walk up until a movable joint is found
            link, moved = joint.child, False
            while link != hand and link in self.tree.parent_joint:
                if link in moving:
                    moved = True
                    break
                link = self.tree.parent_joint[link].parent
            if moved:
                tips.append(joint.child)
        return tips

    def driven(self) -> list[str]:
        """Movable joints without <mimic>: what <ros2_control> declares."""
        return [
            j.name for j in self.tree.joints.values() if j.kind in ACTUATED_TYPES and not j.mimic
        ]

    def entry(
        self, name: str, maker: str, licence: str, source: str, forward_axis: str | None
    ) -> ModelEntry:
        tree, report = self.tree, self.report
        hands = {side: self.hand_link(side) for side in ("left", "right")}
        found = {side: hand for side, hand in hands.items() if hand}
        if not found:
            raise InvalidDescriptionError(
                source, ["no hand or gripper link found (no link named *hand*, *gripper*, *palm*)"]
            )
        paths = {side: tree.path(hand) for side, hand in found.items()}
        if len(paths) == 2:
            left, right = paths["left"], paths["right"]
            shared = 0
            while shared < min(len(left), len(right)) and left[shared] is right[shared]:
                shared += 1
            torso = [j.name for j in tree.movable(left[:shared])]
        else:
            shared, torso = 0, []
        arms_joints: dict[str, list[_Joint]] = {}
        for side, path in paths.items():
            chain = tree.movable(path[shared:])
            if len(paths) == 1:  # one arm: its shoulder is where the chain stops being the body's
                chain = chain[-7:]
            arms_joints[side] = chain
            report.detected.append(
                f"arm {side}: {len(chain)} joints {chain[0].name} .. {chain[-1].name}, "
                f"hand link {found[side]}"
            )
        report.detected.append(f"torso: {', '.join(torso) or '(no joints)'}")
        head = [
            j.name
            for j in tree.movable(tree.joints.values())
            if _HEAD_WORDS.search(j.name) and not j.mimic
        ]
        report.detected.append(f"head: {', '.join(head) or '(no joints)'}")
        elbows = {side: self._elbow(chain, found[side]) for side, chain in arms_joints.items()}
        flex = {side: self._flexion(elbows[side]) for side in arms_joints}
        if forward_axis is not None:
            axis, how = ForwardAxis(forward_axis), "given"
        elif len(arms_joints) == 2:
            axis, how = self._forward_from_shoulders(arms_joints), "left x up, REP 103"
        else:
            axis, how = self._forward_axis(elbows, flex, found), "elbow flexion"
        report.detected.append(f"forward axis: {axis.value} ({how})")
        self._fk({})
        height = max(0.0, -self._lowest_point())
        report.detected.append(f"mount height: {height:.3f} m (lowest collision point on floor)")
        hand_entries: dict[str, HandEntry] = {}
        arm_entries: dict[str, ArmEntry] = {}
        for side, chain in arms_joints.items():
            hand = found[side]
            hand_entry = self._hand(hand)
            hand_name = f"{side}_hand"
            hand_entries[hand_name] = hand_entry
            report.detected.append(
                f"hand {hand_name}: {hand_entry.kind.value}, driven joints "
                f"{', '.join(hand_entry.joints) or '(none)'}"
            )
            elbow = elbows[side]
            sign, ready_elbow = flex[side][0], flex[side][1]
            ready = {j.name: float(np.clip(0.0, j.lower, j.upper)) for j in chain}
            ready[elbow.name] = ready_elbow
            seed = dict(ready)
            seed[elbow.name] = float(np.clip(sign * IK_SEED_ELBOW, elbow.lower, elbow.upper))
            arm_entries[side] = ArmEntry(
                joints=tuple(j.name for j in chain),
                elbow=elbow.name,
                end_effector=hand,
                hand=hand_name,
                grasp_frame=self._grasp_frame(hand, hand_entry, axis),
                ready=ready,
                ik_seed=seed,
            )
        overrides = self._limit_overrides()
        return ModelEntry(
            schema_version=SCHEMA_VERSION,
            model=name,
            maker=maker,
            licence=licence,
            source=source,
            description=f"{name}.urdf.xacro",
            controllers="controllers.yaml",
            root_link=tree.root,
            mount=Mount(height=round(height, 3), forward_axis=axis),
            arms=arm_entries,
            hands=hand_entries,
            head=tuple(head),
            torso=tuple(torso),
            limit_overrides=overrides,
        )

    def _elbow(self, chain: list[_Joint], hand: str) -> _Joint:
        """The joint that bends the arm half-way between the shoulder and the hand.

        Score: the joint's distance to the nearer of the shoulder (first joint) and the hand,
        times how square its axis is to the line from it to the hand. Shoulder and wrist
        joints are near an end; roll joints turn about that line (Baxter's e0 and w0).
        """
        self._fk({})
        shoulder = np.array(self.data.xanchor[self.model.joint(chain[0].name).id])
        hand_pos = self._body_pos(hand)
        revolute = [j for j in chain if j.kind != "prismatic"] or chain

        def score(joint: _Joint) -> float:
            index = self.model.joint(joint.name).id
            anchor = np.array(self.data.xanchor[index])
            axis = np.array(self.data.xaxis[index])
            to_hand = hand_pos - anchor
            length = float(np.linalg.norm(to_hand))
            if length < 1e-6:
                return 0.0
            square = float(np.linalg.norm(np.cross(axis, to_hand / length)))
            middle = min(float(np.linalg.norm(anchor - shoulder)), length)
            return middle * square

        return max(revolute, key=score)

    def _flexion(self, elbow: _Joint) -> tuple[float, float]:
        """(sign, angle) of the elbow's flexion: the direction with more room, clipped."""
        sign = 1.0 if abs(elbow.upper) >= abs(elbow.lower) else -1.0
        angle = float(np.clip(sign * READY_ELBOW, elbow.lower, elbow.upper))
        return sign, angle

    def _forward_from_shoulders(self, arms: dict[str, list[_Joint]]) -> ForwardAxis:
        # REP 103: y points left, z up, so forward = left x up.
        self._fk({})
        left = self._body_pos(arms["left"][0].child) - self._body_pos(arms["right"][0].child)
        return _snap(np.cross(left, [0.0, 0.0, 1.0]))

    def _forward_axis(
        self,
        elbows: dict[str, _Joint],
        flex: dict[str, tuple[float, float]],
        hands: dict[str, str],
    ) -> ForwardAxis:
        # Each arm's hand displacement when its elbow flexes, in the root frame (welded at the
        # origin, unrotated): humans' and humanoids' elbows bend forward.
        motion = np.zeros(3)
        for side, (_sign, angle) in flex.items():
            self._fk({})
            before = self._body_pos(hands[side])
            self._fk({elbows[side].name: angle})
            motion += self._body_pos(hands[side]) - before
        return _snap(motion)

    def _hand(self, hand: str) -> HandEntry:
        below = self.tree.below(hand)
        driven = [j for j in below if j.kind in ACTUATED_TYPES and not j.mimic]
        if not driven:
            return HandEntry(kind=HandKind.NONE)
        tips = self.fingertips(hand)
        # Two jaws: prismatic fingers, or one motor and no thumb (Talos's linkage gripper).
        # Several motors, or a thumb (Romeo's one-motor hand), make a multi-finger hand.
        prismatic = all(j.kind == "prismatic" for j in driven)
        thumb = any("thumb" in j.child.lower() for j in below)
        one_motor_jaws = len(driven) == 1 and not thumb
        kind = (
            HandKind.PARALLEL_JAW
            if prismatic or one_motor_jaws or len(tips) <= 2
            else HandKind.MULTI_FINGER
        )
        open_posture: dict[str, float] = {}
        closed: dict[str, float] = {}
        for joint in driven:
            spreads = []
            lower, upper = self._feasible_range(joint)
            for value in (lower, upper):
                self._fk({joint.name: value})
                spreads.append(self._spread(tips))
            opens_at_upper = spreads[1] >= spreads[0]
            open_posture[joint.name] = upper if opens_at_upper else lower
            closed[joint.name] = lower if opens_at_upper else upper
        self._fk(open_posture)
        opening = self._spread(tips, widest=True)
        return HandEntry(
            kind=kind,
            joints=tuple(j.name for j in driven),
            open=open_posture,
            closed=closed,
            max_opening=round(min(opening, 0.5), 4),
        )

    def _feasible_range(self, joint: _Joint) -> tuple[float, float]:
        """``joint``'s range narrowed so that every follower stays within its own limits."""
        lower, upper = joint.lower, joint.upper
        for follower in self.tree.joints.values():
            if follower.leader != joint.name or follower.multiplier == 0:
                continue
            ends = sorted(
                (bound - follower.offset) / follower.multiplier
                for bound in (follower.lower, follower.upper)
            )
            lower, upper = max(lower, ends[0]), min(upper, ends[1])
        if lower > upper:  # the followers' limits cannot all hold: keep the joint's own
            return joint.lower, joint.upper
        return lower, upper

    def _spread(self, tips: list[str], widest: bool = False) -> float:
        if len(tips) < 2:
            return 0.0
        points = np.array([self._body_pos(t) for t in tips])
        distances = np.linalg.norm(points[:, None, :] - points[None, :, :], axis=-1)
        return float(distances.max() if widest else distances.sum())

    def _grasp_frame(self, hand: str, entry: HandEntry, axis: ForwardAxis) -> GraspFrame:
        tips = self.fingertips(hand)
        half = {
            j: entry.open[j] + GRASP_POINT_CLOSURE * (entry.closed[j] - entry.open[j])
            for j in entry.joints
        }
        self._fk(half)
        hand_pos = self._body_pos(hand)
        rotation = np.array(self.data.body(hand).xmat).reshape(3, 3)
        if tips:  # between the fingertips' pads (their geometry), not their joints
            point = np.mean([self._pad_pos(t) for t in tips], axis=0)
        else:  # no fingers: a point just beyond the hand's own geometry, down the arm
            parent = self.tree.parent_joint[hand].parent
            direction = hand_pos - self._body_pos(parent)
            norm = float(np.linalg.norm(direction)) or 1.0
            point = hand_pos + 0.06 * direction / norm
        approach = point - hand_pos
        if float(np.linalg.norm(approach)) < 1e-4:
            approach = np.array([0.0, 0.0, -1.0])
        z_axis = -approach / np.linalg.norm(approach)  # grasp z points back up the hand
        if len(tips) >= 2:
            points = np.array([self._body_pos(t) for t in tips])
            thumbs = [i for i, t in enumerate(tips) if "thumb" in t.lower()]
            if thumbs:
                closing = points[[i for i in range(len(tips)) if i not in thumbs]].mean(
                    axis=0
                ) - points[thumbs].mean(axis=0)
            else:
                distances = np.linalg.norm(points[:, None] - points[None], axis=-1)
                i, j = np.unravel_index(int(np.argmax(distances)), distances.shape)
                closing = points[j] - points[i]
        else:
            closing = np.cross(z_axis, [0.0, 0.0, 1.0])
            if float(np.linalg.norm(closing)) < 1e-6:
                closing = np.array([0.0, 1.0, 0.0])
        y_axis = closing - z_axis * float(np.dot(closing, z_axis))
        y_axis /= np.linalg.norm(y_axis)
        x_axis = np.cross(y_axis, z_axis)
        world = np.column_stack([x_axis, y_axis, z_axis])
        local = rotation.T @ world  # the grasp frame's axes in the hand link's frame
        xyz = rotation.T @ (point - hand_pos)
        return GraspFrame(
            xyz=tuple(round(float(v), 4) for v in xyz),
            rpy=tuple(round(float(v), 4) for v in rpy_of(local)),
        )

    def _limit_overrides(self) -> dict[str, LimitOverride]:
        overrides: dict[str, LimitOverride] = {}
        model = self.model
        self._fk({})
        for joint in self.tree.joints.values():
            if joint.kind not in ACTUATED_TYPES:
                continue
            velocity = DEFAULT_VELOCITY if not joint.velocity > 0 else None
            if velocity is not None:
                self.report.repairs.append(
                    f"joint '{joint.name}': velocity limit {joint.velocity:g} -> "
                    f"{DEFAULT_VELOCITY:g} (none in the URDF)"
                )
            if 0 < joint.effort < PLACEHOLDER_EFFORT:
                if velocity is not None:
                    overrides[joint.name] = LimitOverride(
                        velocity=velocity, reason="the URDF gives no velocity limit"
                    )
                continue
            body = model.body(joint.child).id
            mass = float(model.body_subtreemass[body])
            if joint.kind == "prismatic":
                estimate = mass * 9.81 * EFFORT_SAFETY_FACTOR
            else:
                com = np.array(self.data.subtree_com[body])
                lever = float(np.linalg.norm(com - self._body_pos(joint.child)))
                estimate = mass * 9.81 * max(lever, 0.05) * EFFORT_SAFETY_FACTOR
            estimate = round(max(estimate, MIN_ESTIMATED_EFFORT), 1)
            what = "a placeholder" if joint.effort > 0 else "missing"
            overrides[joint.name] = LimitOverride(
                effort=estimate,
                velocity=velocity,
                reason=f"URDF effort {joint.effort:g} is {what}; "
                f"{EFFORT_SAFETY_FACTOR:g} x the gravity load of its {mass:.2f} kg subtree",
            )
            self.report.repairs.append(
                f"joint '{joint.name}': effort {joint.effort:g} is {what} -> "
                f"{estimate:g} (estimated from a {mass:.2f} kg subtree)"
            )
        return overrides


def _snap(direction: np.ndarray) -> ForwardAxis:
    """The horizontal root axis nearest ``direction``."""
    horizontal = direction[:2]
    index = int(np.argmax(np.abs(horizontal)))
    positive = bool(horizontal[index] > 0)
    return {
        (0, True): ForwardAxis.PLUS_X,
        (0, False): ForwardAxis.MINUS_X,
        (1, True): ForwardAxis.PLUS_Y,
        (1, False): ForwardAxis.MINUS_Y,
    }[(index, positive)]


def rpy_of(rotation: np.ndarray) -> tuple[float, float, float]:
    """URDF roll-pitch-yaw (fixed axes x, y, z) of a rotation matrix."""
    pitch = math.asin(-max(-1.0, min(1.0, float(rotation[2, 0]))))
    if abs(math.cos(pitch)) > 1e-6:
        roll = math.atan2(float(rotation[2, 1]), float(rotation[2, 2]))
        yaw = math.atan2(float(rotation[1, 0]), float(rotation[0, 0]))
    else:  # gimbal lock: put it all in yaw
        roll = 0.0
        yaw = math.atan2(-float(rotation[0, 1]), float(rotation[1, 1]))
    return roll, pitch, yaw


def _header(name: str, maker: str, source: str) -> str:
    return (
        f"# Registry entry of {name} ({maker}), written by `academy model add` from the maker's\n"
        f"# URDF (unmodified, in its installed package):\n#   {source}\n"
        "# Detected values are estimates: read them, correct them, and run\n"
        f"# `academy model check {name}`.\n"
        "# Units: m, rad. Fields: academy_description/model_schema.py.\n"
    )


def _wrapper_xacro(
    name: str, tree: _Tree, driven: list[str], start: Mapping[str, float] | None = None
) -> str:
    joints = []
    for joint_name in driven:
        joint = tree.joints[joint_name]
        initial = 0.0 if joint.kind == "continuous" else min(max(0.0, joint.lower), joint.upper)
        initial = (start or {}).get(joint_name, initial)
        joints.append(f'    <xacro:academy_joint name="{joint_name}" initial="{initial!r}"/>')
    body = "\n".join(joints)
    return f"""<?xml version="1.0"?>
<!--
  {name}: our wrapper around the maker's URDF (written by `academy model add`). The maker's file
  is included unmodified from its installed package; this file only adds <ros2_control>.
  Arguments:
    maker_urdf       path of the maker's URDF (the registry resolves model.yaml's `source`)
    hardware_plugin  the hardware interface (the MuJoCo station stands in for the robot)
-->
<robot name="{name}" xmlns:xacro="http://www.ros.org/wiki/xacro">
  <xacro:arg name="maker_urdf" default=""/>
  <xacro:arg name="hardware_plugin" default="academy_sim/MujocoSystem"/>
  <xacro:include filename="$(arg maker_urdf)"/>

  <!-- initial_value: where the joint is at start-up (ros2_control convention). -->
  <xacro:macro name="academy_joint" params="name initial:=0.0">
    <joint name="${{name}}">
      <command_interface name="position"/>
      <state_interface name="position">
        <param name="initial_value">${{initial}}</param>
      </state_interface>
      <state_interface name="velocity"/>
      <state_interface name="effort"/>
    </joint>
  </xacro:macro>
  <ros2_control name="{name}_system" type="system">
    <hardware>
      <plugin>$(arg hardware_plugin)</plugin>
    </hardware>
{body}
  </ros2_control>
</robot>
"""


#: Hand controller defaults by the kind of the hand's driven joints: (stall speed, max effort).
_HAND_DEFAULTS = {"prismatic": (0.002, 40.0), "revolute": (0.02, 10.0)}


def _controllers_yaml(
    name: str, entry: ModelEntry, driven: list[str], joints: dict[str, _Joint]
) -> str:
    hand_joints = {j for hand in entry.hands.values() for j in hand.joints}
    trajectory = [j for j in driven if j not in hand_joints]
    hands = {n: h for n, h in entry.hands.items() if h.kind is not HandKind.NONE and h.joints}
    lines = [
        f"# Controllers of {name}, in ros2_control's YAML conventions (written by `academy model",
        "# add`): node name at the top, ros__parameters beneath. Units: rad, m, s, N.",
        "controller_manager:",
        "  ros__parameters:",
        "    update_rate: 100  # Hz: read hardware -> update controllers -> write hardware",
        "    joint_state_broadcaster:",
        "      type: joint_state_broadcaster/JointStateBroadcaster",
        "    joint_trajectory_controller:",
        "      type: joint_trajectory_controller/JointTrajectoryController",
        *[
            line
            for hand in hands
            for line in (f"    {hand}_controller:", "      type: academy_control/HandController")
        ],
        "",
        "joint_state_broadcaster:",
        "  ros__parameters:",
        "    publish_rate: 100.0  # Hz; joint_states carries every joint of the hardware",
        "",
        "joint_trajectory_controller:",
        "  ros__parameters:",
        "    joints:",
        *[f"      - {j}" for j in trajectory],
        "    command_interfaces: [position]",
        "    state_interfaces: [position, velocity]",
        "    allow_partial_joints_goal: true  # joints left out of a goal hold where they are",
        "    state_publish_rate: 50.0         # Hz, ~/controller_state",
        "    constraints:",
        "      goal_time: 0.5                 # s allowed after the last point to get within goal",
        "      stopped_velocity_tolerance: 0.05   # rad/s",
        "      default:",
        "        trajectory: 0.25             # rad: |desired - actual| above this aborts the goal",
        "        goal: 0.02                   # rad",
        "",
    ]
    for hand_name, hand in hands.items():
        prismatic = all(joints[j].kind == "prismatic" for j in hand.joints)
        stall, effort = _HAND_DEFAULTS["prismatic" if prismatic else "revolute"]
        unit = "N" if prismatic else "N.m"
        lines += [
            f"{hand_name}_controller:",
            "  ros__parameters:",
            f"    hand: {hand_name}  # open/closed postures and max_opening: model.yaml hands",
            f"    joints: [{', '.join(hand.joints)}]",
            "    goal_tolerance: 0.003            # m of opening",
            f"    stall_velocity_threshold: {stall}  # {'m' if prismatic else 'rad'}/s",
            "    stall_timeout: 0.25              # s without motion short of the goal = stalled",
            f"    max_effort: {effort}  # {unit} per joint when a goal gives none (URDF-clamped)",
            "",
        ]
    return "\n".join(lines)
