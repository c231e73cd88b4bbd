"""E-stop during a skill goal, over real DDS: whatever phase it hits, the goal ends ESTOPPED (from
the controllers' typed result codes, not from a text match), the attempt records the phase where
it happened, and no further repetition runs. The twin: after the e-stop is released, the same
goal runs to success, so ESTOPPED comes from the stop, not from the robot being broken.
"""

from __future__ import annotations

import threading
import time

import pytest
from narrow_station import narrow_station
from ros_client import action_client, service_client, spinning_node
from session_harness import robot_session
from std_srvs.srv import SetBool

from academy_common.futures import wait_for_future
from academy_common.qos import RELIABLE_QOS
from academy_interfaces.action import ExecuteSkill, GripperCommand
from academy_interfaces.msg import SkillEvent, SkillOutcome
from academy_skills.ros_conversions import parameters_to_msg

pytestmark = [pytest.mark.integration, pytest.mark.timeout(240)]

#: Phases of a lift to stop in: the jaws opening (once recorded as "jaws did not open"), the arm
#: moving down, and the object held up.
PHASES = ("open_gripper", "descend", "hold")
LIFT_PHASES = (
    "reset_scene", "plan", "open_gripper", "approach", "descend", "close_gripper", "lift",
    "hold", "place", "release", "retreat",
)  # fmt: skip


def skill_session(station: str) -> dict:
    return robot_session("it_skill_estop", station)


def lift_goal(repetitions: int) -> ExecuteSkill.Goal:
    return ExecuteSkill.Goal(
        skill="lift",
        parameters=parameters_to_msg({"object": "red_cube", "height": 0.08}),
        repetitions=repetitions,
    )


def test_estop_in_any_phase_ends_the_goal_estopped_in_that_phase(start_session, tmp_path) -> None:
    session = start_session(skill_session(str(narrow_station(tmp_path))))
    session.wait_for(r"session 'it_skill_estop' is up", timeout=90)
    with spinning_node("test_skill_estop") as node:
        events: list[SkillEvent] = []
        stop_in = {"phase": ""}
        lock = threading.Lock()
        estop = service_client(node, SetBool, "/robot_1/estop")

        def on_event(msg: SkillEvent) -> None:
            with lock:
                events.append(msg)
            if msg.event == SkillEvent.PHASE_START and msg.phase == stop_in["phase"]:
                stop_in["phase"] = ""
                estop.call_async(SetBool.Request(data=True))  # the trainer says "stop"

        node.create_subscription(SkillEvent, "/robot_1/skill_events", on_event, RELIABLE_QOS)
        client = action_client(node, ExecuteSkill, "/robot_1/execute_skill")
        jaws = [
            action_client(node, GripperCommand, f"/robot_1/{side}_gripper_controller/gripper_cmd")
            for side in ("left", "right")
        ]
        for phase in PHASES:
            # Closed jaws take a while to open, so a stop sent at open_gripper lands inside it.
            for gripper in jaws:
                closing = wait_for_future(gripper.send_goal_async(GripperCommand.Goal()), 5.0)
                wait_for_future(closing.get_result_async(), 10.0)
            with lock:
                events.clear()
            stop_in["phase"] = phase
            handle = wait_for_future(client.send_goal_async(lift_goal(3)), 5.0)
            assert handle.accepted
            result = wait_for_future(handle.get_result_async(), 90.0).result
            assert result.outcome.value == SkillOutcome.ESTOPPED, (phase, result.reason)
            assert result.attempts == 1, f"{phase}: {result.attempts} attempts after the e-stop"
            time.sleep(0.3)  # the last events in flight
            with lock:
                ends = [e for e in events if e.event == SkillEvent.ATTEMPT_END]
                starts = [e for e in events if e.event == SkillEvent.ATTEMPT_START]
            assert len(starts) == 1 and len(ends) == 1, phase
            assert ends[0].outcome.value == SkillOutcome.ESTOPPED, ends[0].reason
            # The attempt records the phase it was in when the stop reached it: the one the stop
            # was sent in, or a later one when the request took longer than the phase (the
            # service round trip between busy processes is usually a few ms, rarely ~1 s).
            with lock:
                started = [e.phase for e in events if e.event == SkillEvent.PHASE_START]
            assert ends[0].phase == started[-1], (phase, ends[0].phase, started)
            order = LIFT_PHASES.index
            assert order(ends[0].phase) >= order(phase), (phase, ends[0].phase, ends[0].reason)
            assert "jaws did not open" not in ends[0].reason
            released = wait_for_future(estop.call_async(SetBool.Request(data=False)), 5.0)
            assert released.success

        # Twin: released, the same goal (one repetition) succeeds.
        handle = wait_for_future(client.send_goal_async(lift_goal(1)), 5.0)
        result = wait_for_future(handle.get_result_async(), 90.0).result
        assert result.outcome.value == SkillOutcome.SUCCEEDED, result.reason
