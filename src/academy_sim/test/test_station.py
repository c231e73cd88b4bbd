"""The MuJoCo station: compiled from the URDF, harnessed, 500 Hz, random props, no grasp welds."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import yaml

from academy_common.frames import yaw_from_quaternion
from academy_description.model_registry import load_model
from academy_sim.errors import InvalidPoseError, InvalidStationError, UnknownObjectError
from academy_sim.station import ObjectPose, Station
from academy_sim.station_config import load_station, parse_station

STATION_FILE = Path(__file__).resolve().parents[3] / "config" / "stations" / "tabletop.yaml"


@pytest.fixture(scope="module")
def station() -> Station:
    return Station(load_model("aurora_h1"), load_station(STATION_FILE), seed=7)


def test_station_has_the_robot_and_free_props(station: Station) -> None:
    model = station.model
    assert len(station.joint_names) == 33
    assert model.nu == 33  # one position servo per actuated joint
    assert model.nq == 33 + 7 * len(station.object_names)  # props are free bodies
    assert model.opt.timestep <= 0.002  # >= 500 Hz physics
    assert model.neq == 0  # no equality constraint anywhere: grasps hold by friction only


def test_the_harness_holds_the_pelvis(station: Station) -> None:
    pelvis = station.model.body("pelvis").id
    before = np.array(station.data.xpos[pelvis])
    station.step(500)  # 1 s
    assert np.allclose(station.data.xpos[pelvis], before)
    assert before[2] == pytest.approx(station.config.pelvis_height)


def test_props_start_at_random_poses_within_their_range(station: Station) -> None:
    seen = set()
    for _ in range(5):
        station.reset_objects()
        pose = station.object_pose("red_cube")
        spec = station.object_spec("red_cube")
        assert spec.spawn_x[0] <= pose.position[0] <= spec.spawn_x[1]
        assert spec.spawn_y[0] <= pose.position[1] <= spec.spawn_y[1]
        seen.add(round(pose.position[0], 6))
    assert len(seen) == 5


def test_a_seed_makes_the_start_poses_repeatable(station: Station) -> None:
    station.reset_objects(seed=42)
    first = station.object_pose("blue_cup").position
    station.reset_objects(seed=42)
    assert station.object_pose("blue_cup").position == first


def test_props_rest_on_the_table(station: Station) -> None:
    station.reset_objects(seed=1)
    station.step(250)
    cube = station.object_pose("red_cube")
    assert cube.position[2] == pytest.approx(station.table_height + 0.025, abs=0.002)


def test_unknown_object_is_named(station: Station) -> None:
    with pytest.raises(UnknownObjectError, match=r"green_ball.*known: red_cube, blue_cup"):
        station.object_pose("green_ball")


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"timestep": 0.01}, "timestep"),
        ({"objects": []}, "objects"),
        ({"colour": "red"}, "colour"),
        ({"contact": {"friction": [1, 0, 0], "condim": 5, "impratio": 1, "noslip_iterations": 0,
                      "cone": "elliptic"}}, "contact.condim"),
    ],
)  # fmt: skip
def test_bad_station_files_name_the_field(change: dict, expected: str) -> None:
    data = yaml.safe_load(STATION_FILE.read_text())
    data.update(change)
    with pytest.raises(InvalidStationError) as error:
        parse_station(data, "bad.yaml")
    assert expected in str(error.value)


def test_reversed_spawn_range_is_refused() -> None:
    data = yaml.safe_load(STATION_FILE.read_text())
    data["objects"][0]["spawn_x"] = [0.4, 0.3]
    with pytest.raises(InvalidStationError, match="spawn_x"):
        parse_station(data)


# -- explicit reset poses (station/reset with object_names/poses) -----------------------------
def snapshot(station: Station) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict]:
    data = station.data
    return (
        np.array(data.qpos),
        np.array(data.qvel),
        np.array(data.ctrl),
        station._rng.bit_generator.state,
    )


def cube_pose(
    position: tuple[float, float, float] = (0.35, -0.17, 0.0),
    quaternion: tuple[float, float, float, float] = (1.0, 0.0, 0.0, 0.0),
    name: str = "red_cube",
) -> ObjectPose:
    return ObjectPose(name, position, quaternion)


NAN, INF = float("nan"), float("inf")


@pytest.mark.parametrize(
    ("pose", "expected"),
    [
        (cube_pose((NAN, -0.17, 0.0)), r"red_cube: position \[nan.*finite"),
        (cube_pose((0.35, INF, 0.0)), r"red_cube: position .*inf.*finite"),
        (cube_pose(quaternion=(NAN, 0, 0, 0)), r"red_cube: .*quaternion .*nan.*finite"),
        (cube_pose((0.20, -0.17, 0.0)), r"red_cube: position x 0.2000 m: off the table top; "
                                        r"valid 0.2750 .. 0.7250 m"),
        (cube_pose((0.80, -0.17, 0.0)), r"red_cube: position x 0.8000 m: off the table top"),
        (cube_pose((0.35, -0.44, 0.0)), r"red_cube: position y -0.4400 m: off the table top; "
                                        r"valid -0.4250 .. 0.4250 m"),
        # Turned 45 degrees the cube's corners reach further: 0.28 m is off the table then.
        (cube_pose((0.28, -0.17, 0.0), (math.cos(math.pi / 8), 0, 0, math.sin(math.pi / 8))),
         r"position x 0.2800 m: off the table top; valid 0.2854"),
        (cube_pose((0.35, -0.17, 0.5)), r"red_cube: position z 0.5000 m: below the table top or "
                                        r"inside the table; valid 0 .* or 0.8750 .. 1.1750 m"),
        (cube_pose((0.35, -0.17, 0.86)), r"position z 0.8600 m: below the table top or inside"),
        (cube_pose((0.35, -0.17, -0.1)), r"position z -0.1000 m"),
        (cube_pose((0.35, -0.17, 1.5)), r"position z 1.5000 m"),
        (cube_pose(quaternion=(0.0, 0.0, 0.0, 0.0)), r"quaternion .* norm 0.0000; must be a unit"),
        (cube_pose(quaternion=(2.0, 0.0, 0.0, 0.0)), r"quaternion .* norm 2.0000; must be a unit"),
        (cube_pose(quaternion=(math.cos(0.2), math.sin(0.2), 0.0, 0.0)),
         r"tilted 0.400 rad from upright"),
        (cube_pose(name="green_ball"), r"green_ball: unknown object; known: red_cube, blue_cup"),
    ],
)  # fmt: skip
def test_a_refused_reset_pose_names_the_problem_and_changes_nothing(
    station: Station, pose: ObjectPose, expected: str
) -> None:
    station.reset_objects(seed=3)
    station.step(5)
    before = snapshot(station)
    with pytest.raises(InvalidPoseError, match=expected):
        station.reset_objects(None, [cube_pose((0.33, -0.2, 0.0)), pose])
    after = snapshot(station)
    for was, now in zip(before[:3], after[:3], strict=True):
        assert np.array_equal(was, now)  # no prop moved, nothing else either
    assert after[3] == before[3]  # the random generator did not advance


def test_every_problem_of_a_reset_is_listed(station: Station) -> None:
    bad = [cube_pose((0.9, 0.0, 0.0)), ObjectPose("blue_cup", (0.35, 0.2, NAN), (1, 0, 0, 0))]
    with pytest.raises(InvalidPoseError) as error:
        station.reset_objects(None, bad)
    assert [p.split(":")[0] for p in error.value.problems] == ["red_cube", "blue_cup"]


def test_an_object_placed_twice_in_one_reset_is_refused(station: Station) -> None:
    with pytest.raises(InvalidPoseError, match="red_cube: placed 2 times"):
        station.reset_objects(None, [cube_pose(), cube_pose((0.4, -0.2, 0.0))])


def test_valid_reset_poses_are_honoured(station: Station) -> None:
    yaw = 0.5
    turned = (math.cos(yaw / 2), 0.0, 0.0, math.sin(yaw / 2))
    dropped = ObjectPose("blue_cup", (0.40, 0.20, 0.95), (1.0, 0.0, 0.0, 0.0))
    station.reset_objects(None, [cube_pose((0.70, -0.20, 0.0), turned), dropped])
    cube = station.object_pose("red_cube")
    assert cube.position[:2] == pytest.approx((0.70, -0.20))  # z 0: at rest on the table
    assert cube.position[2] == pytest.approx(station.table_height + 0.025, abs=0.002)
    assert yaw_from_quaternion(*cube.quaternion) == pytest.approx(yaw)
    assert station.object_pose("blue_cup").position[2] == pytest.approx(0.95)  # then it falls
    station.step(250)
    assert station.object_pose("blue_cup").position[2] == pytest.approx(
        station.table_height + 0.045, abs=0.003
    )


def test_reset_request_names_and_poses_must_pair_up() -> None:
    from geometry_msgs.msg import Pose

    from academy_interfaces.srv import ResetStation
    from academy_sim.station_io import requested_poses

    pose = Pose()
    pose.position.x, pose.position.y = 0.35, -0.2
    request = ResetStation.Request(seed=-1, object_names=["red_cube", "blue_cup"], poses=[pose])
    with pytest.raises(InvalidPoseError, match="object_names has 2 entries but poses has 1"):
        requested_poses(request)
    request.object_names = ["red_cube"]
    (placed,) = requested_poses(request)
    assert placed == ObjectPose("red_cube", (0.35, -0.2, 0.0), (1.0, 0.0, 0.0, 0.0))


# -- spawn ranges and props on load -----------------------------------------------------------
def with_object_change(**change: object) -> dict:
    data = yaml.safe_load(STATION_FILE.read_text())
    data["objects"][0].update(change)
    return data


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"spawn_x": [0.20, 0.40]}, r"objects\[0\] \(red_cube\).spawn_x: \[0.2, 0.4\]: off the "
                                    r"table top; valid within \[0.2854, 0.7146\] m"),
        ({"spawn_x": [0.30, 0.74]}, r"red_cube\).spawn_x: \[0.3, 0.74\]: off the table top"),
        ({"spawn_y": [-0.45, -0.12]}, r"red_cube\).spawn_y: \[-0.45, -0.12\]: off the table top; "
                                      r"valid within \[-0.4146, 0.4146\]"),
        ({"spawn_x": [".nan", 0.4]}, r"objects.0.spawn_x.0: nan: .*finite"),
        ({"spawn_x": [0.3, ".inf"]}, r"objects.0.spawn_x.1: inf: .*finite"),
        ({"spawn_yaw": [-4.0, 0.0]}, r"spawn_yaw: \[-4.0, 0.0\]: must lie within \[-pi, pi\]"),
        ({"spawn_y": [0.10, 0.20]}, r"objects\[1\] \(blue_cup\): spawn area .* overlaps red_cube"),
        ({"friction": [0.0, 0.02, 0.001]}, r"friction: \[0.0, 0.02, 0.001\]: sliding must be > 0"),
        ({"friction": None}, r"objects.0.friction"),
        ({"mass": 0}, r"objects.0.mass"),
    ],
)  # fmt: skip
def test_bad_props_are_refused_on_load(change: dict, expected: str) -> None:
    data = with_object_change(**change)
    for key, value in change.items():  # YAML spells NaN and infinity .nan and .inf
        if isinstance(value, list):
            data["objects"][0][key] = [
                yaml.safe_load(v) if isinstance(v, str) else v for v in value
            ]
    with pytest.raises(InvalidStationError, match=expected):
        parse_station(data, "bad.yaml")


def test_every_station_file_loads() -> None:
    for path in sorted(STATION_FILE.parent.glob("*.yaml")):
        assert load_station(path).objects, path


def test_a_props_own_friction_governs_its_contacts(station: Station) -> None:
    model = station.model
    for name in station.object_names:
        geom = model.geom(name)
        assert geom.priority[0] > model.geom("table_top").priority[0]
        assert tuple(geom.friction) == pytest.approx(station.object_spec(name).friction)


STATION_FILES = sorted((Path(__file__).resolve().parents[3] / "config" / "stations").glob("*.yaml"))


@pytest.mark.parametrize("station_file", STATION_FILES, ids=lambda p: p.stem)
def test_every_station_fits_every_model_with_hands(station_file: Path) -> None:
    """Scaled down for a short arm, props and fixtures move apart sideways instead of
    overlapping (they keep their size); iCub, with no hands, practises no station skill."""
    from academy_description.model_registry import available_models, load_model
    from academy_sim.station import fit_station
    from academy_sim.station_config import load_station

    config = load_station(station_file)
    for name in available_models():
        model = load_model(name)
        if model.grippers:
            fit_station(config, model)  # raises InvalidStationError naming every overlap


def test_twin_a_fixture_on_a_props_spawn_area_is_refused() -> None:
    """What the fit clears is checked: a pad drawn onto the cube's spawn area is an error."""
    data = yaml.safe_load((STATION_FILES[0].parent / "targets.yaml").read_text())
    data["fixtures"][0]["y"] = -0.17  # on the red cube's range
    with pytest.raises(InvalidStationError, match="overlaps red_cube's spawn area"):
        parse_station(data)


