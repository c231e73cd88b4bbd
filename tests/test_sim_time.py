"""Holds are measured in simulated time: with the simulation running at half real time (as on
an overloaded host; the controller manager's ``real_time_factor: 0.5``), a skill executor with
``use_sim_time`` holds the lifted object for its full ``hold_time`` of simulated seconds, read
from the robot's own ``/robot_1/clock``. The twin, a skill executor on the wall clock, holds for
only about half of it in simulated time: what the issue found.
"""

from __future__ import annotations

import threading
import time

import pytest
from narrow_station import narrow_station
from ros_client import action_client, spinning_node
from rosgraph_msgs.msg import Clock
from session_harness import robot_session

from academy_common.futures import wait_for_future
from academy_common.qos import CLOCK_QOS, RELIABLE_QOS
from academy_interfaces.action import ExecuteSkill
from academy_interfaces.msg import SkillEvent, SkillOutcome
from academy_skills.ros_conversions import parameters_to_msg

pytestmark = [pytest.mark.integration, pytest.mark.timeout(240)]

HOLD_S = 1.0


def sim_session(station: str, use_sim_time: bool) -> dict:
    return robot_session(
        "it_sim_time",
        station,
        controller={"real_time_factor": 0.5},
        executor={"use_sim_time": use_sim_time},
    )


def simulated_hold(start_session, tmp_path, use_sim_time: bool) -> tuple[float, float, float]:
    """The hold phase's length by the events' own header stamps; the simulation's speed (simulated
    seconds per wall second, from ``/robot_1/clock`` over the whole goal, long enough that the
    delivery delay on a loaded host does not matter); and the largest gap between an event's stamp
    and the simulated time the test saw when it arrived (small when the stamps are sim time)."""
    session = start_session(sim_session(str(narrow_station(tmp_path)), use_sim_time))
    session.wait_for(r"session 'it_sim_time' is up", timeout=90)
    with spinning_node("test_sim_time") as node:
        lock = threading.Lock()
        clock: list[tuple[float, float]] = []  # (wall, sim) at each /clock arrival
        stamps: dict[int, float] = {}
        gaps: list[float] = []

        def on_clock(msg: Clock) -> None:
            with lock:
                clock.append((time.monotonic(), msg.clock.sec + msg.clock.nanosec * 1e-9))

        def on_event(msg: SkillEvent) -> None:
            if msg.phase == "hold" and msg.event in (SkillEvent.PHASE_START, SkillEvent.PHASE_END):
                stamp = msg.header.stamp.sec + msg.header.stamp.nanosec * 1e-9
                with lock:
                    stamps[msg.event] = stamp
                    gaps.append(abs(stamp - clock[-1][1]) if clock else float("inf"))

        node.create_subscription(Clock, "/robot_1/clock", on_clock, CLOCK_QOS)
        node.create_subscription(SkillEvent, "/robot_1/skill_events", on_event, RELIABLE_QOS)
        client = action_client(node, ExecuteSkill, "/robot_1/execute_skill")
        goal = ExecuteSkill.Goal(
            skill="lift",
            parameters=parameters_to_msg({"object": "red_cube", "hold_time": HOLD_S}),
            repetitions=1,
        )
        handle = wait_for_future(client.send_goal_async(goal), 5.0)
        result = wait_for_future(handle.get_result_async(), 120.0).result
        assert result.outcome.value == SkillOutcome.SUCCEEDED, result.reason
        with lock:
            assert set(stamps) == {SkillEvent.PHASE_START, SkillEvent.PHASE_END}, stamps
            (wall0, sim0), (wall1, sim1) = clock[0], clock[-1]
            assert wall1 - wall0 > 3.0, f"only {wall1 - wall0:.1f} s of /robot_1/clock seen"
            return (
                stamps[SkillEvent.PHASE_END] - stamps[SkillEvent.PHASE_START],
                (sim1 - sim0) / (wall1 - wall0),
                max(gaps),
            )


def test_a_hold_lasts_its_time_in_simulated_seconds(start_session, tmp_path) -> None:
    # On sim time the events are stamped from /robot_1/clock: exact, unlike the arrival time.
    held, speed, gap = simulated_hold(start_session, tmp_path, use_sim_time=True)
    assert speed < 0.8, f"the simulation ran at {speed:.2f} of real time, not slowed down"
    assert gap < 2.0, f"the events' stamps are {gap:.1f} s off the simulated clock"
    assert held >= 0.99 * HOLD_S, f"held {held:.2f} simulated s of {HOLD_S} s"


def test_twin_on_the_wall_clock_a_slow_simulation_holds_too_short(start_session, tmp_path) -> None:
    # On the wall clock the stamps are wall seconds: the hold lasts HOLD_S of them, which the
    # slowed simulation lives as only about half as many simulated seconds.
    held_wall, speed, gap = simulated_hold(start_session, tmp_path, use_sim_time=False)
    assert gap > 1e6, "a wall-clock executor's stamps should be wall time, not sim time"
    held = held_wall * speed
    assert held < 0.8 * HOLD_S, f"held {held:.2f} simulated s: the wall clock should cut it short"
