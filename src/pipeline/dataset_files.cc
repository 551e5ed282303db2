#include "pipeline/dataset_files.h"

namespace shrink::pipeline {

std::vector<std::string> DatasetFiles(const data::DatasetSpec& s) {
  std::vector<std::string> f;
  auto add = [&](const std::string& p) {
    if (!p.empty()) f.push_back(p);
  };
  if (s.format == "idx") {
    add(s.idx.images);
    add(s.idx.labels);
  } else if (s.format == "mnist_json") {
    add(s.mnist_json.package_dir);
  } else if (s.format == "csv") {
    add(s.csv.path);
  } else if (s.format == "npy") {
    add(s.npy.inputs);
    add(s.npy.labels);
  } else if (s.format == "npz") {
    add(s.npz.path);
  } else if (s.format == "image_folder") {
    add(s.image_folder.root);
  } else if (s.format == "text") {
    for (const std::string& p : s.text.paths) add(p);
  } else if (s.format == "wav") {
    add(s.wav.dir);
  } else if (s.format == "ocr_render") {
    for (const std::string& p : s.ocr.fonts) add(p);
  }
  return f;
}

}  // namespace shrink::pipeline