CRUMBS_FILE = STATION_FILE.parent / "crumbs.yaml"


def test_crumbs_are_free_bodies_scattered_flat_over_their_patch() -> None:
    crumbs = Station(load_model("aurora_h1"), load_station(CRUMBS_FILE), seed=3)
    bits = crumbs.particles[0]
    first = crumbs.particle_positions(bits.name)
    assert first.shape == (bits.count, 3)
    assert np.all(first[:, 0] >= bits.spawn_x[0] - 1e-9) and np.all(first[:, 0] <= bits.spawn_x[1])
    assert np.all(first[:, 1] >= bits.spawn_y[0] - 1e-9) and np.all(first[:, 1] <= bits.spawn_y[1])
    gaps = [np.linalg.norm(a[:2] - b[:2]) for i, a in enumerate(first) for b in first[i + 1 :]]
    assert min(gaps) >= max(bits.size[:2])  # no two start inside each other
    crumbs.step(500)  # a second: they rest on the table, where physics put them
    rested = crumbs.particle_positions(bits.name)
    assert np.allclose(rested[:, 2], crumbs.table_height + bits.size[2] / 2, atol=0.002)
    crumbs.reset_objects()
    assert not np.allclose(crumbs.particle_positions(bits.name)[:, :2], rested[:, :2])


