"""The built-in integrated scenarios (see :mod:`academy_skills.scenarios`).

Each reads its plan from the world when it starts and judges the final world only:

- ``tidy_table``: every prop on the table goes into the bin; success: each prop's centre
  inside the bin's walls, below their rim.
- ``set_table_for_one``: each prop goes onto the mat of its colour; success: each prop
  stands with its centre on its mat.
- ``pack_box``: every item goes into the box, the biggest footprint first (put_in_bin sets each
  in the free spot nearest where it stood); success: each item inside the box's walls.
- ``sort_items``: every prop into the bin of its colour, the shortest first (the center's
  laundry sort, with solid props: cloth is not simulated yet); success: each inside its own
  bin's walls.
- ``clean_table``: every prop into the bin, then the crumbs swept onto the pad; success: each
  prop inside the bin's walls, at least 70 % of the crumbs on the pad, none on the floor.
"""

from __future__ import annotations

from academy_skills.manipulation import (
    PLACE_HEIGHT_TOLERANCE,
    FixtureObservation,
    StationObservation,
)
from academy_skills.scenarios import Judgement, ScenarioStep, inside, register_scenario
from academy_skills.surface_skills import FALLEN, SWEEP_SHARE


def _fixtures(world: StationObservation, kind: str) -> list[FixtureObservation]:
    return [f for _, f in sorted(world.fixtures.items()) if f.kind == kind]


def _on_table(world: StationObservation) -> list[str]:
    """Props standing or lying on the table top (not in a fixture, not fallen)."""
    bins = _fixtures(world, "bin")
    return [
        name
        for name, obj in sorted(world.objects.items())
        if obj.position[2] > world.table_height
        and not any(inside(obj.position, b.position[:2], b.inner_half_extents()) for b in bins)
    ]


def _in_bin(world: StationObservation, name: str, bin_: FixtureObservation) -> bool:
    obj = world.objects[name]
    rim = bin_.position[2] + bin_.size[2]
    return inside(obj.position, bin_.position[:2], bin_.inner_half_extents()) and (
        obj.position[2] < rim
    )


@register_scenario(
    station="bins",
    skills=("put_in_bin",),
    success="every prop rests inside the bin's walls, below their rim",
)
class TidyTable:
    """Tidy a table into a bin: every prop on it, one after the other."""

    name = "tidy_table"
    description = "put every prop on the table into the bin (success: all inside its walls)"

    def preconditions(self, world: StationObservation) -> list[str]:
        problems = [] if _fixtures(world, "bin") else ["the station has no bin"]
        if not _on_table(world):
            problems.append("nothing on the table to tidy")
        return problems

    def plan(self, world: StationObservation) -> list[ScenarioStep]:
        bin_ = _fixtures(world, "bin")[0]
        return [
            ScenarioStep("put_in_bin", {"object": name, "bin": bin_.name})
            for name in _on_table(world)
        ]

    def judge(self, world: StationObservation) -> Judgement:
        bin_ = _fixtures(world, "bin")[0]
        outside = [n for n in sorted(world.objects) if not _in_bin(world, n, bin_)]
        metrics = {"props_in_bin": (float(len(world.objects) - len(outside)), "")}
        if outside:
            return Judgement(False, f"not in {bin_.name}: {', '.join(outside)}", metrics)
        return Judgement(True, "", metrics)


@register_scenario(
    station="table_setting",
    skills=("pick_and_place",),
    success="each prop stands (centre within 1 cm of its resting height) with its centre on "
    "the mat of its colour",
)
class SetTableForOne:
    """Set a place for one: each prop onto the mat of its colour."""

    name = "set_table_for_one"
    description = "put each prop on the mat of its colour (success: each stands on its mat)"

    def _mats(self, world: StationObservation) -> dict[str, FixtureObservation]:
        """Prop -> the mat of its colour."""
        mats = {m.color: m for m in _fixtures(world, "target_pad")}
        return {n: mats[o.color] for n, o in sorted(world.objects.items()) if o.color in mats}

    def preconditions(self, world: StationObservation) -> list[str]:
        mats = self._mats(world)
        problems = [
            f"{name} has no mat of its colour ({obj.color})"
            for name, obj in sorted(world.objects.items())
            if name not in mats
        ]
        if not mats:
            problems.append("the station has no mats (target pads)")
        return problems

    def plan(self, world: StationObservation) -> list[ScenarioStep]:
        return [
            ScenarioStep("pick_and_place", {"object": name, "target": mat.name})
            for name, mat in self._mats(world).items()
        ]

    def judge(self, world: StationObservation) -> Judgement:
        wrong = []
        for name, mat in self._mats(world).items():
            obj = world.objects[name]
            standing = abs(obj.position[2] - (world.table_height + obj.size[2] / 2))
            if standing > PLACE_HEIGHT_TOLERANCE or not inside(
                obj.position, mat.position[:2], mat.inner_half_extents()
            ):
                wrong.append(f"{name} (not standing on {mat.name})")
        metrics = {"props_set": (float(len(world.objects) - len(wrong)), "")}
        if wrong:
            return Judgement(False, "; ".join(wrong), metrics)
        return Judgement(True, "", metrics)


