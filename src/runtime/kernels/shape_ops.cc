// Reference kernels for ops that only re-label a buffer or report shapes: Reshape, Flatten,
// Squeeze, Unsqueeze, Shape, Size, Identity, Dropout (inference). Outputs share the input buffer.
#include <algorithm>

#include "runtime/kernels/kernel_util.h"
#include "runtime/kernels/movement_util.h"

namespace shrink::runtime {
namespace {

// ---- Reshape ----

Shape ResolveReshape(const KernelContext& ctx, const Shape& in, const std::vector<int64_t>& req,
                     bool allowzero) {
  Shape out(req.size());
  int infer = -1;
  int64_t known = 1;
  for (size_t i = 0; i < req.size(); ++i) {
    int64_t d = req[i];
    if (d == 0 && !allowzero) {
      if (i >= in.size())
        ctx.Fail("shape entry 0 at position " + std::to_string(i) +
                 " has no matching input dim in " + ShapeToString(in));
      d = in[i];
    }
    if (d == -1) {
      if (infer >= 0) ctx.Fail("more than one -1 in shape");
      infer = static_cast<int>(i);
      continue;
    }
    if (d < 0) ctx.Fail("invalid shape entry " + std::to_string(d));
    out[i] = d;
    known *= d;
  }
  const int64_t total = NumElements(in);
  if (infer >= 0) {
    if (known == 0) {
      if (total != 0) ctx.Fail("cannot infer -1 with a zero-sized shape entry");
      ctx.Fail("-1 is ambiguous when the shape has a 0 entry");
    }
    if (total % known != 0)
      ctx.Fail("cannot reshape " + ShapeToString(in) + " to " + ShapeToString(req));
    out[static_cast<size_t>(infer)] = total / known;
  }
  if (NumElements(out) != total)
    ctx.Fail("cannot reshape " + ShapeToString(in) + " (" + std::to_string(total) +
             " elements) to " + ShapeToString(out));
  return out;
}

void ReshapeAttrKernel(KernelContext& ctx) {  // opset 1-4: `shape` attribute
  const Tensor& x = ctx.in(0);
  ctx.set_output(0, x.Reshaped(ResolveReshape(ctx, x.shape(), ctx.attr_ints("shape"), false)));
}

void ReshapeKernel(KernelContext& ctx) {  // opset 5+: shape input; allowzero from 14
  const Tensor& x = ctx.in(0);
  const bool allowzero = ctx.opset() >= 14 && ctx.attr_int("allowzero", 0) != 0;
  const Tensor& shape = ctx.in(1);
  if (shape.rank() != 1) ctx.Fail("shape input must be 1-D");
  ctx.set_output(0, x.Reshaped(ResolveReshape(ctx, x.shape(), ReadInts(ctx, shape), allowzero)));
}

// ---- Flatten ----

void FlattenKernel(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  int64_t axis = ctx.attr_int("axis", 1);
  const int64_t r = x.rank();
  if (axis < -r || axis > r) ctx.Fail("axis " + std::to_string(axis) + " out of range");
  if (axis < 0) {
    if (ctx.opset() < 11) ctx.Fail("negative axis needs opset 11");
    axis += r;
  }
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < r; ++d) (d < axis ? outer : inner) *= x.dim(static_cast<int>(d));
  ctx.set_output(0, x.Reshaped({outer, inner}));
}

// ---- Squeeze / Unsqueeze ----

void SqueezeImpl(KernelContext& ctx, const std::vector<int64_t>& axes, bool have_axes) {
  const Tensor& x = ctx.in(0);
  std::vector<bool> drop(static_cast<size_t>(x.rank()), false);
  if (!have_axes) {
    for (int d = 0; d < x.rank(); ++d) drop[static_cast<size_t>(d)] = x.dim(d) == 1;
  }
  for (int64_t a : axes) {
    const int64_t d = NormalizeAxis(ctx, a, x.rank());
    if (x.dim(static_cast<int>(d)) != 1)
      ctx.Fail("cannot squeeze axis " + std::to_string(a) + " of size " +
               std::to_string(x.dim(static_cast<int>(d))));
    drop[static_cast<size_t>(d)] = true;
  }
  Shape out;
  for (int d = 0; d < x.rank(); ++d)
    if (!drop[static_cast<size_t>(d)]) out.push_back(x.dim(d));
  ctx.set_output(0, x.Reshaped(out));
}

void SqueezeAttrKernel(KernelContext& ctx) {  // opset 1-12
  SqueezeImpl(ctx, ctx.attr_ints("axes"), ctx.has_attr("axes"));
}

void SqueezeKernel(KernelContext& ctx) {  // opset 13+: axes input (empty = all, like ORT)
  const Tensor* axes = ctx.input(1);
  const bool have = axes != nullptr && axes->numel() > 0;
  SqueezeImpl(ctx, have ? ReadInts(ctx, *axes) : std::vector<int64_t>{}, have);
}

void UnsqueezeImpl(KernelContext& ctx, const std::vector<int64_t>& axes) {
  const Tensor& x = ctx.in(0);
  const int64_t out_rank = x.rank() + static_cast<int64_t>(axes.size());
  std::vector<bool> is_new(static_cast<size_t>(out_rank), false);
  for (int64_t a : axes) {
    const int64_t d = NormalizeAxis(ctx, a, out_rank);
    if (is_new[static_cast<size_t>(d)]) ctx.Fail("duplicate axis " + std::to_string(a));
    is_new[static_cast<size_t>(d)] = true;
  }
  Shape out;
  int src = 0;
  for (int64_t d = 0; d < out_rank; ++d)
    out.push_back(is_new[static_cast<size_t>(d)] ? 1 : x.dim(src++));
  ctx.set_output(0, x.Reshaped(out));
}

void UnsqueezeAttrKernel(KernelContext& ctx) {  // opset 1-12
  if (!ctx.has_attr("axes")) ctx.Fail("missing required attribute 'axes'");
  UnsqueezeImpl(ctx, ctx.attr_ints("axes"));
}

void UnsqueezeKernel(KernelContext& ctx) {  // opset 13+
  UnsqueezeImpl(ctx, ReadInts(ctx, ctx.in(1)));
}

// ---- Shape / Size ----

void ShapeKernel(KernelContext& ctx) {
  const Shape& s = ctx.in(0).shape();
  const int64_t r = static_cast<int64_t>(s.size());
  int64_t start = 0, end = r;
  if (ctx.opset() >= 15) {
    start = ctx.attr_int("start", 0);
    end = ctx.attr_int("end", r);
    if (start < 0) start += r;
    if (end < 0) end += r;
    start = std::clamp<int64_t>(start, 0, r);
    end = std::clamp<int64_t>(end, 0, r);
  }
  std::vector<int64_t> dims;
  for (int64_t i = start; i < end; ++i) dims.push_back(s[static_cast<size_t>(i)]);
  const int64_t n = static_cast<int64_t>(dims.size());
  ctx.set_output(0, Tensor::FromVector<int64_t>({n}, dims));
}

void SizeKernel(KernelContext& ctx) {
  ctx.set_output(0, Tensor::Scalar<int64_t>(ctx.in(0).numel()));
}

// ---- Identity / Dropout ----

void IdentityKernel(KernelContext& ctx) { ctx.set_output(0, ctx.in(0)); }

Tensor AllTrueMask(const Shape& shape) {
  Tensor mask(DataType::kBool, shape);
  std::fill_n(mask.data<bool>(), mask.numel(), true);
  return mask;
}

// opset 1-9: the mask has the input dtype (ones). Before opset 7 an `is_test` attribute selected
// training mode; an inference executor runs every version as identity.
void DropoutOldKernel(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  ctx.set_output(0, x);
  if (ctx.output_wanted(1)) {
    Tensor ones(x.dtype(), x.shape());
    for (int64_t i = 0; i < ones.numel(); ++i) ones.SetFromDouble(i, 1.0);
    ctx.set_output(1, ones);
  }
}

// opset 10+: bool mask; opset 12+: ratio and training_mode inputs.
void DropoutKernel(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  if (ctx.opset() >= 12) {
    const Tensor* training = ctx.input(2);
    if (training != nullptr && training->numel() == 1 && training->GetAsDouble(0) != 0.0) {
      const Tensor* ratio = ctx.input(1);
      const double r = ratio ? ratio->GetAsDouble(0) : 0.5;
      if (r != 0.0) ctx.Unsupported("training-mode Dropout with ratio > 0 (random)");
    }
  }
  ctx.set_output(0, x);
  if (ctx.output_wanted(1)) ctx.set_output(1, AllTrueMask(x.shape()));
}

}  // namespace

