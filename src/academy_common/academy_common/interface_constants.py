"""Every Python mirror of an ``academy_interfaces`` message constant, in one place.

ROS-free: the core modules (skills, controllers, parser, recorder, pool) use these enums without
importing generated message code. ``test/test_interface_constants.py`` checks that each member
equals its ``.msg``/``.action`` constant and that no constant is left without a mirror, so a
change to an interface that is not made here fails the tests.
"""

from __future__ import annotations

from enum import IntEnum


class SkillOutcome(IntEnum):
    """``academy_interfaces/msg/SkillOutcome``."""

    UNKNOWN = 0
    SUCCEEDED = 1
    FAILED = 2
    REJECTED = 3
    ABORTED = 4
    CANCELED = 5
    ESTOPPED = 6


class SkillEventKind(IntEnum):
    """``academy_interfaces/msg/SkillEvent`` event constants."""

    GOAL_ACCEPTED = 0
    ATTEMPT_START = 1
    PHASE_START = 2
    PHASE_END = 3
    ATTEMPT_END = 4
    GOAL_END = 5


class TrajectoryErrorCode(IntEnum):
    """``FollowJointTrajectory`` result codes: control_msgs' values, then academy's own."""

    SUCCESSFUL = 0
    INVALID_GOAL = -1
    INVALID_JOINTS = -2
    OLD_HEADER_TIMESTAMP = -3
    PATH_TOLERANCE_VIOLATED = -4
    GOAL_TOLERANCE_VIOLATED = -5
    CANCELED = -10
    PREEMPTED = -11
    ESTOPPED = -12
    HARDWARE_FAULT = -13


class GripperErrorCode(IntEnum):
    """``GripperCommand`` result codes (same values as the trajectory codes they share)."""

    SUCCESSFUL = 0
    INVALID_GOAL = -1
    CANCELED = -10
    PREEMPTED = -11
    ESTOPPED = -12
    HARDWARE_FAULT = -13


class InstructionKind(IntEnum):
    """``academy_interfaces/msg/Instruction`` KIND_* constants."""

    EXECUTE_SKILL = 0
    STOP = 1
    RESET = 2
    CANCEL = 3
    QUERY_PROGRESS = 4
    PAUSE = 5


class FeedbackLevel(IntEnum):
    """``academy_interfaces/msg/TrainerFeedback`` LEVEL_* constants."""

    INFO = 0
    CLARIFY = 1
    REJECTED = 2
    ERROR = 3


class UtteranceSource(IntEnum):
    """``academy_interfaces/msg/Utterance`` SOURCE_* constants."""

    SPEECH = 0
    TEXT = 1
    SCRIPT = 2


def outcome_name(value: int) -> str:
    """Name of a SkillOutcome value ("UNKNOWN" for values this build does not know)."""
    try:
        return SkillOutcome(value).name
    except ValueError:
        return "UNKNOWN"