@register_scenario(
    station="packing",
    skills=("put_in_bin",),
    success="every item rests inside the box's walls, below their rim",
)
class PackBox:
    """Pack items into a box: the biggest first, each where it still fits beside the others."""

    name = "pack_box"
    description = "pack every item into the box, biggest first (success: all inside its walls)"

    def preconditions(self, world: StationObservation) -> list[str]:
        problems = [] if _fixtures(world, "bin") else ["the station has no box (a bin fixture)"]
        if not _on_table(world):
            problems.append("nothing on the table to pack")
        return problems

    def plan(self, world: StationObservation) -> list[ScenarioStep]:
        box = _fixtures(world, "bin")[0]
        # The biggest footprint first: the small ones fit in the gaps left.
        items = sorted(
            _on_table(world),
            key=lambda n: -(world.objects[n].size[0] * world.objects[n].size[1]),
        )
        return [ScenarioStep("put_in_bin", {"object": n, "bin": box.name}) for n in items]

    def judge(self, world: StationObservation) -> Judgement:
        box = _fixtures(world, "bin")[0]
        outside = [n for n in sorted(world.objects) if not _in_bin(world, n, box)]
        metrics = {"items_packed": (float(len(world.objects) - len(outside)), "")}
        if outside:
            return Judgement(False, f"not in {box.name}: {', '.join(outside)}", metrics)
        return Judgement(True, "", metrics)


@register_scenario(
    station="cleaning",
    skills=("put_in_bin", "sweep"),
    success="every prop rests inside the bin's walls, at least 70 % of the crumbs lie on the "
    "pad and none fell off the table",
)
class CleanTable:
    """Clean a table: put away what stands on it, then sweep the crumbs onto the pad."""

    name = "clean_table"
    description = (
        "put every prop into the bin, then sweep the crumbs onto the pad (success: props in "
        "the bin, 70 % of the crumbs on the pad)"
    )

    def preconditions(self, world: StationObservation) -> list[str]:
        problems = [] if _fixtures(world, "bin") else ["the station has no bin"]
        if not _fixtures(world, "target_pad"):
            problems.append("the station has no pad to sweep onto")
        if len(world.particles) != 1:
            problems.append(f"the station needs one set of crumbs (it has {len(world.particles)})")
        return problems

    def plan(self, world: StationObservation) -> list[ScenarioStep]:
        bin_ = _fixtures(world, "bin")[0]
        pad = _fixtures(world, "target_pad")[0]
        steps = [
            ScenarioStep("put_in_bin", {"object": name, "bin": bin_.name})
            for name in _on_table(world)
        ]
        return [*steps, ScenarioStep("sweep", {"target": pad.name})]

    def judge(self, world: StationObservation) -> Judgement:
        bin_ = _fixtures(world, "bin")[0]
        pad = _fixtures(world, "target_pad")[0]
        bits = next(iter(world.particles.values()))
        outside = [n for n in sorted(world.objects) if not _in_bin(world, n, bin_)]
        swept = [p for p in bits.positions if inside(p, pad.position[:2], pad.inner_half_extents())]
        fallen = [p for p in bits.positions if p[2] < world.table_height - FALLEN]
        share = len(swept) / len(bits.positions)
        metrics = {
            "props_in_bin": (float(len(world.objects) - len(outside)), ""),
            "crumbs_on_pad_share": (share, ""),
            "crumbs_fallen": (float(len(fallen)), ""),
        }
        problems = [f"not in {bin_.name}: {', '.join(outside)}"] if outside else []
        if share < SWEEP_SHARE:
            problems.append(
                f"{len(swept)} of {len(bits.positions)} {bits.kind} on {pad.name} (needs "
                f"{SWEEP_SHARE:.0%})"
            )
        if fallen:
            problems.append(f"{len(fallen)} {bits.kind} fell off the table")
        return Judgement(not problems, "; ".join(problems), metrics)


@register_scenario(
    station="sorting",
    skills=("sort_by_colour",),
    success="every prop rests inside the walls of the bin of its own colour, below their rim",
)
class SortItems:
    """Sort what is on the table into the bins by colour, one after the other."""

    name = "sort_items"
    description = "put every prop into the bin of its colour (success: each inside its own bin)"

    def _bins(self, world: StationObservation) -> dict[str, FixtureObservation]:
        """Prop -> the bin of its colour."""
        bins = {b.color: b for b in _fixtures(world, "bin")}
        return {n: bins[o.color] for n, o in sorted(world.objects.items()) if o.color in bins}

    def preconditions(self, world: StationObservation) -> list[str]:
        if not _fixtures(world, "bin"):
            return ["the station has no bins"]
        bins = self._bins(world)
        return [
            f"{name} has no bin of its colour ({obj.color})"
            for name, obj in sorted(world.objects.items())
            if name not in bins
        ]

    def plan(self, world: StationObservation) -> list[ScenarioStep]:
        # The shortest first: a tall prop standing in its bin would stick up into the way of
        # those carried over it to the other bin later.
        items = sorted(_on_table(world), key=lambda n: (world.objects[n].size[2], n))
        return [ScenarioStep("sort_by_colour", {"object": name}) for name in items]

    def judge(self, world: StationObservation) -> Judgement:
        wrong = [
            f"{name} (not in {bin_.name})"
            for name, bin_ in self._bins(world).items()
            if not _in_bin(world, name, bin_)
        ]
        metrics = {"props_sorted": (float(len(world.objects) - len(wrong)), "")}
        return Judgement(not wrong, "; ".join(wrong), metrics)
