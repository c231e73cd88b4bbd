"""``academy model ...``: onboard a maker's URDF, list, show and check the registered models.

``academy model add NAME --urdf URI --maker MAKER [--licence L] [--probe-grasp]``
                                                                   detect, write, validate
``academy model list [--json]``                                    the registry
``academy model show NAME [--json]``                               one model, canonical mapping
``academy model check NAME``                                       exit 0 when valid

``check`` goes beyond loading: it validates the controller config against the hardware's joints
and compiles the model's station in MuJoCo and steps it (a model that explodes is not valid).
"""

from __future__ import annotations

import argparse
import functools
import json
import sys
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from academy_common.problems import validation_problems
from academy_description.errors import DescriptionError
from academy_description.model_registry import RobotModel, available_models, load_model, models_dir
from academy_description.model_schema import GraspFrame
from academy_description.onboarding import WorkspaceFit

#: Simulated seconds ``model check`` steps the robot alone, holding its start posture.
CHECK_SECONDS = 0.5
#: Largest joint drift (rad or m) allowed while holding still in ``model check``.
CHECK_DRIFT = 0.05

CHECK_EXIT_CODES = """exit codes:
  0  the model is valid: entry, URDF, meshes, controllers and a stable simulation
  1  the model has problems (each printed)
  2  no such model"""


def _summary(model: RobotModel) -> dict[str, Any]:
    return {
        "model": model.name,
        "maker": model.manufacturer,
        "licence": model.licence,
        "source": model.source or "(our own description)",
        "directory": str(model.directory),
        "driven_joints": len(model.urdf.actuated_joints),
        "coupled_joints": len(model.urdf.followers),
        "arms": sorted(model.arms),
        "hands": {name: hand.kind.value for name, hand in model.hands.items()},
        "mount": {
            "height": model.mount.height,
            "forward_axis": model.mount.forward_axis.value,
        },
        "repairs": len(model.repairs),
    }


def cmd_list(args: argparse.Namespace) -> int:
    rows: list[dict[str, Any]] = []
    for name in available_models():
        try:
            rows.append(_summary(load_model(name)) | {"valid": True})
        except DescriptionError as error:
            rows.append({"model": name, "valid": False, "error": str(error).splitlines()[0]})
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    for row in rows:
        if row["valid"]:
            hands = ", ".join(sorted(set(row["hands"].values()))) or "none"
            print(
                f"{row['model']:<16} {row['maker']:<32} {row['licence']:<14} "
                f"{row['driven_joints']:>3} joints  hands: {hands}"
            )
        else:
            print(f"{row['model']:<16} INVALID: {row['error']}")
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    from academy_description.canonical import canonical_mapping

    try:
        model = load_model(args.name)
    except DescriptionError as error:
        print(f"academy model show: {error}", file=sys.stderr)
        return 2
    info = _summary(model)
    info["arm_chains"] = {
        side: {
            "joints": list(arm.joints),
            "elbow": arm.elbow,
            "end_effector": arm.end_effector,
            "hand": arm.gripper,
            "grasp_frame": {"xyz": list(arm.grasp_xyz), "rpy": list(arm.grasp_rpy)},
        }
        for side, arm in model.arms.items()
    }
    info["canonical"] = canonical_mapping(model).as_dict()
    info["repairs"] = list(model.repairs)
    if args.json:
        print(json.dumps(info, indent=2))
    else:
        print(yaml.safe_dump(info, sort_keys=False, width=100), end="")
    return 0


def check_model(name: str, directory: Path | None = None) -> tuple[RobotModel | None, list[str]]:
    """Load ``name`` (from ``directory``, else the models path) and check it beyond its files.

    Returns the model (None when it does not load) and one line per problem.
    """
    import numpy as np

    from academy_control.controller_config import load_controllers
    from academy_control.controller_manager import hand_joints
    from academy_control.errors import ControlError
    from academy_sim.station import hold_still

    try:
        model = load_model(name, directory)
    except DescriptionError as error:
        return None, list(getattr(error, "problems", [str(error)]))
    problems: list[str] = []
    try:
        load_controllers(
            model.controllers_file, tuple(model.urdf.actuated_joints), hand_joints(model)
        )
    except ControlError as error:
        problems.extend(getattr(error, "problems", [str(error)]))
    try:
        drift = hold_still(model, CHECK_SECONDS)
    except Exception as error:  # MuJoCo raises ValueError / FatalError; report, never crash
        problems.append(f"simulation: {error}")
    else:
        worst = max(drift, key=lambda joint: drift[joint], default=None)
        if worst is not None and not np.isfinite(drift[worst]):
            problems.append(f"simulation: joint {worst!r} became non-finite (unstable model)")
        elif worst is not None and drift[worst] > CHECK_DRIFT:
            problems.append(
                f"simulation: joint {worst!r} drifted {drift[worst]:.3f} while holding still "
                f"{CHECK_SECONDS} s (limit {CHECK_DRIFT}): servo gains or limits are wrong"
            )
    return model, problems


