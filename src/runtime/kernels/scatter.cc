// Reference kernels for index-driven writes: ScatterND, ScatterElements and the deprecated Scatter
// (opset 9-10, same semantics as ScatterElements without reduction).
//
// `reduction` (opset 16+: none/add/mul, 18+: max/min) combines the existing value with the update;
// duplicate indices with reduction "none" keep the last update (ONNX leaves the order undefined).
// float16/bfloat16 reductions compute in float32; bool/string reductions are unsupported.
#include <algorithm>

#include "runtime/kernels/kernel_util.h"
#include "runtime/kernels/movement_util.h"

namespace shrink::runtime {
namespace {

enum class Reduction { kNone, kAdd, kMul, kMax, kMin };

Reduction ReadReduction(const KernelContext& ctx) {
  if (ctx.opset() < 16) return Reduction::kNone;
  const std::string r = ctx.attr_string("reduction", "none");
  if (r == "none") return Reduction::kNone;
  if (r == "add") return Reduction::kAdd;
  if (r == "mul") return Reduction::kMul;
  if (ctx.opset() >= 18 && r == "max") return Reduction::kMax;
  if (ctx.opset() >= 18 && r == "min") return Reduction::kMin;
  ctx.Fail("unknown reduction '" + r + "'");
}

template <typename T>
void Combine(Reduction red, T& dst, const T& v) {
  if constexpr (std::is_same_v<T, std::string> || std::is_same_v<T, bool>) {
    dst = v;  // reductions are rejected before reaching here
  } else {
    switch (red) {
      case Reduction::kNone:
        dst = v;
        break;
      case Reduction::kAdd:
        dst = static_cast<T>(dst + v);
        break;
      case Reduction::kMul:
        dst = static_cast<T>(dst * v);
        break;
      case Reduction::kMax:
        dst = std::max(dst, v);
        break;
      case Reduction::kMin:
        dst = std::min(dst, v);
        break;
    }
  }
}

// Runs `fn(data_copy, updates)` in a dtype where `red` is computable and returns the result in the
// data dtype. `fn` receives the output tensor (a copy of data) and the updates tensor.
template <typename Fn>
Tensor WithReductionDtype(const KernelContext& ctx, Reduction red, const Tensor& data,
                          const Tensor& updates, Fn&& fn) {
  if (updates.dtype() != data.dtype()) ctx.Fail("updates dtype differs from data dtype");
  if (red != Reduction::kNone) {
    if (data.dtype() == DataType::kBool || data.dtype() == DataType::kString)
      ctx.Unsupported(std::string("reduction on ") + DataTypeName(data.dtype()));
    if (IsHalfLike(data.dtype())) {
      Tensor out = WidenHalf(data);
      fn(out, WidenHalf(updates));
      return NarrowToHalf(out, data.dtype());
    }
  }
  Tensor out = data.Clone();
  fn(out, updates);
  return out;
}

// ---- ScatterND ----

void ScatterNDKernel(KernelContext& ctx) {
  const Tensor& data = ctx.in(0);
  const Tensor& indices = ctx.in(1);
  const Tensor& updates = ctx.in(2);
  const Reduction red = ReadReduction(ctx);
  const int r = data.rank(), q = indices.rank();
  if (q < 1) ctx.Fail("indices must have rank >= 1");
  const int64_t k = indices.dim(-1);
  if (k < 1 || k > r) ctx.Fail("last indices dim " + std::to_string(k) + " out of range");
  Shape want(indices.shape().begin(), indices.shape().end() - 1);
  want.insert(want.end(), data.shape().begin() + k, data.shape().end());
  if (updates.shape() != want)
    ctx.Fail("updates shape " + ShapeToString(updates.shape()) + " should be " +
             ShapeToString(want));
  const auto strides = StridesOf(data.shape());
  int64_t slice = 1;
  for (int d = static_cast<int>(k); d < r; ++d) slice *= data.dim(d);
  const auto idx = ReadInts(ctx, indices);
  const int64_t tuples = indices.numel() / k;
  ctx.set_output(0, WithReductionDtype(ctx, red, data, updates, [&](Tensor& out, const Tensor& up) {
                   DispatchMovable(ctx, out.dtype(), [&](auto tag) {
                     using T = typename decltype(tag)::type;
                     T* o = Elems<T>(out);
                     const T* u = Elems<T>(up);
                     for (int64_t t = 0; t < tuples; ++t) {
                       int64_t off = 0;
                       for (int64_t j = 0; j < k; ++j) {
                         const int64_t dim = data.dim(static_cast<int>(j));
                         off += NormalizeIndex(ctx, idx[static_cast<size_t>(t * k + j)], dim) *
                                strides[static_cast<size_t>(j)];
                       }
                       for (int64_t e = 0; e < slice; ++e)
                         Combine(red, o[off + e], u[t * slice + e]);
                     }
                   });
                 }));
}

// ---- ScatterElements / Scatter ----

void ScatterElementsKernel(KernelContext& ctx) {
  const Tensor& data = ctx.in(0);
  const Tensor& indices = ctx.in(1);
  const Tensor& updates = ctx.in(2);
  const Reduction red = ReadReduction(ctx);
  const int r = data.rank();
  if (updates.shape() != indices.shape()) ctx.Fail("updates and indices shapes differ");
  const int axis = ElementsAxis(ctx, data, indices);
  const auto idx = ReadInts(ctx, indices);
  const auto strides = StridesOf(data.shape());
  ctx.set_output(0, WithReductionDtype(ctx, red, data, updates, [&](Tensor& out, const Tensor& up) {
                   DispatchMovable(ctx, out.dtype(), [&](auto tag) {
                     using T = typename decltype(tag)::type;
                     T* o = Elems<T>(out);
                     const T* u = Elems<T>(up);
                     std::vector<int64_t> counter(static_cast<size_t>(r), 0);
                     for (int64_t i = 0; i < indices.numel(); ++i) {
                       int64_t off = 0;
                       for (int d = 0; d < r; ++d) {
                         const int64_t c =
                             d == axis
                                 ? NormalizeIndex(ctx, idx[static_cast<size_t>(i)], data.dim(d))
                                 : counter[static_cast<size_t>(d)];
                         off += c * strides[static_cast<size_t>(d)];
                       }
                       Combine(red, o[off], u[i]);
                       for (int d = r; d-- > 0;) {
                         if (++counter[static_cast<size_t>(d)] < indices.dim(d)) break;
                         counter[static_cast<size_t>(d)] = 0;
                       }
                     }
                   });
                 }));
}

}  // namespace

SHRINK_REF_KERNEL("", "ScatterND", 11, kLatestOpset, ScatterNDKernel);
SHRINK_REF_KERNEL("", "ScatterElements", 11, kLatestOpset, ScatterElementsKernel);
SHRINK_REF_KERNEL("", "Scatter", 9, 10, ScatterElementsKernel);

}  // namespace shrink::runtime
