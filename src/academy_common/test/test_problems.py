"""validation_problems: one ``key: value: what would be valid`` line per pydantic error."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import pytest
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError
from pydantic_core import ErrorDetails, PydanticCustomError

from academy_common.problems import validation_problems


def _even(value: int) -> int:
    if value % 2:
        raise PydanticCustomError("odd", "must be even, e.g. {valid}", {"valid": value + 1})
    return value


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class Joint(_Strict):
    name: Annotated[str, Field(pattern=r"^[a-z]+$")]
    limit: float | None = None


class Arm(_Strict):
    joints: list[Joint]
    home: dict[str, Joint] = Field(default_factory=dict)
    mode: Literal["fast", "safe"] = "safe"
    gains: dict[str, float | list[float]] = Field(default_factory=dict)
    tool: Joint | str = ""
    step: Annotated[int, AfterValidator(_even)] = 2


def problems(data: Any, describe: Any = None) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        Arm.model_validate(data)
    return validation_problems(caught.value, Arm, describe)


def test_keys_values_and_what_is_valid() -> None:
    assert problems({"joints": [{"name": "Elbow", "lmit": 1.0}], "mode": "slow"}) == [
        "joints[0].name: 'Elbow': must match ^[a-z]+$",
        "joints[0].lmit: 1.0: unknown key; valid keys: name, limit",
        "mode: 'slow': must be one of 'fast' or 'safe'",
    ]


def test_a_missing_key_has_no_value() -> None:
    assert problems({"joints": [{}]}) == ["joints[0].name: missing required key"]


def test_unknown_keys_inside_mappings_list_the_valid_ones() -> None:
    assert problems({"joints": [], "home": {"a[1]": {"name": "a", "x": 0}}}) == [
        "home.a[1].x: 0: unknown key; valid keys: name, limit"  # "[" in a key stays
    ]


def test_union_branch_names_are_not_keys() -> None:
    lines = problems({"joints": [], "gains": {"kp": "high"}, "tool": {"name": "Grip"}})
    assert lines == [
        "gains.kp: 'high': input should be a valid number",
        "gains.kp: 'high': input should be a valid list",
        "tool.name: 'Grip': must match ^[a-z]+$",  # the branch "Joint" is left out
        "tool: {'name': 'Grip'}: input should be a valid string",
    ]


def test_pydantics_words_are_lowercased_but_names_and_custom_words_kept() -> None:
    assert problems({"joints": ["elbow"], "step": 3}) == [
        "joints[0]: 'elbow': input should be a valid dictionary or instance of Joint",
        "step: 3: must be even, e.g. 4",
    ]


def test_a_package_words_some_errors_itself() -> None:
    def describe(error: ErrorDetails) -> str | None:
        return "a lowercase name" if error["type"] == "string_pattern_mismatch" else None

    assert problems({"joints": [{"name": "A", "limit": "1"}]}, describe) == [
        "joints[0].name: 'A': a lowercase name",
        "joints[0].limit: '1': input should be a valid number",
    ]


def test_the_top_level_is_named() -> None:
    assert problems([]) == [
        "(top level): []: input should be a valid dictionary or instance of Arm"
    ]
