"""Loose bits over real DDS: the controller manager publishes the crumbs station's 12 crumbs in
``station/state`` (Particles: each bit's position, as MuJoCo has it), and the skill executor
sweeps them onto the pad through ``execute_skill``, judged from those positions. The twin: a
sweep naming loose bits the station does not have is refused, naming what it has."""

from __future__ import annotations

import threading

import pytest
from ros_client import action_client, spinning_node
from session_harness import REPO, robot_session

from academy_common.futures import wait_for_future
from academy_common.qos import LATEST_QOS
from academy_interfaces.action import ExecuteSkill
from academy_interfaces.msg import SkillOutcome, StationState
from academy_skills.ros_conversions import parameters_to_msg

pytestmark = [pytest.mark.integration, pytest.mark.timeout(180)]

CRUMBS = REPO / "config" / "stations" / "crumbs.yaml"


def test_the_crumbs_are_published_and_swept_over_dds(start_session) -> None:
    session = start_session(robot_session("it_crumbs", str(CRUMBS)))
    session.wait_for(r"session 'it_crumbs' is up", timeout=90)
    with spinning_node("test_crumbs") as node:
        latest: list[StationState] = []
        lock = threading.Lock()

        def on_state(msg: StationState) -> None:
            with lock:
                latest[:] = [msg]

        node.create_subscription(StationState, "/robot_1/station/state", on_state, LATEST_QOS)
        client = action_client(node, ExecuteSkill, "/robot_1/execute_skill")

        def sweep(**params: object) -> ExecuteSkill.Result:
            goal = ExecuteSkill.Goal(
                skill="sweep", parameters=parameters_to_msg(params), repetitions=1
            )
            handle = wait_for_future(client.send_goal_async(goal), 5.0)
            assert handle.accepted  # a refusal comes back as the result, with its reason
            return wait_for_future(handle.get_result_async(), 120.0).result

        result = sweep()
        assert result.outcome.value == SkillOutcome.SUCCEEDED, result.reason
        assert {m.name: m.value for m in result.metrics}["on_pad_share"] >= 0.7
        with lock:
            state = latest[0]
        (crumbs,) = state.particles
        assert crumbs.name == "crumbs" and len(crumbs.positions) == 12
        pad = next(f for f in state.fixtures if f.name == "grey_pad")
        on_pad = [
            p
            for p in crumbs.positions
            if abs(p.x - pad.pose.position.x) <= pad.size.x / 2
            and abs(p.y - pad.pose.position.y) <= pad.size.y / 2
        ]
        assert len(on_pad) >= 9  # what the judge counted is what the topic shows

        refused = sweep(dirt="dust")
        assert refused.outcome.value == SkillOutcome.REJECTED
        assert "no loose bits called 'dust'" in refused.reason and "crumbs" in refused.reason
