"""``academy pool ...``: ingest episodes into the local pool, list them, summarise them."""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
from pathlib import Path
from typing import Any

from academy_pool.catalog import Pool, PoolError

#: The pool directory unless --pool or ACADEMY_POOL says otherwise.
DEFAULT_POOL = "var/pool"


def _pool(args: argparse.Namespace) -> Pool:
    return Pool(Path(args.pool or os.environ.get("ACADEMY_POOL", DEFAULT_POOL)))


#: ``academy pool ingest`` exit codes (also in its --help).
INGEST_EXIT_CODES = """exit codes:
  0  every finished episode is in the pool (added now or already there)
  1  some episodes were rejected (each printed with file, field, value and what is valid);
     the others were ingested
  2  nothing was ingested: DIR is not a directory or the pool's catalog cannot be used"""


def cmd_ingest(args: argparse.Namespace) -> int:
    try:
        with _pool(args) as pool:
            report = pool.ingest(Path(args.dir))
            root = pool.root
    except PoolError as error:
        print(f"academy pool ingest: {error}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(dataclasses.asdict(report), indent=2))
    else:
        print(
            f"ingested {len(report.added)} episode(s) into {root}; "
            f"{len(report.present)} already there, {len(report.unfinished)} unfinished, "
            f"{len(report.rejected)} rejected"
        )
        for rejection in report.rejected:
            print(f"  rejected {rejection.directory}:")
            for problem in rejection.problems:
                print(f"    {problem}")
        for line in report.unfinished:
            print(f"  unfinished (no episode.json): {line}")
    return 1 if report.rejected else 0


def cmd_ls(args: argparse.Namespace) -> int:
    with _pool(args) as pool:
        rows = pool.episodes(args.skill, args.robot)
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    print(_table(
        ["episode", "robot", "skill", "outcome", "duration s", "messages", "lost", "reason"],
        [
            [r["episode_id"], r["robot_id"], r["skill"], r["outcome"], f"{r['duration_s']:.2f}",
             str(r["message_count"]), str(r["messages_lost_total"]), r["failure_reason"][:60]]
            for r in rows
        ],
    ))  # fmt: skip
    print(f"{len(rows)} episode(s)")
    return 0


def cmd_summary(args: argparse.Namespace) -> int:
    with _pool(args) as pool:
        skills = pool.summary()
        total = sum(s.attempts for s in skills)
        size = pool.size_bytes()
    if args.json:
        document: dict[str, Any] = {
            "skills": [s.__dict__ for s in skills],
            "episodes": total,
            "pool_bytes": size,
        }
        print(json.dumps(document, indent=2))
        return 0
    print(_table(
        ["skill", "attempts", "successes", "success rate", "mean duration s"],
        [
            [s.skill, str(s.attempts), str(s.successes), f"{s.successes / s.attempts:.0%}",
             f"{s.mean_duration_s:.2f}"]
            for s in skills
        ],
    ))  # fmt: skip
    print(f"episodes in the pool: {total}; pool size: {size / 1e6:.2f} MB")
    return 0


def _table(header: list[str], rows: list[list[str]]) -> str:
    widths = [
        max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(header)
    ]
    line = "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))
    out = [line, "  ".join("-" * w for w in widths)]
    out += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    return "\n".join(out)


def add_commands(commands: Any) -> None:
    """Add ``pool ingest|ls|summary`` to the ``academy`` command's sub-parsers."""
    pool = commands.add_parser("pool", help="the local episode pool")
    pool_cmds = pool.add_subparsers(dest="pool_command", required=True, metavar="ACTION")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--pool", help=f"pool directory (default: $ACADEMY_POOL or {DEFAULT_POOL})")
    common.add_argument("--json", action="store_true", help="machine-readable output")
    ingest = pool_cmds.add_parser(
        "ingest",
        parents=[common],
        help="copy finished episodes under DIR into the pool (idempotent)",
        description=(
            "Copy the finished, valid episodes under DIR into the pool. Each is checked first\n"
            "(episode.json, bag inside the episode, MCAP readable, counts agree); one that fails\n"
            "is reported and left out, and the others are ingested. Safe to run concurrently."
        ),
        epilog=INGEST_EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ingest.add_argument("dir", help="directory holding episodes (e.g. var/episodes)")
    ingest.set_defaults(func=cmd_ingest)
    ls = pool_cmds.add_parser("ls", parents=[common], help="list the pool's episodes")
    ls.add_argument("--skill", help="only this skill")
    ls.add_argument("--robot", help="only this robot")
    ls.set_defaults(func=cmd_ls)
    summary = pool_cmds.add_parser(
        "summary", parents=[common], help="attempts, successes, mean duration per skill"
    )
    summary.set_defaults(func=cmd_summary)
