// Native int8 QLinearConv for small 2-D convolutions on one thread (batch-1 CNNs at 28x28 and
// below): no primitive dispatch, exact zero-point padding where oneDNN needs its slow source
// zero-point attribute, and com.shrink QLinearConvAct's HardSwish in the requantization
// (int8_requant.h). Internal to the fast runtime.
//
// Two paths, on channels-last u8 activations (the plan's int8 layout; plain inputs / outputs are
// converted inside):
//   group 1     — an int8 GEMM over output pixels (int8_gemm.h): 1x1 stride-1 convs read the
//                 activations in place (channels a multiple of 4), others read each window's
//                 rows straight from the padded input (Int8Segments, no im2col copy);
//   depthwise   — group = channels = outputs, kernel height <= 4 (int8_depthwise.h).
// Both read a padded copy of the input whose borders hold the input zero point, and the zero
// point folds into the int32 bias (conv(x - zp, w) = conv(x, w) - zp * sum(w[m])), so padding is
// exact.
// Only kernels created for one thread take the native paths (the session creates its kernels per
// thread count, and its thread tuner keeps one thread where that is faster): with more threads
// oneDNN's threaded kernels won here (depthwise_cnn batch 8: 270 us against 415). The factory
// declines unless the native paths take the first input shape, and without AVX-512 VNNI / VBMI
// or for s8 inputs. Later shapes the native paths do not take (more multiply-adds than
// kNativeConvMaxMacs, other geometry) run on the oneDNN kernel the factory is given, decided per
// input shape at Reshape.
#pragma once

#include <memory>
#include <vector>

#include "runtime/fast/fast_kernel.h"

namespace shrink::runtime::fast {

// Multiply-adds of a whole run (batch included) up to which the native paths run it.
inline constexpr int64_t kNativeConvMaxMacs = 1'000'000;

// `acts`: none (QLinearConv) or {HardSwish} (com.shrink QLinearConvAct).
std::unique_ptr<FastKernel> MakeQLinearConvNative(const CreateInfo& info, FastFactory fallback,
                                                  std::vector<FusedActivation> acts);

}  // namespace shrink::runtime::fast
