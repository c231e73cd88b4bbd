# Make this shell ready to use the workspace:  source activate.bash
#   - the project's venv (ROS 2 Kilted from PyPI wheels, pinned tools);
#   - the wheels' shared libraries on LD_LIBRARY_PATH (what ros_wheels_bootstrapper would
#     otherwise do by re-executing every Python process);
#   - the venv prefix on AMENT_PREFIX_PATH / CMAKE_PREFIX_PATH, then install/setup.bash;
#   - ROS_AUTOMATIC_DISCOVERY_RANGE=LOCALHOST: DDS discovery stays on this host (these machines
#     may only talk to loopback; multi-host sessions configure static peers explicitly).
# Run `make setup` first. Safe to source more than once.

_academy_ws="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [ ! -x "$_academy_ws/.venv/bin/python" ] || [ ! -f "$_academy_ws/install/setup.bash" ]; then
  echo "activate.bash: workspace not set up; run 'make setup' in $_academy_ws first" >&2
  return 1 2>/dev/null || exit 1
fi
# shellcheck disable=SC1091
source "$_academy_ws/.venv/bin/activate"
case ":${AMENT_PREFIX_PATH:-}:" in *":$VIRTUAL_ENV:"*) ;; *)
  export AMENT_PREFIX_PATH="$VIRTUAL_ENV${AMENT_PREFIX_PATH:+:$AMENT_PREFIX_PATH}" ;; esac
case ":${CMAKE_PREFIX_PATH:-}:" in *":$VIRTUAL_ENV:"*) ;; *)
  export CMAKE_PREFIX_PATH="$VIRTUAL_ENV${CMAKE_PREFIX_PATH:+:$CMAKE_PREFIX_PATH}" ;; esac
_academy_libs="$VIRTUAL_ENV/lib$(for d in "$VIRTUAL_ENV"/lib/python3.11/site-packages/ros_*.libs; do [ -d "$d" ] && printf ':%s' "$d"; done)"
case ":${LD_LIBRARY_PATH:-}:" in *":$VIRTUAL_ENV/lib:"*) ;; *)
  export LD_LIBRARY_PATH="$_academy_libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" ;; esac
export _ROS_WHEELS_BOOTSTRAP_COMPLETE=1
# shellcheck disable=SC1091
source "$_academy_ws/install/setup.bash"
# Robot models: the workspace's urdf/ first, so a model just added by `academy model add` is
# found before the next colcon build installs it to share/academy_description/urdf.
case ":${ACADEMY_MODELS_PATH:-}:" in *":$_academy_ws/urdf:"*) ;; *)
  export ACADEMY_MODELS_PATH="$_academy_ws/urdf${ACADEMY_MODELS_PATH:+:$ACADEMY_MODELS_PATH}" ;; esac
export ROS_AUTOMATIC_DISCOVERY_RANGE=LOCALHOST
export RMW_IMPLEMENTATION="${RMW_IMPLEMENTATION:-rmw_fastrtps_cpp}"
export RCUTILS_COLORIZED_OUTPUT="${RCUTILS_COLORIZED_OUTPUT:-0}"
unset _academy_ws _academy_libs
