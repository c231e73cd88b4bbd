"""``episode.json``: the typed contract between the recorder (writer) and the pool (reader).

ROS-free and free of bag code, so the pool and offline tools import it without rclpy. One model,
:class:`EpisodeRecord`, and one typed pair of functions: :func:`write_episode_record` (atomic,
never overwrites) and :func:`read_episode_record` (every problem at once, each as
``FILE: field: value: what would be valid``, the format of the session files' errors).

Derived figures (``duration_s``, ``message_count``, ``message_counts``, ``messages_lost``) are
computed from ``start_ns``/``end_ns`` and ``topics``, written into the file for readers that want
them, and checked against those sources when a file is read: a file cannot contradict itself.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from typing import Annotated, Any, Final, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidatorFunctionWrapHandler,
    computed_field,
    model_validator,
)
from pydantic_core import ErrorDetails, InitErrorDetails, PydanticCustomError

from academy_common.interface_constants import SkillOutcome
from academy_common.problems import ProblemsError, validation_problems

#: Version of the ``episode.json`` schema; bump it when a field is added, removed or re-defined.
EPISODE_SCHEMA_VERSION: Final = 2
EPISODE_FILE = "episode.json"
#: Largest value an SQLite INTEGER (signed 64-bit) holds: the catalog stores counts and times.
SQLITE_INTEGER_MAX = 2**63 - 1


class RecorderError(Exception):
    """Base class of academy_recorder's errors."""


class InvalidEpisodeRecordError(ProblemsError, RecorderError):
    """An ``episode.json`` is unreadable or invalid; ``problems`` lists every problem."""


class EpisodeRecordExistsError(RecorderError):
    """:func:`write_episode_record` was asked to replace an existing file (it never does)."""


def _is_outcome_name(value: str) -> str:
    if value not in SkillOutcome.__members__:
        raise PydanticCustomError(
            "outcome", "must be one of {valid}", {"valid": ", ".join(SkillOutcome.__members__)}
        )
    return value


def _is_bag_dir(value: str) -> str:
    path = PurePosixPath(value)
    if not value or value == "." or path.is_absolute() or ".." in path.parts or "\\" in value:
        raise PydanticCustomError(
            "bag_dir",
            "must be a relative directory inside the episode directory (e.g. 'bag'), "
            "not absolute, not containing '..'",
        )
    return value


