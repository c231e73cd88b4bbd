"""``scripted_trainer`` node: a trainer reading a script, one utterance after the other.

``script_file`` (YAML)::

    trainer_id: trainer_demo
    robot_ids: [robot_1]  # every robot of the station: a stop for everyone waits for each
    steps:
      - say: "robot one, reach for the red cube three times"
        timeout: 120      # s for this step to finish
        wait: false       # say the next line at once (robots practise side by side)

Each utterance goes to ``/trainer/utterance``; the next is said when the previous one finished
(see :mod:`academy_instructions.trainer_channel`), unless the step says ``wait: false``: then
the next is said at once, and a later waiting step (or the script's end) also waits for it.
Exits 0 when every step finished, 1 if one timed out. A session marks it ``on_exit: shutdown``
so the session ends with the script.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from pathlib import Path

import yaml
from rcl_interfaces.msg import ParameterDescriptor  # type: ignore[import-untyped]
from rclpy.node import Node

from academy_common.node_main import request_exit, run_node
from academy_common.parameters import required_string
from academy_instructions.trainer_channel import Conversation, TrainerChannel
from academy_interfaces.msg import TrainerFeedback, Utterance

#: How long to stay after the last line, so other nodes finish handling it (s).
LINGER_S = 1.0
#: How long to wait for the instruction parser to subscribe before the first line (s).
LISTENER_TIMEOUT_S = 30.0


def load_script(path: Path) -> tuple[str, list[str], list[tuple[str, float, bool]]]:
    """(trainer_id, robot_ids, [(text, timeout_s, wait)]) from a script file; ValueError if
    invalid."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    allowed = {"trainer_id", "robot_ids", "steps"}
    extra = sorted(set(data) - allowed)
    if extra:
        raise ValueError(f"{path}: unknown keys {extra}; valid: {sorted(allowed)}")
    steps = []
    for index, step in enumerate(data.get("steps") or []):
        if not isinstance(step, dict) or not isinstance(step.get("say"), str):
            raise ValueError(f"{path}: steps[{index}]: {step!r}: needs 'say: TEXT'")
        extra_keys = sorted(set(step) - {"say", "timeout", "wait"})
        if extra_keys:
            raise ValueError(
                f"{path}: steps[{index}]: unknown keys {extra_keys}; valid: say, timeout, wait"
            )
        timeout = step.get("timeout", 120.0)
        if not isinstance(timeout, int | float) or timeout <= 0:
            raise ValueError(f"{path}: steps[{index}].timeout: {timeout!r}: seconds > 0")
        wait = step.get("wait", True)
        if not isinstance(wait, bool):
            raise ValueError(f"{path}: steps[{index}].wait: {wait!r}: true or false")
        steps.append((step["say"], float(timeout), wait))
    if not steps:
        raise ValueError(f"{path}: steps: at least one step is required")
    robots = data.get("robot_ids") or []
    if not robots or not all(isinstance(r, str) for r in robots):
        raise ValueError(f"{path}: robot_ids: {robots!r}: a list of robot ids is required")
    return str(data.get("trainer_id") or "trainer"), robots, steps


class ScriptedTrainerNode(Node):
    """Says the lines of a script and waits for each to finish."""

    def __init__(self) -> None:
        super().__init__("scripted_trainer")
        self.declare_parameter(
            "script_file", "", ParameterDescriptor(description="YAML script to read")
        )
        path = Path(required_string(self, "script_file"))
        self.trainer_id, robots, self.steps = load_script(path)
        self.channel = TrainerChannel(self, self.trainer_id, robots, self._print_feedback)
        threading.Thread(target=self._run, name="script", daemon=True).start()

    def _print_feedback(self, msg: TrainerFeedback) -> None:
        self.get_logger().info(f"<- {msg.robot_id or 'parser'}: {msg.text}")

    def _run(self) -> None:
        if not self.channel.wait_for_listener(LISTENER_TIMEOUT_S):
            self.get_logger().error("nobody listens on /trainer/utterance (instruction_parser?)")
            request_exit(self, 1)
            return
        pending: list[tuple[str, Conversation, float]] = []  # (text, conversation, deadline)
        for index, (text, timeout, wait) in enumerate(self.steps):
            self.get_logger().info(f"-> {self.trainer_id}: {text!r}")
            conversation = self.channel.say(text, Utterance.SOURCE_SCRIPT)
            pending.append((text, conversation, time.monotonic() + timeout))
            if not wait and index + 1 < len(self.steps):
                continue
            for said, waiting, deadline in pending:
                if not waiting.finished.wait(max(0.0, deadline - time.monotonic())):
                    missing = waiting.awaiting
                    why = f"; no answer from {', '.join(missing)}" if missing else ""
                    self.get_logger().error(f"{said!r} did not finish in time{why}")
                    request_exit(self, 1)
                    return
            pending.clear()
        self.get_logger().info(f"script done: {len(self.steps)} utterances")
        # Let the recorder take in the last ATTEMPT_END before the session stops every node.
        time.sleep(LINGER_S)
        request_exit(self, 0)


def main(args: Sequence[str] | None = None) -> int:
    """Entry point of the ``scripted_trainer`` executable."""
    return run_node(ScriptedTrainerNode, args, threads=2)


if __name__ == "__main__":
    raise SystemExit(main())
