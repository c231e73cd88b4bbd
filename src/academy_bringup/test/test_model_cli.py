"""``academy model list|show|check`` over the registry, each check with a twin that must fail."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from academy_bringup.cli import main
from academy_description.model_registry import available_models, models_dir

#: The real makers' models the registry must hold (issue 8): >= 6 models from >= 5 makers.
REAL_MODELS = (
    "unitree_g1",
    "pal_talos",
    "pal_tiago_dual",
    "aldebaran_romeo",
    "rethink_baxter",
    "iit_icub",
)


def test_model_list_json_shows_six_real_models_from_five_makers(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["model", "list", "--json"]) == 0
    rows = {row["model"]: row for row in json.loads(capsys.readouterr().out)}
    assert set(REAL_MODELS) | {"aurora_h1"} <= set(rows)
    assert all(rows[name]["valid"] for name in rows)
    makers = {rows[name]["maker"] for name in REAL_MODELS}
    assert len(makers) >= 5
    assert all(rows[name]["source"].startswith("package://") for name in REAL_MODELS)


@pytest.mark.parametrize("name", available_models())
def test_every_registered_model_passes_check(name: str) -> None:
    assert main(["model", "check", name]) == 0


def test_model_show_lists_the_canonical_mapping(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["model", "show", "iit_icub", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["mount"]["forward_axis"] == "-x"
    assert shown["canonical"]["arm_slots"]["left"]["elbow"] == "l_elbow"
    assert shown["canonical"]["parts"]["head"] == ["neck_pitch", "neck_roll", "neck_yaw"]


def test_twin_a_model_with_a_ready_posture_outside_its_limits_fails_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copytree(models_dir() / "rethink_baxter", tmp_path / "rethink_baxter")
    entry = tmp_path / "rethink_baxter" / "model.yaml"
    data = yaml.safe_load(entry.read_text())
    data["arms"]["left"]["ready"]["left_e1"] = 9.0
    entry.write_text(yaml.safe_dump(data))
    monkeypatch.setenv("ACADEMY_MODELS_PATH", str(tmp_path))
    assert main(["model", "check", "rethink_baxter"]) == 1
    assert "arms.left.ready.left_e1: 9.0: outside its limits" in capsys.readouterr().out


def test_twin_icub_with_its_urdf_placeholder_efforts_fails_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without model.yaml's overrides iCub's 50000 N.m placeholders make 2e6 N.m/rad servos:
    the simulation diverges, and check says so."""
    shutil.copytree(models_dir() / "iit_icub", tmp_path / "iit_icub")
    entry = tmp_path / "iit_icub" / "model.yaml"
    text = entry.read_text()
    entry.write_text(text[: text.index("limit_overrides:")] + "limit_overrides: {}\n")
    monkeypatch.setenv("ACADEMY_MODELS_PATH", str(tmp_path))
    monkeypatch.chdir(tmp_path)  # MuJoCo logs the divergence to ./MUJOCO_LOG.TXT
    assert main(["model", "check", "iit_icub"]) == 1
    out = capsys.readouterr().out
    assert "simulation: joint" in out and ("non-finite" in out or "drifted" in out)


def test_an_unknown_model_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["model", "check", "no_such_bot"]) == 2
    assert "known:" in capsys.readouterr().err
