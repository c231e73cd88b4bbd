"""Physics stepping rate of every registered model, robot self-collision off vs on.

For each model, in one process: the robot alone, welded at its mount, with the station's drives
(position servos, gravity compensation), holding its start posture at 500 Hz with the implicit
integrator; ``mj_step`` in a Python loop for ``--seconds`` of wall time per variant:

* measured: robot geoms never collide with each other (what the workspace simulates: a harnessed
  robot's arms are kept apart by IK and limits);
* baseline: every robot geom may collide with every other except parent/child (MuJoCo's
  default filter), as a URDF compiled as-is would.

Reports steps/s, the real-time factor at 500 Hz (steps/s / 500) and the speed-up
(measured / baseline, same run). These bound how many physics robots one core can carry before
controllers, ROS I/O and recording are added.

Prints JSON. Usage: python bench/model_step_rate.py [--seconds S] [--models M ...]
"""

from __future__ import annotations

import argparse
import json
import time

import mujoco

from academy_description.model_registry import available_models, load_model
from academy_sim.station import robot_alone

TIMESTEP = 0.002  # s: the stations' 500 Hz


def steps_per_second(name: str, self_collision: bool, seconds: float) -> dict[str, float]:
    model, data = robot_alone(load_model(name), TIMESTEP, self_collision=self_collision)
    for _ in range(100):  # warm up
        mujoco.mj_step(model, data)
    steps, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        for _ in range(100):
            mujoco.mj_step(model, data)
        steps += 100
    elapsed = time.perf_counter() - start
    return {
        "steps_per_s": round(steps / elapsed),
        "real_time_factor": round(steps / elapsed * TIMESTEP, 2),
        "contacts": int(data.ncon),
        "ngeom": int(model.ngeom),
        "nv": int(model.nv),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="wall time per variant")
    parser.add_argument("--models", nargs="*", default=None)
    args = parser.parse_args()
    results = {}
    for name in args.models or available_models():
        off = steps_per_second(name, self_collision=False, seconds=args.seconds)
        on = steps_per_second(name, self_collision=True, seconds=args.seconds)
        results[name] = {
            "self_collision_off": off,
            "self_collision_on": on,
            "speedup": round(off["steps_per_s"] / on["steps_per_s"], 2),
        }
    print(
        json.dumps(
            {"benchmark": "model_step_rate", "timestep_s": TIMESTEP, "models": results}, indent=2
        )
    )


if __name__ == "__main__":
    main()
