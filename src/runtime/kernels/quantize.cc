// QuantizeLinear / DequantizeLinear (opset 10, 13, 19, 21, 23) and DynamicQuantizeLinear (11).
//
// Quantization parameters are per-tensor (scale has one element), per-axis (opset >= 13: 1-D
// scale of length x.shape[axis]) or block-wise (opset >= 21, block_size > 0: scale has x's rank
// with dim `axis` = ceil(x.shape[axis] / block_size)); the zero point has the scale's shape.
//   Quantize:   y = saturate(round_half_even(x / scale) + zero_point), computed in float32
//               (float64 for int32/float64 x); output dtype = zero point's, else output_dtype
//               (opset 21), else uint8. int4/uint4 outputs are packed.
//   Dequantize: y = (x - zero_point) * scale in float32, output dtype = scale's (or output_dtype).
// float8 types are not representable in Tensor and so unsupported.
#include <algorithm>
#include <string>
#include <vector>

#include "runtime/kernel.h"
#include "runtime/kernels/kernel_util.h"
#include "runtime/kernels/quant_util.h"

namespace shrink::runtime {
namespace {

// Maps an element index of x to the index of its scale / zero point.
struct QParamMap {
  bool per_tensor = true;
  int64_t inner = 1, axis_dim = 1, blocks = 1, block = 0;
  int64_t Index(int64_t i) const {
    if (per_tensor) return 0;
    const int64_t a = (i / inner) % axis_dim;
    if (block == 0) return a;
    const int64_t outer = i / (inner * axis_dim);
    return (outer * blocks + a / block) * inner + i % inner;
  }
};

QParamMap MakeParamMap(const KernelContext& ctx, const Tensor& x, const Tensor& scale,
                       const Tensor* zp) {
  if (zp && zp->shape() != scale.shape())
    ctx.Fail("zero point shape " + ShapeToString(zp->shape()) + " differs from scale shape " +
             ShapeToString(scale.shape()));
  QParamMap m;
  const int64_t block = ctx.opset() >= 21 ? ctx.attr_int("block_size", 0) : 0;
  if (block < 0) ctx.Fail("block_size must be >= 0");
  if (block == 0 && scale.numel() == 1 && scale.rank() <= 1) return m;
  if (ctx.opset() < 13) ctx.Fail("scale must be a scalar before opset 13");
  const int64_t axis = NormalizeAxis(ctx, ctx.attr_int("axis", 1), x.rank());
  m.per_tensor = false;
  m.axis_dim = x.dim(static_cast<int>(axis));
  for (int d = static_cast<int>(axis) + 1; d < x.rank(); ++d) m.inner *= x.dim(d);
  if (block == 0) {
    if (scale.rank() != 1 || scale.numel() != m.axis_dim)
      ctx.Fail("per-axis scale must be 1-D of length " + std::to_string(m.axis_dim) + ", got " +
               ShapeToString(scale.shape()));
    return m;
  }
  m.block = block;
  m.blocks = (m.axis_dim + block - 1) / block;
  Shape want = x.shape();
  want[static_cast<size_t>(axis)] = m.blocks;
  if (scale.shape() != want)
    ctx.Fail("block-wise scale must have shape " + ShapeToString(want) + ", got " +
             ShapeToString(scale.shape()));
  return m;
}

void CheckScale(const KernelContext& ctx, const Tensor& scale) {
  if (!IsFloat(scale.dtype()))
    ctx.Fail(std::string("scale must be floating point, got ") + DataTypeName(scale.dtype()));
}

template <typename F>
void QuantizeWith(KernelContext& ctx, const Tensor& x, const Tensor& scale, const Tensor* zp,
                  Tensor& y) {
  const QParamMap m = MakeParamMap(ctx, x, scale, zp);
  const QRange r = QuantRange(ctx, y.dtype());
  std::vector<F> sc(static_cast<size_t>(scale.numel()));
  std::vector<double> zpv(sc.size(), 0.0);
  for (size_t i = 0; i < sc.size(); ++i) {
    sc[i] = static_cast<F>(scale.GetAsDouble(static_cast<int64_t>(i)));
    if (zp) zpv[i] = zp->GetAsDouble(static_cast<int64_t>(i));
  }
  const float* xf = x.dtype() == DataType::kFloat32 ? x.data<float>() : nullptr;
  for (int64_t i = 0; i < x.numel(); ++i) {
    const int64_t p = m.Index(i);
    const F xv = xf ? static_cast<F>(xf[i]) : static_cast<F>(x.GetAsDouble(i));
    const double q = static_cast<double>(RoundHalfEven(xv / sc[p])) + zpv[p];
    StoreQuantized(y, i, q, r);
  }
}

void QuantizeLinearKernel(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  const Tensor& scale = ctx.in(1);
  const Tensor* zp = ctx.input(2);
  CheckScale(ctx, scale);
  if (!IsFloat(x.dtype()) && x.dtype() != DataType::kInt32)
    ctx.Unsupported(std::string("input dtype ") + DataTypeName(x.dtype()));
  DataType out = DataType::kUInt8;
  const int64_t attr = ctx.opset() >= 21 ? ctx.attr_int("output_dtype", 0) : 0;
  if (attr != 0) {
    if (!IsKnownDataType(static_cast<int32_t>(attr)))
      ctx.Unsupported("output_dtype " + std::to_string(attr));
    out = static_cast<DataType>(attr);
    if (zp && zp->dtype() != out) ctx.Fail("output_dtype differs from the zero point's dtype");
  } else if (zp) {
    out = zp->dtype();
  }
  if (out == DataType::kInt32) ctx.Unsupported("quantized dtype int32");
  Tensor y(out, x.shape());
  if (x.dtype() == DataType::kInt32 || x.dtype() == DataType::kFloat64)
    QuantizeWith<double>(ctx, x, scale, zp, y);
  else
    QuantizeWith<float>(ctx, x, scale, zp, y);
  ctx.set_output(0, std::move(y));
}

void DequantizeLinearKernel(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  const Tensor& scale = ctx.in(1);
  const Tensor* zp = ctx.input(2);
  CheckScale(ctx, scale);
  QuantRange(ctx, x.dtype());  // Unsupported() for non-integer (e.g. float8) inputs
  if (zp && zp->dtype() != x.dtype()) ctx.Fail("zero point dtype differs from x");
  DataType out = ctx.opset() >= 19 ? scale.dtype() : DataType::kFloat32;
  if (ctx.opset() < 19 && scale.dtype() != DataType::kFloat32) ctx.Fail("scale must be float32");
  const int64_t attr = ctx.attr_int("output_dtype", 0);
  if (attr != 0) {
    if (!IsKnownDataType(static_cast<int32_t>(attr)) || !IsFloat(static_cast<DataType>(attr)))
      ctx.Unsupported("output_dtype " + std::to_string(attr));
    out = static_cast<DataType>(attr);
  }
  const QParamMap m = MakeParamMap(ctx, x, scale, zp);
  std::vector<float> sc(static_cast<size_t>(scale.numel())), zpv(sc.size(), 0.0f);
  for (size_t i = 0; i < sc.size(); ++i) {
    sc[i] = static_cast<float>(scale.GetAsDouble(static_cast<int64_t>(i)));
    if (zp) zpv[i] = static_cast<float>(zp->GetAsDouble(static_cast<int64_t>(i)));
  }
  Tensor y(out, x.shape());
  float* yf = out == DataType::kFloat32 ? y.data<float>() : nullptr;
  for (int64_t i = 0; i < x.numel(); ++i) {
    const int64_t p = m.Index(i);
    const float v = (static_cast<float>(x.GetAsDouble(i)) - zpv[p]) * sc[p];
    if (yf)
      yf[i] = v;
    else
      y.SetFromDouble(i, v);
  }
  ctx.set_output(0, std::move(y));
}

void DynamicQuantizeLinearKernel(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  if (x.dtype() != DataType::kFloat32)
    ctx.Unsupported(std::string("dtype ") + DataTypeName(x.dtype()));
  const float* xp = x.data<float>();
  float lo = 0.0f, hi = 0.0f;  // the range always includes 0
  for (int64_t i = 0; i < x.numel(); ++i) {
    lo = std::min(lo, xp[i]);
    hi = std::max(hi, xp[i]);
  }
  const float scale = (hi - lo) / 255.0f;
  float zp = 0.0f;
  Tensor y(DataType::kUInt8, x.shape());
  if (scale > 0.0f) {
    zp = std::clamp(RoundHalfEven(0.0f - lo / scale), 0.0f, 255.0f);
    uint8_t* yp = y.data<uint8_t>();
    for (int64_t i = 0; i < x.numel(); ++i)
      yp[i] = static_cast<uint8_t>(std::clamp(RoundHalfEven(xp[i] / scale) + zp, 0.0f, 255.0f));
  }
  ctx.set_output(0, std::move(y));
  ctx.set_output(1, Tensor::Scalar<float>(scale));
  ctx.set_output(2, Tensor::Scalar<uint8_t>(static_cast<uint8_t>(zp)));
}

}  // namespace

SHRINK_REF_KERNEL("", "QuantizeLinear", 10, kLatestOpset, QuantizeLinearKernel);
SHRINK_REF_KERNEL("", "DequantizeLinear", 10, kLatestOpset, DequantizeLinearKernel);
SHRINK_REF_KERNEL("", "DynamicQuantizeLinear", 11, kLatestOpset, DynamicQuantizeLinearKernel);

}  // namespace shrink::runtime
