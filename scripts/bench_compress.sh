#!/usr/bin/env bash
# `shrink compress` on every trained reference model (issue 7 targets). Not a test.
# Usage: scripts/bench_compress.sh [bench_compress options, e.g. --policy policies/ptq_int8.yaml]
# Writes bench/results/<date>-compress.{json,md,svg} (job folders under bench/results/compress/);
# copy figures into docs/benchmarks.md by hand with the machine description. Run on a quiet
# machine: latency speedups are paired, but heavy load still adds noise.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$here/scripts/setup.sh"
"$here/scripts/build.sh" >/dev/null
bin="$here/build/bin"
"$bin/shrink" zoo fetch --only trained >/dev/null
stamp="$(date +%Y-%m-%d)"
out="$here/bench/results/$stamp-compress"
"$bin/bench_compress" --zoo "$here/zoo_cache" --source-dir "$here" \
  --jobs "$here/bench/results/compress" --json "$out.json" --markdown "$out.md" --svg "$out.svg" "$@"
