"""The local episode pool: episode directories plus an SQLite catalog (ROS-free).

Layout::

    <pool>/catalog.sqlite
    <pool>/episodes/<YYYY-MM-DD>/<episode_id>/{bag/, episode.json}
    <pool>/.ingest/<episode_id>.<random>/     (copies in progress; never read)

:meth:`Pool.ingest` takes the finished episodes under a directory (those with an
``episode.json``, an :class:`~academy_recorder.episode_record.EpisodeRecord`). Each is checked
first: the record valid, its bag inside the episode directory (symlinks resolved), the bag's
MCAP files readable with rosbags, and its messages per topic equal to ``metadata.yaml`` and to
the record. An episode that fails is rejected — reported with file, field, value and what would
be valid, and never copied — and the others go on.

An accepted episode is copied into a temporary directory of its own in the pool (so concurrent
ingests never share a path), fsync'd, renamed into place, and then inserted into the catalog:
the insert is the commit point. An episode id already in the catalog is skipped, so ingest is
idempotent, and two ingests of the same source at once both succeed with each episode once.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

from pydantic import BaseModel
from rosbags.rosbag2 import Reader

from academy_common.problems import ProblemsError
from academy_recorder.episode_record import (
    EPISODE_FILE,
    EpisodeRecord,
    InvalidEpisodeRecordError,
    fsync_directory,
    read_episode_record,
)

CATALOG = "catalog.sqlite"
EPISODES = "episodes"
INGEST_TEMP = ".ingest"
#: Seconds a process waits for another's catalog write before giving up.
CATALOG_TIMEOUT_S = 60.0

_SQL_TYPES = {str: "TEXT", int: "INTEGER", float: "REAL", bool: "INTEGER"}


def _sql_type(annotation: Any) -> str | None:
    """The SQLite type of a scalar field's annotation; None for anything else."""
    if get_origin(annotation) is Literal:
        annotation = type(get_args(annotation)[0])
    return _SQL_TYPES.get(annotation)


def _record_columns() -> list[tuple[str, str, str]]:
    """``(column, SQL type, how to read it)`` for every field of EpisodeRecord.

    Scalars become typed columns, a nested model's scalars ``<field>_<name>`` columns, and
    mappings ``<field>_json`` TEXT columns; derived figures (``duration_s``, ...) too.
    """
    columns: list[tuple[str, str, str]] = []
    fields = {name: info.annotation for name, info in EpisodeRecord.model_fields.items()}
    fields |= {name: c.return_type for name, c in EpisodeRecord.model_computed_fields.items()}
    for name, annotation in fields.items():
        sql = _sql_type(annotation)
        if sql is not None:
            columns.append((name, sql, name))
        elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
            for inner, info in annotation.model_fields.items():
                inner_sql = _sql_type(info.annotation) or "TEXT"
                columns.append((f"{name}_{inner}", inner_sql, f"{name}.{inner}"))
        else:
            columns.append((f"{name}_json", "TEXT", name))
    return columns


RECORD_COLUMNS = _record_columns()
#: The pool's own columns, after the record's.
POOL_COLUMNS = (
    ("messages_lost_total", "INTEGER"),
    ("path", "TEXT"),
    ("size_bytes", "INTEGER"),
    ("ingested_at", "REAL"),
)
COLUMNS = [(c, t) for c, t, _ in RECORD_COLUMNS] + list(POOL_COLUMNS)
SCHEMA = (
    "CREATE TABLE IF NOT EXISTS episodes (\n    "
    + ",\n    ".join(f"{c} {t} NOT NULL" for c, t in COLUMNS)
    + ",\n    PRIMARY KEY (episode_id)\n)"
)
INDEX = "CREATE INDEX IF NOT EXISTS episodes_skill ON episodes (skill, outcome)"


class PoolError(Exception):
    """Base class of academy_pool's errors."""


class RejectedEpisodeError(ProblemsError, PoolError):
    """An episode failed a check; ``problems`` lists each as ``file: field: value: valid``."""


@dataclass(frozen=True)
class Rejection:
    """An episode left out: its directory and every problem found."""

    directory: str
    problems: list[str]

    def __str__(self) -> str:
        return "\n".join(f"{self.directory}: {p}" for p in self.problems)


@dataclass
class IngestReport:
    """What an ingest did: ids added, ids already present, dirs unfinished, rejections."""

    added: list[str] = field(default_factory=list)
    present: list[str] = field(default_factory=list)
    unfinished: list[str] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)


