"""Exception hierarchy of academy_control."""

from __future__ import annotations

from academy_common.problems import ProblemsError


class ControlError(Exception):
    """Base class of every error raised by academy_control."""


class InvalidTrajectoryError(ControlError):
    """A trajectory was rejected; the message says why (joint, point, value, what is valid)."""


class InvalidJointsError(InvalidTrajectoryError):
    """The trajectory names joints the controller does not drive (or names one twice)."""


class EStopEngagedError(ControlError):
    """A goal was refused because the e-stop is engaged (latched until reset)."""


class InvalidControllerConfigError(ProblemsError, ControlError):
    """A controller configuration file is invalid; ``problems`` holds one line per problem."""


class HardwareError(ControlError):
    """The hardware interface could not be loaded or failed."""
