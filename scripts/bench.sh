#!/usr/bin/env bash
# Side-by-side benchmark of shrink's fast runtime and ONNX Runtime (issue 3 models, batch 1 and 8,
# fp32 and int8 QDQ). Not a test. Usage: scripts/bench.sh [bench_vs_ort options]
# Writes bench/results/<date>.{json,md,svg}; copy figures into docs/benchmarks.md by hand with
# the machine description. Run on a quiet machine: other load skews both runtimes.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$here/scripts/setup.sh"
"$here/scripts/build.sh" >/dev/null
bin="$here/build/bin"
"$bin/shrink" zoo fetch --no-train >/dev/null
int8="$here/bench/int8"
mkdir -p "$int8" "$here/bench/results"
for m in resnet50 mobilenet_v2 bert_base ppocr_v4_rec ppocr_v4_det; do
  out="$int8/$m.int8.onnx"
  [ -f "$out" ] && [ "$out" -nt "$bin/shrink" ] && continue
  # Min-max activation ranges from seeded random inputs (latency files, not accuracy ones);
  # per-tensor weights where the model's opset is below 13 (no per-axis DequantizeLinear).
  "$bin/shrink" quantize "$here/zoo_cache/$m.onnx" --calib-random 4 --method minmax \
    --per-channel -o "$out" ||
    "$bin/shrink" quantize "$here/zoo_cache/$m.onnx" --calib-random 4 --method minmax \
      -o "$out" || echo "[bench] no int8 file for $m (see the message above)"
done
stamp="$(date +%Y-%m-%d)"
"$bin/bench_vs_ort" --int8-dir "$int8" --json "$here/bench/results/$stamp.json" \
  --markdown "$here/bench/results/$stamp.md" --svg "$here/bench/results/$stamp.svg" "$@"
