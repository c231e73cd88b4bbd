"""Exception hierarchy of academy_control."""

from __future__ import annotations


class ControlError(Exception):
    """Base class of every error raised by academy_control."""


class InvalidTrajectoryError(ControlError):
    """A trajectory was rejected; the message says why (joint, point, value, what is valid)."""


class InvalidControllerConfigError(ControlError):
    """A controller configuration file is invalid; ``problems`` holds one line per problem."""

    def __init__(self, source: str, problems: list[str]) -> None:
        super().__init__(f"{source}: " + f"\n{source}: ".join(problems))
        self.source = source
        self.problems = problems


class HardwareError(ControlError):
    """The hardware interface could not be loaded or failed."""
