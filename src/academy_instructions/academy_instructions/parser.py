"""Trainer text -> skill goals: a small, strict English grammar (ROS-free).

What a trainer says maps to exactly one :class:`ParsedInstruction` or to a :class:`Rejection`
that tells the trainer why — the parser never guesses. Forms understood::

    [robot <n>[,]] [please] <verb phrase> <object> [<height>] [<count>] [<manner>]
    [robot <n>[,]] stop | halt | freeze | emergency stop       -> e-stop
    [robot <n>[,]] reset | resume | release the stop           -> release the e-stop
    [robot <n>[,]] cancel | never mind | abort                 -> cancel the running goal

Verbs: reach (reach for, touch, move to, go to), grasp (grasp, grab, grip, take hold of), lift
(lift, pick up, raise). Objects are named by colour and/or kind as configured for the station
("the red cube", "the cup", "blue mug"). Heights: "ten centimetres", "15 cm", "0.1 m". Counts:
"five times", "3 times", "twice", "once". Manner: "slowly", "quickly", "gently", "firmly".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from academy_common.interface_constants import FeedbackLevel, InstructionKind

#: Longest text accepted (characters); anything longer is not a spoken command.
MAX_TEXT_LENGTH = 200

NUMBER_WORDS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
}  # fmt: skip
#: Verb phrases -> skill (longest phrases are tried first).
VERBS = {
    "reach for": "reach", "reach to": "reach", "reach towards": "reach", "reach": "reach",
    "touch": "reach", "move to": "reach", "move your hand to": "reach", "go to": "reach",
    "grasp": "grasp", "grab": "grasp", "grip": "grasp", "take hold of": "grasp",
    "lift up": "lift", "lift": "lift", "pick up": "lift", "raise": "lift",
}  # fmt: skip
#: Words a trainer may use for an object kind.
KIND_SYNONYMS = {"cube": "cube", "block": "cube", "box": "cube", "cup": "cup", "mug": "cup"}
STOP_WORDS = ("emergency stop", "stop", "halt", "freeze")
RESET_WORDS = ("release the stop", "reset", "resume", "continue")
CANCEL_WORDS = ("never mind", "cancel", "abort")
#: Manner words -> skill parameters.
MANNER = {
    "slowly": ("speed", 0.15),
    "carefully": ("speed", 0.15),
    "quickly": ("speed", 0.5),
    "fast": ("speed", 0.5),
    "gently": ("grip_force", 8.0),
    "firmly": ("grip_force", 40.0),
}
FILLER = ("please", "now", "can you", "could you", "would you", "then", "and")
UNITS = {
    "centimetres": 0.01, "centimeters": 0.01, "centimetre": 0.01, "centimeter": 0.01,
    "cm": 0.01, "millimetres": 0.001, "millimeters": 0.001, "mm": 0.001,
    "metres": 1.0, "meters": 1.0, "metre": 1.0, "meter": 1.0, "m": 1.0,
}  # fmt: skip


@dataclass(frozen=True)
class StationObject:
    """An object the trainer can name."""

    name: str
    color: str
    kind: str


@dataclass(frozen=True)
class ParsedInstruction:
    """A command the parser understood."""

    kind: InstructionKind
    robot_id: str
    skill: str = ""
    parameters: dict[str, float | str] = field(default_factory=dict)
    repetitions: int = 1


@dataclass(frozen=True)
class Rejection:
    """A text the parser could not map, with a sentence for the trainer."""

    level: FeedbackLevel
    text: str


class InstructionParser:
    """Parses trainer text for a set of robots and the objects of their station."""

    def __init__(
        self, robots: Iterable[str], objects: Iterable[StationObject], default_robot: str = ""
    ) -> None:
        self.robots = tuple(robots)
        self.objects = tuple(objects)
        if default_robot and default_robot not in self.robots:
            raise ValueError(f"default_robot {default_robot!r} is not one of {self.robots}")
        self.default_robot = default_robot or (self.robots[0] if len(self.robots) == 1 else "")

    def parse(self, text: str) -> ParsedInstruction | Rejection:
        """Map ``text`` to an instruction, or say why not."""
        if len(text) > MAX_TEXT_LENGTH:
            return Rejection(
                FeedbackLevel.REJECTED,
                f"that was {len(text)} characters; a command is at most {MAX_TEXT_LENGTH}",
            )
        if any(not ch.isprintable() for ch in text):
            return Rejection(FeedbackLevel.REJECTED, "the text contains control characters")
        words = re.sub(r"[^a-z0-9_. ]+", " ", text.lower().replace("-", " ")).split()
        words = [w.rstrip(".") for w in words if w.rstrip(".")]
        if not words:
            return Rejection(
                FeedbackLevel.REJECTED, "I heard no words; say e.g. 'pick up the red cube'"
            )
        robot, words = self._robot(words)
        if isinstance(robot, Rejection):
            return robot
        phrase = " ".join(w for w in words if w not in ("please", "now"))
        for kind, vocabulary in (
            (InstructionKind.STOP, STOP_WORDS),
            (InstructionKind.RESET, RESET_WORDS),
            (InstructionKind.CANCEL, CANCEL_WORDS),
        ):
            if phrase in vocabulary or phrase in (f"{w} everything" for w in vocabulary):
                target = (
                    robot if robot is not None else ("" if kind == InstructionKind.STOP else None)
                )
                if target is None:
                    target = self.default_robot
                return ParsedInstruction(kind, target)
        if robot is None:
            if not self.default_robot:
                return Rejection(
                    FeedbackLevel.CLARIFY,
                    "which robot? say e.g. 'robot one, ...'; robots here: "
                    + ", ".join(self.robots),
                )
            robot = self.default_robot
        return self._skill(robot, phrase)

    # -- pieces ---------------------------------------------------------------------------------
    def _robot(self, words: list[str]) -> tuple[str | Rejection | None, list[str]]:
        if words[0] == "robot" and len(words) > 1:
            number = _number(words[1])
            if number is None:
                return Rejection(
                    FeedbackLevel.REJECTED, f"'robot {words[1]}' is not a robot number"
                ), []
            rest = words[2:]
        elif re.fullmatch(r"robot_\d+", words[0]):
            number, rest = int(words[0].split("_")[1]), words[1:]
        else:
            return None, words
        robot_id = f"robot_{number}"
        if robot_id not in self.robots:
            return (
                Rejection(
                    FeedbackLevel.REJECTED,
                    f"there is no {robot_id} here; robots here: {', '.join(self.robots)}",
                ),
                [],
            )
        return robot_id, rest

    def _skill(self, robot: str, phrase: str) -> ParsedInstruction | Rejection:
        for filler in FILLER:
            phrase = re.sub(rf"^{filler}\b\s*", "", phrase)
        skill = ""
        if phrase.startswith("pick ") and phrase.endswith(" up"):  # "pick the cube up"
            phrase = "pick up " + phrase[len("pick ") : -len(" up")]
        for verb in sorted(VERBS, key=len, reverse=True):
            if phrase == verb or phrase.startswith(verb + " "):
                skill, phrase = VERBS[verb], phrase[len(verb) :].strip()
                break
        if not skill:
            verbs = "reach, grasp, lift, pick up, stop"
            return Rejection(
                FeedbackLevel.REJECTED,
                f"I don't know how to '{' '.join(phrase.split()[:3])}'; I know: {verbs}",
            )
        parameters: dict[str, float | str] = {}
        repetitions, phrase, problem = _repetitions(phrase)
        if problem:
            return Rejection(FeedbackLevel.REJECTED, problem)
        height, phrase, problem = _height(phrase)
        if problem:
            return Rejection(FeedbackLevel.REJECTED, problem)
        if height is not None:
            if skill != "lift":
                return Rejection(
                    FeedbackLevel.REJECTED, f"a height makes sense for lift, not {skill}"
                )
            parameters["height"] = height
        tokens = phrase.split()
        for word in list(tokens):
            if word in MANNER:
                name, value = MANNER[word]
                parameters[name] = value
                tokens.remove(word)
        found = self._object(tokens)
        if isinstance(found, Rejection):
            return found
        parameters["object"] = found.name
        return ParsedInstruction(
            InstructionKind.EXECUTE_SKILL, robot, skill, parameters, repetitions
        )

    def _object(self, tokens: list[str]) -> StationObject | Rejection:
        words = [t for t in tokens if t not in ("the", "a", "an", "that", "this", "it")]
        visible = ", ".join(f"the {o.color} {o.kind}" for o in self.objects)
        if not words:
            return Rejection(FeedbackLevel.CLARIFY, f"which object? I can see {visible}")
        if len(words) > 2:
            return Rejection(
                FeedbackLevel.REJECTED,
                f"I did not understand '{' '.join(words)}'; I can see {visible}",
            )
        kind = KIND_SYNONYMS.get(words[-1])
        color = words[0] if len(words) == 2 else None
        if kind is None:
            named = " ".join(words)
            return Rejection(FeedbackLevel.REJECTED, f"I don't know '{named}'; I can see {visible}")
        matches = [
            o for o in self.objects if o.kind == kind and (color is None or o.color == color)
        ]
        if not matches:
            named = " ".join(words)
            return Rejection(
                FeedbackLevel.REJECTED, f"there is no {named} here; I can see {visible}"
            )
        if len(matches) > 1:
            options = " or ".join(f"the {o.color} {o.kind}" for o in matches)
            return Rejection(FeedbackLevel.CLARIFY, f"which {kind}: {options}?")
        return matches[0]


def _number(word: str) -> int | None:
    if word.isdigit():
        return int(word)
    return NUMBER_WORDS.get(word)


def _repetitions(phrase: str) -> tuple[int, str, str]:
    for word, count in (("once", 1), ("twice", 2), ("thrice", 3)):
        if re.search(rf"\b{word}\b", phrase):
            return count, re.sub(rf"\s*\b{word}\b", "", phrase).strip(), ""
    match = re.search(r"\b(\S+)\s+times?\b", phrase)
    if match is None:
        return 1, phrase, ""
    number = _number(match.group(1))
    if number is None or number < 1:
        return 1, phrase, f"'{match.group(0)}' is not a number of repetitions I understand"
    count = number
    if count > 50:
        return 1, phrase, f"{count} repetitions in one go is too many; at most 50"
    return count, (phrase[: match.start()] + phrase[match.end() :]).strip(), ""


def _height(phrase: str) -> tuple[float | None, str, str]:
    """Find '<number> <unit>' (optionally 'by'/'to' before, 'high'/'up' after) in ``phrase``."""
    tokens = phrase.split()
    for index, token in enumerate(tokens):
        if token not in UNITS or index == 0:
            continue
        start = index - 1
        value = _number_value(tokens[start])
        if start > 0 and value is not None and value < 10:  # "twenty five"
            tens = NUMBER_WORDS.get(tokens[start - 1])
            if tens is not None and tens >= 20:
                start, value = start - 1, float(tens) + value
        if value is None:
            return None, phrase, f"'{tokens[start]} {token}' is not a height I understand"
        if start > 0 and tokens[start - 1] in ("by", "to"):
            start -= 1
        end = index + 1
        if end < len(tokens) and tokens[end] in ("high", "up"):
            end += 1
        rest = " ".join(tokens[:start] + tokens[end:])
        return value * UNITS[token], rest, ""
    return None, phrase, ""


def _number_value(word: str) -> float | None:
    """'ten' -> 10.0, '12' -> 12.0, '0.1' -> 0.1; else None."""
    if word in NUMBER_WORDS:
        return float(NUMBER_WORDS[word])
    try:
        return float(word)
    except ValueError:
        return None
