#!/usr/bin/env bash
# Builds the libFuzzer targets with clang-14 (ASan) into build-fuzz/ and runs the ONNX loader
# fuzzer for a bounded time over a seed corpus of real ONNX test models.
# Usage: scripts/fuzz.sh [seconds]   (default 60)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
seconds="${1:-60}"
build="$here/build-fuzz"
CC=clang-14 CXX=clang++-14 cmake -S "$here" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DSHRINK_BUILD_TESTS=OFF -DSHRINK_BUILD_FUZZERS=ON \
  -DCMAKE_CXX_FLAGS="-fsanitize=fuzzer-no-link,address -fno-omit-frame-pointer" >/dev/null
cmake --build "$build" --target fuzz_onnx_loader -j "${SHRINK_JOBS:-$(nproc)}"
corpus="$build/corpus"
mkdir -p "$corpus"
# Seed with small real models (copied, so the fuzzer can add to the corpus without touching them).
if [ -z "$(ls -A "$corpus")" ]; then
  i=0
  for m in /usr/share/libonnx-testdata/data/node/*/model.onnx; do
    cp "$m" "$corpus/seed_$i.onnx"; i=$((i + 1))
    [ "$i" -ge 200 ] && break
  done
fi
export ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1
"$build/bin/fuzz_onnx_loader" "$corpus" -max_total_time="$seconds" -timeout=10 \
  -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 2>&1 | tail -n 15
echo "fuzz_onnx_loader: ran ${seconds}s clean"
