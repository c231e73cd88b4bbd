"""Process supervision with real processes (plain shell scripts; no ROS graph needed)."""

from __future__ import annotations

import io
import signal
import threading
import time
from pathlib import Path

import pytest
from session_harness import pid_alive

from academy_bringup.session_schema import parse_session
from academy_bringup.session_supervisor import SessionSupervisor

pytestmark = pytest.mark.timeout(60)


def script(tmp_path: Path, name: str, body: str) -> Path:
    path = tmp_path / "bin" / name
    path.parent.mkdir(exist_ok=True)
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(0o755)
    return path


def supervisor(
    tmp_path: Path,
    nodes: list[dict[str, object]],
    robots: list[dict[str, object]] | None = None,
    **settings: object,
):
    data = {
        "session": {"name": "unit", "grace_period": 2.0, **settings},
        "robots": robots or [],
        "nodes": nodes,
    }
    session = parse_session(
        data, tmp_path / "session.yaml", resolver=lambda pkg, exe: tmp_path / "bin" / exe
    )
    out = io.StringIO()
    return SessionSupervisor(session, tmp_path / "log", graph=None, out=out), out


def node(name: str, **extra: object) -> dict[str, object]:
    return {"name": name, "package": "test_pkg", "executable": name, **extra}


def stop_later(sup: SessionSupervisor, delay: float, signum: int = signal.SIGINT) -> None:
    threading.Timer(delay, sup.request_stop, args=(signum,)).start()


def test_required_node_crash_fails_session_naming_it(tmp_path: Path) -> None:
    script(tmp_path, "steady", "exec sleep 60\n")
    script(tmp_path, "crasher", "sleep 0.3; echo 'boom' >&2; exit 7\n")
    sup, out = supervisor(tmp_path, [node("steady"), node("crasher")])
    code = sup.run()
    text = out.getvalue()
    assert code == 1
    assert "required node 'crasher' exited with code 7" in text
    assert "[crasher] boom" in text  # its output is prefixed ...
    assert "boom" in (tmp_path / "log" / "crasher.log").read_text()  # ... and filed
    assert not any(pid_alive(pid) for m in sup.nodes for pid in m.pids)


def test_optional_node_crash_keeps_session(tmp_path: Path) -> None:
    """Twin of the test above: the same crash in a node with required: false ends nothing."""
    script(tmp_path, "steady", "exec sleep 60\n")
    script(tmp_path, "crasher", "sleep 0.2; exit 7\n")
    sup, out = supervisor(tmp_path, [node("steady"), node("crasher", required=False)])
    stop_later(sup, 1.5)
    assert sup.run() == 0
    assert "optional node 'crasher' exited with code 7" in out.getvalue()


def test_respawnable_node_comes_back(tmp_path: Path) -> None:
    marker = tmp_path / "first_run_done"
    script(
        tmp_path,
        "flaky",
        f"if [ ! -f {marker} ]; then touch {marker}; exit 3; fi\nexec sleep 60\n",
    )
    sup, out = supervisor(tmp_path, [node("flaky", respawn=True, respawn_delay=0.1)])
    stop_later(sup, 2.0)
    assert sup.run() == 0
    managed = sup.nodes[0]
    assert len(managed.pids) == 2, out.getvalue()
    assert managed.respawns == 1
    assert "respawning 'flaky'" in out.getvalue()
    assert not any(pid_alive(pid) for pid in managed.pids)


def test_respawn_gives_up_after_limit_with_backoff(tmp_path: Path) -> None:
    script(tmp_path, "broken", "exit 5\n")
    sup, out = supervisor(
        tmp_path, [node("broken", respawn=True, respawn_delay=0.1, max_respawns=3)]
    )
    start = time.monotonic()
    assert sup.run() == 1
    elapsed = time.monotonic() - start
    assert len(sup.nodes[0].pids) == 4
    assert "exited with code 5 after 3 respawns" in out.getvalue()
    assert elapsed >= 0.1 + 0.2 + 0.4  # delays double


def test_sigint_forwarded_and_node_finalises(tmp_path: Path) -> None:
    done = tmp_path / "finalised"
    script(
        tmp_path,
        "recorder",
        f"trap 'sleep 0.3; echo ok > {done}; exit 0' INT\nwhile true; do sleep 0.05; done\n",
    )
    sup, _ = supervisor(tmp_path, [node("recorder")])
    stop_later(sup, 0.5)
    assert sup.run() == 0
    assert done.read_text().strip() == "ok"


def test_node_ignoring_signal_is_killed_after_grace_with_its_children(tmp_path: Path) -> None:
    child_pid_file = tmp_path / "child.pid"
    script(
        tmp_path,
        "stubborn",
        f"trap '' INT TERM\nsleep 60 &\necho $! > {child_pid_file}\n"
        "while true; do sleep 0.05; done\n",
    )
    sup, out = supervisor(tmp_path, [node("stubborn")], grace_period=0.5)
    stop_later(sup, 0.5)
    start = time.monotonic()
    assert sup.run() == 3
    assert time.monotonic() - start < 5
    assert "did not stop within 0.5 s" in out.getvalue()
    assert not pid_alive(sup.nodes[0].pids[0])
    assert not pid_alive(int(child_pid_file.read_text()))  # grandchild killed with the group


