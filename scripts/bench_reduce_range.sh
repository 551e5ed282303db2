#!/usr/bin/env bash
# Full-range against 7-bit int8 weights (`shrink quantize --reduce-range`) on the trained conv
# reference models: top-1 of the float model and both int8 files on ONNX Runtime and on shrink's
# runtime, on this machine (on x86 CPUs without VNNI ORT's int8 kernels saturate full-range
# weights). Not a test. Writes bench/results/<date>-reduce-range.txt ("MODEL SERIES TOP1" lines)
# and the plot of each int8 file's drop from the float model (bar_plot) next to it (.svg).
# Usage: scripts/bench_reduce_range.sh
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$here/scripts/setup.sh"
"$here/scripts/build.sh" >/dev/null
bin="$here/build/bin"
"$bin/shrink" zoo fetch >/dev/null
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
task="$here/tasks/fashion_mnist.yaml"
top1() {  # model, runtime
  "$bin/shrink" eval "$1" --task "$task" --runtime "$2" --json |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["primary"]["value"])'
}
out="$here/bench/results/$(date +%Y-%m-%d)-reduce-range.txt"
{
  echo "# $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs);" \
    "VNNI: $(grep -qw -e avx512_vnni -e avx_vnni /proc/cpuinfo && echo yes || echo no)"
  for m in fashion_cnn depthwise_cnn; do
    extra=()
    [ "$m" = depthwise_cnn ] && extra=(--cle --bias-correction)  # the issue-5 recipe
    for v in full 7bit; do
      flag=()
      [ "$v" = 7bit ] && flag=(--reduce-range)
      "$bin/shrink" quantize "$here/zoo_cache/$m.onnx" --task "$task" --method minmax \
        --per-channel "${extra[@]}" "${flag[@]}" -o "$work/$m.$v.onnx" >/dev/null 2>&1
    done
    echo "$m float $(top1 "$here/zoo_cache/$m.onnx" onnxruntime)"
    echo "$m int8-ORT $(top1 "$work/$m.full.onnx" onnxruntime)"
    echo "$m int8-7bit-ORT $(top1 "$work/$m.7bit.onnx" onnxruntime)"
    echo "$m int8-shrink $(top1 "$work/$m.full.onnx" native)"
    echo "$m int8-7bit-shrink $(top1 "$work/$m.7bit.onnx" native)"
  done
} | tee "$out"
# The plot: each int8 file's top-1 drop from the float model, in points.
awk '!/^#/ && $2 == "float" {f[$1] = $3} !/^#/ && $2 != "float" {printf "%s %s %.2f\n", $1, $2, (f[$1] - $3) * 100}' \
  "$out" >"$work/drop.txt"
"$bin/bar_plot" "$work/drop.txt" --svg "${out%.txt}.svg" --decimals 2 \
  --y-label "top-1 drop from float (points)" \
  --title "int8 top-1 drop: full-range vs 7-bit weights, on ONNX Runtime and shrink (lower is better)"
