"""Mastery: every attempt per robot x skill, kept across sessions, and when a skill is mastered.

A skill counts as mastered by a robot when, over its last ``window`` attempts, the Wilson score
interval's lower bound of the success rate (at ``z``, 1.96: 95 %) reaches ``threshold``: a
robot is not declared master of a skill on a lucky streak of five. Attempts a trainer stopped
(canceled, e-stopped) are kept but not counted: they say nothing about the skill.

The store is an SQLite file beside the pool's catalog (``<pool>/mastery.sqlite``), written in
WAL mode so that several processes may record at once: ``academy practice --record``,
``academy program run`` and, in a session, each skill executor (its ``pool_dir`` parameter,
through :class:`AttemptLog`). ROS-free.
"""

from __future__ import annotations

import math
import sqlite3
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from academy_skills.skill_executor import ExecutorEvent

#: Outcomes a trainer's stop produced: recorded, not counted.
NOT_COUNTED = ("canceled", "estopped")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS attempts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    robot TEXT NOT NULL,
    model TEXT NOT NULL,
    skill TEXT NOT NULL,
    stamp REAL NOT NULL,
    outcome TEXT NOT NULL,
    failure TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS attempts_by_robot_skill ON attempts (robot, skill, id);
"""


@dataclass(frozen=True)
class MasteryRule:
    """When a skill is mastered: Wilson lower bound over the last ``window`` counted attempts
    at ``z`` reaches ``threshold``."""

    window: int = 50
    threshold: float = 0.8
    z: float = 1.96

    def __post_init__(self) -> None:
        if self.window < 1:
            raise ValueError(f"mastery window = {self.window}: at least 1 attempt")
        if not 0.0 < self.threshold <= 1.0:
            raise ValueError(f"mastery threshold = {self.threshold}: in (0, 1]")
        if self.z <= 0:
            raise ValueError(f"mastery z = {self.z}: positive (1.96 for 95 %)")


def wilson_lower_bound(successes: int, attempts: int, z: float = 1.96) -> float:
    """Lower bound of the Wilson score interval of a success rate (0 with no attempts)."""
    if attempts <= 0:
        return 0.0
    p = successes / attempts
    denominator = 1 + z * z / attempts
    centre = p + z * z / (2 * attempts)
    margin = z * math.sqrt(p * (1 - p) / attempts + z * z / (4 * attempts * attempts))
    return max(0.0, (centre - margin) / denominator)


@dataclass(frozen=True)
class SkillProgress:
    """One robot x skill: all counted attempts and successes, the window's, its Wilson lower
    bound and whether that masters the skill."""

    robot: str
    model: str
    skill: str
    attempts: int
    successes: int
    window_attempts: int
    window_successes: int
    lower_bound: float
    mastered: bool

    @property
    def success_rate(self) -> float:
        return self.successes / self.attempts if self.attempts else 0.0


class MasteryStore:
    """The attempts of every robot, in an SQLite file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.executescript(_SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=30.0)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            with db:  # one transaction
                yield db
        finally:
            db.close()

    def record(
        self,
        robot: str,
        model: str,
        skill: str,
        outcome: str,
        failure: str = "",
        stamp: float | None = None,
        source: str = "",
    ) -> None:
        """Keep one attempt (``outcome``: succeeded, failed, rejected, aborted, canceled, …)."""
        with self._connect() as db:
            db.execute(
                "INSERT INTO attempts (robot, model, skill, stamp, outcome, failure, source) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (robot, model, skill, time.time() if stamp is None else stamp, outcome.lower(),
                 failure, source),
            )  # fmt: skip

    def count(self, robot: str) -> int:
        """How many attempts (counted or not) ``robot`` has recorded."""
        with self._connect() as db:
            (total,) = db.execute(
                "SELECT COUNT(*) FROM attempts WHERE robot = ?", (robot,)
            ).fetchone()
        return int(total)

    def progress(
        self, robot: str | None = None, skill: str | None = None, rule: MasteryRule | None = None
    ) -> list[SkillProgress]:
        """Progress per robot x skill (sorted), for one robot and/or skill when given."""
        rule = rule or MasteryRule()
        where, args = ["outcome NOT IN (?, ?)"], list(NOT_COUNTED)
        if robot is not None:
            where.append("robot = ?")
            args.append(robot)
        if skill is not None:
            where.append("skill = ?")
            args.append(skill)
        query = (
            "SELECT robot, model, skill, outcome FROM attempts WHERE "
            + " AND ".join(where)
            + " ORDER BY robot, skill, id"
        )
        with self._connect() as db:
            rows = db.execute(query, args).fetchall()
        grouped: dict[tuple[str, str], list[tuple[str, str]]] = {}
        for robot_, model, skill_, outcome in rows:
            grouped.setdefault((robot_, skill_), []).append((model, outcome))
        result = []
        for (robot_, skill_), attempts in sorted(grouped.items()):
            wins = [outcome == "succeeded" for _, outcome in attempts]
            window = wins[-rule.window :]
            bound = wilson_lower_bound(sum(window), len(window), rule.z)
            result.append(
                SkillProgress(
                    robot=robot_,
                    model=attempts[-1][0],
                    skill=skill_,
                    attempts=len(wins),
                    successes=sum(wins),
                    window_attempts=len(window),
                    window_successes=sum(window),
                    lower_bound=bound,
                    mastered=bound >= rule.threshold,
                )
            )
        return result

    def not_mastered(
        self, robot: str, skills: Iterable[str], rule: MasteryRule | None = None
    ) -> list[str]:
        """The ones of ``skills`` that ``robot`` has not mastered (what locks a scenario)."""
        mastered = {r.skill for r in self.progress(robot, None, rule) if r.mastered}
        return [s for s in skills if s not in mastered]


