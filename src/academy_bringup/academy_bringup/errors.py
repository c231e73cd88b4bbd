"""Exception hierarchy of academy_bringup."""

from __future__ import annotations


class BringupError(Exception):
    """Base class of every error raised by academy_bringup."""


class SessionValidationError(BringupError):
    """A session file is invalid. ``problems`` holds one line per problem."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


class SessionStartError(BringupError):
    """A node could not be started or did not come up on the ROS graph in time."""
