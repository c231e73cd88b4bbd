"""The skill library: skill definitions, typed parameter validation and the skill registry.

ROS-free: the executor node adapts ROS messages to the plain Python values used here.
A skill is a class implementing :class:`Skill`; it runs one *attempt* against a
:class:`SkillContext` (time, cancellation, phase reporting; later the robot and the station) and
returns an :class:`AttemptResult` whose outcome the skill measured, never assumed.

Skills are plugins. A skill class declares itself with :func:`register_skill` (its category,
spoken verbs, the capabilities and station fixtures it needs, its success criterion and its
failure reasons, from one taxonomy), or a package names it in the ``academy.skills``
entry-point group (``name = "package.module:Class"``), as LeRobot registers its configs.
:func:`registered_skills` is the catalogue: the parser loads its verbs from it, ``academy skill
list`` prints it and :func:`library_for` builds a robot's library from it.
"""

from __future__ import annotations

import enum
import importlib
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import Any, Protocol, TypeVar, cast

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
        refers: what a string names, for the parser: "object" (a prop to act on), "prop" (a
            prop as a destination), or a fixture kind ("bin", "target_pad"); "" for nothing.
    """

    name: str
    kind: type
    description: str
    default: ParamValue | None = None
    unit: str = ""
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()
    refers: str = ""

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
    """What one attempt of a skill measured; ``failure`` classes an unsuccessful one in the
    taxonomy (:class:`FailureReason`; None on success or when the skill cannot tell)."""

    outcome: SkillOutcome
    reason: str = ""
    metrics: dict[str, tuple[float, str]] = field(default_factory=dict)  # name -> (value, unit)
    failure: FailureReason | None = None


def failed(
    reason: str, metrics: dict[str, tuple[float, str]], failure: FailureReason
) -> AttemptResult:
    """A FAILED attempt: what the judge read (``reason``), its metrics and failure class."""
    return AttemptResult(SkillOutcome.FAILED, reason, metrics, failure)


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
            reason = f"stopped after {held:.3f} s of {duration:.3f} s"
            return AttemptResult(stop, reason, metrics, stop_failure(stop))
        if held + self.TOLERANCE_S < duration:
            reason = f"held {held:.3f} s, asked {duration:.3f} s"
            return AttemptResult(SkillOutcome.FAILED, reason, metrics)
        return AttemptResult(SkillOutcome.SUCCEEDED, "", metrics)


def default_library(extra: Iterable[Callable[[], Skill]] = ()) -> SkillLibrary:
    """The library a skill executor serves by default."""
    return SkillLibrary([WaitSkill(), *(make() for make in extra)])


# -- the registry -----------------------------------------------------------------------------


class Capability(enum.StrEnum):
    """What a robot model must have for a skill (read from ``model.yaml``)."""

    ARM = "arm"  # at least one arm
    TWO_ARMS = "two_arms"
    HAND = "hand"  # a hand or gripper that can hold an object (parallel_jaw or multi_finger)
    HEAD = "head"  # head joints
    TORSO = "torso"  # torso joints


class FailureReason(enum.StrEnum):
    """The one failure taxonomy: skills declare theirs from it, auditors label with it."""

    MISSED = "missed"  # the hand or jaws did not get around / onto the object
    SLIPPED = "slipped"  # the object moved in the hand
    DROPPED = "dropped"  # the object left the hand
    TIPPED_OVER = "tipped_over"  # the object no longer stands where it was put or pushed
    PUSHED_AWAY = "pushed_away"  # the approach pushed the object
    COLLIDED = "collided"
    OUT_OF_REACH = "out_of_reach"  # refused before moving: no pose reaches it
    MOTION_FAILED = "motion_failed"  # the controller aborted (path or goal tolerance)
    TIMED_OUT = "timed_out"
    REFUSED = "refused"  # the robot cannot do it, or the goal names what the station lacks
    ESTOPPED = "estopped"
    CANCELED = "canceled"


def stop_failure(stop: SkillOutcome) -> FailureReason:
    """The failure class of a stopped attempt: e-stopped, else canceled."""
    return FailureReason.ESTOPPED if stop == SkillOutcome.ESTOPPED else FailureReason.CANCELED


@dataclass(frozen=True)
class SkillDeps:
    """What a skill is built over: the robot's I/O and its arm kinematics (``None`` for skills
    that move nothing)."""

    io: Any = None
    kinematics: Any = None


@dataclass(frozen=True)
class SkillDeclaration:
    """A registered skill: what it is, what it needs, how it is judged, how to build it."""

    name: str
    category: str
    description: str
    parameters: tuple[ParameterSpec, ...]
    verbs: tuple[str, ...]
    requires: frozenset[Capability]
    fixtures: tuple[str, ...]
    success: str
    failures: tuple[FailureReason, ...]
    build: Callable[[SkillDeps], Skill]
    origin: str  # module:Class
    #: Its verbs say "carry an object somewhere" ("put", "place"): a destination the trainer
    #: names after them ("in the bin") picks the carrying skill that takes it.
    carries: bool = False
    #: The station it is practised at by default (config/stations/<station>.yaml), when its
    #: fixtures do not say it (the props it needs: a tray, bins of each colour).
    station: str | None = None

    def destinations(self) -> dict[str, str]:
        """What a destination may name (a fixture kind or "prop") -> the parameter taking it."""
        return {p.refers: p.name for p in self.parameters if p.refers not in ("", "object")}

    def missing(self, robot: Any) -> list[str]:
        """The capabilities ``robot`` (a RobotModel) lacks for this skill, each with the reason."""
        have = {
            Capability.ARM: len(robot.arms) >= 1,
            Capability.TWO_ARMS: len(robot.arms) >= 2,
            Capability.HAND: bool(robot.grippers),
            Capability.HEAD: bool(robot.head),
            Capability.TORSO: bool(robot.torso),
        }
        return [f"{c.value}: {_NEEDS[c]}" for c in sorted(self.requires) if not have[c]]


_NEEDS = {
    Capability.ARM: "an arm (model.yaml arms)",
    Capability.TWO_ARMS: "two arms (model.yaml arms)",
    Capability.HAND: "a hand that can hold an object: kind parallel_jaw or multi_finger",
    Capability.HEAD: "head joints (model.yaml head)",
    Capability.TORSO: "torso joints (model.yaml torso)",
}

#: Modules holding the built-in skills (imported when the catalogue is first read).
BUILTIN_MODULES = (
    "academy_skills.skill_library",
    "academy_skills.manipulation",
    "academy_skills.body_skills",
    "academy_skills.transfer_skills",
    "academy_skills.fixture_skills",
    "academy_skills.bimanual_skills",
    "academy_skills.surface_skills",
)
#: The entry-point group other packages register skills in.
ENTRY_POINT_GROUP = "academy.skills"

_REGISTRY: dict[str, SkillDeclaration] = {}
_LOADED = False
_S = TypeVar("_S")


def register_skill(
    *,
    category: str,
    verbs: Iterable[str],
    success: str,
    failures: Iterable[FailureReason],
    requires: Iterable[Capability] = (),
    fixtures: Iterable[str] = (),
    build: Callable[[SkillDeps], Skill] | None = None,
    carries: bool = False,
    station: str | None = None,
) -> Callable[[type[_S]], type[_S]]:
    """Class decorator: register a skill class (its ``name``, ``description`` and
    ``parameters`` are its own attributes). ``build`` makes an instance over a robot; by
    default ``cls(deps.io, deps.kinematics)``.

    Raises:
        ValueError: a second skill with the same name, or a verb another skill already has.
    """

    def decorate(cls: type[_S]) -> type[_S]:
        name = str(getattr(cls, "name", ""))
        if not name:
            raise ValueError(f"{cls.__qualname__}: a registered skill needs a name")
        origin = f"{cls.__module__}:{cls.__qualname__}"
        existing = _REGISTRY.get(name)
        if existing is not None and existing.origin != origin:
            raise ValueError(f"skill {name!r} is registered twice: {existing.origin}, {origin}")
        spoken = tuple(v.lower().strip() for v in verbs)
        for other in _REGISTRY.values():
            clash = set(spoken) & set(other.verbs)
            if other.name != name and clash:
                raise ValueError(
                    f"skill {name!r}: verb(s) {', '.join(sorted(clash))} already belong to "
                    f"skill {other.name!r}"
                )
        _REGISTRY[name] = SkillDeclaration(
            name=name,
            category=category,
            description=str(getattr(cls, "description", "")),
            parameters=tuple(getattr(cls, "parameters", ())),
            verbs=spoken,
            requires=frozenset(requires),
            fixtures=tuple(fixtures),
            success=success,
            failures=tuple(failures),
            build=build or (lambda deps: cast(Skill, cls(deps.io, deps.kinematics))),  # type: ignore[call-arg]
            origin=origin,
            carries=carries,
            station=station,
        )
        return cls

    return decorate


def registered_skills() -> dict[str, SkillDeclaration]:
    """Every registered skill by name: the built-in ones and the ``academy.skills`` entry
    points (each loaded once; loading registers it)."""
    global _LOADED
    if not _LOADED:
        for module in BUILTIN_MODULES:
            importlib.import_module(module)
        for point in entry_points(group=ENTRY_POINT_GROUP):
            loaded = point.load()
            origin = f"{getattr(loaded, '__module__', '')}:{getattr(loaded, '__qualname__', '')}"
            if isinstance(loaded, type) and all(d.origin != origin for d in _REGISTRY.values()):
                raise ValueError(
                    f"entry point {point.name} = {point.value!r} ({ENTRY_POINT_GROUP}): the class "
                    "is not decorated with @register_skill, so it declares no skill"
                )
        _LOADED = True
    return dict(sorted(_REGISTRY.items()))


def skill_verbs() -> dict[str, str]:
    """Spoken verb phrase -> skill name, over the whole catalogue."""
    return {verb: d.name for d in registered_skills().values() for verb in d.verbs}


def library_for(deps: SkillDeps) -> SkillLibrary:
    """A library of every registered skill, built over one robot."""
    return SkillLibrary(d.build(deps) for d in registered_skills().values())


register_skill(
    category="timing",
    verbs=(),
    success="held still for the requested duration, measured, without a stop request",
    failures=(FailureReason.ESTOPPED, FailureReason.CANCELED),
    build=lambda deps: WaitSkill(),
)(WaitSkill)
