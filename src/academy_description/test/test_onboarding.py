"""``academy model add`` on real makers' URDFs: what it detects, repairs and writes."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from academy_description.canonical import canonical_mapping
from academy_description.errors import DescriptionError, InvalidDescriptionError
from academy_description.model_registry import load_model
from academy_description.model_schema import ForwardAxis, GraspFrame, HandKind, Workspace
from academy_description.onboarding import WorkspaceFit, onboard

G1 = "package://example-robot-data/robots/g1_description/urdf/g1_29dof_with_hand_rev_1_0.urdf"
ICUB = "package://iCub/robots/iCubGazeboV2_7/model.urdf"
BAXTER = "package://example-robot-data/robots/baxter_description/urdf/baxter.urdf"


def test_g1_is_detected_written_and_loads(tmp_path: Path) -> None:
    report = onboard("g1", G1, "Unitree Robotics", "BSD-3-Clause", tmp_path)
    assert report.ok, report.problems
    assert {p.name for p in report.written} == {"model.yaml", "g1.urdf.xacro", "controllers.yaml"}
    model = load_model("g1", tmp_path)
    assert model.mount.forward_axis is ForwardAxis.PLUS_X
    assert model.mount.height == pytest.approx(0.79, abs=0.02)  # G1's pelvis height standing
    assert model.arms["left"].joints[0] == "left_shoulder_pitch_joint"
    assert model.arms["left"].elbow == "left_elbow_joint"
    assert model.torso == ("waist_yaw_joint", "waist_roll_joint", "waist_pitch_joint")
    assert model.hands["left_hand"].kind is HandKind.MULTI_FINGER
    assert len(model.hands["left_hand"].joints) == 7  # Dex3: thumb 3, index 2, middle 2
    # the wrapper includes the maker's file; our directory holds no copy of it or its meshes
    wrapper = (tmp_path / "g1" / "g1.urdf.xacro").read_text()
    assert '<xacro:include filename="$(arg maker_urdf)"/>' in wrapper
    assert sorted(p.suffix for p in (tmp_path / "g1").iterdir()) == [".xacro", ".yaml", ".yaml"]


def test_icub_faces_minus_x_has_no_fingers_and_its_placeholder_efforts_are_replaced(
    tmp_path: Path,
) -> None:
    report = onboard("icub", ICUB, "IIT", "CC-BY-SA-4.0", tmp_path)
    model = load_model("icub", tmp_path)
    assert model.mount.forward_axis is ForwardAxis.MINUS_X
    assert {h.kind for h in model.hands.values()} == {HandKind.NONE}
    assert all(limit.effort < 1000 for limit in model.urdf.limits.values())
    assert any("effort 50000 is a placeholder" in line for line in report.repairs)
    entry = yaml.safe_load((tmp_path / "icub" / "model.yaml").read_text())
    assert entry["limit_overrides"]["l_elbow"]["effort"] < 50


def test_baxter_jaws_open_wider_than_they_close(tmp_path: Path) -> None:
    onboard("baxter", BAXTER, "Rethink Robotics", "BSD-3-Clause", tmp_path)
    model = load_model("baxter", tmp_path)
    hand = model.hands["left_hand"]
    assert hand.kind is HandKind.PARALLEL_JAW
    (joint,) = hand.joints
    assert hand.open[joint] != hand.closed[joint]
    assert hand.max_opening > 0.02
    assert model.urdf.followers  # the right finger follows the left through <mimic>
    assert hand.closure(hand.open) == 0.0
    assert hand.closure(hand.closed) == 1.0


def test_a_fit_that_probed_grasp_frames_writes_them_and_reports_how(tmp_path: Path) -> None:
    probed = GraspFrame(xyz=(0.01, 0.02, 0.03), rpy=(0.0, 1.5708, 0.0))
    seen: list[tuple[float, float, float]] = []

    def fit(model):  # type: ignore[no-untyped-def]
        seen.append(model.arms["right"].grasp_xyz)
        return WorkspaceFit(
            Workspace(forward=0.5, below=0.4),
            ready={},
            summary="workspace: fitted",
            grasp_frames={"right": probed},
            notes=("right arm: grasp frame from the grasp probe",),
        )

    report = onboard("baxter", BAXTER, "Rethink Robotics", "BSD-3-Clause", tmp_path, fit=fit)
    model = load_model("baxter", tmp_path)
    assert (model.arms["right"].grasp_xyz, model.arms["right"].grasp_rpy) == (
        probed.xyz,
        probed.rpy,
    )
    assert model.mount.workspace == Workspace(forward=0.5, below=0.4)
    assert "right arm: grasp frame from the grasp probe" in report.detected
    # The twin: a fit that probed nothing leaves the detected frame.
    onboard(
        "plain",
        BAXTER,
        "Rethink Robotics",
        "BSD-3-Clause",
        tmp_path,
        fit=lambda m: WorkspaceFit(Workspace(forward=0.5, below=0.4), ready={}, summary="s"),
    )
    plain = load_model("plain", tmp_path)
    assert plain.arms["right"].grasp_xyz == seen[0] != probed.xyz
    assert model.arms["left"].grasp_xyz == plain.arms["left"].grasp_xyz  # not probed: kept


def test_an_existing_model_is_not_overwritten_by_accident(tmp_path: Path) -> None:
    onboard("baxter", BAXTER, "Rethink Robotics", "BSD-3-Clause", tmp_path)
    with pytest.raises(DescriptionError, match=r"already exists .* pass --overwrite"):
        onboard("baxter", BAXTER, "Rethink Robotics", "BSD-3-Clause", tmp_path)


def test_overwriting_keeps_and_applies_the_entrys_non_contact_links(tmp_path: Path) -> None:
    onboard("baxter", BAXTER, "Rethink Robotics", "BSD-3-Clause", tmp_path)
    entry_file = tmp_path / "baxter" / "model.yaml"
    entry = yaml.safe_load(entry_file.read_text())
    assert "non_contact_links" not in entry  # not guessed (an empty field is not written)
    entry["non_contact_links"] = {"left_upper_elbow_visual": "a collision-only planning volume"}
    entry_file.write_text(yaml.safe_dump(entry))
    report = onboard("baxter", BAXTER, "Rethink Robotics", "BSD-3-Clause", tmp_path, overwrite=True)
    kept = yaml.safe_load(entry_file.read_text())["non_contact_links"]
    assert kept == {"left_upper_elbow_visual": "a collision-only planning volume"}
    removed = "'left_upper_elbow_visual': 1 collision element(s) removed"
    assert any(removed in line for line in report.repairs)


def test_twin_a_description_without_hands_is_refused_with_the_reason(tmp_path: Path) -> None:
    urdf = tmp_path / "stick.urdf"
    urdf.write_text(
        '<robot name="stick"><link name="base"><inertial><mass value="1"/>'
        '<inertia ixx="0.1" iyy="0.1" izz="0.1" ixy="0" ixz="0" iyz="0"/></inertial></link>'
        "</robot>"
    )
    with pytest.raises(InvalidDescriptionError, match="no hand or gripper link found"):
        onboard("stick", str(urdf), "Nobody", "MIT", tmp_path / "models")


def test_canonical_mapping_puts_every_driven_joint_in_one_part() -> None:
    for name in ("unitree_g1", "pal_tiago_dual", "iit_icub", "aurora_h1"):
        model = load_model(name)
        mapping = canonical_mapping(model)
        listed = [j for joints in mapping.parts.values() for j in joints]
        assert sorted(listed) == sorted(model.urdf.actuated_joints), name
        assert set(mapping.arm_slots) == {"left", "right"}


def test_canonical_end_effector_poses_put_the_left_hand_on_the_left_facing_plus_x() -> None:
    """iCub faces -x in its own frame; in the canonical base frame its left hand is at +y."""
    from academy_description.canonical import CanonicalKinematics

    model = load_model("iit_icub")
    poses = CanonicalKinematics(model).end_effectors(model.urdf.initial_positions)
    assert poses["left"][0][1] > 0.05 > -0.05 > poses["right"][0][1]
