"""Trainer text -> skill goals: a small, strict English grammar (ROS-free).

What a trainer says maps to exactly one :class:`ParsedInstruction` or to a :class:`Rejection`
that tells the trainer why — the parser never guesses. Forms understood::

    [robot <n>[,]] [please] <verb phrase> <object> [<height>] [<count>] [<manner>]
    ... stop | halt | freeze | emergency stop | e-stop | estop ...      -> e-stop
    <who>[,] reset | resume | continue          (or: reset <who>)     -> release the e-stop
    <who>[,] cancel | never mind | abort        (or: cancel <who>)    -> cancel the running goal

    <who> = robot <n> | everyone | everybody | all robots

Verbs: reach (reach for, touch, move to, go to), grasp (grasp, grab, grip, take hold of), lift
(lift, pick up, raise). Objects are named by colour and/or kind as configured for the station
("the red cube", "the cup", "blue mug"). Heights: "ten centimetres", "15 cm", "0.1 m". Counts:
"five times", "3 times", "twice", "once". Manner: "slowly", "quickly", "gently", "firmly".

Fail-safe rules:

* **Any stop word stops.** A text containing the word stop, halt, freeze or estop (so also
  "emergency stop", "e-stop", "STOP!", "wait, stop", "no stop!") is an e-stop whatever else it
  says — bad numbers, unknown robots, control characters, more than :data:`MAX_TEXT_LENGTH`
  characters. Whole words only: "stopwatch", "unstoppable", "freezer" are not stop words. The
  stop goes to the one robot the text names ("robot two stop"); to every robot (``robot_id``
  "") when it names none, several, "everyone", a robot that is not here, or is over-long. So
  "release the stop" stops: releasing is said with reset, resume or continue.
* **Releases and cancels name their robot.** "reset", "resume", "continue", "cancel" must name
  a robot or say everyone/all robots; otherwise the parser asks which robot (CLARIFY). The
  skills' ``default_robot`` never applies to them. Exception: with exactly one robot in the
  fleet, an unaddressed release or cancel targets it — there is no other robot it could mean.
* **Numbers are positive and finite**, written as digits (10, 0.15) or words (ten); "-10",
  "nan", "inf", "1_0", "1e1" are refused, naming the value.
* **Contradictory manner words** ("slowly quickly") are asked back, not resolved last-one-wins.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from academy_common.interface_constants import FeedbackLevel, InstructionKind

#: Longest text accepted (characters); anything longer is not a spoken command (but a stop word
#: in it still stops).
MAX_TEXT_LENGTH = 200

NUMBER_WORDS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90,
}  # fmt: skip


@functools.cache
def skill_verbs() -> dict[str, str]:
    """Spoken verb phrase -> skill, from the skill registry (each skill declares its verbs:
    ``academy_skills.skill_library.register_skill``). Longest phrases are tried first."""
    from academy_skills.skill_library import skill_verbs as registered

    return registered()


@functools.cache
def skill_destinations() -> dict[str, tuple[bool, dict[str, str]]]:
    """Skill -> (whether its verbs say "carry somewhere", what a destination may name -> the
    parameter taking it), from the registry."""
    from academy_skills.skill_library import registered_skills

    return {name: (d.carries, d.destinations()) for name, d in registered_skills().items()}


@functools.cache
def skill_parameters() -> dict[str, frozenset[str]]:
    """Skill -> the names of the parameters it declares (the registry's)."""
    from academy_skills.skill_library import registered_skills

    return {
        name: frozenset(p.name for p in d.parameters) for name, d in registered_skills().items()
    }


#: Words a trainer may use for an object kind.
KIND_SYNONYMS = {"cube": "cube", "block": "cube", "box": "cube", "cup": "cup", "mug": "cup"}
#: Words a trainer may use for a fixture kind.
FIXTURE_SYNONYMS = {
    "bin": "bin", "basket": "bin", "pad": "target_pad", "mat": "target_pad",
    "target": "target_pad", "spot": "target_pad", "button": "button", "knob": "knob",
    "dial": "knob", "drawer": "drawer",
}  # fmt: skip
#: Words that start a destination: "... in the bin", "... on the green pad", "... onto the block";
#: and a source: "... out of the bin", "... off the block" (a parameter that ``refers`` to
#: "from:<kind>" takes it).
DESTINATION_WORDS = ("into", "in", "onto", "on", "to")
SOURCE_WORDS = ("out", "off", "from")
#: Words naming what a surface skill (one with a ``dirt`` parameter) clears: dropped, the
#: skill clears the station's loose bits ("wipe the table clean", "sweep up the crumbs").
SURFACE_WORDS = ("table", "crumbs", "crumb", "dirt", "mess", "surface", "clean", "up", "top", "of")
#: Stop words: any of them, as a whole word anywhere in a text, makes it an e-stop.
STOP_WORDS = ("stop", "halt", "freeze", "estop")
RESET_WORDS = ("reset", "resume", "continue")  # also resume a paused scenario
PAUSE_WORDS = ("pause", "hold on", "wait a moment")
CANCEL_WORDS = ("never mind", "cancel", "abort")
#: How a trainer addresses every robot at once.
EVERYONE_WORDS = ("everyone", "everybody", "all robots")
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

# A stop word as a whole word: not next to a letter or digit ("stopwatch", "unstoppable" are
# not stops; "STOP!", "stop.", "e-stop", "stop_" are). One linear scan, no backtracking: the
# work stays proportional to the text, however long it is.
_STOP = re.compile(r"(?<![^\W_])(?:" + "|".join(STOP_WORDS) + r")(?![^\W_])")
# Numbers the parser accepts: digits with an optional decimal part. Anything else that looks
# like a number (a sign, "_", an exponent, two points, nan/inf) is refused rather than guessed.
_NUMBER = re.compile(r"\d+(?:\.\d+)?|\.\d+")
_NUMBER_LIKE = re.compile(r".*\d.*|[+-]?(?:nan|inf|infinity)")
_VALID_NUMBERS = "numbers are positive, written as digits (10, 0.15) or words (ten)"
_EVERYONE = "everyone"  # _address() result for "everyone"/"all robots"
# "how are you doing on lifting", "how is your grasping going", "how good are you at stacking",
# "how are you doing": a question about the robot's progress, not a command.
_PROGRESS = re.compile(
    r"^(?:how (?:are you|is it) (?:doing|getting on|coming along)(?: (?:on|with|at) (?P<skill>.+))?"
    r"|how (?:good|well) (?:are you|do you do) at (?P<skill2>.+)"
    r"|how is (?:your )?(?P<skill3>.+?) going"
    r"|(?:what is|what's) your progress(?: on| with)? ?(?P<skill4>.*))$"
)


@dataclass(frozen=True)
class StationObject:
    """An object the trainer can name."""

    name: str
    color: str
    kind: str
    #: A fixture (a bin, a target pad): a destination, never the object acted on.
    fixture: bool = False

    def spoken(self) -> str:
        return f"the {self.color} {self.kind.replace('target_pad', 'pad')}"


@dataclass(frozen=True)
class ParsedInstruction:
    """A command the parser understood.

    ``robot_id`` "" means every robot (stop, release, cancel only). ``reason`` says why the
    parser chose this target, for the trainer; it is not part of the command's identity.
    """

    kind: InstructionKind
    robot_id: str
    skill: str = ""
    parameters: dict[str, float | str] = field(default_factory=dict)
    repetitions: int = 1
    reason: str = field(default="", compare=False)


@dataclass(frozen=True)
class Rejection:
    """A text the parser could not map, with a sentence for the trainer.

    ``level`` is :attr:`FeedbackLevel.CLARIFY` (a question back) or
    :attr:`FeedbackLevel.REJECTED` (why not).
    """

    level: FeedbackLevel
    text: str


class InstructionParser:
    """Parses trainer text for a set of robots and the objects of their station.

    Args:
        robots: robot ids this parser may command, e.g. ``["robot_1", "robot_2"]``.
        objects: what the trainer can name at the station.
        default_robot: robot for unaddressed *skill* commands; with one robot, that robot.
            Stops, releases and cancels never fall back on it (see the module's rules).
        names: spoken names -> robot id (the fleet file's ``spoken_name``): "baxter, grasp the
            red cube" addresses the robot called baxter, as "robot two, ..." would.

    Raises:
        ValueError: ``default_robot`` or a named robot is not one of ``robots``.
    """

    def __init__(
        self,
        robots: Iterable[str],
        objects: Iterable[StationObject],
        default_robot: str = "",
        names: Mapping[str, str] | None = None,
    ) -> None:
        self.robots = tuple(robots)
        everything = tuple(objects)
        self.objects = tuple(o for o in everything if not o.fixture)
        self.fixtures = tuple(o for o in everything if o.fixture)
        if default_robot and default_robot not in self.robots:
            raise ValueError(f"default_robot {default_robot!r} is not one of {self.robots}")
        self.default_robot = default_robot or (self.robots[0] if len(self.robots) == 1 else "")
        self.names = {name.casefold(): robot for name, robot in (names or {}).items()}
        # Loaded now, not on the first utterance: the registry imports the skills (MuJoCo,
        # mink), which must not happen inside a node's callback (a stop would wait for it).
        self.verbs = skill_verbs()
        self.skill_parameters = skill_parameters()
        self.destinations = skill_destinations()
        strangers = sorted(r for r in self.names.values() if r not in self.robots)
        if strangers:
            raise ValueError(f"spoken names for robots not commanded here: {strangers}")
        # Longest names first: "big blue" before "big".
        self._names = sorted(self.names.items(), key=lambda item: -len(item[0].split()))

    def _named(self, words: Sequence[str], start: int) -> tuple[str, int] | None:
        """The robot whose spoken name starts at ``words[start]``, and its length in words."""
        for name, robot in self._names:
            parts = name.split()
            if list(words[start : start + len(parts)]) == parts:
                return robot, len(parts)
        return None

    def _robots_here(self) -> str:
        spoken = {robot: name for name, robot in self.names.items()}
        return ", ".join(f"{r} ({spoken[r]})" if r in spoken else r for r in self.robots)

    def parse(self, text: str) -> ParsedInstruction | Rejection:
        """Map ``text`` to an instruction, or say why not (never raises)."""
        # The stop check comes first, before any reason to refuse the text: a trainer who says
        # stop must get a stop, however the rest of the sentence came out.
        folded = unicodedata.normalize("NFKC", text).casefold()
        found = _STOP.search(folded)
        if found is not None:
            return self._stop(folded, found.group(0))
        if len(text) > MAX_TEXT_LENGTH:
            return Rejection(
                FeedbackLevel.REJECTED,
                f"that was {len(text)} characters; a command is at most {MAX_TEXT_LENGTH}",
            )
        if any(not ch.isprintable() for ch in text):
            return Rejection(FeedbackLevel.REJECTED, "the text contains control characters")
        words = _words(folded)
        if not words:
            return Rejection(
                FeedbackLevel.REJECTED, "I heard no words; say e.g. 'pick up the red cube'"
            )
        robot, words = self._address(words)
        if isinstance(robot, Rejection):
            return robot
        phrase = " ".join(w for w in words if w not in ("please", "now"))
        control = self._control(robot, phrase)
        if control is not None:
            return control
        asked = _PROGRESS.match(phrase)
        if asked is not None:
            said = next((group for group in asked.groups() if group), "")
            return self._progress(robot, said.strip(" ."))
        if robot == _EVERYONE:
            return Rejection(
                FeedbackLevel.REJECTED,
                "a skill goes to one robot at a time; say e.g. 'robot one, lift the red cube'",
            )
        if robot is None and not self.default_robot:
            # What cannot be done by any robot is refused before asking which robot should.
            refused = self._skill(self.robots[0] if self.robots else "", phrase)
            if isinstance(refused, Rejection):
                return refused
            return Rejection(
                FeedbackLevel.CLARIFY,
                "which robot? say e.g. 'robot one, ...'; robots here: " + self._robots_here(),
            )
        return self._skill(robot or self.default_robot, phrase)

    # -- pieces ---------------------------------------------------------------------------------
    def _progress(self, robot: str | None, said: str) -> ParsedInstruction | Rejection:
        """ "how are you doing on lifting?": the robot asked (or the only one), the skill
        named by a verb, its -ing form or its name ("" = every skill)."""
        target = robot or self.default_robot
        if target == _EVERYONE or not target:
            return Rejection(
                FeedbackLevel.CLARIFY,
                "which robot? say e.g. 'robot one, how are you doing on lifting'; robots here: "
                + self._robots_here(),
            )
        words = [w for w in said.split() if w not in ("the", "your", "my", "a")]
        if not words:
            return ParsedInstruction(InstructionKind.QUERY_PROGRESS, target)
        skill = self._skill_named(" ".join(words))
        if skill is None:
            known = ", ".join(sorted({self._first_verb(k) for k in self.verbs.values()}))
            return Rejection(
                FeedbackLevel.REJECTED,
                f"I don't know the skill '{' '.join(words)}'; I know: {known}",
            )
        return ParsedInstruction(InstructionKind.QUERY_PROGRESS, target, skill)

    def _skill_named(self, said: str) -> str | None:
        """The skill a trainer names: a verb ("lift"), its -ing form ("lifting", "placing",
        "stacking") or its name ("pick and place", "put_in_bin")."""
        names = {name.replace("_", " "): name for name in self.skill_parameters}
        forms = [said]
        if said.endswith("ing"):
            stem = said[: -len("ing")]
            forms += [stem, stem + "e"]
            if len(stem) > 2 and stem[-1] == stem[-2]:  # "dropping" -> "drop"
                forms.append(stem[:-1])
        for form in forms:
            if form in names:
                return names[form]
            if form in self.verbs:
                return self.verbs[form]
        return None

    def _stop(self, folded: str, word: str) -> ParsedInstruction:
        """The e-stop for a text with a stop word: to the one robot it names, else to all.

        ``reason`` says which stop word was heard and, for a stop to all, why.
        """
        heard = f"heard '{word}'"
        if len(folded) > MAX_TEXT_LENGTH:  # bounded work: an over-long text's address is not read
            return ParsedInstruction(
                InstructionKind.STOP, "", reason=f"{heard}; the text is over-long"
            )
        tokens = re.findall(r"[^\W_]+", folded)
        named: set[str] = set()
        for index, token in enumerate(tokens):
            if token == "robot" and index + 1 < len(tokens):
                number, _ = _robot_number(tokens, index + 1)
                if number is not None:
                    named.add(f"robot_{number}")
            called = self._named(tokens, index)
            if called is not None:
                named.add(called[0])
        if any(f" {e} " in f" {' '.join(tokens)} " for e in EVERYONE_WORDS):
            why = "addressed to everyone"
        elif len(named) == 1 and (robot := next(iter(named))) in self.robots:
            return ParsedInstruction(InstructionKind.STOP, robot, reason=heard)
        elif len(named) == 1:
            why = f"there is no {next(iter(named))} here"
        elif named:
            why = f"{' and '.join(sorted(named))} named"
        else:
            why = "no robot named"
        return ParsedInstruction(InstructionKind.STOP, "", reason=f"{heard}; {why}")

    def _address(self, words: list[str]) -> tuple[str | Rejection | None, list[str]]:
        """The robot a text starts with: an id, ``_EVERYONE``, None (unaddressed) or why not."""
        for phrase in EVERYONE_WORDS:
            size = len(phrase.split())
            if words[:size] == phrase.split():
                return _EVERYONE, words[size:]
        if words[0] == "robot" and len(words) > 1:
            number, used = _robot_number(words, 1)
            if number is None:
                return Rejection(
                    FeedbackLevel.REJECTED,
                    f"'robot {words[1]}' is not a robot number; say e.g. 'robot one' or "
                    f"'robot 2'; robots here: {self._robots_here()}",
                ), []
            rest = words[1 + used :]
        elif re.fullmatch(r"robot_\d+", words[0]):
            number, rest = int(words[0].split("_")[1]), words[1:]
        elif (called := self._named(words, 0)) is not None:
            return called[0], words[called[1] :]
        else:
            return None, words
        robot_id = f"robot_{number}"
        if robot_id not in self.robots:
            return (
                Rejection(
                    FeedbackLevel.REJECTED,
                    f"there is no {robot_id} here; robots here: {self._robots_here()}",
                ),
                [],
            )
        return robot_id, rest

    def _control(self, robot: str | None, phrase: str) -> ParsedInstruction | Rejection | None:
        """A release, cancel or pause (None if ``phrase`` is none), addressed as the rules
        say."""
        for kind, vocabulary in (
            (InstructionKind.RESET, RESET_WORDS),
            (InstructionKind.CANCEL, CANCEL_WORDS),
            (InstructionKind.PAUSE, PAUSE_WORDS),
        ):
            verb = next((v for v in vocabulary if phrase == v or phrase.startswith(v + " ")), "")
            if not verb:
                continue
            rest = phrase[len(verb) :].strip()
            if rest == "everything":  # "cancel everything": what, not whom
                rest = ""
            target = robot
            if rest:
                named, left = self._address(rest.split())
                if isinstance(named, Rejection):
                    return named
                if named is None or left:
                    return None  # not a release/cancel form; the skill grammar will say why
                if target is not None and target != named:
                    return Rejection(
                        FeedbackLevel.CLARIFY,
                        f"{verb} {_who(target)} or {_who(named)}? say one of them",
                    )
                target = named
            if target == _EVERYONE:
                return ParsedInstruction(kind, "", reason="every robot")
            if target is not None:
                return ParsedInstruction(kind, target)
            if len(self.robots) == 1:
                return ParsedInstruction(kind, self.robots[0], reason="the only robot here")
            return Rejection(
                FeedbackLevel.CLARIFY,
                f"which robot should I {verb}? say e.g. 'robot one, {verb}' or 'everyone "
                f"{verb}'; robots here: {self._robots_here()}",
            )
        return None

    def _skill(self, robot: str, phrase: str) -> ParsedInstruction | Rejection:
        for filler in FILLER:
            phrase = re.sub(rf"^{filler}\b\s*", "", phrase)
        skill = ""
        if phrase.startswith("pick ") and phrase.endswith(" up"):  # "pick the cube up"
            phrase = "pick up " + phrase[len("pick ") : -len(" up")]
        verbs = self.verbs
        for verb in sorted(verbs, key=len, reverse=True):
            if phrase == verb or phrase.startswith(verb + " "):
                skill, phrase = verbs[verb], phrase[len(verb) :].strip()
                break
        if not skill:
            known = ", ".join([*sorted({self._first_verb(k) for k in verbs.values()}), "stop"])
            return Rejection(
                FeedbackLevel.REJECTED,
                f"I don't know how to '{' '.join(phrase.split()[:3])}'; I know: {known}",
            )
        bad = next((t for t in phrase.split() if _is_bad_number(t)), None)
        if bad is not None:
            return Rejection(
                FeedbackLevel.REJECTED, f"'{bad}' is not a number I accept: {_VALID_NUMBERS}"
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
        said: dict[str, str] = {}  # parameter -> the manner word that set it
        for word in list(tokens):
            if word in MANNER:
                name, value = MANNER[word]
                if name not in self.skill_parameters.get(skill, frozenset()):
                    return Rejection(FeedbackLevel.REJECTED, f"'{word}' does not apply to {skill}")
                if name in said and parameters[name] != value:
                    return Rejection(
                        FeedbackLevel.CLARIFY,
                        f"'{said[name]}' and '{word}' contradict each other: which one?",
                    )
                said[name], parameters[name] = word, value
                tokens.remove(word)
        if "dirt" in self.skill_parameters.get(skill, frozenset()):
            # "wipe the table clean", "sweep up the crumbs": the loose bits are the station's
            # own (the skill's dirt default); what is left may name its tool or a place.
            tokens = [t for t in tokens if t not in SURFACE_WORDS]
        places = DESTINATION_WORDS + SOURCE_WORDS
        where = next((i for i, t in enumerate(tokens) if t in places), None)
        if where is not None:
            source = tokens[where] in SOURCE_WORDS
            heard = self._destination(tokens[where + 1 :])
            tokens = tokens[:where]
            if isinstance(heard, Rejection):
                return heard
            routed = self._route(skill, heard, source)
            if isinstance(routed, Rejection):
                return routed
            skill, parameter = routed
            parameters[parameter] = heard.name
        _, takes = self.destinations.get(skill, (False, {}))
        worked = {k: v for k, v in takes.items() if k not in ("prop",)}
        if "object" not in self.skill_parameters.get(skill, frozenset()) and worked:
            # A fixture skill ("press the red button"): what follows the verb names a fixture.
            kind, parameter = next(iter(worked.items()))
            named = [t for t in tokens if t not in ("the", "a", "an", "that", "this", "it")]
            if named:
                heard = self._destination(named)
                if isinstance(heard, Rejection):
                    return heard
                if heard.kind != kind:
                    return Rejection(
                        FeedbackLevel.REJECTED, f"{skill} works a {kind}, not {heard.spoken()}"
                    )
                parameters[parameter] = heard.name
            return ParsedInstruction(
                InstructionKind.EXECUTE_SKILL, robot, skill, parameters, repetitions
            )
        tool_only = "dirt" in self.skill_parameters.get(skill, frozenset())
        if tool_only and not [t for t in tokens if t not in ("the", "a", "an", "with")]:
            pass  # its tool by default (wipe: the station's sponge)
        elif "object" in self.skill_parameters.get(skill, frozenset()):
            if tool_only:
                tokens = [t for t in tokens if t != "with"]
            found = self._object(tokens)
            if isinstance(found, Rejection):
                return found
            parameters["object"] = found.name
        elif [t for t in tokens if t not in ("the", "a", "an", "your", "head", "please")]:
            return Rejection(
                FeedbackLevel.REJECTED,
                f"{skill} takes no object; say e.g. '{self._first_verb(skill)}'",
            )
        return ParsedInstruction(
            InstructionKind.EXECUTE_SKILL, robot, skill, parameters, repetitions
        )

    def _has_kind(self, kind: str) -> bool:
        return any(o.kind == kind for o in self.objects)

    def _destination(self, tokens: list[str]) -> StationObject | Rejection:
        """The fixture or prop a destination phrase names ("the grey bin", "the yellow
        block", "the pad")."""
        words = [
            t for t in tokens if t not in ("the", "a", "an", "top", "of", "that", "this", "it")
        ]
        kind = FIXTURE_SYNONYMS.get(words[-1]) if words else None
        if kind is None:  # a prop: "on the yellow block"
            return self._object(words)
        places = ", ".join(f.spoken() for f in self.fixtures) or "no bin or pad"
        color = words[0] if len(words) == 2 else None
        matches = [f for f in self.fixtures if f.kind == kind and color in (None, f.color)]
        if len(words) > 2 or not matches:
            named = " ".join(words)
            return Rejection(
                FeedbackLevel.REJECTED, f"there is no {named} here; this station has {places}"
            )
        if len(matches) > 1:
            options = " or ".join(f.spoken() for f in matches)
            return Rejection(FeedbackLevel.CLARIFY, f"which one: {options}?")
        return matches[0]

    def _route(
        self, skill: str, heard: StationObject, source: bool = False
    ) -> tuple[str, str] | Rejection:
        """The skill and parameter that take destination (or ``source``) ``heard``: the
        verb's own skill if it takes one of that kind, else (for a verb that says "carry
        somewhere") the one carrying skill that does."""
        kind = ("from:" if source else "") + (heard.kind if heard.fixture else "prop")
        carries, takes = self.destinations.get(skill, (False, {}))
        if kind in takes:
            return skill, takes[kind]
        carriers = [
            (name, wanted[kind])
            for name, (carrying, wanted) in self.destinations.items()
            if carrying and kind in wanted
        ]
        if carries and len(carriers) == 1:
            return carriers[0]
        return Rejection(
            FeedbackLevel.REJECTED,
            f"{skill} does not take a place like {heard.spoken()}; say e.g. 'put the red cube "
            "in the bin' or 'put the red cube on the pad'",
        )

    def _first_verb(self, skill: str) -> str:
        """The phrase a trainer says first for ``skill`` (its first declared verb)."""
        return next(verb for verb, name in self.verbs.items() if name == skill)

    def _object(self, tokens: list[str]) -> StationObject | Rejection:
        words = [t for t in tokens if t not in ("the", "a", "an", "that", "this", "it", "and")]
        visible = ", ".join(f"the {o.color} {o.kind}" for o in self.objects)
        if not words:
            return Rejection(FeedbackLevel.CLARIFY, f"which object? I can see {visible}")
        if len(words) > 2:
            return Rejection(
                FeedbackLevel.REJECTED,
                f"I did not understand '{' '.join(words)}'; I can see {visible}",
            )
        # The word as a kind the station has ("block"), else as a synonym ("block": a cube).
        kinds = [k for k in (words[-1], KIND_SYNONYMS.get(words[-1])) if k is not None]
        kinds = [k for k in kinds if k == KIND_SYNONYMS.get(words[-1]) or self._has_kind(k)]
        color = words[0] if len(words) == 2 else None
        if not kinds:
            named = " ".join(words)
            return Rejection(FeedbackLevel.REJECTED, f"I don't know '{named}'; I can see {visible}")
        matches: list[StationObject] = []
        for kind in kinds:
            matches = matches or [
                o for o in self.objects if o.kind == kind and (color is None or o.color == color)
            ]
        if not matches:
            named = " ".join(words)
            return Rejection(
                FeedbackLevel.REJECTED, f"there is no {named} here; I can see {visible}"
            )
        if len(matches) > 1:
            options = " or ".join(f"the {o.color} {o.kind}" for o in matches)
            return Rejection(FeedbackLevel.CLARIFY, f"which {matches[0].kind}: {options}?")
        return matches[0]


def _words(folded: str) -> list[str]:
    """Lower-case words of a text; a '-' before a digit stays, as a sign ("-10" is refused)."""
    kept = re.sub(r"[^a-z0-9_. -]+", " ", folded)
    kept = re.sub(r"-(?![\d.])", " ", kept)  # "twenty-five" -> "twenty five"
    kept = re.sub(r"(?<=\d)(cm|mm|m)\b", r" \1", kept)  # "10cm" -> "10 cm"
    return [w.rstrip(".") for w in kept.split() if w.rstrip(".")]


def _is_bad_number(token: str) -> bool:
    """True for a word that looks like a number but is not one the parser accepts."""
    if re.fullmatch(r"robot_\d+", token):  # a robot id, not a number
        return False
    return bool(_NUMBER_LIKE.fullmatch(token)) and not _NUMBER.fullmatch(token)


def _who(target: str) -> str:
    return "every robot" if target == _EVERYONE else target


def _number(word: str) -> int | None:
    if word.isdigit() and word.isascii():
        return int(word)
    return NUMBER_WORDS.get(word)


def _robot_number(words: list[str], start: int) -> tuple[int | None, int]:
    """The robot number at ``words[start:]`` and how many words it took ("twenty five" = 2)."""
    number = _number(words[start])
    if number is None:
        return None, 0
    if number >= 20 and number % 10 == 0 and start + 1 < len(words):
        units = NUMBER_WORDS.get(words[start + 1])
        if units is not None and 0 < units < 10:
            return number + units, 2
    return number, 1


def _repetitions(phrase: str) -> tuple[int, str, str]:
    for word, count in (("once", 1), ("twice", 2), ("thrice", 3)):
        if re.search(rf"\b{word}\b", phrase):
            return count, re.sub(rf"\s*\b{word}\b", "", phrase).strip(), ""
    match = re.search(r"\b(\S+)\s+times?\b", phrase)
    if match is None:
        return 1, phrase, ""
    number = _number(match.group(1))
    if number is None or number < 1:
        return (
            1,
            phrase,
            f"'{match.group(0)}' is not a number of repetitions I understand; "
            "say 1 to 50 times, e.g. 'three times'",
        )
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
        if value <= 0:
            return (
                None,
                phrase,
                f"a height of '{tokens[start]} {token}' lifts nothing; say a height above 0, "
                "e.g. '10 cm' or '0.15 m'",
            )
        if start > 0 and tokens[start - 1] in ("by", "to"):
            start -= 1
        end = index + 1
        if end < len(tokens) and tokens[end] in ("high", "up"):
            end += 1
        rest = " ".join(tokens[:start] + tokens[end:])
        return value * UNITS[token], rest, ""
    return None, phrase, ""


def _number_value(word: str) -> float | None:
    """'ten' -> 10.0, '12' -> 12.0, '0.1' -> 0.1; else None (never nan, inf or a sign)."""
    if word in NUMBER_WORDS:
        return float(NUMBER_WORDS[word])
    if _NUMBER.fullmatch(word):
        return float(word)
    return None
