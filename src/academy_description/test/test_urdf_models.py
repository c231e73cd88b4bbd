"""Static checks of every registered robot description (the ros2_control_demos habit)."""

from __future__ import annotations

import re

import pytest

from academy_description.errors import InvalidDescriptionError, UnknownModelError
from academy_description.model_registry import available_models, load_model
from academy_description.urdf_model import validate_urdf

MODELS = available_models()


def test_registry_has_models() -> None:
    assert "aurora_h1" in MODELS


@pytest.mark.parametrize("name", MODELS)
def test_model_is_valid_and_complete(name: str) -> None:
    model = load_model(name)
    urdf = model.urdf
    # every actuated joint has limits and is declared in <ros2_control> (validate_urdf checks;
    # assert the outcome here so the test fails if the validator is weakened)
    assert set(urdf.actuated_joints) == set(urdf.ros2_control_joints)
    assert set(urdf.actuated_joints) | set(urdf.followers) == set(urdf.limits)
    for arm in model.arms.values():
        assert len(arm.joints) >= 4


def test_aurora_h1_shape() -> None:
    model = load_model("aurora_h1")
    assert model.manufacturer == "Aurora Robotics"
    assert len(model.urdf.actuated_joints) >= 20
    assert {"left", "right"} <= set(model.arms)
    assert any("neck" in j for j in model.urdf.actuated_joints)
    assert sum("knee" in j for j in model.urdf.actuated_joints) == 2


def _aurora_xml() -> str:
    return load_model("aurora_h1").urdf.xml


def test_missing_ros2_control_joint_is_rejected() -> None:
    """Twin: the same URDF with one joint removed from <ros2_control> must fail."""
    xml = _aurora_xml()
    block_start = xml.index("<ros2_control")
    head, block = xml[:block_start], xml[block_start:]
    block = re.sub(r'<joint name="left_elbow">.*?</joint>', "", block, count=1, flags=re.S)
    with pytest.raises(InvalidDescriptionError, match="'left_elbow' is not declared"):
        validate_urdf(head + block)


def test_missing_limit_and_bad_inertia_are_rejected() -> None:
    xml = _aurora_xml()
    xml = re.sub(
        r'(<joint name="right_knee" type="revolute">.*?)<limit[^>]*/>',
        r"\1",
        xml,
        count=1,
        flags=re.S,
    )
    xml = re.sub(r'<mass value="8.0"\s*/>', '<mass value="-1"/>', xml, count=1)
    with pytest.raises(InvalidDescriptionError) as raised:
        validate_urdf(xml, "broken.urdf")
    text = str(raised.value)
    assert "joint 'right_knee' (revolute): missing <limit>" in text
    assert "link 'pelvis': mass -1.0 must be a positive number" in text


def test_unknown_model_lists_known() -> None:
    with pytest.raises(UnknownModelError, match=r"known models: .*aurora_h1"):
        load_model("no_such_bot")


@pytest.mark.parametrize("name", MODELS)
def test_mujoco_compiles_the_urdf_with_a_fixed_root(name: str) -> None:
    """The simulator compiles the same URDF: one MuJoCo dof per actuated joint, root welded."""

    from academy_description.mujoco_model import robot_spec

    model = load_model(name)
    compiled = robot_spec(model).compile()
    movable = set(model.urdf.actuated_joints) | set(model.urdf.followers)
    names = {compiled.joint(i).name for i in range(compiled.njnt)}
    assert names == movable  # no free joint: the harness holds the root
    assert compiled.nq == len(movable)
    assert compiled.neq == len(model.urdf.followers)  # each <mimic> became a coupling
