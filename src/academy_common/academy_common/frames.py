"""Frame arithmetic shared by the simulator and the skills (REP 103: x forward, y left, z up)."""

from __future__ import annotations

import math


def yaw_from_quaternion(w: float, x: float, y: float, z: float) -> float:
    """Rotation about the vertical (rad) of an orientation given as a w-x-y-z quaternion."""
    return math.atan2(2.0 * (w * z + x * y), 1.0 - 2.0 * (y * y + z * z))
