// Native 8-bit MaxPool (uint8 / int8, opset >= 12) on the plain NCHW layout: 1 or 2 spatial dims,
// any kernel, strides, pads (incl. auto_pad), dilations and ceil_mode (window geometry from
// MakeWindow), no Indices output. Exact (a max). It replaces oneDNN's 8-bit pooling for these
// ranks, which needs channels-last and so two reorders per call. Registered in pool_onednn.cc
// before the oneDNN kernel (which keeps 3-D pooling): MakeMaxPoolInt8Native declines other ranks.
// It also runs channels-last (layout.h), input and output independently: channels-last in and plain
// out transposes only the pooled tensor (a pool before a Flatten). Loops built for AVX-512 too
// (target_clones).
#pragma once

#include <memory>

#include "runtime/fast/fast_kernel.h"

namespace shrink::runtime::fast {

std::unique_ptr<FastKernel> MakeMaxPoolInt8Native(const CreateInfo& info);

}  // namespace shrink::runtime::fast
