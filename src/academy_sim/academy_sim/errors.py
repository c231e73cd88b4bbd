"""Exception hierarchy of academy_sim."""

from __future__ import annotations

from academy_common.problems import ProblemsError


class SimError(Exception):
    """Base class of every error raised by academy_sim."""


class InvalidStationError(ProblemsError, SimError):
    """A station configuration is invalid; ``problems`` holds one line per problem."""


class UnknownObjectError(SimError):
    """A request named an object the station does not have."""


class InvalidPoseError(ProblemsError, SimError):
    """A requested prop pose was refused (before anything moved); one line per problem."""
