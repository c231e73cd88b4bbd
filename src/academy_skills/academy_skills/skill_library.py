"""The skill library: skill definitions, typed parameter validation and the skill registry.

ROS-free: the executor node adapts ROS messages to the plain Python values used here.
A skill is a class implementing :class:`Skill`; it runs one *attempt* against a
:class:`SkillContext` (time, cancellation, phase reporting; later the robot and the station) and
returns an :class:`AttemptResult` whose outcome the skill measured, never assumed.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

# Re-exported: the skills' outcome vocabulary is the message's.
from academy_common.interface_constants import SkillOutcome as SkillOutcome
from academy_common.interface_constants import outcome_name as outcome_name
from academy_skills.errors import SkillParameterError, UnknownSkillError

ParamValue = bool | int | float | str


@dataclass(frozen=True)
class ParameterSpec:
    """Declaration of one skill parameter.

    Attributes:
        name: snake_case name used in goals and instructions.
        kind: Python type of the value: ``float``, ``int``, ``str`` or ``bool``.
        description: one line for ``ListSkills`` and error messages.
        default: value used when the goal omits it; ``None`` makes the parameter required.
        unit: SI unit symbol for numbers ("m", "s", "N"), "" otherwise.
        minimum: inclusive lower bound for numbers.
        maximum: inclusive upper bound for numbers.
        choices: allowed values for strings (empty = any non-empty string).
    """

    name: str
    kind: type
    description: str
    default: ParamValue | None = None
    unit: str = ""
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()

    def valid_range(self) -> str:
        """Describe what a valid value looks like, for error messages."""
        if self.kind is bool:
            return "true or false"
        if self.kind is str:
            return "one of " + ", ".join(self.choices) if self.choices else "a non-empty string"
        low = "-inf" if self.minimum is None else f"{self.minimum:g}"
        high = "inf" if self.maximum is None else f"{self.maximum:g}"
        unit = f" {self.unit}" if self.unit else ""
        return f"a{'n integer' if self.kind is int else ' number'} in [{low}, {high}]{unit}"

    def coerce(self, skill: str, value: object) -> ParamValue:
        """Check ``value`` against this spec and return it with the declared type.

        Raises:
            SkillParameterError: naming skill, parameter, value and the valid range.
        """

        def bad(why: str) -> SkillParameterError:
            return SkillParameterError(
                f"skill '{skill}': parameter '{self.name}' = {value!r} {why}; "
                f"valid: {self.valid_range()}"
            )

        if self.kind is bool:
            if not isinstance(value, bool):
                raise bad("is not a boolean")
            return value
        if self.kind is str:
            if not isinstance(value, str) or not value:
                raise bad("is not a non-empty string")
            if self.choices and value not in self.choices:
                raise bad("is not allowed")
            return value
        # Numbers: bools are ints in Python, but "true" is never a distance.
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise bad("is not a number")
        if self.kind is int and not (isinstance(value, int) or float(value).is_integer()):
            raise bad("is not an integer")
        number: float | int = int(value) if self.kind is int else float(value)
        if not math.isfinite(number):
            raise bad("is not finite")
        if self.minimum is not None and number < self.minimum:
            raise bad("is below the minimum")
        if self.maximum is not None and number > self.maximum:
            raise bad("is above the maximum")
        return number


@dataclass
class AttemptResult:
    """What one attempt of a skill measured."""

    outcome: SkillOutcome
    reason: str = ""
    metrics: dict[str, tuple[float, str]] = field(default_factory=dict)  # name -> (value, unit)


class SkillContext(Protocol):
    """What a skill may use while it runs one attempt."""

    def now(self) -> float:
        """Current time in seconds (sim time when the station runs on sim time)."""
        ...

    def stop_requested(self) -> SkillOutcome | None:
        """``CANCELED``/``ESTOPPED`` when the attempt must stop now, else ``None``."""
        ...

    def phase(self, name: str, progress: float) -> None:
        """Report that phase ``name`` starts; ``progress`` in [0, 1] within the attempt."""
        ...

    def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` (returns early if a stop is requested)."""
        ...