#: A count of messages: a non-negative integer an SQLite INTEGER holds (not a bool).
Count = Annotated[int, Field(ge=0, le=SQLITE_INTEGER_MAX)]
#: A time in nanoseconds since the epoch, non-negative, an SQLite INTEGER.
Nanoseconds = Annotated[int, Field(ge=0, le=SQLITE_INTEGER_MAX)]
#: A name of ``academy_common.interface_constants.SkillOutcome`` (e.g. ``"SUCCEEDED"``).
OutcomeName = Annotated[str, AfterValidator(_is_outcome_name)]
#: Used as a directory name in the recorder's output and in the pool: no separators, no dot first.
EpisodeId = Annotated[str, Field(pattern=r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$", max_length=128)]
BagDir = Annotated[str, AfterValidator(_is_bag_dir)]
NonEmpty = Annotated[str, Field(min_length=1)]
ParameterValue = bool | int | float | str | None


class _Strict(BaseModel):
    # strict: "10" is not a number and 1 is not a boolean; forbid: a misspelt key is an error.
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, allow_inf_nan=False)


def _raise(title: str, errors: list[InitErrorDetails]) -> None:
    """Raise the cross-field ``errors`` (located at their fields) as one ValidationError."""
    if errors:
        raise ValidationError.from_exception_data(title, errors)


def _mismatch(loc: tuple[str | int, ...], value: Any, valid: str) -> InitErrorDetails:
    return InitErrorDetails(
        type=PydanticCustomError("inconsistent", "{valid}", {"valid": valid}), loc=loc, input=value
    )


class PublisherStats(_Strict):
    """Messages of one publisher on one topic during the episode.

    Attributes:
        published: messages the publisher sent while the episode was open (= written + lost).
        written: messages of it written into the bag.
        lost: messages of it that never reached the recorder (sequence-number gaps).
    """

    published: Count
    written: Count
    lost: Count

    @model_validator(mode="after")
    def _published_is_written_plus_lost(self) -> PublisherStats:
        if self.written + self.lost != self.published:
            _raise(
                type(self).__name__,
                [
                    _mismatch(
                        ("published",),
                        self.published,
                        f"must equal written + lost ({self.written} + {self.lost})",
                    )
                ],
            )
        return self


class TopicStats(PublisherStats):
    """Messages of one topic during the episode (same fields as PublisherStats, plus per publisher).

    Attributes:
        publishers: optional breakdown by publisher (key: publisher GID as hex); when present,
            its written, lost and published sum to the topic's.
    """

    publishers: dict[str, PublisherStats] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _publishers_sum_to_topic(self) -> TopicStats:
        if self.publishers:
            errors = []
            for name in ("published", "written", "lost"):
                total = sum(getattr(p, name) for p in self.publishers.values())
                if total != getattr(self, name):
                    valid = f"must equal the sum over publishers ({total})"
                    errors.append(_mismatch((name,), getattr(self, name), valid))
            _raise(type(self).__name__, errors)
        return self


class InstructionRecord(_Strict):
    """The instruction that caused the attempt.

    Attributes:
        instruction_id: id of the ``academy_interfaces/msg/Instruction`` ("" if none).
        text: what the trainer said or typed ("" for an attempt a program started).
        source: ``"trainer"`` (an instruction was received) or ``"program"``.
        trainer_id: the trainer on duty ("" if unknown).
    """

    instruction_id: str
    text: str
    source: Literal["trainer", "program"]
    trainer_id: str


class MetricRecord(_Strict):
    """One metric the skill reported at the end of the attempt.

    Attributes:
        value: the figure, in ``unit``; finite.
        unit: its unit (SI symbol, e.g. ``"m"``, ``"s"``, ``"N"``; ``""`` if dimensionless).
    """

    value: float
    unit: str


#: Keys written into the file that are computed from other fields (see the module docs).
DERIVED_FIELDS = ("duration_s", "message_count", "message_counts", "messages_lost")


class EpisodeRecord(_Strict):
    """``episode.json``: who did what, when, how it ended and what the bag holds.

    Attributes:
        schema_version: version of this schema; must be :data:`EPISODE_SCHEMA_VERSION`.
        episode_id: unique across hosts (``<robot_id>-<32 hex digits>``); the directory's name.
        robot_id: the robot that made the attempt.
        model: its registry model name.
        manufacturer: its manufacturer.
        skill: the skill attempted (e.g. ``"lift"``).
        parameters: the skill goal's parameters, by name.
        goal_id: the skill action goal this attempt belongs to.
        repetition: which attempt of the goal this is (as the SkillEvent numbers it).
        repetitions: how many attempts the goal asked for.
        instruction: the instruction that caused the goal.
        start_ns: when the episode started, ns since the Unix epoch (receive time).
        end_ns: time of its last message, ns since the Unix epoch; at least ``start_ns``.
        outcome: how the attempt ended, a ``SkillOutcome`` name (``"UNKNOWN"`` if not seen).
        failure_reason: why it failed or why the recording was cut short ("" on success).
        ended_in_phase: the phase in which the attempt ended early (e.g. on an e-stop); ""
            when it ran to its end.
        metrics: figures the skill reported at the end, by name.
        complete: the recording saw both the attempt's start and its end.
        interrupted: the recorder was stopped (signal, shutdown) while the attempt ran;
            an interrupted episode is never complete.
        host: hostname of the machine that recorded it.
        software: software versions, by component (e.g. ``{"academy": "0.1.0"}``).
        bag: the rosbag2 directory, relative to the episode directory (e.g. ``"bag"``).
        topics: message counts per recorded topic (fully qualified name).
        canonical: how the model's native joint states map onto the canonical humanoid (body
            parts, left/right arm slots, hands with their open and closed postures: closure
            0..1), as ``academy model show --json`` prints it; with the bag's joint states it
            gives the canonical view, so pooled episodes of different makers line up. Empty in
            episodes recorded before it existed.
        hardware: the hardware plugin the robot ran on: ``academy_sim/MujocoSystem`` (physics),
            ``academy_sim/KinematicSystem`` (kinematic rehearsal: no contacts, so no grasp or
            lift it records is physical; keep these out of training sets) or a real driver's.
            Empty in episodes recorded before it existed.
    """

    schema_version: Literal[2]
    episode_id: EpisodeId
    robot_id: NonEmpty
    model: NonEmpty
    manufacturer: str
    skill: NonEmpty
    parameters: dict[str, ParameterValue]
    goal_id: str
    repetition: Count
    repetitions: Count
    instruction: InstructionRecord
    start_ns: Nanoseconds
    end_ns: Nanoseconds
    outcome: OutcomeName
    failure_reason: str
    ended_in_phase: str
    metrics: dict[str, MetricRecord]
    complete: bool
    interrupted: bool
    host: str
    software: dict[str, str]
    bag: BagDir
    topics: dict[str, TopicStats]
    canonical: dict[str, Any] = Field(default_factory=dict)
    hardware: str = ""

    @computed_field  # type: ignore[prop-decorator]
    @property
    def duration_s(self) -> float:
        """``end_ns - start_ns`` in seconds."""
        return (self.end_ns - self.start_ns) * 1e-9

    @computed_field  # type: ignore[prop-decorator]
    @property
    def message_count(self) -> int:
        """Messages in the bag, all topics."""
        return sum(t.written for t in self.topics.values())

    @computed_field  # type: ignore[prop-decorator]
    @property
    def message_counts(self) -> dict[str, int]:
        """Messages in the bag per topic (``topics[t].written``)."""
        return {name: t.written for name, t in self.topics.items()}

    @computed_field  # type: ignore[prop-decorator]
    @property
    def messages_lost(self) -> dict[str, int]:
        """Messages lost per topic (``topics[t].lost``)."""
        return {name: t.lost for name, t in self.topics.items()}

    @model_validator(mode="after")
    def _consistent(self) -> EpisodeRecord:
        errors = []
        if self.end_ns < self.start_ns:
            valid = f"must be ≥ start_ns ({self.start_ns})"
            errors.append(_mismatch(("end_ns",), self.end_ns, valid))
        if self.interrupted and self.complete:
            errors.append(_mismatch(("complete",), True, "must be false when interrupted"))
        _raise(type(self).__name__, errors)
        return self

    @model_validator(mode="wrap")
    @classmethod
    def _derived_fields_agree(cls, data: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        # The derived keys a file carries are not inputs: take them out, validate the rest, then
        # check that what the file says equals what they derive from.
        if not isinstance(data, Mapping):
            return handler(data)
        stated = {k: data[k] for k in DERIVED_FIELDS if k in data}
        record = handler({k: v for k, v in data.items() if k not in DERIVED_FIELDS})
        errors = []
        for key, value in stated.items():
            expected = getattr(record, key)
            if key == "duration_s":
                agrees = isinstance(value, float | int) and abs(value - expected) < 1e-6
            else:
                agrees = type(value) is type(expected) and value == expected
            if not agrees:
                source = "end_ns - start_ns" if key == "duration_s" else "topics"
                errors.append(_mismatch((key,), value, f"must equal {expected!r} (from {source})"))
        _raise(cls.__name__, errors)
        return record


def write_episode_record(path: Path, record: EpisodeRecord) -> None:
    """Write ``record`` to ``path`` atomically; never replace an existing file.

    The JSON goes into a temporary file in the same directory, is fsync'd, then linked to
    ``path`` (an atomic rename that fails if ``path`` exists) and the directory fsync'd: a
    reader sees either no file or the whole record, also after a power cut.

    Raises:
        EpisodeRecordExistsError: ``path`` exists already.
        OSError: the directory is missing or not writable.
    """
    text = json.dumps(record.model_dump(mode="json"), indent=2, sort_keys=True) + "\n"
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        try:
            os.link(temporary, path)  # unlike os.replace, refuses an existing target
        except FileExistsError:
            raise EpisodeRecordExistsError(
                f"{path}: exists already; refusing to overwrite an episode record"
            ) from None
    finally:
        os.unlink(temporary)
    fsync_directory(path.parent)


def fsync_directory(directory: Path) -> None:
    """Make the entries of ``directory`` (creations, renames) durable."""
    descriptor = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def read_episode_record(path: Path) -> EpisodeRecord:
    """Read and validate an ``episode.json``.

    Raises:
        InvalidEpisodeRecordError: unreadable, not JSON, or invalid; ``problems`` holds one
            ``field: value: what would be valid`` line per problem (the message prefixes the file).
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise InvalidEpisodeRecordError(str(path), [f"cannot read: {error.strerror}"]) from None
    except ValueError as error:
        raise InvalidEpisodeRecordError(str(path), [f"not valid JSON: {error}"]) from None
    return parse_episode_record(data, str(path))


def parse_episode_record(data: Any, source: str) -> EpisodeRecord:
    """Validate parsed ``episode.json`` data (see :func:`read_episode_record`)."""
    if not isinstance(data, dict):
        raise InvalidEpisodeRecordError(
            source, [f"(top level): {data!r}: a JSON object with the EpisodeRecord fields"]
        )
    try:
        return EpisodeRecord.model_validate(data)
    except ValidationError as error:
        problems = validation_problems(error, EpisodeRecord, _describe_bounds)
        raise InvalidEpisodeRecordError(source, problems) from None


def _describe_bounds(error: ErrorDetails) -> str | None:
    """The range of a Count or Nanoseconds (the only bounded integers here), None for others."""
    ctx = error.get("ctx") or {}
    if (error["type"], ctx.get("le"), ctx.get("ge")) in {
        ("less_than_equal", SQLITE_INTEGER_MAX, None),
        ("greater_than_equal", None, 0),
    }:
        return f"must be an integer from 0 to {SQLITE_INTEGER_MAX} (SQLite INTEGER)"
    return None
