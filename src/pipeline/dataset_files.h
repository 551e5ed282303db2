// The files (or folders) a dataset spec reads, for lineage hashing. Generated datasets
// (ocr_render) read only their fonts; mnist_json with no folder reads the zoo cache copy.
#pragma once

#include <string>
#include <vector>

#include "data/dataset.h"

namespace shrink::pipeline {

std::vector<std::string> DatasetFiles(const data::DatasetSpec& spec);

}  // namespace shrink::pipeline
