"""Load robot descriptions (xacro or URDF) and check them before anything simulates or drives them.

:func:`validate_urdf` checks what a ROS 2 driver relies on: the XML parses, every link's inertia
is physical, every actuated joint has position/velocity/effort limits, and the ``<ros2_control>``
block declares exactly the actuated joints, each with a position command interface and
position/velocity state interfaces.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from academy_description.errors import InvalidDescriptionError

ACTUATED_TYPES = ("revolute", "prismatic", "continuous")


@dataclass(frozen=True)
class JointLimits:
    """Limits of one actuated joint (rad or m; rad/s or m/s; N.m or N)."""

    lower: float
    upper: float
    velocity: float
    effort: float


@dataclass(frozen=True)
class UrdfModel:
    """What the rest of the workspace needs from a validated URDF."""

    name: str
    xml: str
    links: tuple[str, ...]
    joint_types: dict[str, str]  # every joint, by name
    limits: dict[str, JointLimits]  # actuated joints only
    parents: dict[str, str]  # child link -> parent link
    ros2_control_joints: tuple[str, ...]
    hardware_plugin: str
    initial_positions: dict[str, float]  # from <state_interface name="position"> initial_value
    followers: dict[str, str]  # joint -> the joint its <mimic> follows (not driven itself)

    @property
    def actuated_joints(self) -> list[str]:
        """Driven joint names in file order: movable joints that follow no other (<mimic>)."""
        return [
            name
            for name, kind in self.joint_types.items()
            if kind in ACTUATED_TYPES and name not in self.followers
        ]


def process_xacro(path: Path, mappings: dict[str, str] | None = None) -> str:
    """Expand a ``.xacro`` file (or read a plain ``.urdf``) into URDF XML text."""
    if path.suffix != ".xacro":
        return path.read_text(encoding="utf-8")
    import xacro  # imported lazily: only xacro files need it

    document = xacro.process_file(str(path), mappings=mappings or {})
    return str(document.toprettyxml(indent="  "))


def _float(element: ET.Element, attribute: str) -> float | None:
    raw = element.get(attribute)
    try:
        return float(raw) if raw is not None else None
    except ValueError:
        return None


def validate_urdf(xml: str, source: str = "<urdf>") -> UrdfModel:
    """Parse and check a URDF; return its :class:`UrdfModel`.

    Raises:
        InvalidDescriptionError: listing every problem (joint/link name, value, what is valid).
    """
    try:
        root = ET.fromstring(xml)
    except ET.ParseError as error:
        raise InvalidDescriptionError(source, [f"not well-formed XML: {error}"]) from None
    problems: list[str] = []
    if root.tag != "robot" or not root.get("name"):
        problems.append("root element must be <robot name='...'>")
    links = [link.get("name", "") for link in root.findall("link")]
    for link in root.findall("link"):
        name = link.get("name", "?")
        inertial = link.find("inertial")
        if inertial is None:
            continue  # massless links are legal in URDF (fixed frames)
        mass_el = inertial.find("mass")
        mass = _float(mass_el, "value") if mass_el is not None else None
        if mass is None or not mass > 0 or not math.isfinite(mass):
            problems.append(f"link '{name}': mass {mass!r} must be a positive number (kg)")
        inertia = inertial.find("inertia")
        if inertia is None:
            problems.append(f"link '{name}': <inertial> without <inertia>")
            continue
        diagonal = [_float(inertia, a) for a in ("ixx", "iyy", "izz")]
        shown = ", ".join(str(v) for v in diagonal)
        principal = sorted(v for v in diagonal if v is not None and v > 0)
        if len(principal) < 3:
            problems.append(f"link '{name}': principal inertia ({shown}) must be > 0")
        elif principal[0] + principal[1] < principal[2] * 0.999:  # the other two sums hold
            problems.append(f"link '{name}': inertia ({shown}) violates the triangle inequality")
    joint_types: dict[str, str] = {}
    limits: dict[str, JointLimits] = {}
    parents: dict[str, str] = {}
    followers: dict[str, str] = {}
    for joint in root.findall("joint"):
        name = joint.get("name", "?")
        kind = joint.get("type", "?")
        joint_types[name] = kind
        mimic = joint.find("mimic")
        if mimic is not None and kind in ACTUATED_TYPES:
            followers[name] = mimic.get("joint", "")
        parent = joint.find("parent")
        child = joint.find("child")
        if parent is None or child is None:
            problems.append(f"joint '{name}': needs <parent> and <child>")
        else:
            for role, element in (("parent", parent), ("child", child)):
                if element.get("link") not in links:
                    problems.append(f"joint '{name}': {role} link {element.get('link')!r} unknown")
            parents[child.get("link", "")] = parent.get("link", "")
        if kind not in ACTUATED_TYPES:
            continue
        limit = joint.find("limit")
        if limit is None:
            problems.append(
                f"joint '{name}' ({kind}): missing <limit> (lower, upper, velocity, effort)"
            )
            continue
        values = {a: _float(limit, a) for a in ("lower", "upper", "velocity", "effort")}
        needed = ("velocity", "effort") if kind == "continuous" else tuple(values)
        missing = [a for a in needed if values[a] is None]
        if missing:
            problems.append(f"joint '{name}': <limit> lacks {', '.join(missing)}")
            continue
        lower = values["lower"] if kind != "continuous" else -math.inf
        upper = values["upper"] if kind != "continuous" else math.inf
        assert lower is not None and upper is not None
        if kind != "continuous" and not lower < upper:
            problems.append(f"joint '{name}': lower {lower} must be below upper {upper}")
        for attribute in ("velocity", "effort"):
            value = values[attribute]
            if value is None or not value > 0:
                problems.append(f"joint '{name}': {attribute} limit {value} must be > 0")
        limits[name] = JointLimits(lower, upper, values["velocity"] or 0.0, values["effort"] or 0.0)
    # ros2_control block
    blocks = root.findall("ros2_control")
    declared: list[str] = []
    initial: dict[str, float] = {}
    plugin = ""
    if not blocks:
        problems.append("no <ros2_control> block: the controller manager cannot find the hardware")
    for block in blocks:
        plugin_el = block.find("hardware/plugin")
        if not plugin and plugin_el is not None:
            plugin = (plugin_el.text or "").strip()
        for joint in block.findall("joint"):
            name = joint.get("name", "?")
            declared.append(name)
            commands = {c.get("name") for c in joint.findall("command_interface")}
            states = {s.get("name") for s in joint.findall("state_interface")}
            for state in joint.findall("state_interface[@name='position']/param"):
                if state.get("name") == "initial_value":
                    try:
                        initial[name] = float((state.text or "").strip())
                    except ValueError:
                        problems.append(
                            f"<ros2_control> joint '{name}': initial_value {state.text!r} is not "
                            "a number"
                        )
            if "position" not in commands:
                problems.append(
                    f"<ros2_control> joint '{name}': needs a 'position' command_interface"
                )
            for needed_state in ("position", "velocity"):
                if needed_state not in states:
                    problems.append(
                        f"<ros2_control> joint '{name}': needs a '{needed_state}' state_interface"
                    )
    if blocks and not plugin:
        problems.append("<ros2_control>: <hardware><plugin> is missing")
    for name, leader in followers.items():
        if joint_types.get(leader) not in ACTUATED_TYPES:
            problems.append(f"joint '{name}': <mimic> follows {leader!r}, not a movable joint")
    actuated = [n for n, k in joint_types.items() if k in ACTUATED_TYPES and n not in followers]
    for name in actuated:
        if name not in declared:
            problems.append(f"actuated joint '{name}' is not declared in <ros2_control>")
    for name, value in initial.items():
        bounds = limits.get(name)
        if bounds is not None and not bounds.lower <= value <= bounds.upper:
            problems.append(
                f"<ros2_control> joint '{name}': initial_value {value} is outside its limits "
                f"[{bounds.lower}, {bounds.upper}]"
            )
    for name in declared:
        if name not in actuated:
            valid = "a driven (revolute/prismatic/continuous, no <mimic>) joint of this URDF"
            problems.append(f"<ros2_control> joint '{name}' is not {valid}")
    duplicates = sorted({n for n in declared if declared.count(n) > 1})
    if duplicates:
        problems.append(f"<ros2_control> declares joints twice: {', '.join(duplicates)}")
    if problems:
        raise InvalidDescriptionError(source, problems)
    return UrdfModel(
        name=root.get("name", ""),
        xml=xml,
        links=tuple(links),
        joint_types=joint_types,
        limits=limits,
        parents=parents,
        ros2_control_joints=tuple(declared),
        hardware_plugin=plugin,
        initial_positions=initial,
        followers=followers,
    )
