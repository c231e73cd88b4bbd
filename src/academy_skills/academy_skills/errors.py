"""Exception hierarchy of academy_skills: errors name the field, the value and what is valid."""

from __future__ import annotations


class SkillsError(Exception):
    """Base class of every error raised by academy_skills."""


class UnknownSkillError(SkillsError):
    """The goal names a skill the library does not have."""


class SkillParameterError(SkillsError):
    """A skill parameter is missing, unknown, of the wrong type or out of range."""


class ProgramError(SkillsError):
    """A program file is malformed (the message lists every problem)."""
