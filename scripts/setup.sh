#!/usr/bin/env bash
# Installs every dependency shrink needs on Debian 12 (Debian packages + npm only).
# Idempotent: re-running skips what is already there. Must run as root (or with sudo available).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

APT_PACKAGES=(
  build-essential cmake ninja-build pkg-config git ca-certificates
  libssl-dev zlib1g-dev libprotobuf-dev protobuf-compiler libonnx-dev libonnx-testdata
  nlohmann-json3-dev libcli11-dev libspdlog-dev libfmt-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  clang-14 libclang-rt-14-dev
  libdnnl-dev ocl-icd-opencl-dev libeigen3-dev libyaml-cpp-dev
  libtorch-dev libopenblas-dev
  libpng-dev libjpeg-dev libstb-dev libfreetype-dev fonts-dejavu-core
  dataset-fashion-mnist fortunes pocketsphinx-testdata python3-sklearn
  chromium poppler-utils
)
# Node.js 20 comes with the machine image; Debian's own is the fallback.
command -v npm >/dev/null 2>&1 || APT_PACKAGES+=(nodejs npm)

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

missing=()
for p in "${APT_PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "[setup] installing Debian packages: ${missing[*]}"
  $SUDO apt-get update
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends "${missing[@]}"
else
  echo "[setup] Debian packages present"
fi

# Node side: ONNX Runtime (the independent validator). Its postinstall downloads CUDA parts
# from outside, so scripts are disabled (.npmrc also says so).
if [ ! -f "$here/tools/node/node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime.so.1" ] &&
   ! ls "$here"/tools/node/node_modules/onnxruntime-node/bin/napi-v*/linux/x64/onnxruntime_binding.node >/dev/null 2>&1; then
  echo "[setup] installing npm packages in tools/node"
  (cd "$here/tools/node" && npm install --ignore-scripts --no-audit --no-fund)
else
  echo "[setup] npm packages present"
fi
echo "[setup] done"
