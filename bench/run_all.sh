#!/usr/bin/env bash
# Run every benchmark; each prints JSON, saved as bench/results/<name>.json. Not a test.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
mkdir -p results
export ROS_AUTOMATIC_DISCOVERY_RANGE=LOCALHOST
for bench in [!_]*.py; do  # _*.py are helpers
  name="${bench%.py}"
  echo "== $name"
  python "$bench" | tee "results/$name.json"
done
