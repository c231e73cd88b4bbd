"""``academy say "TEXT"``: speak to the robots as a trainer, from the command line."""

from __future__ import annotations

import argparse
import threading
from typing import Any

#: How long to wait for the instruction parser to be listening (s).
LISTENER_TIMEOUT_S = 10.0


def cmd_say(args: argparse.Namespace) -> int:
    # rclpy is imported here so that `academy --help` works without a ROS environment.
    import rclpy
    from rclpy.executors import SingleThreadedExecutor

    from academy_instructions.trainer_channel import TrainerChannel
    from academy_interfaces.msg import TrainerFeedback

    names = {v: k[len("LEVEL_") :].lower() for k, v in vars(TrainerFeedback).items()
             if k.startswith("LEVEL_")}  # fmt: skip
    with rclpy.init():
        node = rclpy.create_node("academy_say")
        channel = TrainerChannel(
            node,
            args.trainer,
            args.robot or ["robot_1"],
            lambda msg: print(f"{msg.robot_id or 'parser'} [{names.get(msg.level)}]: {msg.text}"),
        )
        executor = SingleThreadedExecutor()
        executor.add_node(node)
        spinner = threading.Thread(target=executor.spin, daemon=True)
        spinner.start()
        try:
            if not channel.wait_for_listener(LISTENER_TIMEOUT_S):
                print("nobody listens on /trainer/utterance: is a session with an "
                      "instruction_parser running (same ROS_DOMAIN_ID)?")  # fmt: skip
                return 1
            conversation = channel.say(args.text)
            finished = conversation.finished.wait(args.timeout if args.wait else 2.0)
            if args.wait and not finished:
                missing = conversation.awaiting
                why = f" (none from {', '.join(missing)})" if missing else ""
                print(f"no final answer within {args.timeout:g} s{why}")
                return 1
            failed = conversation.rejected or any(
                f.level == TrainerFeedback.LEVEL_ERROR for f in conversation.feedback
            )
            return 1 if failed else 0
        finally:
            executor.shutdown()
            spinner.join(timeout=5.0)  # the spin thread must be gone before rclpy shuts down
            node.destroy_node()


def add_command(commands: Any) -> None:
    """Add ``say`` to the ``academy`` command's sub-parsers."""
    say = commands.add_parser(
        "say",
        help="publish a trainer utterance (typed text) and print the answers",
        description="Publish TEXT on /trainer/utterance as a typed utterance and print what the "
        "instruction parser and robots answer. Exit code 0 understood (and, with --wait, carried "
        "out), 1 rejected, failed or no answer.",
    )
    say.add_argument("text", help='what the trainer says, e.g. "robot one, lift the red cube"')
    say.add_argument("--trainer", default="trainer_cli", help="trainer id (default trainer_cli)")
    say.add_argument(
        "--robot",
        action="append",
        default=None,
        help="robot id to follow, once per robot (default robot_1); a stop, reset or cancel for "
        "everyone waits for the answer of each",
    )
    say.add_argument("--wait", action="store_true", help="wait until the skill goal ends")
    say.add_argument("--timeout", type=float, default=300.0, help="seconds to wait (--wait)")
    say.set_defaults(func=cmd_say)
