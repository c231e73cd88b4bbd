"""Exception hierarchy of academy_description."""

from __future__ import annotations


class DescriptionError(Exception):
    """Base class of every error raised by academy_description."""


class UnknownModelError(DescriptionError):
    """No registry entry for the requested model name."""


class InvalidDescriptionError(DescriptionError):
    """A URDF or registry entry is invalid; ``problems`` holds one line per problem."""

    def __init__(self, source: str, problems: list[str]) -> None:
        super().__init__(f"{source}: " + f"\n{source}: ".join(problems))
        self.source = source
        self.problems = problems