class AttemptLog:
    """A skill executor's writer: one row per finished attempt, never raising into the goal.

    A write that fails (a locked or unwritable file) is counted and reported: ``record``
    returns how many attempts were lost so far when this one was (0 when it was kept).
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.lost = 0
        self.last_error = ""
        self._store: MasteryStore | None = None

    def record(self, robot: str, model: str, event: ExecutorEvent) -> int:
        """Keep the attempt an ATTEMPT_END ``event`` ended."""
        try:
            if self._store is None:
                self._store = MasteryStore(self.path)
            self._store.record(
                robot,
                model,
                event.skill,
                event.outcome.name.lower(),
                event.failure,
                source="session",
            )
        except (sqlite3.Error, OSError) as error:
            self.lost += 1
            self.last_error = str(error)
            return self.lost
        return 0


def progress_answer(
    rows: list[SkillProgress], robot: str, skill: str, rule: MasteryRule | None = None
) -> str:
    """What ``robot`` says when the trainer asks how it is doing (on ``skill``; "" = every skill
    it practised): attempts, the success rate over the window, and whether that masters it (the
    feedback message names the robot)."""
    rule = rule or MasteryRule()
    if not rows:
        what = skill.replace("_", " ") if skill else "any skill"
        return f"I have not practised {what} yet"

    def one(row: SkillProgress) -> str:
        rate = row.window_successes / row.window_attempts if row.window_attempts else 0.0
        verdict = (
            "mastered"
            if row.mastered
            else f"not mastered yet (it needs a lower bound of {rule.threshold:.2f})"
        )
        return (
            f"{row.skill.replace('_', ' ')}: {row.window_successes} of my last "
            f"{row.window_attempts} attempts succeeded ({rate:.0%}), lower bound "
            f"{row.lower_bound:.2f}: {verdict}"
        )

    if skill:
        return "; ".join(one(r) for r in rows)
    mastered = [r.skill.replace("_", " ") for r in rows if r.mastered]
    practising = [r for r in rows if not r.mastered]
    parts = [f"I have mastered {', '.join(mastered)}"] if mastered else []
    parts += [one(r) for r in practising]
    return "; ".join(parts)
