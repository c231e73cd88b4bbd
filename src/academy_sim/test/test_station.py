"""The MuJoCo station: compiled from the URDF, harnessed, 500 Hz, random props, no grasp welds."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml

from academy_description.model_registry import load_model
from academy_sim.errors import InvalidStationError, UnknownObjectError
from academy_sim.station import Station
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
