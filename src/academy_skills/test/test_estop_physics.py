"""The e-stop, judged by physics: engaged while a lifted object is held, the robot keeps holding
it (the object stays within 1 cm of its height for 2 s of simulated time), the goal ends ESTOPPED
in the phase where it happened, and no further repetition runs.

The object is the 3 kg tungsten block of ``tabletop_heavy.yaml``: heavy enough that the squeeze
matters. The twin applies the old e-stop rule (the gripper's target becomes the measured
opening, so the squeeze drops): the block then slides more than 1 cm. Everything runs in
simulated time (``InProcessRobot`` steps MuJoCo itself).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest
from narrow_station import CONTROLLERS, ROOT, narrow_station

from academy_description.model_registry import load_model
from academy_skills.in_process_robot import InProcessRobot
from academy_skills.kinematics import ArmKinematics
from academy_skills.manipulation import manipulation_skills
from academy_skills.skill_executor import EventKind, ExecutorEvent, GoalResult, GoalRun
from academy_skills.skill_library import SkillLibrary, SkillOutcome

pytestmark = pytest.mark.physics

HEAVY = narrow_station(
    Path(tempfile.mkdtemp(prefix="academy_estop_station_")),
    ROOT / "config" / "stations" / "tabletop_heavy.yaml",
)
OBJECT = "tungsten_block"
#: Simulated seconds into the hold at which the trainer's stop arrives.
STOP_AFTER_S = 0.3
#: How long the stopped robot is watched (simulated seconds), and how far the object may move.
WATCH_S = 2.0
HEIGHT_TOLERANCE = 0.01


@dataclass
class StopDuring:
    """Runtime for GoalRun: the InProcessRobot, plus a trainer who says "stop" during a phase."""

    robot: InProcessRobot
    phase: str
    events: list[ExecutorEvent] = field(default_factory=list)
    phase_started: float | None = None
    stopped_at: float | None = None
    height_at_stop: float = float("nan")  # the object.s z when the e-stop engaged (m)

    def sink(self, event: ExecutorEvent) -> None:
        self.events.append(event)
        if event.kind == EventKind.PHASE_START and event.phase == self.phase:
            self.phase_started = self.robot.now()

    def now(self) -> float:
        return self.robot.now()

    def stop_requested(self) -> SkillOutcome | None:
        return self.robot.stop_requested()

    def sleep(self, seconds: float) -> None:
        end = self.robot.now() + seconds
        while self.robot.now() < end - 1e-9:
            started = self.phase_started
            if (
                self.stopped_at is None
                and started is not None
                and self.robot.now() - started >= STOP_AFTER_S
            ):
                self.robot.manager.engage_estop()
                self.stopped_at = self.robot.now()
                self.height_at_stop = object_height(self.robot)
            self.robot.manager.update()


def object_height(robot: InProcessRobot) -> float:
    return float(robot.station_sim.object_pose(OBJECT).position[2])


def stop_during_lift(old_rule: bool = False) -> tuple[StopDuring, GoalResult, np.ndarray]:
    """Lift the block three times, e-stop during the first hold; watch the block after."""
    model = load_model("aurora_h1")
    robot = InProcessRobot(model, HEAVY, CONTROLLERS, seed=11)
    library = SkillLibrary(manipulation_skills(robot, ArmKinematics(model, 0.96)))
    runtime = StopDuring(robot, "hold")
    params = {"object": OBJECT, "height": 0.10}
    result = GoalRun(library, "lift", params, 3, runtime, runtime.sink).run()
    if old_rule:
        positions = robot.manager.hardware.read().positions
        for gripper in robot.manager.gripper_controllers.values():
            gripper.target = float(positions[gripper.indices].sum())
    heights = []
    for _ in range(int(WATCH_S / 0.05)):
        robot.sleep(0.05)
        heights.append(object_height(robot))
    return runtime, result, np.array(heights)


def test_estop_during_the_hold_keeps_the_object_held_and_ends_the_goal_estopped() -> None:
    runtime, result, heights = stop_during_lift()
    assert runtime.stopped_at is not None, "the hold phase never started"
    table_top = runtime.robot.station_sim.table_height
    stopped_z = runtime.height_at_stop
    assert stopped_z > table_top + 0.05, f"the block was not up when stopped: z {stopped_z:.3f}"
    drift = float(np.abs(heights - stopped_z).max())
    assert drift <= HEIGHT_TOLERANCE, f"the held block moved {drift:.3f} m in {WATCH_S} s"
    assert result.outcome == SkillOutcome.ESTOPPED, result.reason
    ends = [e for e in runtime.events if e.kind == EventKind.ATTEMPT_END]
    assert len(ends) == 1, "a repetition ran after the e-stop"
    assert ends[0].outcome == SkillOutcome.ESTOPPED
    assert ends[0].phase == "hold"
    starts = [e for e in runtime.events if e.kind == EventKind.ATTEMPT_START]
    assert len(starts) == 1


def test_twin_the_old_rule_target_equals_measured_lets_the_block_slide() -> None:
    runtime, _, heights = stop_during_lift(old_rule=True)
    assert runtime.stopped_at is not None
    drift = float(np.abs(heights - runtime.height_at_stop).max())
    assert drift > HEIGHT_TOLERANCE, f"the block moved only {drift:.3f} m under the old rule"
