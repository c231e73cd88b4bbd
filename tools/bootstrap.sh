#!/usr/bin/env bash
# Bootstrap the workspace on a fresh Debian/Ubuntu machine with Python 3.11:
#   1. check prerequisites (python3.11 with venv and headers, cmake, C and C++ compilers, make);
#   2. create .venv and install the pinned requirements (ROS 2 Kilted wheels from PyPI);
#   3. repair the ROS wheels' CMake configs (see tools/repair_ros_wheels.py for why);
#   4. colcon build the workspace (interfaces need the repair; Python packages are symlinked).
# Idempotent: each step records a stamp (hash of its inputs) and is skipped when nothing changed,
# so a second run finishes in seconds. Run through `make setup` (or `make test` / `make demo`).
set -euo pipefail

WS="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$WS"
VENV="$WS/.venv"
STAMPS="$VENV/.academy-stamps"
PYTHON="${PYTHON:-python3.11}"

say() { printf '[bootstrap] %s\n' "$*"; }
die() { printf '[bootstrap] error: %s\n' "$*" >&2; exit 1; }

# ---- 1. prerequisites -------------------------------------------------------------------------
command -v "$PYTHON" >/dev/null 2>&1 \
  || die "python3.11 not found (Debian/Ubuntu: apt-get install python3.11 python3.11-venv python3.11-dev)"
"$PYTHON" -c 'import sys; assert sys.version_info[:2] == (3, 11)' 2>/dev/null \
  || die "$PYTHON is not Python 3.11 (the ROS 2 Kilted wheels are cp311); set PYTHON=/path/to/python3.11"
"$PYTHON" -c 'import venv, ensurepip' 2>/dev/null \
  || die "Python's venv module is missing (Debian/Ubuntu: apt-get install python3.11-venv)"
"$PYTHON" -c 'import sysconfig, os, sys; sys.exit(not os.path.isfile(os.path.join(sysconfig.get_paths()["include"], "Python.h")))' \
  || die "Python.h not found: the Python 3.11 headers are missing (Debian/Ubuntu: apt-get install python3.11-dev)"
command -v cmake >/dev/null 2>&1 || die "cmake not found (Debian/Ubuntu: apt-get install cmake)"
command -v cc >/dev/null 2>&1 || command -v gcc >/dev/null 2>&1 \
  || die "no C compiler found (Debian/Ubuntu: apt-get install build-essential)"
command -v c++ >/dev/null 2>&1 || command -v g++ >/dev/null 2>&1 \
  || die "no C++ compiler found (Debian/Ubuntu: apt-get install build-essential)"
command -v make >/dev/null 2>&1 || die "make not found (Debian/Ubuntu: apt-get install make)"

hash_of() { cat "$@" 2>/dev/null | sha256sum | cut -d' ' -f1; }
stamp_ok() { [ -f "$STAMPS/$1" ] && [ "$(cat "$STAMPS/$1")" = "$2" ]; }
stamp_set() { mkdir -p "$STAMPS"; printf '%s' "$2" > "$STAMPS/$1"; }

# ---- 2. venv + pinned requirements ------------------------------------------------------------
if [ ! -x "$VENV/bin/python" ]; then
  say "creating $VENV"
  "$PYTHON" -m venv "$VENV"
fi
REQ_HASH="$(hash_of requirements.txt)"
if ! stamp_ok requirements "$REQ_HASH"; then
  say "installing pinned requirements (first run: about a minute)"
  # setuptools first: colcon needs one older than the venv's default may be.
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "setuptools==79.0.1"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r requirements.txt
  stamp_set requirements "$REQ_HASH"
fi

# ---- 3. repair the ROS wheels' CMake paths (idempotent) ----------------------------------------
if ! stamp_ok repair "$REQ_HASH"; then
  "$VENV/bin/python" tools/repair_ros_wheels.py
  stamp_set repair "$REQ_HASH"
fi

# ---- 4. colcon build ----------------------------------------------------------------------------
# Rebuild when any package file changed (Python sources are symlinked, so only their list matters
# for entry points; hashing all of src/ and urdf/ (installed to share/) is simpler and still takes well under a second).
SRC_HASH="$( (find src urdf -type f -not -path '*/__pycache__/*' -not -name '*.pyc' | LC_ALL=C sort | xargs sha256sum; echo "$REQ_HASH") | sha256sum | cut -d' ' -f1)"
if ! stamp_ok build "$SRC_HASH" || [ ! -f install/setup.bash ]; then
  say "colcon build (first run: about a minute)"
  (
    # shellcheck disable=SC1091
    source "$VENV/bin/activate"
    export AMENT_PREFIX_PATH="$VENV${AMENT_PREFIX_PATH:+:$AMENT_PREFIX_PATH}"
    export CMAKE_PREFIX_PATH="$VENV${CMAKE_PREFIX_PATH:+:$CMAKE_PREFIX_PATH}"
    export _ROS_WHEELS_BOOTSTRAP_COMPLETE=1
    LD_LIBRARY_PATH="$("$VENV/bin/python" -c 'import ros_wheels_bootstrapper as r; print(r.get_ros_paths())' 2>/dev/null || true)"
    export LD_LIBRARY_PATH
    # Per-package CMake arguments live in colcon.meta (read from this directory); passing
    # --cmake-args here would replace them. CMake's FindPython picks the active venv itself.
    colcon --log-base log/colcon build --symlink-install \
      --event-handlers console_direct- console_cohesion- console_stderr+ summary+
  ) || die "colcon build failed (logs: log/colcon/latest_build)"
  stamp_set build "$SRC_HASH"
fi
say "ready. Activate with: source activate.bash"
