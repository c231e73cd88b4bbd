"""Each Python mirror in ``interface_constants`` equals its message constant, both ways."""

from __future__ import annotations

from enum import IntEnum

import pytest

from academy_common import interface_constants as ic

interfaces = pytest.importorskip("academy_interfaces", reason="needs the built interfaces")
from academy_interfaces.action import FollowJointTrajectory, GripperCommand  # noqa: E402
from academy_interfaces.msg import (  # noqa: E402
    Instruction,
    SkillEvent,
    SkillOutcome,
    TrainerFeedback,
    Utterance,
)

# (mirror, message class, prefix of its constants; "" = every upper-case constant)
MIRRORS = [
    (ic.SkillOutcome, SkillOutcome, ""),
    (ic.SkillEventKind, SkillEvent, ""),
    (ic.TrajectoryErrorCode, FollowJointTrajectory.Result, ""),
    (ic.GripperErrorCode, GripperCommand.Result, ""),
    (ic.InstructionKind, Instruction, "KIND_"),
    (ic.FeedbackLevel, TrainerFeedback, "LEVEL_"),
    (ic.UtteranceSource, Utterance, "SOURCE_"),
]


def _constants(message: type, prefix: str) -> dict[str, int]:
    names = [n for n in dir(message) if n.isupper() and n.startswith(prefix)]
    return {
        n[len(prefix) :]: getattr(message, n) for n in names if isinstance(getattr(message, n), int)
    }


@pytest.mark.parametrize(
    ("mirror", "message", "prefix"), MIRRORS, ids=lambda m: getattr(m, "__name__", "")
)
def test_mirror_equals_message_constants(mirror: type[IntEnum], message: type, prefix: str) -> None:
    expected = _constants(message, prefix)
    assert expected, f"{message.__name__} has no constants with prefix {prefix!r}"
    assert {m.name: int(m.value) for m in mirror} == expected


def test_a_wrong_mirror_is_caught() -> None:
    """The twin: a mirror with one value off does not compare equal."""

    class Wrong(IntEnum):
        UNKNOWN = 0
        SUCCEEDED = 2

    assert {m.name: int(m.value) for m in Wrong} != _constants(SkillOutcome, "")


def test_outcome_name_of_unknown_value() -> None:
    assert ic.outcome_name(6) == "ESTOPPED"
    assert ic.outcome_name(99) == "UNKNOWN"
