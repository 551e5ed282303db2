#include "runtime/kernels/elementwise_util.h"

#include "core/half.h"

namespace shrink::runtime {

std::vector<Shape> BinaryShapes(const KernelContext& ctx, const Shape& a, const Shape& b,
                                bool legacy) {
  if (!legacy) return {a, b};
  if (ctx.attr_int("broadcast", 0) == 0) {
    if (a != b) {
      ctx.Fail("shapes " + ShapeToString(a) + " and " + ShapeToString(b) +
               " differ and attribute broadcast=0");
    }
    return {a, b};
  }
  const int64_t rank_a = static_cast<int64_t>(a.size());
  const int64_t rank_b = static_cast<int64_t>(b.size());
  if (rank_b > rank_a) {
    ctx.Fail("legacy broadcast: B " + ShapeToString(b) + " has a higher rank than A " +
             ShapeToString(a));
  }
  int64_t axis = ctx.has_attr("axis") ? ctx.attr_int("axis", 0) : rank_a - rank_b;
  if (axis < 0) axis += rank_a;
  if (axis < 0 || axis + rank_b > rank_a) {
    ctx.Fail("legacy broadcast: axis " + std::to_string(axis) + " does not fit B " +
             ShapeToString(b) + " into A " + ShapeToString(a));
  }
  Shape aligned(a.size(), 1);
  for (int64_t i = 0; i < rank_b; ++i) {
    const int64_t d = b[static_cast<size_t>(i)];
    if (d != 1 && d != a[static_cast<size_t>(axis + i)]) {
      ctx.Fail("legacy broadcast: B " + ShapeToString(b) + " does not match A " + ShapeToString(a) +
               " at axis " + std::to_string(axis));
    }
    aligned[static_cast<size_t>(axis + i)] = d;
  }
  return {a, aligned};
}

void RequireSameDtype(const KernelContext& ctx, const Tensor& a, const Tensor& b) {
  if (a.dtype() != b.dtype()) {
    ctx.Fail(std::string("inputs have different dtypes ") + DataTypeName(a.dtype()) + " and " +
             DataTypeName(b.dtype()));
  }
}

bool IsHalfType(DataType t) { return t == DataType::kFloat16 || t == DataType::kBFloat16; }

Tensor HalfToFloat32(const Tensor& t) {
  Tensor out(DataType::kFloat32, t.shape());
  const uint16_t* in = RawAs<uint16_t>(t);
  float* po = out.data<float>();
  const bool is_f16 = t.dtype() == DataType::kFloat16;
  for (int64_t i = 0; i < t.numel(); ++i)
    po[i] = is_f16 ? HalfToFloat(in[i]) : BFloat16ToFloat(in[i]);
  return out;
}

Tensor Float32ToHalf(const Tensor& t, DataType half_type) {
  Tensor out(half_type, t.shape());
  const float* in = t.data<float>();
  uint16_t* po = RawAs<uint16_t>(out);
  const bool is_f16 = half_type == DataType::kFloat16;
  for (int64_t i = 0; i < t.numel(); ++i)
    po[i] = is_f16 ? FloatToHalf(in[i]) : FloatToBFloat16(in[i]);
  return out;
}

void RunHalfAsFloat(KernelContext& ctx, KernelFn fn, int type_input, uint32_t output_mask) {
  const int n = ctx.num_inputs();
  std::vector<Tensor> widened(static_cast<size_t>(n));
  std::vector<const Tensor*> inputs(static_cast<size_t>(n), nullptr);
  bool any_half = false;
  for (int i = 0; i < n; ++i) {
    const Tensor* t = ctx.input(i);
    if (t != nullptr && IsHalfType(t->dtype())) {
      widened[static_cast<size_t>(i)] = HalfToFloat32(*t);
      t = &widened[static_cast<size_t>(i)];
      any_half = true;
    }
    inputs[static_cast<size_t>(i)] = t;
  }
  if (!any_half) {
    fn(ctx);
    return;
  }
  const Tensor* typed = ctx.input(type_input);
  const DataType half_type =
      typed != nullptr && IsHalfType(typed->dtype()) ? typed->dtype() : DataType::kUndefined;
  KernelContext inner(ctx.node(), ctx.opset(), std::move(inputs), nullptr);
  fn(inner);
  for (int i = 0; i < inner.num_outputs(); ++i) {
    Tensor& out = inner.outputs()[static_cast<size_t>(i)];
    const bool narrow = half_type != DataType::kUndefined && i < 32 &&
                        ((output_mask >> i) & 1u) != 0 && out.defined() &&
                        out.dtype() == DataType::kFloat32;
    ctx.set_output(i, narrow ? Float32ToHalf(out, half_type) : std::move(out));
  }
}

}  // namespace shrink::runtime
