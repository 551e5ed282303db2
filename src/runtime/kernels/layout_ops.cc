// Reference kernels for ops that rearrange elements by a fixed index map: Transpose, Expand, Tile,
// DepthToSpace, SpaceToDepth, Trilu. All are expressed through StridedCopy where possible.
#include <algorithm>

#include "runtime/kernels/kernel_util.h"
#include "runtime/kernels/movement_util.h"

namespace shrink::runtime {
namespace {

// out = transpose(x.reshape(view), perm), as a strided copy.
Tensor ReshapeTranspose(const KernelContext& ctx, const Tensor& x, const Shape& view,
                        const std::vector<int>& perm) {
  const auto strides = StridesOf(view);
  Shape out_shape(perm.size());
  std::vector<int64_t> out_strides(perm.size());
  for (size_t i = 0; i < perm.size(); ++i) {
    out_shape[i] = view[static_cast<size_t>(perm[i])];
    out_strides[i] = strides[static_cast<size_t>(perm[i])];
  }
  return StridedCopy(ctx, x, out_shape, out_strides, 0);
}

// ---- Transpose ----

void TransposeKernel(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  const int r = x.rank();
  std::vector<int> perm(static_cast<size_t>(r));
  if (ctx.has_attr("perm")) {
    const auto p = ctx.attr_ints("perm");
    if (static_cast<int>(p.size()) != r)
      ctx.Fail("perm has " + std::to_string(p.size()) + " entries for rank " + std::to_string(r));
    std::vector<bool> seen(static_cast<size_t>(r), false);
    for (int i = 0; i < r; ++i) {
      const int64_t v = NormalizeAxis(ctx, p[static_cast<size_t>(i)], r);
      if (seen[static_cast<size_t>(v)]) ctx.Fail("perm is not a permutation");
      seen[static_cast<size_t>(v)] = true;
      perm[static_cast<size_t>(i)] = static_cast<int>(v);
    }
  } else {
    for (int i = 0; i < r; ++i) perm[static_cast<size_t>(i)] = r - 1 - i;
  }
  ctx.set_output(0, ReshapeTranspose(ctx, x, x.shape(), perm));
}

// ---- Expand / Tile ----

void ExpandKernel(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  const Shape target = ReadInts(ctx, ctx.in(1));
  for (int64_t d : target)
    if (d < 0) ctx.Fail("negative dimension in shape " + ShapeToString(target));
  const Shape out = BroadcastShapes(ctx, {x.shape(), target});
  ctx.set_output(0, StridedCopy(ctx, x, out, BroadcastStrides(x.shape(), out), 0));
}

// Tile: view the output as [r0, d0, r1, d1, ...] with stride 0 on every repeat axis.
void TileKernel(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  const auto repeats = ReadInts(ctx, ctx.in(1));
  if (static_cast<int>(repeats.size()) != x.rank())
    ctx.Fail("repeats has " + std::to_string(repeats.size()) + " entries for rank " +
             std::to_string(x.rank()));
  const auto strides = StridesOf(x.shape());
  Shape view, out;
  std::vector<int64_t> view_strides;
  for (int d = 0; d < x.rank(); ++d) {
    const int64_t r = repeats[static_cast<size_t>(d)];
    if (r < 0) ctx.Fail("negative repeat " + std::to_string(r));
    view.insert(view.end(), {r, x.dim(d)});
    view_strides.insert(view_strides.end(), {0, strides[static_cast<size_t>(d)]});
    out.push_back(r * x.dim(d));
  }
  ctx.set_output(0, StridedCopy(ctx, x, view, view_strides, 0).Reshaped(out));
}

// ---- DepthToSpace / SpaceToDepth ----

void DepthToSpaceKernel(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  if (x.rank() != 4) ctx.Fail("input must be 4-D (NCHW)");
  const int64_t b = ctx.attr_int("blocksize", 0);
  if (b <= 0) ctx.Fail("blocksize must be positive");
  const int64_t n = x.dim(0), c = x.dim(1), h = x.dim(2), w = x.dim(3);
  if (c % (b * b) != 0) ctx.Fail("channels not divisible by blocksize^2");
  const std::string mode = ctx.opset() >= 11 ? ctx.attr_string("mode", "DCR") : "DCR";
  Tensor y;
  if (mode == "DCR") {
    y = ReshapeTranspose(ctx, x, {n, b, b, c / (b * b), h, w}, {0, 3, 4, 1, 5, 2});
  } else if (mode == "CRD") {
    y = ReshapeTranspose(ctx, x, {n, c / (b * b), b, b, h, w}, {0, 1, 4, 2, 5, 3});
  } else {
    ctx.Fail("unknown mode '" + mode + "'");
  }
  ctx.set_output(0, y.Reshaped({n, c / (b * b), h * b, w * b}));
}

void SpaceToDepthKernel(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  if (x.rank() != 4) ctx.Fail("input must be 4-D (NCHW)");
  const int64_t b = ctx.attr_int("blocksize", 0);
  if (b <= 0) ctx.Fail("blocksize must be positive");
  const int64_t n = x.dim(0), c = x.dim(1), h = x.dim(2), w = x.dim(3);
  if (h % b != 0 || w % b != 0) ctx.Fail("spatial dims not divisible by blocksize");
  Tensor y = ReshapeTranspose(ctx, x, {n, c, h / b, b, w / b, b}, {0, 3, 5, 1, 2, 4});
  ctx.set_output(0, y.Reshaped({n, c * b * b, h / b, w / b}));
}

// ---- Trilu ----

void TriluKernel(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  if (x.rank() < 2) ctx.Fail("input must have rank >= 2");
  const int64_t k = ctx.has_input(1) ? ReadScalarInt(ctx, ctx.in(1), "k") : 0;
  const bool upper = ctx.attr_int("upper", 1) != 0;
  const int64_t rows = x.dim(-2), cols = x.dim(-1);
  Tensor out(x.dtype(), x.shape());  // zero-filled (empty strings for kString)
  DispatchMovable(ctx, x.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* s = Elems<T>(x);
    T* o = Elems<T>(out);
    const int64_t mats = rows * cols == 0 ? 0 : x.numel() / (rows * cols);
    for (int64_t m = 0; m < mats; ++m)
      for (int64_t i = 0; i < rows; ++i)
        for (int64_t j = 0; j < cols; ++j) {
          const bool keep = upper ? (j - i >= k) : (j - i <= k);
          const int64_t idx = (m * rows + i) * cols + j;
          if (keep) o[idx] = s[idx];
        }
  });
  ctx.set_output(0, out);
}

}  // namespace

SHRINK_REF_KERNEL("", "Transpose", 1, kLatestOpset, TransposeKernel);
SHRINK_REF_KERNEL("", "Expand", 8, kLatestOpset, ExpandKernel);
SHRINK_REF_KERNEL("", "Tile", 6, kLatestOpset, TileKernel);
SHRINK_REF_KERNEL("", "DepthToSpace", 1, kLatestOpset, DepthToSpaceKernel);
SHRINK_REF_KERNEL("", "SpaceToDepth", 1, kLatestOpset, SpaceToDepthKernel);
SHRINK_REF_KERNEL("", "Trilu", 14, kLatestOpset, TriluKernel);

}  // namespace shrink::runtime
