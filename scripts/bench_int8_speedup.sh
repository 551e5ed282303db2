#!/usr/bin/env bash
# int8 over fp32 on shrink's fast runtime for the trained conv reference models (issue 5 target):
# `shrink bench` p50, fp32 then int8 back to back per batch (1, 8, 32), ROUNDS rounds (default 3).
# The int8 files are the issue's recipe: per-channel min-max on the task's calibration set,
# depthwise_cnn with CLE + bias correction; on an x86 CPU without VNNI with --reduce-range (7-bit
# weights: only those run on the int8 kernels there). Not a test. Usage: scripts/bench_int8_speedup.sh
# [ROUNDS] [THREADS]. Prints one line a measurement; writes them to
# bench/results/<date>-int8-speedup.txt and their plot (int8_speedup_plot) next to it (.svg).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rounds="${1:-3}"
threads="${2:-2}"
"$here/scripts/setup.sh"
"$here/scripts/build.sh" >/dev/null
bin="$here/build/bin"
"$bin/shrink" zoo fetch >/dev/null
int8="$here/bench/int8"
mkdir -p "$int8" "$here/bench/results"
vnni=$(grep -qw -e avx512_vnni -e avx_vnni /proc/cpuinfo && echo yes || echo no)
rr=()
suffix=int8
[ "$vnni" = no ] && rr=(--reduce-range) && suffix=int8-7bit
quantize() {  # model, extra options
  local out="$int8/$1.$suffix.onnx"
  [ -f "$out" ] && [ "$out" -nt "$bin/shrink" ] && return
  "$bin/shrink" quantize "$here/zoo_cache/$1.onnx" --task "$here/tasks/fashion_mnist.yaml" \
    --method minmax --per-channel "${rr[@]}" "${@:2}" -o "$out" >/dev/null
}
quantize fashion_cnn
quantize depthwise_cnn --cle --bias-correction
p50() {  # file, batch, runs: "p50_us threads_used"
  "$bin/shrink" bench "$1" --batch "$2" --runs "$3" --threads "$threads" --json |
    awk -F': ' '/"p50"/ && !p {p = $2 + 0} /"threads_used"/ {t = $2 + 0}
                END {printf "%.1f %d\n", p * 1000, t}'
}
out="$here/bench/results/$(date +%Y-%m-%d)-int8-speedup.txt"
echo "# $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); VNNI: $vnni;" \
  "int8 files: ${suffix}" >"$out"
for round in $(seq "$rounds"); do
  for m in fashion_cnn depthwise_cnn; do
    for b in 1 8 32; do
      runs=$([ "$b" = 1 ] && echo 3000 || ([ "$b" = 8 ] && echo 1000 || echo 300))
      read -r f ft <<<"$(p50 "$here/zoo_cache/$m.onnx" "$b" "$runs")"
      read -r q qt <<<"$(p50 "$int8/$m.$suffix.onnx" "$b" "$runs")"
      awk -v r="$round" -v m="$m" -v b="$b" -v f="$f" -v ft="$ft" -v q="$q" -v qt="$qt" \
        'BEGIN{printf "round %s %s batch %s: fp32 %s us [%s threads], int8 %s us [%s], %.2fx\n",r,m,b,f,ft,q,qt,f/q}' |
        tee -a "$out"
    done
  done
done
"$bin/int8_speedup_plot" "$out" --svg "${out%.txt}.svg"
