"""Exception hierarchy of academy_description."""

from __future__ import annotations

from academy_common.problems import ProblemsError


class DescriptionError(Exception):
    """Base class of every error raised by academy_description."""


class UnknownModelError(DescriptionError):
    """No registry entry for the requested model name."""


class InvalidDescriptionError(ProblemsError, DescriptionError):
    """A URDF or registry entry is invalid; ``problems`` holds one line per problem."""


class PackageNotFoundError(DescriptionError):
    """A ``package://`` URI names a package that no install prefix holds."""


class MeshPreparationError(DescriptionError):
    """A mesh file could not be read or converted for the simulator."""