def cmd_check(args: argparse.Namespace) -> int:
    if args.name not in available_models():
        known = ", ".join(available_models()) or "(none)"
        print(f"academy model check: unknown model {args.name!r}; known: {known}", file=sys.stderr)
        return 2
    model, problems = check_model(args.name)
    if model is not None:
        for repair in model.repairs:
            print(f"  repaired: {repair}")
    for problem in problems:
        print(f"  PROBLEM: {problem}")
    if problems:
        print(f"{args.name}: {len(problems)} problem(s)")
        return 1
    print(f"{args.name}: valid ({len(model.repairs) if model else 0} repairs reported above)")
    return 0


def cmd_add(args: argparse.Namespace) -> int:
    from academy_description.model_schema import Coupling
    from academy_description.onboarding import onboard

    couplings: list[Coupling] = []
    if args.couplings:
        raw = yaml.safe_load(Path(args.couplings).read_text(encoding="utf-8")) or {}
        items = raw.get("couplings", []) if isinstance(raw, dict) else raw
        problems: list[str] = []
        for index, item in enumerate(items if isinstance(items, list) else [items]):
            try:
                couplings.append(Coupling.model_validate(item))
            except ValidationError as error:
                problems += [
                    f"couplings[{index}].{p}" for p in validation_problems(error, Coupling)
                ]
        if problems or not isinstance(items, list):
            print(f"academy model add: {args.couplings}: invalid couplings:", file=sys.stderr)
            for line in problems or ["a list of {joint, leader, multiplier, offset} is required"]:
                print(f"  {line}", file=sys.stderr)
            return 2
    if args.station and not args.probe_grasp:
        print("academy model add: --station is used by --probe-grasp only", file=sys.stderr)
        return 2
    if args.probe_grasp:  # a bad station file is refused before anything is written
        from academy_sim.errors import InvalidStationError
        from academy_sim.station_config import load_station

        if args.station:
            try:
                load_station(Path(args.station))
            except InvalidStationError as error:
                print(f"academy model add: {error}", file=sys.stderr)
                return 2
    directory = Path(args.models_dir) if args.models_dir else models_dir()
    try:
        report = onboard(
            args.name,
            args.urdf,
            args.maker,
            args.licence,
            directory,
            forward_axis=args.forward_axis,
            overwrite=args.overwrite,
            couplings=couplings,
            fit=functools.partial(
                fit_workspace,
                probe_grasp=args.probe_grasp,
                station=Path(args.station) if args.station else None,
            ),
        )
    except DescriptionError as error:
        print(f"academy model add: {error}", file=sys.stderr)
        return 1
    print(f"{args.name}: from {args.urdf}")
    for line in report.detected:
        print(f"  detected: {line}")
    for line in report.repairs:
        print(f"  repaired: {line}")
    for path in report.written:
        print(f"  wrote:    {path}")
    _model, problems = check_model(args.name, directory)
    problems = report.problems + problems
    for problem in problems:
        print(f"  PROBLEM:  {problem}")
    if problems:
        print(
            f"{args.name}: written with {len(problems)} problem(s); fix them and run "
            f"`academy model check {args.name}`"
        )
        return 1
    print(
        f"{args.name}: valid. Read {directory / args.name / 'model.yaml'} and correct what "
        "detection got wrong; `academy model check` re-validates."
    )
    return 0


def fit_workspace(
    model: RobotModel, probe_grasp: bool = False, station: Path | None = None
) -> WorkspaceFit:
    """The skills' IK probe of where ``model``'s hands work best (run by ``model add``).

    With ``probe_grasp``, each arm's grasp frame is first found by closing its hand on every
    prop of the ``station`` (:mod:`academy_skills.grasp_probe`, about a minute per arm), and
    the workspace is fitted with the frames it proposes.
    """
    from academy_skills.workspace import probe_workspace

    frames: dict[str, GraspFrame] = {}
    notes: list[str] = []
    if probe_grasp:
        model, frames, notes = _probe_grasps(model, station)
    probe = probe_workspace(model)
    summary = (
        f"workspace: {probe.workspace.forward} arm lengths in front of the shoulders, table top "
        f"{probe.workspace.below} below them ({probe.reached} of {probe.tried} top-down grasps "
        "reached by IK there); ready postures hold the hands above it"
    )
    return WorkspaceFit(probe.workspace, probe.ready, summary, frames, tuple(notes))


