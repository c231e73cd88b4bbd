"""Exception hierarchy of academy_sim."""

from __future__ import annotations


class SimError(Exception):
    """Base class of every error raised by academy_sim."""


class InvalidStationError(SimError):
    """A station configuration is invalid; ``problems`` holds one line per problem."""

    def __init__(self, source: str, problems: list[str]) -> None:
        super().__init__(f"{source}: " + f"\n{source}: ".join(problems))
        self.source = source
        self.problems = problems


class UnknownObjectError(SimError):
    """A request named an object the station does not have."""
