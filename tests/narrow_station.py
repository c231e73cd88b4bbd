"""Test stations whose start poses are narrowed to where both arms of aurora_h1 reach.

Tests that check a mechanism (a fault a test injects, the pipeline, the e-stop) must not fail
from an unlucky start pose; ``bench/skill_success.py`` measures success over the full ranges.
On ``pythonpath`` (pyproject.toml), so unit and integration tests share it.
"""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
CONTROLLERS = ROOT / "urdf" / "aurora_h1" / "controllers.yaml"
TABLETOP = ROOT / "config" / "stations" / "tabletop.yaml"


def narrow_station(directory: Path, station: Path = TABLETOP) -> Path:
    """``station`` with every prop's spawn range narrowed; written into ``directory``."""
    data = yaml.safe_load(station.read_text())
    for obj in data["objects"]:
        obj["spawn_x"], obj["spawn_yaw"] = [0.31, 0.36], [0.0, 0.2]
        side = 1 if obj["spawn_y"][0] > 0 else -1
        obj["spawn_y"] = sorted([side * 0.18, side * 0.22])
    path = directory / f"narrow_{station.name}"
    path.write_text(yaml.safe_dump(data))
    return path
