"""The fleet file: the hall's robots validated against the model registry."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from academy_description.fleet import InvalidFleetError, load_fleet, parse_fleet

REPO = Path(__file__).resolve().parents[3]
FLEET = REPO / "config" / "fleet.yaml"


def test_the_demo_fleet_has_three_makers() -> None:
    fleet = load_fleet(FLEET)
    assert [r.id for r in fleet.robots] == ["robot_1", "robot_2", "robot_3"]
    assert len({r.maker for r in fleet.robots}) == 3


def test_twin_every_problem_of_a_bad_fleet_is_named() -> None:
    data = yaml.safe_load(FLEET.read_text())
    data["robots"][1]["maker"] = "Aurora Robotics"  # a Baxter labelled with another maker
    data["robots"][2]["id"] = "robot_1"  # two robots with one id
    data["robots"][2]["spoken_name"] = "robot"  # a word that already means something
    stranger = {"id": "robot_4", "model": "hal_9000", "serial": "X-1", "station": "station_4"}
    data["robots"].append({**data["robots"][0], **stranger, "spoken_name": "hal"})
    with pytest.raises(InvalidFleetError) as raised:
        parse_fleet(data, "fleet.yaml")
    text = str(raised.value)
    assert "robots[1].maker: 'Aurora Robotics': model rethink_baxter is made by 'Rethink" in text
    assert "robots[2].id: 'robot_1': already robots[0]'s" in text
    assert "robots[2].spoken_name: 'robot': robot already mean(s) something" in text
    assert "robots[3].model: 'hal_9000': not a registered model; known: aldebaran_romeo" in text


def test_twin_a_fleet_with_a_malformed_field_says_which() -> None:
    data = yaml.safe_load(FLEET.read_text())
    data["robots"][0]["id"] = "Robot-1"
    with pytest.raises(InvalidFleetError, match=r"robots\[0\]\.id: 'Robot-1'"):
        parse_fleet(data, "fleet.yaml")
