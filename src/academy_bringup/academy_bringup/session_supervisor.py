"""Starts a session's nodes as processes and supervises them (the stand-in for ``ros2 launch``).

ROS-free: whether a node is ready on the ROS graph is asked through a :class:`GraphProbe`
(the CLI passes an rclpy-based one). Behaviour, in launch_ros terms:

* each node is its own process (own process group), started with ``--ros-args`` for its
  name,
  namespace and a generated parameters file, its output prefixed ``[name]`` and copied to
  ``<log_dir>/<name>.log``;
* nodes start in file order; with ``wait_ready`` the next starts once this one is ready
  (on the graph and offering ``<node>/ready``, see ``academy_common.node_main``);
* ``respawn: true`` restarts a dead node after ``respawn_delay`` (doubling each time) up to
  ``max_respawns``; a ``required`` node that dies otherwise ends the session with an
  error naming it;
* ``on_exit: shutdown`` ends the session when that node exits (its exit code becomes ours);
* a lifecycle node (an ``rclpy.lifecycle`` node, launch_ros' ``LifecycleNode``): one marked
  ``lifecycle: true``, or one that offers ``<node>/change_state`` instead of ``<node>/ready``
  (being managed is a fact of the executable, so a session file need not repeat it)
  is ready when it offers ``<node>/change_state``; the runner then asks it to ``configure`` and
  ``activate`` (each within ``transition_timeout``) before starting the next node; a refused or
  unanswered transition ends the session with an error naming the node (exit code 1);
* on SIGINT/SIGTERM, lifecycle nodes are first asked to ``deactivate`` (reverse start order,
  within the grace period, so e.g. the recorder finalises its episode), then the signal is
  forwarded to every node, then after ``grace_period`` seconds what is left is SIGKILLed (the
  whole process group), so nothing is left behind.
"""

from __future__ import annotations

import contextlib
import enum
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Protocol

import yaml

from academy_bringup.errors import SessionStartError
from academy_bringup.session_schema import ResolvedNode, Session

#: How often the supervision loop looks at its children.
POLL_S = 0.05


class GraphProbe(Protocol):
    """Answers whether a node is on the ROS graph and has finished initialising."""

    def is_ready(self, namespace: str, name: str) -> bool: ...


class LifecycleDriver(Protocol):
    """Drives lifecycle nodes' transitions (lifecycle_msgs services), by fully qualified name."""

    def is_available(self, node: str) -> bool: ...

    def change_state(self, node: str, transition: str, timeout: float) -> str | None:
        """Ask for ``transition`` (configure, activate, deactivate, cleanup); None on success,
        else why it failed."""
        ...


class NodeState(enum.Enum):
    """Lifecycle of a supervised process."""

    STARTING = "starting"
    RUNNING = "running"
    WAITING_RESPAWN = "waiting_respawn"
    EXITED = "exited"


@dataclass
class ManagedNode:
    """One supervised node and its current process."""

    node: ResolvedNode
    log_path: Path
    params_path: Path
    process: subprocess.Popen[bytes] | None = None
    state: NodeState = NodeState.STARTING
    respawns: int = 0
    respawn_at: float = 0.0
    exit_code: int | None = None
    pids: list[int] = field(default_factory=list)  # every pid it ever had (tests check them)
    active: bool = False  # a lifecycle node the runner activated (and must deactivate)
    _reader: threading.Thread | None = None


