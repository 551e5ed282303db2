#!/usr/bin/env bash
# The main job on the embedded default (local files, no servers): set up, build, fetch the model
# zoo and train the reference models (cached after the first run), then compress the Fashion-MNIST
# CNN with the default policy and print the before/after table. The job folder is jobs/fashion_cnn
# (report.html, report.pdf, best/model.onnx + model.json); rerunning resumes it.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$here/scripts/setup.sh"
bash "$here/scripts/build.sh"
shrink="$here/build/bin/shrink"
"$shrink" zoo fetch
"$shrink" compress "$here/zoo_cache/fashion_cnn.onnx" --task "$here/tasks/fashion_mnist.yaml" \
  --policy "$here/policies/default.yaml" -o "$here/jobs/fashion_cnn"