def test_twin_more_crumbs_than_their_patch_holds_are_refused() -> None:
    data = yaml.safe_load(CRUMBS_FILE.read_text())
    data["particles"][0]["count"] = 60
    with pytest.raises(InvalidStationError, match=r"count: 60: the patch holds at most 25"):
        parse_station(data, "crumbs")
    with pytest.raises(UnknownObjectError, match="known: crumbs"):
        Station(load_model("aurora_h1"), load_station(CRUMBS_FILE)).particle_positions("dust")


def test_beads_start_heaped_inside_their_tub_and_follow_it() -> None:
    pouring = Station(load_model("aurora_h1"), load_station(CRUMBS_FILE.parent / "pouring.yaml"))
    beads, tub = pouring.particles[0], pouring.object_spec("blue_tub")
    for _ in range(2):
        pouring.reset_objects()
        centre = np.array(pouring.object_pose(tub.name).position)
        inner = np.array(tub.size[:2]) / 2 - (tub.wall or 0.0)
        where = pouring.particle_positions(beads.name)
        assert np.all(np.abs(where[:, :2] - centre[:2]) <= inner)
        floor = centre[2] - tub.size[2] / 2 + (tub.wall or 0.0)
        assert np.all(where[:, 2] > floor) and np.all(where[:, 2] < centre[2] + tub.size[2] / 2)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"inside": "grey_bin"}, "not an open_box prop here"),
        ({"count": 40, "size": [0.02, 0.02, 0.02]}, "they would rise over its rim"),
        ({"spawn_x": [0.3, 0.4], "spawn_y": [0.0, 0.1]}, "give either a patch on the table"),
    ],
)
def test_twin_beads_that_cannot_start_in_their_tub_are_refused(change: dict, expected: str) -> None:
    data = yaml.safe_load((CRUMBS_FILE.parent / "pouring.yaml").read_text())
    data["particles"][0].update(change)
    with pytest.raises(InvalidStationError, match=expected):
        parse_station(data, "pouring")
