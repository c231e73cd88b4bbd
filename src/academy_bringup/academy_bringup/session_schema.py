"""Session files: schema, validation and the resolved, frozen session configuration.

A session file (``config/sessions/*.yaml``) names the robots, the nodes to start and how to run
them. :func:`load_session` reports *every* problem at once, each as
``FILE: key.path: value: what would be valid`` (unknown keys, missing keys, bad types, missing
files, duplicate ids, unknown executables), so a trainer fixes a file in one go.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic_core import ErrorDetails

from academy_bringup.errors import SessionValidationError
from academy_common.problems import validation_problems
from academy_description.fleet import InvalidFleetError, load_fleet

SNAKE_NAME_PATTERN = r"^[a-z][a-z0-9_]*$"
SnakeName = Annotated[str, Field(pattern=SNAKE_NAME_PATTERN, max_length=64)]
Namespace = Annotated[str, Field(pattern=r"^(/[a-z][a-z0-9_]*)*$|^$", max_length=128)]
ParamScalar = bool | int | float | str
ParamValue = ParamScalar | list[bool] | list[int] | list[float] | list[str]


class _Strict(BaseModel):
    # strict: "10" is not a number, 1 is not a boolean; forbid: a typo is an error, not ignored.
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class SessionSettings(_Strict):
    """The ``session:`` section."""

    name: SnakeName
    ros_domain_id: Annotated[int, Field(ge=0, le=232)] | None = None  # None = inherit env
    grace_period: Annotated[float, Field(gt=0, le=600)] = 10.0  # s between signal and SIGKILL
    ready_timeout: Annotated[float, Field(gt=0, le=600)] = 30.0  # s for a node to be ready
    transition_timeout: Annotated[float, Field(gt=0, le=600)] = 10.0  # s per lifecycle transition
    log_dir: str = "log/sessions"  # relative to the current directory


class RobotSpec(_Strict):
    """One robot of the session."""

    id: SnakeName
    model: SnakeName
    station: SnakeName = "station_1"


class NodeSpec(_Strict):
    """One node process, started like ``ros2 run PACKAGE EXECUTABLE --ros-args ...``."""

    name: SnakeName
    package: SnakeName
    executable: Annotated[str, Field(pattern=r"^[A-Za-z0-9_.-]+$")]
    robot: SnakeName | None = None  # robot id: namespace /<robot> and parameter robot_id
    namespace: Namespace = ""
    parameters: dict[str, ParamValue] | str = Field(default_factory=dict)  # mapping or YAML file
    arguments: list[str] = Field(default_factory=list)
    required: bool = True  # its death (while the session runs) ends the session with an error
    respawn: bool = False
    respawn_delay: Annotated[float, Field(gt=0, le=300)] = 1.0  # s, doubled after each respawn
    max_respawns: Annotated[int, Field(ge=0, le=1000)] = 5
    on_exit: Literal["fail", "shutdown"] = "fail"  # shutdown: its exit ends the session
    wait_ready: bool = True  # wait until it is ready (on the graph, <node>/ready) before the next
    # A managed node (rclpy.lifecycle; launch_ros' LifecycleNode): the runner configures and
    # activates it after start, and deactivates it before forwarding a stop signal.
    lifecycle: bool = False


class SessionFile(_Strict):
    """Top level of a session file.

    The robots come from ``robots`` or from a ``fleet`` file (``config/fleet.yaml``: id, model,
    maker, serial, station, spoken name), not both. Each node of ``robot_nodes`` is started
    once per robot, in its namespace (a controller manager, skill executor and recorder per
    robot); ``nodes`` are started once, after them.
    """

    session: SessionSettings
    fleet: str | None = None  # path relative to the session file
    robots: list[RobotSpec] = Field(default_factory=list)
    robot_nodes: list[NodeSpec] = Field(default_factory=list)
    nodes: Annotated[list[NodeSpec], Field(min_length=1)]


class ResolvedNode:
    """A node with everything needed to start it: executable path, namespace, parameters."""

    def __init__(self, spec: NodeSpec, executable: Path, parameters: dict[str, Any]) -> None:
        self.spec = spec
        self.executable = executable
        self.parameters = parameters

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def namespace(self) -> str:
        if self.spec.robot is not None:
            return f"{self.spec.namespace}/{self.spec.robot}"
        return self.spec.namespace

    @property
    def fully_qualified_name(self) -> str:
        return f"{self.namespace}/{self.name}"

    @property
    def remappings(self) -> list[tuple[str, str]]:
        """Topic remappings (from, to) the node starts with.

        Every robot's station is its own simulation with its own time: a robot's nodes use
        ``/<robot>/clock`` for ``/clock`` (the controller manager publishes there, and nodes with
        ``use_sim_time`` read it), so robots never share one clock.
        """
        if self.spec.robot is None:
            return []
        return [("/clock", f"{self.namespace}/clock")]


class Session:
    """A validated session: settings, robots and resolved nodes."""

    def __init__(
        self,
        path: Path,
        settings: SessionSettings,
        robots: list[RobotSpec],
        nodes: list[ResolvedNode],
    ) -> None:
        self.path = path
        self.settings = settings
        self.robots = robots
        self.nodes = nodes


ExecutableResolver = Callable[[str, str], Path | None]


def resolve_executable(package: str, executable: str) -> Path | None:
    """Find ``<prefix>/lib/<package>/<executable>`` via the ament index, as ``ros2 run`` does.

    Returns None when the package or executable is not installed.
    """
    for prefix in os.environ.get("AMENT_PREFIX_PATH", "").split(os.pathsep):
        if not prefix:
            continue
        marker = Path(prefix, "share", "ament_index", "resource_index", "packages", package)
        candidate = Path(prefix, "lib", package, executable)
        if marker.is_file():
            return candidate if candidate.is_file() and os.access(candidate, os.X_OK) else None
    return None


def _installed_executables(package: str) -> list[str]:
    for prefix in os.environ.get("AMENT_PREFIX_PATH", "").split(os.pathsep):
        lib = Path(prefix, "lib", package)
        if prefix and lib.is_dir():
            return sorted(p.name for p in lib.iterdir() if p.is_file() and os.access(p, os.X_OK))
    return []


def _describe_session_error(error: ErrorDetails) -> str | None:
    """Session wording for a name that is not snake_case (None: the general wording)."""
    if (error.get("ctx") or {}).get("pattern") == SNAKE_NAME_PATTERN:
        return "must be snake_case (lowercase letters, digits, _; starting with a letter)"
    return None


def parse_session(
    data: Any,
    path: Path,
    resolver: ExecutableResolver = resolve_executable,
    check_executables: bool = True,
) -> Session:
    """Validate parsed session data; see :func:`load_session`."""
    problems: list[str] = []

    def problem(key: str, value: Any, valid: str) -> None:
        problems.append(f"{path}: {key}: {value!r}: {valid}")

    try:
        model = SessionFile.model_validate(data)
    except ValidationError as error:
        lines = validation_problems(error, SessionFile, _describe_session_error)
        raise SessionValidationError([f"{path}: {line}" for line in lines]) from None

    robots = list(model.robots)
    if model.fleet is not None:
        fleet_path = (path.parent / model.fleet).resolve()
        if robots:
            problem(
                "robots", [r.id for r in robots], "give either robots or a fleet file, not both"
            )
        try:
            fleet = load_fleet(fleet_path, check_models=check_executables)
        except InvalidFleetError as error:
            problems.extend(f"{path}: fleet: {line}" for line in str(error).splitlines())
        else:
            robots = [RobotSpec(id=r.id, model=r.model, station=r.station) for r in fleet.robots]
    robot_ids: list[str] = [robot.id for robot in robots]
    robot_models = {robot.id: robot.model for robot in robots}
    for index, template in enumerate(model.robot_nodes):
        if template.robot is not None:
            problem(
                f"robot_nodes[{index}].robot",
                template.robot,
                "leave it out: a robot node is started once for every robot",
            )
    # (where a problem is reported, node): a robot node once per robot, then the others.
    entries = [
        (f"robot_nodes[{index}] ({robot.id})", template.model_copy(update={"robot": robot.id}))
        for robot in robots
        for index, template in enumerate(model.robot_nodes)
        if template.robot is None
    ]
    entries += [(f"nodes[{index}]", node) for index, node in enumerate(model.nodes)]
    for index, robot_id in enumerate(robot_ids):
        if robot_ids.index(robot_id) != index:
            problem(f"robots[{index}].id", robot_id, "duplicate robot id; ids must be unique")

    resolved: list[ResolvedNode] = []
    seen_names: dict[str, str] = {}
    for where, node in entries:
        if node.robot is not None and node.robot not in robot_ids:
            problem(
                f"{where}.robot",
                node.robot,
                f"unknown robot; valid: {', '.join(robot_ids) or '(no robots declared)'}",
            )
        params: dict[str, Any] = {}
        if isinstance(node.parameters, str):
            params_path = (path.parent / node.parameters).resolve()
            if not params_path.is_file():
                problem(f"{where}.parameters", node.parameters, f"file not found ({params_path})")
            else:
                params = {"__params_file__": str(params_path)}
        else:
            params = dict(node.parameters)
        for pkey, pval in list(params.items()):
            # Path-valued parameters ending in .yaml/.urdf/... are resolved relative to the session.
            if isinstance(pval, str) and pkey.endswith("_file") and pval:
                file_path = (path.parent / pval).resolve()
                if not file_path.is_file():
                    problem(f"{where}.parameters.{pkey}", pval, f"file not found ({file_path})")
                params[pkey] = str(file_path)
            elif isinstance(pval, str) and pkey.endswith("_dir") and pval:
                # Output directories: relative to the session file too; the node creates them.
                params[pkey] = str((path.parent / pval).resolve())
        if node.robot is not None:
            params.setdefault("robot_id", node.robot)
            if node.robot in robot_models:  # an unknown robot is reported above
                params.setdefault("robot_model", robot_models[node.robot])
        executable = resolver(node.package, node.executable) if check_executables else None
        if check_executables and executable is None:
            available = _installed_executables(node.package)
            valid = (
                f"not installed in package '{node.package}'; valid: {', '.join(available)}"
                if available
                else f"package '{node.package}' not found (did `make setup` build it?)"
            )
            problem(f"{where}.executable", node.executable, valid)
        resolved_node = ResolvedNode(node, executable or Path(node.executable), params)
        fqn = resolved_node.fully_qualified_name
        if fqn in seen_names:
            problem(
                f"{where}.name",
                node.name,
                f"node '{fqn}' is already {seen_names[fqn]}; give it another name or namespace",
            )
        seen_names.setdefault(fqn, where)
        if node.lifecycle and node.respawn:
            problem(
                f"{where}.respawn",
                True,
                "a lifecycle node cannot respawn here (nothing would configure it again)",
            )
        if node.respawn and node.on_exit == "shutdown":
            problem(f"{where}.respawn", True, "a node with on_exit: shutdown cannot respawn")
        resolved.append(resolved_node)
    if problems:
        raise SessionValidationError(problems)
    return Session(path, model.session, robots, resolved)


def load_session(
    path: Path,
    resolver: ExecutableResolver = resolve_executable,
    check_executables: bool = True,
) -> Session:
    """Read and validate a session file.

    Args:
        path: the YAML file.
        resolver: finds a node's executable (default: the ament index, like ``ros2 run``).
        check_executables: False to skip executable lookup (e.g. before the workspace is built).

    Raises:
        SessionValidationError: with one line per problem.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise SessionValidationError(
            [f"{path}: cannot read session file: {error.strerror}"]
        ) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise SessionValidationError([f"{path}: not valid YAML: {error}"]) from None
    if not isinstance(data, dict):
        raise SessionValidationError(
            [f"{path}: (top level): {data!r}: a mapping with keys session, robots, nodes"]
        )
    return parse_session(data, path, resolver, check_executables)