def _probe_grasps(
    model: RobotModel, station: Path | None
) -> tuple[RobotModel, dict[str, GraspFrame], list[str]]:
    """Each holding arm's grasp frame from the grasp probe, and ``model`` with them."""
    import dataclasses

    from academy_instructions.station_objects import DEFAULT_STATION_FILE
    from academy_sim.station_config import load_station
    from academy_skills.grasp_probe import propose_grasp_frame

    config = load_station(station or DEFAULT_STATION_FILE)
    frames: dict[str, GraspFrame] = {}
    notes: list[str] = []
    arms = dict(model.arms)
    for side, arm in sorted(model.arms.items()):
        if arm.gripper not in model.grippers:
            continue
        # Every prop of the station: either arm may be sent to any of them.
        props = list(config.objects)
        names = ", ".join(o.name for o in props)
        proposal = propose_grasp_frame(
            model, side, props, progress=lambda line: print(f"  grasp probe: {line}", flush=True)
        )
        if proposal.chosen is None:
            notes.append(
                f"{side} arm: the grasp probe found no hold on {names} from above in any "
                "orientation tried; kept the detected grasp frame"
            )
            continue
        frame = GraspFrame(xyz=proposal.xyz, rpy=proposal.rpy)
        frames[side] = frame
        arms[side] = dataclasses.replace(arm, grasp_xyz=frame.xyz, grasp_rpy=frame.rpy)
        notes.append(
            f"{side} arm: grasp frame from the grasp probe on {names} ({proposal.chosen.label}; "
            f"best: {len(proposal.chosen.held)} of {proposal.chosen.tried} offsets held "
            f"{proposal.chosen.prop}): "
            f"xyz {list(frame.xyz)}, rpy {list(frame.rpy)}"
        )
    return dataclasses.replace(model, arms=arms), frames, notes


def add_commands(commands: Any) -> None:
    """Register ``academy model ...`` on the ``academy`` parser's subcommands."""
    model = commands.add_parser("model", help="onboard, list, show and check robot models")
    actions = model.add_subparsers(dest="model_command", required=True, metavar="ACTION")

    add = actions.add_parser(
        "add",
        help="onboard a maker's URDF from an installed package",
        description="Read the maker's URDF unmodified (package://PKG/path or a path), prepare "
        "its meshes into the cache, detect torso, arms, hands, couplings, forward axis and "
        "heights, write model.yaml, a <ros2_control> wrapper xacro and the controller config "
        "into the models directory, and validate them. Every detection and repair is printed.",
    )
    add.add_argument("name", help="registry name, e.g. unitree_g1 (lower case, digits, _)")
    add.add_argument("--urdf", required=True, help="package://PKG/path/robot.urdf or a path")
    add.add_argument("--maker", required=True, help="manufacturer, as episodes will name it")
    add.add_argument("--licence", default="unknown", help="SPDX licence id of the description")
    add.add_argument(
        "--forward-axis", choices=["+x", "-x", "+y", "-y"], help="override the detected one"
    )
    add.add_argument(
        "--couplings", help="YAML list of {joint, leader, multiplier, offset} the URDF lacks"
    )
    add.add_argument("--models-dir", help="where to write (default: first of ACADEMY_MODELS_PATH)")
    add.add_argument("--overwrite", action="store_true", help="replace an existing model")
    add.add_argument(
        "--probe-grasp",
        action="store_true",
        help="find each hand's grasp frame by closing it on the station's props in simulation "
        "(for hands whose fingers curl around objects; a few minutes per arm)",
    )
    add.add_argument(
        "--station", help="station YAML whose props the grasp probe uses (default: tabletop)"
    )
    add.set_defaults(func=cmd_add)

    listing = actions.add_parser("list", help="list the registered models")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(func=cmd_list)

    show = actions.add_parser("show", help="one model: parts, hands, canonical mapping, repairs")
    show.add_argument("name")
    show.add_argument("--json", action="store_true")
    show.set_defaults(func=cmd_show)

    check = actions.add_parser(
        "check",
        help="validate a model (exit 0 when valid)",
        epilog=CHECK_EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    check.add_argument("name")
    check.set_defaults(func=cmd_check)
