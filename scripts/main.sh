#!/usr/bin/env bash
# Sets up everything, builds, fetches the model zoo and runs the main job on the embedded default
# (local files, no servers). Today: `shrink zoo fetch`, then `shrink inspect` and `shrink run` on
# every zoo model, printed as one table.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$here/scripts/setup.sh"
bash "$here/scripts/build.sh"
"$here/build/bin/shrink" zoo fetch
"$here/build/bin/shrink" zoo check --ort
