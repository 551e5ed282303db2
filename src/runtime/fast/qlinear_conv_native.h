// Native int8 QLinearConv for small 2-D convolutions (batch-1 CNNs at 28x28 and below): no
// primitive dispatch, exact zero-point padding where oneDNN needs its slow source
// zero-point attribute, and com.shrink QLinearConvAct's HardSwish in the requantization
// (int8_requant.h). Internal to the fast runtime.
//
// Two paths, on channels-last u8 activations (the plan's int8 layout; plain inputs / outputs are
// converted inside):
//   group 1     — an int8 GEMM over output pixels (int8_gemm.h): 1x1 stride-1 convs read the
//                 activations in place (channels a multiple of 4), others read each window's
//                 rows straight from the padded input (Int8Segments, no im2col copy);
//   depthwise   — group = channels = outputs, kernel height <= 4 (int8_depthwise.h).
// Padding is exact: the GEMM path reads a padded copy of the input whose borders hold the input
// zero point, depthwise reads the input in place with zero points standing for the borders, and
// the zero point folds into the int32 bias (conv(x - zp, w) = conv(x, w) - zp * sum(w[m])).
// Threads: kernels created for more than one thread (the session creates its kernels per thread
// count) split a convolution's output rows (1x1: pixel rows) into one chunk a thread on the
// spin pool (spin_pool.h), when it has at least kSplitMinMacs (qlinear_conv_native.cc)
// multiply-adds (depthwise: 16 an output); the chunks keep to the same halves of the activations
// from step to step, so each core reads what it wrote. The factory declines unless the native paths
// take the first input shape, and without AVX-512 VNNI / VBMI or for s8 inputs. Later shapes the
// native paths do not take (more multiply-adds per image than kNativeConvMaxImageMacs, other
// geometry) run on the oneDNN kernel the factory is given, decided per input shape at Reshape.
#pragma once

#include <memory>
#include <vector>

#include "runtime/fast/fast_kernel.h"

namespace shrink::runtime::fast {

// Multiply-adds per image up to which the native paths run a convolution, on any thread count
// and batch (their time grows with the batch row by row; oneDNN's larger convolutions, as in
// ResNet-50, block K and N better). Measured with the requantization inlined (2026-11-29):
// depthwise_cnn batch 8 on one thread 375 us all native against 440 us with the big pointwise
// convs on oneDNN, MobileNetV2 batch 1 on one thread 2.30 ms against 2.55 ms.
inline constexpr int64_t kNativeConvMaxImageMacs = 8'000'000;

// `acts`: none (QLinearConv) or {HardSwish} (com.shrink QLinearConvAct).
std::unique_ptr<FastKernel> MakeQLinearConvNative(const CreateInfo& info, FastFactory fallback,
                                                  std::vector<FusedActivation> acts);

}  // namespace shrink::runtime::fast
