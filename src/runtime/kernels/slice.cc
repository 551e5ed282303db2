// Reference kernel for Slice.
//
// Opset 1-9: `starts`, `ends`, optional `axes` attributes (step 1). Opset 10+: the same as inputs
// plus optional `steps`; negative axes from 11. Negative starts/ends count from the end; values are
// clamped to [0, dim] for positive steps and [-1, dim-1] for negative ones (ONNX semantics).
#include <algorithm>
#include <limits>

#include "runtime/kernels/kernel_util.h"
#include "runtime/kernels/movement_util.h"

namespace shrink::runtime {
namespace {

void SliceImpl(KernelContext& ctx, const std::vector<int64_t>& starts,
               const std::vector<int64_t>& ends, std::vector<int64_t> axes,
               std::vector<int64_t> steps) {
  const Tensor& x = ctx.in(0);
  const int r = x.rank();
  if (starts.size() != ends.size()) ctx.Fail("starts and ends differ in length");
  const size_t n = starts.size();
  if (axes.empty()) {
    for (size_t i = 0; i < n; ++i) axes.push_back(static_cast<int64_t>(i));
  }
  if (steps.empty()) steps.assign(n, 1);
  if (axes.size() != n || steps.size() != n) ctx.Fail("starts/ends/axes/steps differ in length");

  const auto in_strides = StridesOf(x.shape());
  Shape out_shape = x.shape();
  std::vector<int64_t> strides = in_strides;
  std::vector<bool> seen(static_cast<size_t>(r), false);
  int64_t offset = 0;
  for (size_t i = 0; i < n; ++i) {
    const int64_t axis = NormalizeAxis(ctx, axes[i], r);
    if (seen[static_cast<size_t>(axis)]) ctx.Fail("axis " + std::to_string(axes[i]) + " repeated");
    seen[static_cast<size_t>(axis)] = true;
    const int64_t dim = x.dim(static_cast<int>(axis));
    const int64_t step = steps[i];
    if (step == 0) ctx.Fail("step must not be zero");
    int64_t start = starts[i], end = ends[i];
    if (start < 0) start += dim;
    if (end < 0) end += dim;
    int64_t len;
    if (dim == 0) {
      len = 0;
    } else if (step > 0) {
      start = std::clamp<int64_t>(start, 0, dim);
      end = std::clamp<int64_t>(end, 0, dim);
      len = end > start ? (end - start - 1) / step + 1 : 0;
    } else {
      start = std::clamp<int64_t>(start, 0, dim - 1);
      end = std::clamp<int64_t>(end, -1, dim - 1);
      const int64_t neg = step == std::numeric_limits<int64_t>::min() ? -(step + 1) : -step;
      len = start > end ? (start - end - 1) / neg + 1 : 0;
    }
    out_shape[static_cast<size_t>(axis)] = len;
    if (len > 0) offset += start * in_strides[static_cast<size_t>(axis)];
    strides[static_cast<size_t>(axis)] = in_strides[static_cast<size_t>(axis)] * step;
  }
  ctx.set_output(0, StridedCopy(ctx, x, out_shape, strides, offset));
}

void SliceAttrKernel(KernelContext& ctx) {  // opset 1-9
  if (!ctx.has_attr("starts") || !ctx.has_attr("ends"))
    ctx.Fail("missing required attribute 'starts' or 'ends'");
  SliceImpl(ctx, ctx.attr_ints("starts"), ctx.attr_ints("ends"), ctx.attr_ints("axes"), {});
}

void SliceKernel(KernelContext& ctx) {  // opset 10+
  const auto starts = ReadInts(ctx, ctx.in(1));
  const auto ends = ReadInts(ctx, ctx.in(2));
  std::vector<int64_t> axes, steps;
  if (ctx.has_input(3)) axes = ReadInts(ctx, ctx.in(3));
  if (ctx.has_input(4)) steps = ReadInts(ctx, ctx.in(4));
  if (ctx.opset() < 11)
    for (int64_t a : axes)
      if (a < 0) ctx.Fail("negative axis needs opset 11");
  SliceImpl(ctx, starts, ends, axes, steps);
}

}  // namespace

SHRINK_REF_KERNEL("", "Slice", 1, 9, SliceAttrKernel);
SHRINK_REF_KERNEL("", "Slice", 10, kLatestOpset, SliceKernel);

}  // namespace shrink::runtime
