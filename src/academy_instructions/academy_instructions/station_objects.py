"""The objects a trainer can name at a station, from its YAML file (ROS-free)."""

from __future__ import annotations

from pathlib import Path

from academy_instructions.parser import StationObject
from academy_sim.station_config import load_station

#: The default station (the workspace's config/; this module is used from the source tree).
DEFAULT_STATION_FILE = Path(__file__).resolve().parents[3] / "config" / "stations" / "tabletop.yaml"


def load_station_objects(path: Path) -> list[StationObject]:
    """The props and fixtures of the station file ``path``, as the parser knows them.

    Raises:
        academy_sim.errors.InvalidStationError: the file is missing or invalid (every problem
            listed).
    """
    station = load_station(path)
    return [StationObject(o.name, o.color, o.kind) for o in station.objects] + [
        StationObject(f.name, f.color, f.kind, fixture=True) for f in station.fixtures
    ]
