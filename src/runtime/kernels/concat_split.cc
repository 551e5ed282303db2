// Reference kernels for Concat and Split.
//
// Split versions: 1 (`split` attribute or second input), 2-12 (`split` attribute), 13-17 (`split`
// input), 18+ (`split` input or `num_outputs` attribute, where the last chunk may be smaller).
// Without sizes the axis is split evenly over the outputs.
#include "runtime/kernels/kernel_util.h"
#include "runtime/kernels/movement_util.h"

namespace shrink::runtime {
namespace {

// Views `shape` as [outer, shape[axis], inner].
void OuterInner(const Shape& shape, int axis, int64_t* outer, int64_t* inner) {
  *outer = 1;
  *inner = 1;
  for (int d = 0; d < static_cast<int>(shape.size()); ++d) {
    if (d < axis) *outer *= shape[static_cast<size_t>(d)];
    if (d > axis) *inner *= shape[static_cast<size_t>(d)];
  }
}

// ---- Concat ----

void ConcatKernel(KernelContext& ctx) {
  if (ctx.num_inputs() == 0) ctx.Fail("needs at least one input");
  const Tensor& first = ctx.in(0);
  if (!ctx.has_attr("axis") && ctx.opset() >= 4) ctx.Fail("missing required attribute 'axis'");
  const int64_t raw_axis = ctx.attr_int("axis", 1);
  if (raw_axis < 0 && ctx.opset() < 11) ctx.Fail("negative axis needs opset 11");
  const int axis = static_cast<int>(NormalizeAxis(ctx, raw_axis, first.rank()));
  Shape out_shape = first.shape();
  out_shape[static_cast<size_t>(axis)] = 0;
  for (int i = 0; i < ctx.num_inputs(); ++i) {
    const Tensor& t = ctx.in(i);
    if (t.dtype() != first.dtype()) ctx.Fail("inputs have different dtypes");
    if (t.rank() != first.rank()) ctx.Fail("inputs have different ranks");
    for (int d = 0; d < t.rank(); ++d)
      if (d != axis && t.dim(d) != first.dim(d))
        ctx.Fail("input " + std::to_string(i) + " shape " + ShapeToString(t.shape()) +
                 " does not match " + ShapeToString(first.shape()) + " outside axis " +
                 std::to_string(axis));
    out_shape[static_cast<size_t>(axis)] += t.dim(axis);
  }
  Tensor out(first.dtype(), out_shape);
  int64_t outer, inner;
  OuterInner(out_shape, axis, &outer, &inner);
  const int64_t out_row = out_shape[static_cast<size_t>(axis)] * inner;
  DispatchMovable(ctx, first.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    T* o = Elems<T>(out);
    int64_t col = 0;  // offset of this input's block inside one output row
    for (int i = 0; i < ctx.num_inputs(); ++i) {
      const Tensor& t = ctx.in(i);
      const T* s = Elems<T>(t);
      const int64_t row = t.dim(axis) * inner;
      for (int64_t a = 0; a < outer; ++a)
        for (int64_t k = 0; k < row; ++k) o[a * out_row + col + k] = s[a * row + k];
      col += row;
    }
  });
  ctx.set_output(0, out);
}

// ---- Split ----

void SplitImpl(KernelContext& ctx, std::vector<int64_t> sizes, bool have_sizes, int64_t num_chunks,
               bool uneven_last) {
  const Tensor& x = ctx.in(0);
  const int64_t raw_axis = ctx.attr_int("axis", 0);
  if (raw_axis < 0 && ctx.opset() < 11) ctx.Fail("negative axis needs opset 11");
  const int axis = static_cast<int>(NormalizeAxis(ctx, raw_axis, x.rank()));
  const int64_t dim = x.dim(axis);
  const int n_out = ctx.num_outputs();
  if (have_sizes) {
    if (static_cast<int>(sizes.size()) != n_out)
      ctx.Fail("split has " + std::to_string(sizes.size()) + " entries for " +
               std::to_string(n_out) + " outputs");
    int64_t total = 0;
    for (int64_t s : sizes) {
      if (s < 0) ctx.Fail("negative split size " + std::to_string(s));
      total += s;
    }
    if (total != dim)
      ctx.Fail("split sizes sum to " + std::to_string(total) + " but the axis has " +
               std::to_string(dim));
  } else {
    if (num_chunks <= 0) ctx.Fail("number of outputs must be positive");
    if (num_chunks != n_out)
      ctx.Fail("num_outputs " + std::to_string(num_chunks) + " but the node has " +
               std::to_string(n_out) + " outputs");
    if (uneven_last) {
      const int64_t chunk = (dim + num_chunks - 1) / num_chunks;
      int64_t left = dim;
      for (int64_t i = 0; i < num_chunks; ++i) {
        sizes.push_back(std::min(chunk, left));
        left -= sizes.back();
      }
    } else {
      if (dim % num_chunks != 0)
        ctx.Fail("axis of size " + std::to_string(dim) + " cannot be split evenly into " +
                 std::to_string(num_chunks) + " outputs");
      sizes.assign(static_cast<size_t>(num_chunks), dim / num_chunks);
    }
  }
  int64_t outer, inner;
  OuterInner(x.shape(), axis, &outer, &inner);
  int64_t start = 0;
  for (int i = 0; i < n_out; ++i) {
    const int64_t len = sizes[static_cast<size_t>(i)];
    Shape shape = x.shape();
    shape[static_cast<size_t>(axis)] = len;
    // Slice [start, start + len) along axis: offset start*inner, original strides.
    auto strides = StridesOf(x.shape());
    if (ctx.output_wanted(i)) ctx.set_output(i, StridedCopy(ctx, x, shape, strides, start * inner));
    start += len;
  }
}

void SplitV1Kernel(KernelContext& ctx) {  // opset 1: attribute or second input
  if (ctx.has_input(1)) {
    SplitImpl(ctx, ReadInts(ctx, ctx.in(1)), true, 0, false);
  } else {
    SplitImpl(ctx, ctx.attr_ints("split"), ctx.has_attr("split"), ctx.num_outputs(), false);
  }
}

void SplitAttrKernel(KernelContext& ctx) {  // opset 2-12
  SplitImpl(ctx, ctx.attr_ints("split"), ctx.has_attr("split"), ctx.num_outputs(), false);
}

void SplitInputKernel(KernelContext& ctx) {  // opset 13-17
  const Tensor* split = ctx.input(1);
  SplitImpl(ctx, split ? ReadInts(ctx, *split) : std::vector<int64_t>{}, split != nullptr,
            ctx.num_outputs(), false);
}

void SplitKernel(KernelContext& ctx) {  // opset 18+: num_outputs attribute
  const Tensor* split = ctx.input(1);
  if (split != nullptr) {
    if (ctx.has_attr("num_outputs")) ctx.Fail("'split' input and 'num_outputs' are exclusive");
    SplitImpl(ctx, ReadInts(ctx, *split), true, 0, false);
  } else if (ctx.has_attr("num_outputs")) {
    SplitImpl(ctx, {}, false, ctx.attr_int("num_outputs", 0), true);
  } else {
    SplitImpl(ctx, {}, false, ctx.num_outputs(), false);
  }
}

}  // namespace

SHRINK_REF_KERNEL("", "Concat", 1, kLatestOpset, ConcatKernel);
SHRINK_REF_KERNEL("", "Split", 1, 1, SplitV1Kernel);
SHRINK_REF_KERNEL("", "Split", 2, 12, SplitAttrKernel);
SHRINK_REF_KERNEL("", "Split", 13, 17, SplitInputKernel);
SHRINK_REF_KERNEL("", "Split", 18, kLatestOpset, SplitKernel);

}  // namespace shrink::runtime
