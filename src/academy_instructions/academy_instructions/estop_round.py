"""One e-stop (or release) sent to several robots at once: who answered, and what to tell the
trainer (ROS-free).

The instruction parser node calls every robot's ``estop`` service at the same time and keeps an
:class:`EstopRound`. The trainer hears about the whole round once — when every robot answered,
or when the deadline passes, whichever is first — so one dead robot is named as an error without
holding back the others. An answer after the deadline is reported on its own.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass

from academy_common.interface_constants import FeedbackLevel


@dataclass(frozen=True)
class EstopReport:
    """One sentence for the trainer about one robot."""

    robot_id: str
    level: FeedbackLevel
    text: str


class EstopRound:
    """Answers of ``robots`` to one e-stop request (``engage``) due within ``timeout_s``.

    Thread-safe: answers arrive on executor threads while the deadline fires on another.
    """

    def __init__(self, robots: Sequence[str], engage: bool, timeout_s: float) -> None:
        self.robots = tuple(robots)
        self.engage = engage
        self.timeout_s = timeout_s
        self._what = "e-stop" if engage else "e-stop release"
        self._answers: dict[str, EstopReport] = {}
        self._reported = False
        self._lock = threading.Lock()

    @property
    def reported(self) -> bool:
        """True once the round's reports were handed out (all answered or deadline passed)."""
        with self._lock:
            return self._reported

    def answer(
        self, robot: str, success: bool, message: str, elapsed_s: float
    ) -> list[EstopReport]:
        """Record ``robot``'s answer; return what to publish now (maybe nothing yet)."""
        done = "e-stop engaged" if self.engage else "e-stop released"
        if success:
            report = EstopReport(robot, FeedbackLevel.INFO, f"{robot}: {message or done}")
        else:
            report = EstopReport(
                robot, FeedbackLevel.ERROR, f"{robot} refused the {self._what}: {message}"
            )
        return self._record(robot, report, elapsed_s)

    def fail(self, robot: str, why: str, elapsed_s: float) -> list[EstopReport]:
        """``robot`` cannot be asked (its call failed or its service never appeared)."""
        text = f"{robot} did not get the {self._what}: {why}"
        return self._record(robot, EstopReport(robot, FeedbackLevel.ERROR, text), elapsed_s)

    def expire(self) -> list[EstopReport]:
        """The deadline passed: the round's reports, errors for the silent robots ([] if the
        round was already reported)."""
        with self._lock:
            if self._reported:
                return []
            return self._close()

    def _record(self, robot: str, report: EstopReport, elapsed_s: float) -> list[EstopReport]:
        with self._lock:
            if robot in self._answers:  # one answer per robot; a second one changes nothing
                return []
            self._answers[robot] = report
            if self._reported:  # late: the trainer already heard this robot was silent
                late = f"{report.text} (after {elapsed_s:.1f} s)"
                return [EstopReport(robot, report.level, late)]
            if len(self._answers) == len(self.robots):
                return self._close()
            return []

    def _close(self) -> list[EstopReport]:
        self._reported = True
        silent = [
            EstopReport(
                robot,
                FeedbackLevel.ERROR,
                f"{robot} did not answer the {self._what} within {self.timeout_s:g} s"
                + ("; it may still be moving" if self.engage else ""),
            )
            for robot in self.robots
            if robot not in self._answers
        ]
        answered = [self._answers[r] for r in self.robots if r in self._answers]
        # Errors first: a trainer hears about a robot that may still be moving before the ones
        # that are safe.
        reports = silent + answered
        return sorted(reports, key=lambda r: r.level != FeedbackLevel.ERROR)
