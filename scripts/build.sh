#!/usr/bin/env bash
# Configures and builds shrink into build/ (Release). Usage: scripts/build.sh [extra cmake args]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jobs="${SHRINK_JOBS:-$(nproc)}"
cmake -S "$here" -B "$here/build" -G Ninja -DCMAKE_BUILD_TYPE=Release "$@"
cmake --build "$here/build" -j "$jobs"
