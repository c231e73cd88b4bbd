"""The local episode pool: episode directories plus an SQLite catalog (ROS-free).

Layout::

    <pool>/catalog.sqlite
    <pool>/episodes/<YYYY-MM-DD>/<episode_id>/{bag/, episode.json}

:func:`ingest` copies finished episodes (those with an ``episode.json``) into the pool. It is
idempotent — an episode id already in the catalog is skipped — and checks each episode before
taking it: required fields present, the bag's ``metadata.yaml`` present, and the bag's message
count equal to what ``episode.json`` claims. Episodes that fail a check are reported and left out.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

CATALOG = "catalog.sqlite"
EPISODES = "episodes"
REQUIRED_FIELDS = (
    "episode_id", "robot_id", "model", "manufacturer", "skill", "outcome", "failure_reason",
    "start_ns", "end_ns", "duration_s", "message_count", "messages_lost", "complete", "bag",
)  # fmt: skip

SCHEMA = """
CREATE TABLE IF NOT EXISTS episodes (
    episode_id TEXT PRIMARY KEY,
    robot_id TEXT NOT NULL,
    model TEXT NOT NULL,
    manufacturer TEXT NOT NULL,
    skill TEXT NOT NULL,
    outcome TEXT NOT NULL,
    failure_reason TEXT NOT NULL,
    start_ns INTEGER NOT NULL,
    end_ns INTEGER NOT NULL,
    duration_s REAL NOT NULL,
    message_count INTEGER NOT NULL,
    messages_lost INTEGER NOT NULL,
    complete INTEGER NOT NULL,
    instruction_text TEXT NOT NULL,
    parameters_json TEXT NOT NULL,
    path TEXT NOT NULL,
    size_bytes INTEGER NOT NULL,
    ingested_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS episodes_skill ON episodes (skill, outcome);
"""


class PoolError(Exception):
    """Base class of academy_pool's errors."""


@dataclass
class IngestReport:
    """What an ingest did: ids added, ids already present, problems (path: why)."""

    added: list[str] = field(default_factory=list)
    present: list[str] = field(default_factory=list)
    unfinished: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class SkillSummary:
    """Per-skill figures over the pool."""

    skill: str
    attempts: int
    successes: int
    mean_duration_s: float


class Pool:
    """A pool directory and its catalog."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(root / CATALOG)
        self._db.executescript(SCHEMA)

    def close(self) -> None:
        """Close the catalog."""
        self._db.close()

    def __enter__(self) -> Pool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def ingest(self, source: Path) -> IngestReport:
        """Copy every finished episode under ``source`` into the pool (see module docs)."""
        report = IngestReport()
        for directory in sorted(_episode_dirs(source)):
            document_path = directory / "episode.json"
            if not document_path.is_file():
                report.unfinished.append(str(directory))
                continue
            try:
                document = _check(directory, document_path)
            except PoolError as error:
                report.rejected.append(f"{directory}: {error}")
                continue
            episode_id = document["episode_id"]
            if self.has(episode_id):
                report.present.append(episode_id)
                continue
            date = time.strftime("%Y-%m-%d", time.gmtime(document["start_ns"] / 1e9))
            target = self.root / EPISODES / date / episode_id
            partial = target.with_name(f".{episode_id}.partial")
            shutil.rmtree(partial, ignore_errors=True)
            shutil.copytree(directory, partial)
            if target.exists():  # copied by an ingest that stopped before cataloguing it
                shutil.rmtree(partial)
            else:
                partial.rename(target)
            size = sum(f.stat().st_size for f in target.rglob("*") if f.is_file())
            self._insert(document, target, size)
            report.added.append(episode_id)
        return report

    def has(self, episode_id: str) -> bool:
        """True if the catalog holds ``episode_id``."""
        row = self._db.execute("SELECT 1 FROM episodes WHERE episode_id = ?", (episode_id,))
        return row.fetchone() is not None

    def _insert(self, document: dict[str, Any], path: Path, size: int) -> None:
        instruction = document.get("instruction") or {}
        with self._db:
            self._db.execute(
                "INSERT INTO episodes VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    document["episode_id"],
                    document["robot_id"],
                    document["model"],
                    document["manufacturer"],
                    document["skill"],
                    document["outcome"],
                    document["failure_reason"],
                    int(document["start_ns"]),
                    int(document["end_ns"]),
                    float(document["duration_s"]),
                    int(document["message_count"]),
                    sum(int(v) for v in document["messages_lost"].values()),
                    int(bool(document["complete"])),
                    str(instruction.get("text", "")),
                    json.dumps(document.get("parameters", {}), sort_keys=True),
                    str(path.relative_to(self.root)),
                    size,
                    time.time(),
                ),
            )

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


def _episode_dirs(source: Path) -> Iterator[Path]:
    """Directories under ``source`` that hold a bag (finished or not)."""
    if not source.is_dir():
        raise PoolError(f"{source}: not a directory")
    for metadata in source.rglob("bag"):
        if metadata.is_dir():
            yield metadata.parent


def _check(directory: Path, document_path: Path) -> dict[str, Any]:
    try:
        document = json.loads(document_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise PoolError(f"episode.json unreadable: {error}") from error
    if not isinstance(document, dict):
        raise PoolError("episode.json: not a JSON object")
    missing = [f for f in REQUIRED_FIELDS if f not in document]
    if missing:
        raise PoolError(f"episode.json: missing fields {missing}")
    if document["episode_id"] != directory.name:
        raise PoolError(
            f"episode.json: episode_id {document['episode_id']!r} does not match its directory"
        )
    metadata_path = directory / str(document["bag"]) / "metadata.yaml"
    if not metadata_path.is_file():
        raise PoolError(f"{metadata_path.name} missing: the bag was never finalised")
    metadata = yaml.safe_load(metadata_path.read_text(encoding="utf-8")) or {}
    bag_count = int(metadata.get("rosbag2_bagfile_information", {}).get("message_count", -1))
    if bag_count != int(document["message_count"]):
        raise PoolError(
            f"bag holds {bag_count} messages but episode.json claims {document['message_count']}"
        )
    return document