class Skill(Protocol):
    """A skill of the library. Implementations are plain classes registered in a library."""

    name: str
    description: str
    parameters: tuple[ParameterSpec, ...]

    def run_attempt(self, ctx: SkillContext, params: Mapping[str, ParamValue]) -> AttemptResult:
        """Run one attempt with validated ``params`` and return what was measured."""
        ...


class SkillLibrary:
    """Registry of skills by name, with parameter validation."""

    def __init__(self, skills: Iterable[Skill] = ()) -> None:
        self._skills: dict[str, Skill] = {}
        for skill in skills:
            self.register(skill)

    def register(self, skill: Skill) -> None:
        """Add ``skill``; a second skill with the same name is an error."""
        if skill.name in self._skills:
            raise ValueError(f"skill '{skill.name}' is registered twice")
        self._skills[skill.name] = skill

    def names(self) -> list[str]:
        """Sorted skill names."""
        return sorted(self._skills)

    def get(self, name: str) -> Skill:
        """Return the skill called ``name``.

        Raises:
            UnknownSkillError: naming the skill and listing the known ones.
        """
        try:
            return self._skills[name]
        except KeyError:
            raise UnknownSkillError(
                f"unknown skill {name!r}; known skills: {', '.join(self.names()) or '(none)'}"
            ) from None

    def validate(self, name: str, raw: Mapping[str, object]) -> dict[str, ParamValue]:
        """Check ``raw`` parameters for skill ``name``; return them typed, defaults filled in.

        Raises:
            UnknownSkillError: if the skill does not exist.
            SkillParameterError: listing every unknown, missing or invalid parameter.
        """
        skill = self.get(name)
        specs = {spec.name: spec for spec in skill.parameters}
        problems: list[str] = []
        unknown = sorted(set(raw) - set(specs))
        if unknown:
            problems.append(
                f"skill '{name}': unknown parameter(s) {', '.join(unknown)}; "
                f"valid parameters: {', '.join(specs) or '(none)'}"
            )
        typed: dict[str, ParamValue] = {}
        for spec in skill.parameters:
            if spec.name in raw:
                try:
                    typed[spec.name] = spec.coerce(name, raw[spec.name])
                except SkillParameterError as error:
                    problems.append(str(error))
            elif spec.default is None:
                problems.append(
                    f"skill '{name}': missing required parameter '{spec.name}' "
                    f"({spec.valid_range()})"
                )
            else:
                typed[spec.name] = spec.default
        if problems:
            raise SkillParameterError("; ".join(problems))
        return typed


class WaitSkill:
    """Hold still for ``duration`` seconds: the trainer's "wait", also a timing probe.

    Success is measured, not assumed: the attempt succeeds only if the measured hold time reaches
    the requested duration (within one timer tick) without a stop request.
    """

    name = "wait"
    description = "hold the current posture for a duration"
    parameters: tuple[ParameterSpec, ...] = (
        ParameterSpec(
            "duration", float, "how long to hold", default=1.0, unit="s", minimum=0.0, maximum=600.0
        ),
    )

    #: Measured hold time may fall short of the request by at most this much (clock granularity).
    TOLERANCE_S = 0.002

    def run_attempt(self, ctx: SkillContext, params: Mapping[str, ParamValue]) -> AttemptResult:
        duration = float(params["duration"])
        ctx.phase("hold", 0.0)
        start = ctx.now()
        ctx.sleep(duration)
        held = ctx.now() - start
        metrics = {"hold_time": (held, "s")}
        stop = ctx.stop_requested()
        if stop is not None:
            return AttemptResult(stop, f"stopped after {held:.3f} s of {duration:.3f} s", metrics)
        if held + self.TOLERANCE_S < duration:
            return AttemptResult(
                SkillOutcome.FAILED, f"held {held:.3f} s, asked {duration:.3f} s", metrics
            )
        return AttemptResult(SkillOutcome.SUCCEEDED, "", metrics)


def default_library(extra: Iterable[Callable[[], Skill]] = ()) -> SkillLibrary:
    """The library a skill executor serves by default."""
    return SkillLibrary([WaitSkill(), *(make() for make in extra)])
