"""Conversions between ROS messages and the plain values of the skill library."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from builtin_interfaces.msg import Duration  # type: ignore[import-untyped]
from rcl_interfaces.msg import Parameter, ParameterType, ParameterValue  # type: ignore[import-untyped]

from academy_interfaces.msg import Metric
from academy_skills.errors import SkillParameterError
from academy_skills.skill_library import ParamValue


def parameters_from_msg(params: Iterable[Parameter]) -> dict[str, object]:
    """Turn ``rcl_interfaces/Parameter[]`` into a dict; arrays and unset values are rejected."""
    out: dict[str, object] = {}
    for param in params:
        value = param.value
        kind = value.type
        if kind == ParameterType.PARAMETER_BOOL:
            out[param.name] = bool(value.bool_value)
        elif kind == ParameterType.PARAMETER_INTEGER:
            out[param.name] = int(value.integer_value)
        elif kind == ParameterType.PARAMETER_DOUBLE:
            out[param.name] = float(value.double_value)
        elif kind == ParameterType.PARAMETER_STRING:
            out[param.name] = str(value.string_value)
        else:
            raise SkillParameterError(
                f"parameter '{param.name}' has type {kind}; valid: bool, integer, double or string"
            )
    return out


def parameters_to_msg(params: Mapping[str, ParamValue]) -> list[Parameter]:
    """Turn a dict of scalars into ``rcl_interfaces/Parameter[]`` (typed, as ROS users expect)."""
    out: list[Parameter] = []
    for name, item in params.items():
        value = ParameterValue()
        if isinstance(item, bool):
            value.type, value.bool_value = ParameterType.PARAMETER_BOOL, item
        elif isinstance(item, int):
            value.type, value.integer_value = ParameterType.PARAMETER_INTEGER, item
        elif isinstance(item, float):
            value.type, value.double_value = ParameterType.PARAMETER_DOUBLE, item
        elif isinstance(item, str):
            value.type, value.string_value = ParameterType.PARAMETER_STRING, item
        else:
            raise SkillParameterError(
                f"parameter '{name}' = {item!r}: valid values are bool, int, float or str"
            )
        out.append(Parameter(name=name, value=value))
    return out


def metrics_to_msg(metrics: Mapping[str, tuple[float, str]]) -> list[Metric]:
    """Metric messages for ``{name: (value, unit)}``."""
    return [Metric(name=n, value=float(v), unit=u) for n, (v, u) in sorted(metrics.items())]


def seconds_to_duration(seconds: float) -> Duration:
    """builtin_interfaces/Duration for a non-negative number of seconds."""
    nanos = max(0, round(seconds * 1e9))
    return Duration(sec=nanos // 1_000_000_000, nanosec=nanos % 1_000_000_000)
