// Reference kernel for Pad.
//
// Opset 1: `paddings` attribute; 2-10: `pads` attribute and float `value`; 11+: `pads` input and
// optional `constant_value` input; 18+: optional `axes` input; 19+: mode "wrap". Modes: constant,
// reflect (mirror without repeating the edge), edge, wrap. Negative pads crop.
#include <algorithm>

#include "runtime/kernels/kernel_util.h"
#include "runtime/kernels/movement_util.h"

namespace shrink::runtime {
namespace {

enum class PadMode { kConstant, kReflect, kEdge, kWrap };

PadMode ReadMode(const KernelContext& ctx) {
  const std::string m = ctx.attr_string("mode", "constant");
  if (m == "constant") return PadMode::kConstant;
  if (m == "reflect") return PadMode::kReflect;
  if (m == "edge") return PadMode::kEdge;
  if (m == "wrap" && ctx.opset() >= 19) return PadMode::kWrap;
  ctx.Fail("unknown mode '" + m + "'");
}

// Source index along one axis for padded coordinate `i` (relative to the input start), or -1 for
// a constant fill.
int64_t SourceIndex(PadMode mode, int64_t i, int64_t dim) {
  if (i >= 0 && i < dim) return i;
  switch (mode) {
    case PadMode::kConstant:
      return -1;
    case PadMode::kEdge:
      return i < 0 ? 0 : dim - 1;
    case PadMode::kWrap:
      return ((i % dim) + dim) % dim;
    case PadMode::kReflect: {
      if (dim == 1) return 0;
      const int64_t period = 2 * (dim - 1);
      int64_t m = ((i % period) + period) % period;
      return m < dim ? m : period - m;
    }
  }
  return -1;
}

// `pads` holds begin values for every axis then end values (full rank).
void PadImpl(KernelContext& ctx, const std::vector<int64_t>& pads, const Tensor& fill) {
  const Tensor& x = ctx.in(0);
  const int r = x.rank();
  if (static_cast<int>(pads.size()) != 2 * r)
    ctx.Fail("pads has " + std::to_string(pads.size()) + " entries for rank " + std::to_string(r));
  const PadMode mode = ReadMode(ctx);
  // Per axis: source index of every output coordinate (-1 = fill).
  std::vector<std::vector<int64_t>> maps(static_cast<size_t>(r));
  Shape out_shape(static_cast<size_t>(r));
  for (int d = 0; d < r; ++d) {
    const int64_t begin = pads[static_cast<size_t>(d)];
    const int64_t end = pads[static_cast<size_t>(d + r)];
    const int64_t dim = x.dim(d);
    const int64_t out = dim + begin + end;
    if (out < 0) ctx.Fail("negative pads remove more than axis " + std::to_string(d) + " holds");
    if (mode != PadMode::kConstant && dim == 0 && out > 0)
      ctx.Fail("cannot pad an empty axis in a non-constant mode");
    out_shape[static_cast<size_t>(d)] = out;
    auto& map = maps[static_cast<size_t>(d)];
    map.resize(static_cast<size_t>(out));
    for (int64_t o = 0; o < out; ++o)
      map[static_cast<size_t>(o)] = SourceIndex(mode, o - begin, dim);
  }
  const auto strides = StridesOf(x.shape());
  Tensor y(x.dtype(), out_shape);
  DispatchMovable(ctx, x.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* s = Elems<T>(x);
    T* o = Elems<T>(y);
    const T value = Elems<T>(fill)[0];
    std::vector<int64_t> counter(static_cast<size_t>(r), 0);
    for (int64_t i = 0; i < y.numel(); ++i) {
      int64_t off = 0;
      bool inside = true;
      for (int d = 0; d < r && inside; ++d) {
        const int64_t src =
            maps[static_cast<size_t>(d)][static_cast<size_t>(counter[static_cast<size_t>(d)])];
        inside = src >= 0;
        off += src * strides[static_cast<size_t>(d)];
      }
      o[i] = inside ? s[off] : value;
      for (int d = r; d-- > 0;) {
        if (++counter[static_cast<size_t>(d)] < out_shape[static_cast<size_t>(d)]) break;
        counter[static_cast<size_t>(d)] = 0;
      }
    }
  });
  ctx.set_output(0, y);
}

Tensor FillFromFloat(const KernelContext& ctx, DataType dtype, double v) {
  if (dtype == DataType::kString || IsPacked4(dtype))
    ctx.Unsupported(std::string("dtype ") + DataTypeName(dtype));
  Tensor t(dtype, {});
  t.SetFromDouble(0, v);
  return t;
}

void PadAttrKernel(KernelContext& ctx) {  // opset 1-10
  const char* name = ctx.opset() < 2 ? "paddings" : "pads";
  if (!ctx.has_attr(name)) ctx.Fail(std::string("missing required attribute '") + name + "'");
  PadImpl(ctx, ctx.attr_ints(name),
          FillFromFloat(ctx, ctx.in(0).dtype(), ctx.attr_float("value", 0.0f)));
}

void PadKernel(KernelContext& ctx) {  // opset 11+
  const Tensor& x = ctx.in(0);
  const int r = x.rank();
  std::vector<int64_t> pads = ReadInts(ctx, ctx.in(1));
  if (ctx.opset() >= 18 && ctx.has_input(3)) {
    const auto axes = ReadInts(ctx, ctx.in(3));
    if (pads.size() != 2 * axes.size())
      ctx.Fail("pads has " + std::to_string(pads.size()) + " entries for " +
               std::to_string(axes.size()) + " axes");
    std::vector<int64_t> full(static_cast<size_t>(2 * r), 0);
    std::vector<bool> seen(static_cast<size_t>(r), false);
    for (size_t i = 0; i < axes.size(); ++i) {
      const int64_t a = NormalizeAxis(ctx, axes[i], r);
      if (seen[static_cast<size_t>(a)]) ctx.Fail("axis " + std::to_string(axes[i]) + " repeated");
      seen[static_cast<size_t>(a)] = true;
      full[static_cast<size_t>(a)] = pads[i];
      full[static_cast<size_t>(a + r)] = pads[i + axes.size()];
    }
    pads = full;
  }
  Tensor fill;
  if (ctx.has_input(2) && ctx.in(2).numel() > 0) {
    fill = ctx.in(2);
    if (fill.dtype() != x.dtype()) ctx.Fail("constant_value dtype differs from data dtype");
  } else {
    fill = Tensor(x.dtype(), {1});  // zero / false / empty string
  }
  PadImpl(ctx, pads, fill);
}

}  // namespace

SHRINK_REF_KERNEL("", "Pad", 1, 10, PadAttrKernel);
SHRINK_REF_KERNEL("", "Pad", 11, kLatestOpset, PadKernel);

}  // namespace shrink::runtime
