"""``program_runner`` node: runs a training program against one or more robots, then exits.

Sends each step of the program as an ExecuteSkill goal to every listed robot (robots in
parallel, each kept busy with its own steps, in order), logs each result, prints a summary table
and exits 0 when every goal got an answer (skill failures are data, not errors), 1 when a robot
was unreachable. A step runs for a robot once that robot has mastered its prerequisites, as the
pool's mastery store says (``pool_dir``, where the skill executors record every attempt, so
mastery earned by one step unlocks the next in the same run); otherwise it is skipped with the
reason.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

from rcl_interfaces.msg import ParameterDescriptor  # type: ignore[import-untyped]
from rclpy.node import Node

from academy_common.node_main import request_exit, run_node
from academy_interfaces.action import ExecuteSkill
from academy_skills.errors import SkillsError
from academy_skills.mastery import MasteryStore
from academy_skills.program import Program, SkillTally, load_program, summary_table, waiting_on
from academy_skills.skill_client import SkillClient


class ProgramRunnerNode(Node):
    """Drives a :class:`Program` through the robots' ``execute_skill`` actions."""

    def __init__(self) -> None:
        super().__init__("program_runner")
        self.declare_parameter(
            "program_file", "", ParameterDescriptor(description="path of the program YAML")
        )
        self.declare_parameter(
            "robot_ids",
            [""],
            ParameterDescriptor(description="robots to train; [''] = this node's namespace"),
        )
        self.declare_parameter(
            "server_timeout", 30.0, ParameterDescriptor(description="s to wait for each robot")
        )
        self.declare_parameter(
            "goal_timeout", 600.0, ParameterDescriptor(description="s to wait for each result")
        )
        self.declare_parameter(
            "pool_dir",
            "",
            ParameterDescriptor(
                description="pool directory whose mastery store (the skill executors' too) says "
                "whether a step's prerequisites are mastered; '' = none are"
            ),
        )
        self.declare_parameter(
            "exit_when_done",
            True,
            ParameterDescriptor(
                description="exit after the program; false = stay up until stopped"
            ),
        )
        self.program_path = Path(self.get_parameter("program_file").value)
        self.robot_ids: list[str] = list(self.get_parameter("robot_ids").value)
        self.server_timeout = float(self.get_parameter("server_timeout").value)
        self.goal_timeout = float(self.get_parameter("goal_timeout").value)
        self.exit_when_done = bool(self.get_parameter("exit_when_done").value)
        self.program: Program = load_program(self.program_path)
        pool = str(self.get_parameter("pool_dir").value)
        self.store = MasteryStore(Path(pool) / "mastery.sqlite") if pool else None
        self._tallies: dict[str, SkillTally] = {}
        self._lock = threading.Lock()
        self._errors: list[str] = []
        threading.Thread(target=self._run, name="program", daemon=True).start()

    def _run(self) -> None:
        workers = [
            threading.Thread(target=self._train, args=(robot,), name=f"robot:{robot}")
            for robot in self.robot_ids
        ]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        print(f"program '{self.program.name}' finished\n{summary_table(self._tallies)}", flush=True)
        for error in self._errors:
            self.get_logger().error(error)
        if self.exit_when_done:
            request_exit(self, 1 if self._errors else 0)

    def _train(self, robot_id: str) -> None:
        client = SkillClient(self, robot_id)
        label = robot_id or self.get_namespace()
        try:
            client.wait_for_server(self.server_timeout)
            for index, step in enumerate(self.program.steps, 1):
                waiting = waiting_on(self.store, label.strip("/"), step, self.program.mastery)
                if waiting:  # a step runs once its prerequisites are mastered
                    self.get_logger().warn(
                        f"{label}: step {index} {step.skill}: skipped, prerequisite not "
                        f"mastered: {', '.join(waiting)}"
                        + ("" if self.store is not None else " (no mastery store: pool_dir)")
                    )
                    continue
                feedback: list[ExecuteSkill.Feedback] = []
                result = client.execute(
                    step.skill,
                    step.parameters,
                    step.repetitions,
                    timeout=self.goal_timeout,
                    on_feedback=feedback.append,
                )
                with self._lock:
                    self._tallies.setdefault(step.skill, SkillTally()).add(
                        result.outcome, result.attempts, result.successes, result.duration
                    )
                self.get_logger().info(
                    f"{label}: {step.skill} x{step.repetitions}: {result.outcome.name} "
                    f"({result.successes}/{result.attempts} succeeded, {result.duration:.3f} s, "
                    f"{len(feedback)} feedback messages)"
                    + (f" - {result.reason}" if result.reason else "")
                )
        except SkillsError as error:
            with self._lock:
                self._errors.append(f"{label}: {error}")


def main(args: Sequence[str] | None = None) -> int:
    """Entry point of the ``program_runner`` executable."""
    return run_node(ProgramRunnerNode, args, threads=4)


if __name__ == "__main__":
    raise SystemExit(main())