SHRINK_REF_KERNEL("", "Reshape", 1, 4, ReshapeAttrKernel);
SHRINK_REF_KERNEL("", "Reshape", 5, kLatestOpset, ReshapeKernel);
SHRINK_REF_KERNEL("", "Flatten", 1, kLatestOpset, FlattenKernel);
SHRINK_REF_KERNEL("", "Squeeze", 1, 12, SqueezeAttrKernel);
SHRINK_REF_KERNEL("", "Squeeze", 13, kLatestOpset, SqueezeKernel);
SHRINK_REF_KERNEL("", "Unsqueeze", 1, 12, UnsqueezeAttrKernel);
SHRINK_REF_KERNEL("", "Unsqueeze", 13, kLatestOpset, UnsqueezeKernel);
SHRINK_REF_KERNEL("", "Shape", 1, kLatestOpset, ShapeKernel);
SHRINK_REF_KERNEL("", "Size", 1, kLatestOpset, SizeKernel);
SHRINK_REF_KERNEL("", "Identity", 1, kLatestOpset, IdentityKernel);
SHRINK_REF_KERNEL("", "Dropout", 1, 9, DropoutOldKernel);
SHRINK_REF_KERNEL("", "Dropout", 10, kLatestOpset, DropoutKernel);

}  // namespace shrink::runtime