class SessionSupervisor:
    """Runs one :class:`Session` until a signal, a shutdown node, or a required node's failure."""

    def __init__(
        self,
        session: Session,
        log_dir: Path,
        graph: GraphProbe | None,
        env: dict[str, str] | None = None,
        out: IO[str] | None = None,
        clock: Callable[[], float] = time.monotonic,
        lifecycle: LifecycleDriver | None = None,
    ) -> None:
        self.session = session
        self.lifecycle = lifecycle
        self.log_dir = log_dir
        self.graph = graph
        self.env = dict(os.environ if env is None else env)
        self.out = out or sys.stdout
        self.clock = clock
        self.nodes = [
            ManagedNode(n, log_dir / f"{n.name}.log", log_dir / "params" / f"{n.name}.yaml")
            for n in session.nodes
        ]
        self._print_lock = threading.Lock()
        self._stop_signal: int | None = None
        if session.settings.ros_domain_id is not None:
            self.env["ROS_DOMAIN_ID"] = str(session.settings.ros_domain_id)
        # Children's Python output must reach us line by line, not when their buffers fill.
        self.env["PYTHONUNBUFFERED"] = "1"
        self.env.setdefault("RCUTILS_COLORIZED_OUTPUT", "0")
        self.env["ROS_LOG_DIR"] = str(log_dir / "ros")

    # ---------------------------------------------------------------- output
    def say(self, text: str) -> None:
        """Print a runner message (prefixed like a node's output)."""
        with self._print_lock:
            print(f"[academy] {text}", file=self.out, flush=True)

    def _pump(self, managed: ManagedNode, stream: IO[bytes]) -> None:
        prefix = f"[{managed.node.name}] "
        with managed.log_path.open("ab") as log:
            for raw in iter(stream.readline, b""):
                log.write(raw)
                log.flush()
                line = raw.decode("utf-8", errors="replace").rstrip("\n")
                with self._print_lock:
                    print(prefix + line, file=self.out, flush=True)
        stream.close()

    # ---------------------------------------------------------------- processes
    def command(self, managed: ManagedNode) -> list[str]:
        """The command line of a node, as ``ros2 run`` + launch_ros would build it."""
        node = managed.node
        cmd = [
            str(node.executable),
            *node.spec.arguments,
            "--ros-args",
            "-r",
            f"__node:={node.name}",
        ]
        if node.namespace:
            cmd += ["-r", f"__ns:={node.namespace}"]
        for source, target in node.remappings:
            cmd += ["-r", f"{source}:={target}"]
        params = {k: v for k, v in node.parameters.items() if k != "__params_file__"}
        if "__params_file__" in node.parameters:
            cmd += ["--params-file", str(node.parameters["__params_file__"])]
        if params:
            managed.params_path.parent.mkdir(parents=True, exist_ok=True)
            document: dict[str, Any] = {node.fully_qualified_name: {"ros__parameters": params}}
            managed.params_path.write_text(yaml.safe_dump(document), encoding="utf-8")
            cmd += ["--params-file", str(managed.params_path)]
        return cmd

    def _spawn(self, managed: ManagedNode) -> None:
        cmd = self.command(managed)
        try:
            process = subprocess.Popen(
                cmd,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=self.env,
                start_new_session=True,  # own process group: we forward signals ourselves
            )
        except OSError as error:
            raise SessionStartError(
                f"node '{managed.node.name}': cannot start {cmd[0]}: {error.strerror}"
            ) from error
        managed.process = process
        managed.active = False
        managed.pids.append(process.pid)
        managed.state = NodeState.RUNNING
        managed.exit_code = None
        assert process.stdout is not None
        managed._reader = threading.Thread(
            target=self._pump, args=(managed, process.stdout), daemon=True
        )
        managed._reader.start()
        self.say(f"started {managed.node.fully_qualified_name} (pid {process.pid})")

    def _wait_ready(self, managed: ManagedNode) -> None:
        if managed.node.spec.lifecycle:
            self._bring_up(managed)
            return
        if self.graph is None or not managed.node.spec.wait_ready:
            return
        deadline = self.clock() + self.session.settings.ready_timeout
        node = managed.node
        namespace = node.namespace or "/"
        while self.clock() < deadline:
            if self._stop_signal is not None:
                return
            if self.graph.is_ready(namespace, node.name):
                self.say(f"{node.fully_qualified_name} is ready")
                return
            if self.lifecycle is not None and self.lifecycle.is_available(
                node.fully_qualified_name
            ):
                # A managed node the session file did not mark: being one is a fact of the
                # executable, so it is brought up all the same (it never offers <node>/ready).
                self._bring_up(managed)
                return
            assert managed.process is not None
            if managed.process.poll() is not None:
                # Gone already (a short job, or a crash): its exit policy decides what follows.
                self.say(f"{node.fully_qualified_name} exited before it was ready")
                return
            time.sleep(POLL_S)
        raise SessionStartError(
            f"node '{node.fully_qualified_name}' was not ready (on the ROS graph with "
            f"<node>/ready) within "
            f"{self.session.settings.ready_timeout:g} s (session.ready_timeout; "
            f"see {managed.log_path})"
        )

    def _bring_up(self, managed: ManagedNode) -> None:
        """Wait for a lifecycle node's services, then configure and activate it."""
        node = managed.node
        fqn = node.fully_qualified_name
        if self.lifecycle is None:
            raise SessionStartError(
                f"node '{fqn}' is marked lifecycle: true but this runner has no lifecycle client"
            )
        settings = self.session.settings
        deadline = self.clock() + settings.ready_timeout
        while not self.lifecycle.is_available(fqn):
            if self._stop_signal is not None:
                return
            assert managed.process is not None
            if managed.process.poll() is not None:
                self.say(f"{fqn} exited before it offered {fqn}/change_state")
                return
            if self.clock() >= deadline:
                raise SessionStartError(
                    f"lifecycle node '{fqn}' did not offer {fqn}/change_state within "
                    f"{settings.ready_timeout:g} s (session.ready_timeout; see {managed.log_path})"
                )
            time.sleep(POLL_S)
        for transition in ("configure", "activate"):
            error = self.lifecycle.change_state(fqn, transition, settings.transition_timeout)
            if error is not None:
                raise SessionStartError(
                    f"lifecycle node '{fqn}': {error} (session.transition_timeout "
                    f"{settings.transition_timeout:g} s; see {managed.log_path})"
                )
        managed.active = True
        self.say(f"{fqn} is active (configured, activated)")

    def _deactivate_all(self, live: list[ManagedNode], deadline: float) -> None:
        """Deactivate the active lifecycle nodes among ``live``, in reverse start order."""
        if self.lifecycle is None:
            return
        for managed in reversed(live):
            if not managed.active:
                continue
            managed.active = False
            fqn = managed.node.fully_qualified_name
            # Half of what is left, so that the signal still has time to end the process.
            timeout = max(0.1, (deadline - self.clock()) / 2)
            error = self.lifecycle.change_state(fqn, "deactivate", timeout)
            if error is None:
                self.say(f"{fqn} deactivated")
            else:
                self.say(f"warning: lifecycle node '{fqn}': {error}; stopping it anyway")

    # ---------------------------------------------------------------- signals
    def request_stop(self, signum: int) -> None:
        """Ask the supervision loop to stop the session (called from a signal handler)."""
        if self._stop_signal is None:
            self._stop_signal = signum

    def install_signal_handlers(self) -> None:
        """Route SIGINT and SIGTERM to :meth:`request_stop`."""
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda s, _f: self.request_stop(s))

    # ---------------------------------------------------------------- main loop
    def run(self) -> int:
        """Start every node, supervise until the session ends, stop everything; return exit code.

        Exit codes: 0 clean stop (signal, or a shutdown node exiting 0); the shutdown node's code;
        1 a required node failed or a node could not start; 3 a node had to be SIGKILLed.
        """
        self.log_dir.mkdir(parents=True, exist_ok=True)
        code = 0
        try:
            for managed in self.nodes:
                if self._stop_signal is not None:
                    break
                self._spawn(managed)
                self._wait_ready(managed)
            if self._stop_signal is None:
                self.say(f"session '{self.session.settings.name}' is up ({len(self.nodes)} nodes)")
            code = self._supervise()
        except SessionStartError as error:
            self.say(f"error: {error}")
            code = 1
        killed = self.stop_all(self._stop_signal or signal.SIGINT)
        if killed and code == 0:
            code = 3
        return code

    def _supervise(self) -> int:
        while self._stop_signal is None:
            now = self.clock()
            for managed in self.nodes:
                outcome = self._check(managed, now)
                if outcome is not None:
                    return outcome
            time.sleep(POLL_S)
        self.say(f"received {signal.Signals(self._stop_signal).name}, stopping the session")
        return 0

    def _check(self, managed: ManagedNode, now: float) -> int | None:
        """Handle a node's exit; return the session exit code if the session must end."""
        spec = managed.node.spec
        if managed.state == NodeState.WAITING_RESPAWN:
            if now >= managed.respawn_at:
                managed.respawns += 1
                self.say(
                    f"respawning '{spec.name}' (respawn {managed.respawns}/{spec.max_respawns})"
                )
                self._spawn(managed)
            return None
        if managed.state != NodeState.RUNNING or managed.process is None:
            return None
        code = managed.process.poll()
        if code is None:
            return None
        if managed._reader is not None:
            managed._reader.join(timeout=2.0)  # flush its last lines before we report
        managed.state = NodeState.EXITED
        managed.active = False
        managed.exit_code = code
        if spec.on_exit == "shutdown":
            self.say(
                f"'{spec.name}' exited with code {code}; ending the session (on_exit: shutdown)"
            )
            return code
        if spec.respawn and managed.respawns < spec.max_respawns:
            delay = spec.respawn_delay * (2**managed.respawns)
            self.say(f"'{spec.name}' exited with code {code}; respawning in {delay:g} s")
            managed.state = NodeState.WAITING_RESPAWN
            managed.respawn_at = now + delay
            return None
        if spec.respawn:
            why = f"exited with code {code} after {managed.respawns} respawns (max_respawns)"
        else:
            why = f"exited with code {code}"
        if spec.required:
            self.say(f"error: required node '{spec.name}' {why}; stopping the session")
            return 1
        self.say(f"optional node '{spec.name}' {why}")
        return None

    def stop_all(self, signum: int) -> bool:
        """Deactivate lifecycle nodes, forward ``signum`` to every live node, SIGKILL stragglers
        after the grace period (which the deactivations count against).

        Returns:
            True if some node had to be SIGKILLed.
        """
        live = [m for m in self.nodes if m.process is not None and m.process.poll() is None]
        deadline = self.clock() + self.session.settings.grace_period
        self._deactivate_all(live, deadline)
        for managed in reversed(live):  # stop in reverse start order, as launch does
            assert managed.process is not None
            self._signal_group(managed.process, signum)
        while self.clock() < deadline and any(m.process.poll() is None for m in live if m.process):
            time.sleep(POLL_S)
        killed = False
        for managed in live:
            assert managed.process is not None
            if managed.process.poll() is None:
                killed = True
                self.say(
                    f"'{managed.node.name}' did not stop within "
                    f"{self.session.settings.grace_period:g} s (session.grace_period); SIGKILL"
                )
            # Kill the group even when the leader exited: no grandchild may outlive the session.
            self._signal_group(managed.process, signal.SIGKILL)
            managed.process.wait()
            if managed._reader is not None:
                managed._reader.join(timeout=2.0)
        self.say("all nodes stopped")
        return killed

    @staticmethod
    def _signal_group(process: subprocess.Popen[bytes], signum: int) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signum)
