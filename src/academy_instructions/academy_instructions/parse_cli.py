"""``academy parse "TEXT"``: what the instruction parser would do with a text, offline.

No ROS graph: the parser runs in this process against the station file's objects and the robots
given, exactly as the ``instruction_parser`` node would parse the text.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

from academy_common.interface_constants import FeedbackLevel, InstructionKind
from academy_instructions.parser import InstructionParser, ParsedInstruction, Rejection
from academy_instructions.station_objects import DEFAULT_STATION_FILE, load_station_objects
from academy_sim.errors import InvalidStationError

#: ``kind`` in the JSON output, per instruction kind.
KIND_NAMES = {
    InstructionKind.EXECUTE_SKILL: "skill",
    InstructionKind.STOP: "stop",
    InstructionKind.RESET: "reset",
    InstructionKind.CANCEL: "cancel",
    InstructionKind.QUERY_PROGRESS: "progress",
    InstructionKind.PAUSE: "pause",
}
PARSE_EXIT_CODES = """exit codes:
  0  an instruction (skill, stop, reset or cancel)
  1  the parser rejects the text or asks a question back
  2  the options are unusable (station file missing or invalid, bad --robots)"""
_ROBOT_ID = re.compile(r"[a-z][a-z0-9_]*")


def describe(result: ParsedInstruction | Rejection) -> dict[str, Any]:
    """The JSON object of ``academy parse --json`` for a parse result.

    Keys: ``kind`` (skill, stop, reset, cancel, progress, question, rejected), ``robot`` ("" = every
    robot), ``skill``, ``parameters``, ``count`` (repetitions; 0 for a rejection or question),
    ``reason`` (the parser's sentence for a rejection or question, why this target otherwise).
    """
    if isinstance(result, Rejection):
        kind = "question" if result.level == FeedbackLevel.CLARIFY else "rejected"
        return {
            "kind": kind,
            "robot": "",
            "skill": "",
            "parameters": {},
            "count": 0,
            "reason": result.text,
        }
    return {
        "kind": KIND_NAMES[result.kind],
        "robot": result.robot_id,
        "skill": result.skill,
        "parameters": dict(result.parameters),
        "count": result.repetitions,
        "reason": result.reason,
    }


def summary(result: ParsedInstruction | Rejection) -> str:
    """One line for a person: what the parser would do, or why not."""
    if isinstance(result, Rejection):
        kind = "question" if result.level == FeedbackLevel.CLARIFY else "rejected"
        return f"{kind}: {result.text}"
    who = result.robot_id or "every robot"
    if result.kind == InstructionKind.EXECUTE_SKILL:
        details = " ".join(f"{k}={v}" for k, v in result.parameters.items())
        times = f" x{result.repetitions}" if result.repetitions > 1 else ""
        return f"skill: {who}: {result.skill} {details}{times}"
    if result.kind == InstructionKind.QUERY_PROGRESS:
        return f"progress: {who} answers on {result.skill or 'every skill it practised'}"
    action = {
        InstructionKind.STOP: "engage the e-stop of",
        InstructionKind.RESET: "release the e-stop of",
        InstructionKind.CANCEL: "cancel the running skill of",
        InstructionKind.PAUSE: "pause the running scenario of",
    }[result.kind]
    because = f" ({result.reason})" if result.reason else ""
    return f"{KIND_NAMES[result.kind]}: {action} {who}{because}"


def cmd_parse(args: argparse.Namespace) -> int:
    robots = [r.strip() for r in args.robots.split(",")]
    bad = [r for r in robots if not _ROBOT_ID.fullmatch(r)]
    if bad:
        print(
            f"--robots: {', '.join(repr(r) for r in bad)} is not a robot id; give ids like "
            "robot_1,robot_2 (lower case, digits, '_')",
            file=sys.stderr,
        )
        return 2
    try:
        objects = load_station_objects(Path(args.station))
    except InvalidStationError as error:
        print(f"--station: {error}", file=sys.stderr)
        return 2
    parser = InstructionParser(robots, objects)
    result = parser.parse(args.text)
    print(json.dumps(describe(result)) if args.json else summary(result))
    return 1 if isinstance(result, Rejection) else 0


def add_commands(commands: Any) -> None:
    """Add ``parse`` to the ``academy`` command's sub-parsers."""
    parse = commands.add_parser(
        "parse",
        help="show what the instruction parser would do with TEXT (offline, no ROS graph)",
        description="Parse TEXT as the instruction_parser node would, for the robots given and "
        "the objects of the station file, and print the instruction (or the rejection or "
        "question) without sending anything.",
        epilog=PARSE_EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parse.add_argument("text", help='what the trainer says, e.g. "robot one, lift the red cube"')
    parse.add_argument(
        "--robots", default="robot_1", help="comma-separated robot ids (default robot_1)"
    )
    parse.add_argument(
        "--station",
        default=str(DEFAULT_STATION_FILE),
        help="station YAML naming the objects (default config/stations/tabletop.yaml)",
    )
    parse.add_argument(
        "--json",
        action="store_true",
        help="print one JSON object: kind, robot, skill, parameters, count, reason",
    )
    parse.set_defaults(func=cmd_parse)
