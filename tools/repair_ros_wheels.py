"""Repair the CMake configs of the ROS 2 Kilted PyPI wheels so that colcon can build against them.

Why: the wheels were built in a manylinux container and their exported CMake targets
(``<venv>/share/<pkg>/cmake/*Export.cmake``) hard-code that container's Python include directory
and NumPy include directory. Generating Python bindings for our own interfaces links against those
targets, so CMake fails with "Imported target includes non-existent path". We rewrite the two paths
to this interpreter's include directory and ``numpy.get_include()``. The rewrite is idempotent: a
second run finds nothing to replace and touches no file (so CMake does not reconfigure).

Run with the venv's interpreter: ``.venv/bin/python tools/repair_ros_wheels.py``.
"""

from __future__ import annotations

import sys
import sysconfig
from pathlib import Path

BUILD_PYTHON_INCLUDE = "/opt/python/cp311-cp311/include/python3.11"
BUILD_NUMPY_INCLUDE = "/opt/python/cp311-cp311/lib/python3.11/site-packages/numpy/_core/include"


def main() -> int:
    import numpy

    python_include = sysconfig.get_paths()["include"]
    if not (Path(python_include) / "Python.h").is_file():
        print(
            f"error: Python.h not found in {python_include}; install the Python 3.11 development "
            "headers (Debian/Ubuntu: apt-get install python3.11-dev)",
            file=sys.stderr,
        )
        return 1
    replacements = {BUILD_PYTHON_INCLUDE: python_include, BUILD_NUMPY_INCLUDE: numpy.get_include()}
    share = Path(sys.prefix) / "share"
    changed = 0
    for cmake_file in sorted(share.glob("*/cmake/*.cmake")):
        text = cmake_file.read_text(encoding="utf-8")
        # Replace the longer (NumPy) path first: it does not contain the other, but be explicit.
        new_text = text
        for old, new in sorted(replacements.items(), key=lambda item: -len(item[0])):
            new_text = new_text.replace(old, new)
        if new_text != text:
            cmake_file.write_text(new_text, encoding="utf-8")
            changed += 1
    print(f"repair_ros_wheels: {changed} CMake file(s) rewritten under {share}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
