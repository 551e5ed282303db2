// Reference kernels: Softmax, LogSoftmax, Hardmax.
//
// Opset differences: before opset 13 the input is coerced to 2D at `axis` (default 1): the op
// runs over all dims from `axis` on, flattened together. From 13 it runs along the single axis
// `axis` (default -1). Computed in double with the row max subtracted; Hardmax marks the first
// maximum. Floating point only (half types compute in float32).
#include <cmath>
#include <limits>
#include <string>

#include "runtime/kernel.h"
#include "runtime/kernels/elementwise_util.h"
#include "runtime/kernels/kernel_util.h"

namespace shrink::runtime {
namespace {

enum class Kind { kSoftmax, kLogSoftmax, kHardmax };

// The op runs over `n` elements at stride `inner`, for each of outer x inner starting points.
struct Rows {
  int64_t outer = 1;
  int64_t n = 1;
  int64_t inner = 1;
};

Rows SplitAtAxis(const KernelContext& ctx, const Shape& shape, bool coerce_2d) {
  const int64_t rank = static_cast<int64_t>(shape.size());
  const int64_t axis = NormalizeAxis(ctx, ctx.attr_int("axis", coerce_2d ? 1 : -1), rank);
  Rows rows;
  for (int64_t d = 0; d < rank; ++d) {
    const int64_t dim = shape[static_cast<size_t>(d)];
    if (d < axis) {
      rows.outer *= dim;
    } else if (d == axis || coerce_2d) {
      rows.n *= dim;
    } else {
      rows.inner *= dim;
    }
  }
  return rows;
}

template <Kind K, typename T>
void RunRow(const T* x, T* y, int64_t n, int64_t stride) {
  double max = -std::numeric_limits<double>::infinity();
  int64_t argmax = 0;
  for (int64_t j = 0; j < n; ++j) {
    const double v = x[j * stride];
    if (v > max || (j == 0)) {
      max = v;
      argmax = j;
    }
  }
  if constexpr (K == Kind::kHardmax) {
    for (int64_t j = 0; j < n; ++j) y[j * stride] = T(j == argmax ? 1 : 0);
    return;
  }
  double sum = 0;
  for (int64_t j = 0; j < n; ++j) sum += std::exp(double(x[j * stride]) - max);
  for (int64_t j = 0; j < n; ++j) {
    const double shifted = double(x[j * stride]) - max;
    y[j * stride] =
        static_cast<T>(K == Kind::kSoftmax ? std::exp(shifted) / sum : shifted - std::log(sum));
  }
}

template <Kind K, bool kCoerce2D>
void SoftmaxKernel(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  const Rows rows = SplitAtAxis(ctx, x.shape(), kCoerce2D);
  DispatchFloat(ctx, x.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    Tensor y(x.dtype(), x.shape());
    const T* px = x.data<T>();
    T* py = y.data<T>();
    for (int64_t o = 0; o < rows.outer; ++o) {
      for (int64_t k = 0; k < rows.inner; ++k) {
        const int64_t base = o * rows.n * rows.inner + k;
        RunRow<K, T>(px + base, py + base, rows.n, rows.inner);
      }
    }
    ctx.set_output(0, std::move(y));
  });
}

}  // namespace

SHRINK_REF_KERNEL("", "Softmax", 1, 12, (HalfAsFloat<SoftmaxKernel<Kind::kSoftmax, true>>));
SHRINK_REF_KERNEL("", "Softmax", 13, kLatestOpset,
                  (HalfAsFloat<SoftmaxKernel<Kind::kSoftmax, false>>));
SHRINK_REF_KERNEL("", "LogSoftmax", 1, 12, (HalfAsFloat<SoftmaxKernel<Kind::kLogSoftmax, true>>));
SHRINK_REF_KERNEL("", "LogSoftmax", 13, kLatestOpset,
                  (HalfAsFloat<SoftmaxKernel<Kind::kLogSoftmax, false>>));
SHRINK_REF_KERNEL("", "Hardmax", 1, 12, (HalfAsFloat<SoftmaxKernel<Kind::kHardmax, true>>));
SHRINK_REF_KERNEL("", "Hardmax", 13, kLatestOpset,
                  (HalfAsFloat<SoftmaxKernel<Kind::kHardmax, false>>));

}  // namespace shrink::runtime
