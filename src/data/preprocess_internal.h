// Internal to the data part: Preprocess plus the valid length of the variable axis, and where
// that axis sits in a preprocessed example.
#pragma once

#include <cstdint>

#include "data/dataset.h"

namespace shrink::data::detail {

Expected<Tensor> PreprocessWithLength(const Tensor& example, bool is_image,
                                      const PreprocessSpec& spec, bool variable,
                                      int64_t* valid_length);

// Axis (of a preprocessed example of `rank`) that varies between examples; -1 when the
// examples cannot be padded (flattened images).
int VariableAxis(bool is_image, const PreprocessSpec& spec, int rank);

}  // namespace shrink::data::detail
