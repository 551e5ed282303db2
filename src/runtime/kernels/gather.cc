// Reference kernels for index-driven reads: Gather, GatherElements, GatherND, Compress.
// Negative indices count from the end of the indexed axis; an index outside [-dim, dim) is an
// error.
#include "runtime/kernels/kernel_util.h"
#include "runtime/kernels/movement_util.h"

namespace shrink::runtime {
namespace {

// ---- Gather ----

void GatherKernel(KernelContext& ctx) {
  const Tensor& data = ctx.in(0);
  const Tensor& indices = ctx.in(1);
  if (data.rank() == 0) ctx.Fail("data must have rank >= 1");
  const int axis = static_cast<int>(NormalizeAxis(ctx, ctx.attr_int("axis", 0), data.rank()));
  auto idx = ReadInts(ctx, indices);
  for (auto& i : idx) i = NormalizeIndex(ctx, i, data.dim(axis));
  Shape out_shape(data.shape().begin(), data.shape().begin() + axis);
  out_shape.insert(out_shape.end(), indices.shape().begin(), indices.shape().end());
  out_shape.insert(out_shape.end(), data.shape().begin() + axis + 1, data.shape().end());
  ctx.set_output(0, TakeAlongAxis(ctx, data, axis, idx, out_shape));
}

// ---- GatherElements ----

void GatherElementsKernel(KernelContext& ctx) {
  const Tensor& data = ctx.in(0);
  const Tensor& indices = ctx.in(1);
  const int r = data.rank();
  const int axis = ElementsAxis(ctx, data, indices);
  const auto idx = ReadInts(ctx, indices);
  const auto data_strides = StridesOf(data.shape());
  Tensor out(data.dtype(), indices.shape());
  DispatchMovable(ctx, data.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* s = Elems<T>(data);
    T* o = Elems<T>(out);
    std::vector<int64_t> counter(static_cast<size_t>(r), 0);
    for (int64_t i = 0; i < out.numel(); ++i) {
      int64_t off = 0;
      for (int d = 0; d < r; ++d) {
        const int64_t c = d == axis ? NormalizeIndex(ctx, idx[static_cast<size_t>(i)], data.dim(d))
                                    : counter[static_cast<size_t>(d)];
        off += c * data_strides[static_cast<size_t>(d)];
      }
      o[i] = s[off];
      for (int d = r; d-- > 0;) {
        if (++counter[static_cast<size_t>(d)] < indices.dim(d)) break;
        counter[static_cast<size_t>(d)] = 0;
      }
    }
  });
  ctx.set_output(0, out);
}

// ---- GatherND ----

void GatherNDKernel(KernelContext& ctx) {
  const Tensor& data = ctx.in(0);
  const Tensor& indices = ctx.in(1);
  const int64_t b = ctx.opset() >= 12 ? ctx.attr_int("batch_dims", 0) : 0;
  const int r = data.rank(), q = indices.rank();
  if (q < 1 || r < 1) ctx.Fail("data and indices must have rank >= 1");
  if (b < 0 || b >= std::min(q, r)) ctx.Fail("batch_dims " + std::to_string(b) + " out of range");
  const int64_t k = indices.dim(-1);
  if (k < 1 || k > r - b) ctx.Fail("last indices dim " + std::to_string(k) + " out of range");
  for (int d = 0; d < b; ++d)
    if (data.dim(d) != indices.dim(d)) ctx.Fail("batch dims of data and indices differ");
  Shape out_shape(indices.shape().begin(), indices.shape().end() - 1);
  out_shape.insert(out_shape.end(), data.shape().begin() + b + k, data.shape().end());
  const auto data_strides = StridesOf(data.shape());
  int64_t batches = 1, slice = 1;
  for (int d = 0; d < b; ++d) batches *= data.dim(d);
  for (int d = static_cast<int>(b + k); d < r; ++d) slice *= data.dim(d);
  const int64_t batch_size = b == 0 ? data.numel() : data_strides[static_cast<size_t>(b - 1)];
  const auto idx = ReadInts(ctx, indices);
  const int64_t tuples = batches == 0 ? 0 : indices.numel() / k / batches;
  Tensor out(data.dtype(), out_shape);
  DispatchMovable(ctx, data.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* s = Elems<T>(data);
    T* o = Elems<T>(out);
    for (int64_t bi = 0; bi < batches; ++bi)
      for (int64_t t = 0; t < tuples; ++t) {
        const int64_t tuple = bi * tuples + t;
        int64_t off = bi * batch_size;
        for (int64_t j = 0; j < k; ++j) {
          const int d = static_cast<int>(b + j);
          off += NormalizeIndex(ctx, idx[static_cast<size_t>(tuple * k + j)], data.dim(d)) *
                 data_strides[static_cast<size_t>(d)];
        }
        for (int64_t e = 0; e < slice; ++e) o[tuple * slice + e] = s[off + e];
      }
  });
  ctx.set_output(0, out);
}

// ---- Compress ----

void CompressKernel(KernelContext& ctx) {
  const Tensor& data = ctx.in(0);
  const Tensor& cond = ctx.in(1);
  if (cond.rank() != 1) ctx.Fail("condition must be 1-D");
  if (cond.dtype() != DataType::kBool) ctx.Fail("condition must be bool");
  const bool* c = cond.data<bool>();
  Tensor src = data;
  int axis = 0;
  if (ctx.has_attr("axis")) {
    const int64_t raw = ctx.attr_int("axis", 0);
    if (raw < 0 && ctx.opset() < 11) ctx.Fail("negative axis needs opset 11");
    axis = static_cast<int>(NormalizeAxis(ctx, raw, data.rank()));
  } else {
    src = data.Reshaped({data.numel()});
  }
  const int64_t dim = src.dim(axis);
  std::vector<int64_t> keep;
  for (int64_t i = 0; i < cond.numel(); ++i) {
    if (!c[i]) continue;
    if (i >= dim) ctx.Fail("condition selects index " + std::to_string(i) + " beyond the axis");
    keep.push_back(i);
  }
  Shape out_shape = src.shape();
  out_shape[static_cast<size_t>(axis)] = static_cast<int64_t>(keep.size());
  ctx.set_output(0, TakeAlongAxis(ctx, src, axis, keep, out_shape));
}

}  // namespace

SHRINK_REF_KERNEL("", "Gather", 1, kLatestOpset, GatherKernel);
SHRINK_REF_KERNEL("", "GatherElements", 11, kLatestOpset, GatherElementsKernel);
SHRINK_REF_KERNEL("", "GatherND", 11, kLatestOpset, GatherNDKernel);
SHRINK_REF_KERNEL("", "Compress", 9, kLatestOpset, CompressKernel);

}  // namespace shrink::runtime
