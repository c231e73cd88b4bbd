"""Mesh preparation and URDF repairs for MuJoCo: every conversion and repair is reported."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
import trimesh

from academy_description.errors import InvalidDescriptionError, PackageNotFoundError
from academy_description.mesh_cache import is_binary_stl, prepare_mesh
from academy_description.mujoco_model import MASS_FLOOR, prepare_urdf
from academy_description.package_paths import package_share, resolve_uri

#: A box 0.1 long in x, 0.2 in y, 0.4 in z: its extents show any rotation.
EXTENTS = (0.1, 0.2, 0.4)


def _collada(path: Path, up_axis: str) -> Path:
    trimesh.creation.box(extents=EXTENTS).export(str(path))
    text = path.read_text()
    if "<up_axis>" in text:
        text = text.replace("<up_axis>Z_UP</up_axis>", f"<up_axis>{up_axis}</up_axis>")
        text = text.replace("<up_axis>Y_UP</up_axis>", f"<up_axis>{up_axis}</up_axis>")
    else:
        text = text.replace("<asset>", f"<asset><up_axis>{up_axis}</up_axis>", 1)
    path.write_text(text)
    return path


def _extents(path: Path) -> np.ndarray:
    return np.asarray(trimesh.load(str(path), force="mesh").extents)


def test_a_y_up_collada_mesh_is_turned_to_z_up(tmp_path: Path) -> None:
    prepared = prepare_mesh(_collada(tmp_path / "part.dae", "Y_UP"), tmp_path / "cache")
    assert "Y_UP turned to Z_UP" in prepared.conversion
    assert is_binary_stl(prepared.path)
    # y up -> z up: the file's y extent (0.2) is now the height, its z extent (0.4) the depth
    np.testing.assert_allclose(_extents(prepared.path), (0.1, 0.4, 0.2), atol=1e-6)


def test_twin_a_z_up_collada_mesh_keeps_its_orientation(tmp_path: Path) -> None:
    prepared = prepare_mesh(_collada(tmp_path / "part.dae", "Z_UP"), tmp_path / "cache")
    assert prepared.conversion == "COLLADA -> binary STL"
    np.testing.assert_allclose(_extents(prepared.path), EXTENTS, atol=1e-6)


def test_ascii_stl_is_converted_once_and_binary_stl_used_in_place(tmp_path: Path) -> None:
    ascii_path = tmp_path / "ascii.stl"
    ascii_path.write_text(trimesh.creation.box(extents=EXTENTS).export(file_type="stl_ascii"))
    assert not is_binary_stl(ascii_path)
    first = prepare_mesh(ascii_path, tmp_path / "cache")
    assert first.conversion == "ASCII STL -> binary STL" and is_binary_stl(first.path)
    stamp = first.path.stat().st_mtime_ns
    again = prepare_mesh(ascii_path, tmp_path / "cache")
    assert again.path == first.path and again.path.stat().st_mtime_ns == stamp  # cached
    binary = prepare_mesh(first.path, tmp_path / "other")
    assert binary.path == first.path and binary.conversion == ""


def test_package_uris_resolve_to_installed_packages_also_the_malformed_triple_slash() -> None:
    share = package_share("example-robot-data")
    good = resolve_uri("package://example-robot-data/robots/talos_data/srdf/talos.srdf")
    malformed = resolve_uri("package:///example-robot-data/robots/talos_data/srdf/talos.srdf")
    assert good == malformed == share / "robots/talos_data/srdf/talos.srdf"
    assert good.is_file()


def test_an_uninstalled_package_is_named_with_the_prefixes_searched() -> None:
    with pytest.raises(PackageNotFoundError, match=r"'no_such_pkg' is not installed \(searched"):
        resolve_uri("package://no_such_pkg/meshes/a.stl")


ROBOT = """<robot name="r">
  <link name="base"><inertial><mass value="2"/>
    <inertia ixx="0.02" iyy="0.02" izz="0.02" ixy="0" ixz="0" iyz="0"/></inertial></link>
  <link name="frame"><inertial><mass value="0"/>
    <inertia ixx="0" iyy="0" izz="0" ixy="0" ixz="0" iyz="0"/></inertial></link>
  <link name="bent"><inertial><mass value="1"/>
    <inertia ixx="0.01" iyy="0.01" izz="0.05" ixy="0" ixz="0" iyz="0"/></inertial></link>
  <joint name="a" type="fixed"><parent link="base"/><child link="frame"/></joint>
  <joint name="b" type="revolute"><parent link="base"/><child link="bent"/>
    <limit lower="-1" upper="1" velocity="1" effort="5"/></joint>
</robot>"""


def test_massless_and_non_physical_inertias_are_repaired_and_reported() -> None:
    prepared = prepare_urdf(ROBOT, "r.urdf")
    root = ET.fromstring(prepared.xml)
    frame = root.find("link[@name='frame']/inertial/mass")
    assert frame is not None and float(frame.get("value", "0")) == MASS_FLOOR
    bent = root.find("link[@name='bent']/inertial/inertia")
    assert bent is not None
    ixx, izz = float(bent.get("ixx", "0")), float(bent.get("izz", "0"))
    assert 2 * ixx >= izz  # triangle inequality holds now
    text = "\n".join(prepared.repairs)
    assert "link 'frame': mass 0 kg -> 0.001 kg (floor)" in text
    assert "link 'bent': principal inertia (0.01, 0.01, 0.05)" in text
    # twin: the physical link is left alone and not reported
    assert "'base'" not in text
    base = root.find("link[@name='base']/inertial/inertia")
    assert base is not None and float(base.get("ixx", "0")) == 0.02


def test_a_coupling_on_a_missing_joint_is_an_error_naming_it() -> None:
    from academy_description.model_schema import Coupling

    with pytest.raises(InvalidDescriptionError, match="joint 'ghost' is not a joint"):
        prepare_urdf(ROBOT, "r.urdf", couplings=[Coupling(joint="ghost", leader="b")])


def test_a_non_contact_link_loses_its_collision_and_the_repair_is_reported() -> None:
    robot = ROBOT.replace(
        '<link name="frame">',
        '<link name="frame"><collision><geometry><box size="1 1 1"/></geometry></collision>',
    )
    prepared = prepare_urdf(robot, "r.urdf", non_contact_links={"frame": "a planning volume"})
    assert ET.fromstring(prepared.xml).find("link[@name='frame']/collision") is None
    assert "link 'frame': 1 collision element(s) removed (a planning volume)" in prepared.repairs
    # twin: a link that is not in the URDF is an error naming it, not silently ignored
    with pytest.raises(InvalidDescriptionError, match="non_contact_links: 'ghost' is not a link"):
        prepare_urdf(ROBOT, "r.urdf", non_contact_links={"ghost": "a planning volume"})
    # a link without collision geometry is an error too, and the message names the valid ones
    with pytest.raises(InvalidDescriptionError, match=r"'bent' has no <collision>.*\(frame\)"):
        prepare_urdf(robot, "r.urdf", non_contact_links={"bent": "a planning volume"})