def test_shutdown_node_ends_session_with_its_code(tmp_path: Path) -> None:
    script(tmp_path, "steady", "exec sleep 60\n")
    script(tmp_path, "job", "sleep 0.2; exit 4\n")
    sup, out = supervisor(tmp_path, [node("steady"), node("job", on_exit="shutdown")])
    assert sup.run() == 4
    assert "ending the session (on_exit: shutdown)" in out.getvalue()


def test_command_line_follows_ros2_run_conventions(tmp_path: Path) -> None:
    script(tmp_path, "worker", "exit 0\n")
    sup, _ = supervisor(
        tmp_path,
        [node("worker", robot="robot_2", parameters={"rate": 50.0}, arguments=["-v"])],
        robots=[{"id": "robot_2", "model": "m"}],
    )
    cmd = sup.command(sup.nodes[0])
    assert cmd[:3] == [str(tmp_path / "bin" / "worker"), "-v", "--ros-args"]
    assert "__node:=worker" in cmd and "__ns:=/robot_2" in cmd
    # Each robot's simulation has its own time: /clock is the robot's.
    assert cmd[cmd.index("/clock:=/robot_2/clock") - 1] == "-r"
    params = Path(cmd[cmd.index("--params-file") + 1]).read_text()
    assert "/robot_2/worker:" in params and "rate: 50.0" in params and "robot_id: robot_2" in params


class FakeLifecycle:
    """Records transitions; ``refuse`` names one to fail."""

    def __init__(self, refuse: str = "") -> None:
        self.calls: list[tuple[str, str]] = []
        self.refuse = refuse

    def is_available(self, node: str) -> bool:
        return True

    def change_state(self, node: str, transition: str, timeout: float) -> str | None:
        self.calls.append((node, transition))
        return f"{transition} failed" if transition == self.refuse else None


#: What the runner asks of a managed node over a whole session.
FULL_CYCLE = [("/managed", "configure"), ("/managed", "activate"), ("/managed", "deactivate")]


def test_lifecycle_nodes_are_activated_then_deactivated_before_the_signal(tmp_path: Path) -> None:
    marker = tmp_path / "got_signal"
    script(tmp_path, "managed", f"trap 'echo signal > {marker}; exit 0' INT\nsleep 60 & wait\n")
    script(tmp_path, "plain", "exec sleep 60\n")
    sup, out = supervisor(tmp_path, [node("managed", lifecycle=True), node("plain")])
    driver = FakeLifecycle()
    sup.lifecycle = driver
    stop_later(sup, 1.0)
    assert sup.run() == 0
    assert driver.calls == FULL_CYCLE
    text = out.getvalue()
    assert text.index("/managed is active") < text.index("started /plain")  # then the next
    assert text.index("/managed deactivated") < text.index("all nodes stopped")
    assert marker.read_text().strip() == "signal"  # the signal still followed


def test_a_refused_transition_fails_the_session_naming_the_node(tmp_path: Path) -> None:
    script(tmp_path, "managed", "exec sleep 60\n")
    sup, out = supervisor(tmp_path, [node("managed", lifecycle=True)])
    sup.lifecycle = FakeLifecycle(refuse="activate")
    assert sup.run() == 1
    assert "lifecycle node '/managed': activate failed" in out.getvalue()
    assert not any(pid_alive(pid) for m in sup.nodes for pid in m.pids)


class NeverReady:
    """A graph on which no node ever offers ``<node>/ready`` (a lifecycle node never does)."""

    def is_ready(self, namespace: str, name: str) -> bool:
        return False


def test_an_unmarked_node_offering_lifecycle_services_is_brought_up(tmp_path: Path) -> None:
    # Being managed is a fact of the executable: a session file that does not say
    # `lifecycle: true` must still get the node configured and activated, not time out.
    script(tmp_path, "managed", "exec sleep 60\n")
    sup, _out = supervisor(tmp_path, [node("managed")], ready_timeout=5.0)
    sup.graph = NeverReady()
    sup.lifecycle = driver = FakeLifecycle()
    stop_later(sup, 1.0)
    assert sup.run() == 0
    assert driver.calls == FULL_CYCLE


def test_twin_a_node_neither_ready_nor_managed_times_out_naming_it(tmp_path: Path) -> None:
    script(tmp_path, "silent", "exec sleep 60\n")
    sup, out = supervisor(tmp_path, [node("silent")], ready_timeout=1.0)
    sup.graph = NeverReady()

    class Unavailable(FakeLifecycle):
        def is_available(self, node: str) -> bool:
            return False

    sup.lifecycle = Unavailable()
    assert sup.run() == 1
    assert "node '/silent' was not ready" in out.getvalue()
    assert not any(pid_alive(pid) for m in sup.nodes for pid in m.pids)


def test_twin_a_node_of_no_robot_keeps_the_global_clock(tmp_path: Path) -> None:
    script(tmp_path, "parser", "exec sleep 60\n")
    sup, _out = supervisor(tmp_path, [node("parser")])
    assert not any("/clock:=" in arg for arg in sup.command(sup.nodes[0]))
