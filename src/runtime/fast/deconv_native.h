// Native fp32 ConvTranspose for the non-overlapping upsampling case that oneDNN's blocked kernels
// waste most of their work on when there are few output channels (PaddleOCR det's last layer:
// 24 -> 1 channel, 2x2 stride 2: 15 ms in oneDNN, the output padded to 16 channels):
// kernel == stride on every axis, 2 spatial dims, no pads / dilation / output_padding, group 1,
// fewer than 8 output channels. Each input pixel then feeds exactly one output pixel per kernel
// tap: y[n, o, h*s + i, w*t + j] = b[o] + sum_c x[n, c, h, w] * W[c, o, i, j], computed per tap
// over whole input rows (vectorised) and interleaved into the output rows. Same sum order as a
// dot product over c; tests bound the difference from the reference at float rounding. Other
// geometries decline (deconv_onednn.cc). Registered in deconv_onednn.cc, before the oneDNN kernel.
#pragma once

#include <memory>

#include "runtime/fast/fast_kernel.h"

namespace shrink::runtime::fast {

std::unique_ptr<FastKernel> MakeConvTransposeNative(const CreateInfo& info);

}  // namespace shrink::runtime::fast
