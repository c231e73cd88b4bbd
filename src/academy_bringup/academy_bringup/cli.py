"""The ``academy`` command line.

``academy session up FILE``     start a session's nodes and supervise them (``ros2 launch``)
``academy session check FILE``  validate a session file and exit
``academy say "TEXT"``          speak to the robots as a trainer (typed text)
``academy parse "TEXT"``        what the instruction parser would do with TEXT (offline)
``academy pool ingest DIR``     copy finished episodes into the local pool (idempotent)
``academy pool ls|summary``     list / summarise the pool's episodes
``academy model add|list|show|check``  onboard a maker's URDF; list, show, validate models
``academy skill list``          the skill catalogue: what each skill needs and how it is judged
``academy practice --model M --skill S``  practise a skill offline (simulated time, no DDS)
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from academy_bringup.errors import SessionValidationError
from academy_bringup.session_schema import Session, load_session


def _load(path: str) -> Session | None:
    try:
        return load_session(Path(path))
    except SessionValidationError as error:
        count = len(error.problems)
        print(f"session file invalid ({count} problem{'s' * (count != 1)}):", file=sys.stderr)
        for line in error.problems:
            print(f"  {line}", file=sys.stderr)
        return None


def cmd_session_check(args: argparse.Namespace) -> int:
    session = _load(args.file)
    if session is None:
        return 2
    if args.json:
        print(
            json.dumps(
                {
                    "session": session.settings.name,
                    "robots": [r.model_dump() for r in session.robots],
                    "nodes": [
                        {"name": n.fully_qualified_name, "executable": str(n.executable)}
                        for n in session.nodes
                    ],
                }
            )
        )
    else:
        print(
            f"{args.file}: valid session '{session.settings.name}': "
            f"{len(session.robots)} robot(s), {len(session.nodes)} node(s)"
        )
    return 0


def cmd_session_up(args: argparse.Namespace) -> int:
    # Imported here so that `session check` and `--help` work without a ROS environment.
    from academy_bringup.ros_graph import RclpyGraphProbe
    from academy_bringup.session_supervisor import SessionSupervisor

    session = _load(args.file)
    if session is None:
        return 2
    stamp = time.strftime("%Y%m%d-%H%M%S")
    log_dir = Path(args.log_dir or session.settings.log_dir) / f"{session.settings.name}-{stamp}"
    if args.grace_period is not None:
        session.settings = session.settings.model_copy(update={"grace_period": args.grace_period})
    probe = RclpyGraphProbe(session.settings.ros_domain_id)
    # Always: a node is driven as a lifecycle node when marked so, or when it offers the
    # lifecycle services instead of <node>/ready.
    from academy_common.node_main import LifecycleClient

    lifecycle = LifecycleClient(session.settings.ros_domain_id)
    supervisor = SessionSupervisor(session, log_dir, probe, lifecycle=lifecycle)
    supervisor.install_signal_handlers()
    supervisor.say(f"session '{session.settings.name}': logs in {log_dir}")
    try:
        return supervisor.run()
    finally:
        lifecycle.close()
        probe.close()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="academy", description="Humanoid Academy: run training sessions and manage their data."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    session = commands.add_parser("session", help="run or check a training session")
    session_cmds = session.add_subparsers(dest="session_command", required=True, metavar="ACTION")

    up = session_cmds.add_parser(
        "up",
        help="start a session's nodes and supervise them until Ctrl-C",
        description="Start every node of the session file as a process, wait for each to join "
        "the ROS graph, prefix and file their logs, respawn what is respawnable, forward "
        "SIGINT/SIGTERM with a grace period. Exit code: 0 clean, 1 a required node failed, "
        "2 invalid session file, 3 a node had to be killed.",
    )
    up.add_argument("file", help="session YAML (e.g. config/sessions/demo.yaml)")
    up.add_argument(
        "--log-dir", help="parent directory for this run's logs (default: session.log_dir)"
    )
    up.add_argument(
        "--grace-period", type=float, help="seconds between the stop signal and SIGKILL"
    )
    up.set_defaults(func=cmd_session_up)

    check = session_cmds.add_parser(
        "check",
        help="validate a session file and exit",
        description="Validate a session file: every problem is listed with key, value and what "
        "would be valid. Exit code 0 valid, 2 invalid.",
    )
    check.add_argument("file", help="session YAML")
    check.add_argument("--json", action="store_true", help="print the resolved session as JSON")
    check.set_defaults(func=cmd_session_check)

    from academy_bringup.model_cli import add_commands as add_model
    from academy_instructions.parse_cli import add_commands as add_parse
    from academy_instructions.say import add_command as add_say
    from academy_pool.cli import add_commands as add_pool
    from academy_skills.practice_cli import add_commands as add_practice
    from academy_skills.scenario_cli import add_commands as add_scenario

    add_model(commands)
    add_practice(commands)
    add_scenario(commands)
    add_say(commands)
    add_parse(commands)
    add_pool(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``academy`` command."""
    args = build_parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    raise SystemExit(main())
