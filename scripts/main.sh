#!/usr/bin/env bash
# The main job on the embedded default (local files, no servers): set up, build, fetch the model
# zoo and train the reference models (cached after the first run), then compress the Fashion-MNIST
# CNN and the PaddleOCR PP-OCRv4 recognizer (on rendered text lines) with the default policy and
# print each before/after table. The job folders are jobs/fashion_cnn and jobs/ppocr_rec
# (report.html, report.pdf, best/model.onnx + model.json); rerunning resumes them.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$here/scripts/setup.sh"
bash "$here/scripts/build.sh"
shrink="$here/build/bin/shrink"
"$shrink" zoo fetch
"$shrink" compress "$here/zoo_cache/fashion_cnn.onnx" --task "$here/tasks/fashion_mnist.yaml" \
  --policy "$here/policies/default.yaml" -o "$here/jobs/fashion_cnn"
"$shrink" compress "$here/zoo_cache/ppocr_v4_rec.onnx" --task "$here/tasks/ppocr_rec.yaml" \
  --policy "$here/policies/default.yaml" -o "$here/jobs/ppocr_rec"