@dataclass(frozen=True)
class SkillSummary:
    """Per-skill figures over the pool."""

    skill: str
    attempts: int
    successes: int
    mean_duration_s: float


class Pool:
    """A pool directory and its catalog.

    Raises:
        PoolError: the catalog was made by another version of the pool (other columns).
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(root / CATALOG, timeout=CATALOG_TIMEOUT_S)
        with self._db:
            self._db.execute(SCHEMA)
        found = [row[1] for row in self._db.execute("PRAGMA table_info(episodes)")]
        if found != [c for c, _ in COLUMNS]:
            self._db.close()
            raise PoolError(
                f"{root / CATALOG}: catalog columns {found} are not this version's "
                f"{[c for c, _ in COLUMNS]}; ingest into a new pool directory"
            )
        with self._db:
            self._db.execute(INDEX)

    def close(self) -> None:
        """Close the catalog."""
        self._db.close()

    def __enter__(self) -> Pool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def ingest(self, source: Path) -> IngestReport:
        """Copy every finished, valid episode under ``source`` into the pool (see module docs).

        Raises:
            PoolError: ``source`` is not a directory.
        """
        report = IngestReport()
        for directory in sorted(_episode_dirs(source)):
            if not (directory / EPISODE_FILE).is_file():
                report.unfinished.append(str(directory))
                continue
            try:
                record = check_episode(directory)
            except RejectedEpisodeError as error:
                report.rejected.append(Rejection(str(directory), error.problems))
                continue
            if self.has(record.episode_id):
                report.present.append(record.episode_id)
                continue
            try:
                added = self._add(directory, record)
            except RejectedEpisodeError as error:
                report.rejected.append(Rejection(str(directory), error.problems))
                continue
            (report.added if added else report.present).append(record.episode_id)
        return report

    def _add(self, directory: Path, record: EpisodeRecord) -> bool:
        """Copy, rename into place, catalogue; False if another ingest catalogued it first."""
        date = time.strftime("%Y-%m-%d", time.gmtime(record.start_ns // 10**9))
        target = self.root / EPISODES / date / record.episode_id
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = self.root / INGEST_TEMP
        staging.mkdir(exist_ok=True)
        temporary = Path(tempfile.mkdtemp(prefix=f"{record.episode_id}.", dir=staging))
        try:
            copy = temporary / record.episode_id
            shutil.copytree(directory, copy)
            _fsync_tree(copy)
            try:
                copy.rename(target)
            except OSError:
                # Another ingest put it there (or one that stopped before cataloguing it): such
                # a directory is only ever a complete, fsync'd copy. Take it if it is this one.
                if not target.is_dir():
                    raise
                if _record_at(target) != record:
                    valid = (
                        f"the pool holds another episode with this id ({target}); ids are unique"
                    )
                    problem = f"{EPISODE_FILE}: episode_id: {record.episode_id!r}: {valid}"
                    raise RejectedEpisodeError(str(directory), [problem]) from None
            for parent in (target.parent, target.parent.parent, self.root):
                fsync_directory(parent)
        finally:
            shutil.rmtree(temporary, ignore_errors=True)
        size = sum(f.stat().st_size for f in target.rglob("*") if f.is_file())
        return self._insert(record, target, size)

    def has(self, episode_id: str) -> bool:
        """True if the catalog holds ``episode_id``."""
        row = self._db.execute("SELECT 1 FROM episodes WHERE episode_id = ?", (episode_id,))
        return row.fetchone() is not None

    def _insert(self, record: EpisodeRecord, path: Path, size: int) -> bool:
        """The commit point of an ingest; False if the id was catalogued meanwhile."""
        document = record.model_dump(mode="json")
        values: list[Any] = []
        for _, sql, source in RECORD_COLUMNS:
            outer, _, inner = source.partition(".")
            value = document[outer][inner] if inner else document[outer]
            if isinstance(value, dict):
                value = json.dumps(value, sort_keys=True)
            values.append(int(value) if sql == "INTEGER" else value)
        values += [sum(record.messages_lost.values()), str(path.relative_to(self.root)), size]
        values.append(time.time())
        marks = ",".join("?" * len(values))
        with self._db:
            cursor = self._db.execute(f"INSERT OR IGNORE INTO episodes VALUES ({marks})", values)
        return cursor.rowcount == 1

    def episodes(self, skill: str | None = None, robot: str | None = None) -> list[dict[str, Any]]:
        """Catalog rows (oldest first), optionally filtered."""
        query = (
            "SELECT * FROM episodes WHERE (? IS NULL OR skill = ?) AND (? IS NULL OR robot_id = ?)"
        )
        cursor = self._db.execute(query + " ORDER BY start_ns", (skill, skill, robot, robot))
        names = [c[0] for c in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def summary(self) -> list[SkillSummary]:
        """Attempts, successes and mean duration per skill."""
        rows = self._db.execute(
            "SELECT skill, COUNT(*), SUM(outcome = 'SUCCEEDED'), AVG(duration_s) FROM episodes "
            "GROUP BY skill ORDER BY skill"
        ).fetchall()
        return [SkillSummary(r[0], int(r[1]), int(r[2] or 0), float(r[3] or 0.0)) for r in rows]

    def size_bytes(self) -> int:
        """Bytes of every episode in the pool."""
        row = self._db.execute("SELECT COALESCE(SUM(size_bytes), 0) FROM episodes").fetchone()
        return int(row[0])


def check_episode(directory: Path) -> EpisodeRecord:
    """Read ``directory``'s record and check its bag against it (see module docs).

    Raises:
        RejectedEpisodeError: every problem, each as ``file: field: value: what is valid``.
    """
    try:
        record = read_episode_record(directory / EPISODE_FILE)
    except InvalidEpisodeRecordError as error:
        raise RejectedEpisodeError(
            str(directory), [f"{EPISODE_FILE}: {p}" for p in error.problems]
        ) from None
    problems = []
    if record.episode_id != directory.name:
        problems.append(
            f"{EPISODE_FILE}: episode_id: {record.episode_id!r}: must be the directory's name, "
            f"{directory.name!r}"
        )
    problems += _bag_problems(directory, record)
    if problems:
        raise RejectedEpisodeError(str(directory), problems)
    return record


def _bag_problems(directory: Path, record: EpisodeRecord) -> list[str]:
    inside = directory.resolve()
    bag = (directory / record.bag).resolve()
    if not bag.is_relative_to(inside):
        valid = f"resolves to {bag}; the bag must lie inside the episode directory {inside}"
        return [f"{EPISODE_FILE}: bag: {record.bag!r}: {valid}"]
    if not bag.is_dir():
        return [f"{EPISODE_FILE}: bag: {record.bag!r}: no such directory"]
    for entry in (directory / record.bag).iterdir():
        if not entry.resolve().is_relative_to(inside):
            valid = f"resolves to {entry.resolve()}; the bag's files must lie inside {inside}"
            return [f"{record.bag}/{entry.name}: {valid}"]
    metadata = f"{record.bag}/metadata.yaml"
    try:
        with Reader(bag) as reader:
            declared = Counter[str]()
            for connection in reader.connections:
                declared[connection.topic] += connection.msgcount
            read = Counter(connection.topic for connection, _, _ in reader.messages())
    except Exception as error:  # rosbags raises many kinds on corrupt files: reject, go on
        valid = "must be a finalised rosbag2 directory (metadata.yaml, MCAP files that open)"
        return [f"{record.bag}: {type(error).__name__}: {error}: {valid}"]
    problems = []
    for topic in sorted(set(declared) | set(read) | set(record.message_counts)):
        claimed = record.message_counts.get(topic, 0)
        if read[topic] != declared[topic]:
            problems.append(
                f"{metadata}: topics_with_message_count[{topic}]: {declared[topic]}: the MCAP "
                f"files hold {read[topic]} messages"
            )
        if read[topic] != claimed:
            problems.append(
                f"{EPISODE_FILE}: topics[{topic}].written: {claimed}: the bag holds "
                f"{read[topic]} messages"
            )
    return problems


def _record_at(target: Path) -> EpisodeRecord | None:
    """The record of an episode already in the pool's directories (None if unreadable)."""
    try:
        return read_episode_record(target / EPISODE_FILE)
    except InvalidEpisodeRecordError:
        return None


def _episode_dirs(source: Path) -> Iterator[Path]:
    """Directories under ``source`` that hold a bag or an episode.json (finished or not)."""
    if not source.is_dir():
        raise PoolError(f"{source}: not a directory")
    found = {p.parent for p in source.rglob("bag") if p.is_dir()}
    found |= {p.parent for p in source.rglob(EPISODE_FILE)}
    yield from found


def _fsync_tree(root: Path) -> None:
    """fsync every file and directory under ``root`` (deepest first), and ``root``."""
    for directory, _, files in os.walk(root, topdown=False):
        for name in files:
            descriptor = os.open(os.path.join(directory, name), os.O_RDONLY)
            try:
                os.fsync(descriptor)
            finally:
                os.close(descriptor)
        fsync_directory(Path(directory))
