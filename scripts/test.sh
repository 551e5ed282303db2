#!/usr/bin/env bash
# Sets up everything, builds, and runs every test (unit, conformance, ORT cross-check, fuzz).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$here/scripts/setup.sh"
bash "$here/scripts/build.sh" -DSHRINK_BUILD_TESTS=ON
cd "$here/build"
ctest --output-on-failure -j "${SHRINK_JOBS:-$(nproc)}" --timeout 3600
