// Reference kernels for ops that create tensors: Constant (every value_* form), ConstantOfShape,
// EyeLike, Range.
#include <cmath>
#include <type_traits>

#include "runtime/kernels/kernel_util.h"
#include "runtime/kernels/movement_util.h"

namespace shrink::runtime {
namespace {

// ---- Constant ----

void ConstantKernel(KernelContext& ctx) {
  const ir::Node& node = ctx.node();
  const ir::Attribute* found = nullptr;
  for (const char* name : {"value", "sparse_value", "value_float", "value_floats", "value_int",
                           "value_ints", "value_string", "value_strings"}) {
    const ir::Attribute* a = node.FindAttr(name);
    if (a == nullptr) continue;
    if (found != nullptr) ctx.Fail("exactly one value attribute may be set");
    found = a;
  }
  if (found == nullptr) ctx.Fail("no value attribute");
  const ir::Attribute& a = *found;
  const std::string& n = a.name;
  if (n == "value") {
    if (a.kind != ir::AttrKind::kTensor || !a.t.defined()) ctx.Fail("'value' must be a tensor");
    ctx.set_output(0, a.t);
  } else if (n == "sparse_value") {
    ctx.Unsupported("sparse_value (sparse tensors)");
  } else if (n == "value_float") {
    ctx.set_output(0, Tensor::Scalar<float>(a.f));
  } else if (n == "value_floats") {
    ctx.set_output(0, Tensor::FromVector<float>({static_cast<int64_t>(a.floats.size())}, a.floats));
  } else if (n == "value_int") {
    ctx.set_output(0, Tensor::Scalar<int64_t>(a.i));
  } else if (n == "value_ints") {
    ctx.set_output(0, Tensor::FromVector<int64_t>({static_cast<int64_t>(a.ints.size())}, a.ints));
  } else if (n == "value_string") {
    Tensor t(DataType::kString, {});
    t.strings()[0] = a.s;
    ctx.set_output(0, t);
  } else {  // value_strings
    Tensor t(DataType::kString, {static_cast<int64_t>(a.strings.size())});
    t.strings() = a.strings;
    ctx.set_output(0, t);
  }
}

// ---- ConstantOfShape ----

void ConstantOfShapeKernel(KernelContext& ctx) {
  const Shape shape = ReadInts(ctx, ctx.in(0));
  for (int64_t d : shape)
    if (d < 0) ctx.Fail("negative dimension in shape " + ShapeToString(shape));
  const Tensor* value = ctx.node().GetTensor("value");
  if (value == nullptr) {
    ctx.set_output(0, Tensor(DataType::kFloat32, shape));
    return;
  }
  if (value->numel() != 1) ctx.Fail("'value' must hold exactly one element");
  Tensor out(value->dtype(), shape);
  DispatchMovable(ctx, value->dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T v = Elems<T>(*value)[0];
    T* o = Elems<T>(out);
    for (int64_t i = 0; i < out.numel(); ++i) o[i] = v;
  });
  ctx.set_output(0, out);
}

// ---- EyeLike ----

void EyeLikeKernel(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  if (x.rank() != 2) ctx.Fail("input must be 2-D, got " + ShapeToString(x.shape()));
  DataType dtype = x.dtype();
  if (ctx.has_attr("dtype")) {
    const int64_t raw = ctx.attr_int("dtype", 0);
    if (!IsKnownDataType(static_cast<int32_t>(raw)))
      ctx.Fail("unknown dtype " + std::to_string(raw));
    dtype = static_cast<DataType>(raw);
  }
  if (dtype == DataType::kString || IsPacked4(dtype))
    ctx.Unsupported(std::string("dtype ") + DataTypeName(dtype));
  const int64_t k = ctx.attr_int("k", 0);
  Tensor out(dtype, x.shape());
  const int64_t rows = x.dim(0), cols = x.dim(1);
  for (int64_t i = 0; i < rows; ++i) {
    const int64_t j = i + k;
    if (j >= 0 && j < cols) out.SetFromDouble(i * cols + j, 1.0);
  }
  ctx.set_output(0, out);
}

// ---- Range ----

template <typename T>
int64_t RangeLength(const KernelContext& ctx, T start, T limit, T delta) {
  if (delta == T(0)) ctx.Fail("delta must not be zero");
  if constexpr (std::is_integral_v<T>) {
    const int64_t diff = static_cast<int64_t>(limit) - static_cast<int64_t>(start);
    const int64_t d = static_cast<int64_t>(delta);
    int64_t q = diff / d;
    const int64_t r = diff % d;
    if (r != 0 && ((r > 0) == (d > 0))) ++q;
    return std::max<int64_t>(q, 0);
  } else {
    const double n = std::ceil((static_cast<double>(limit) - static_cast<double>(start)) /
                               static_cast<double>(delta));
    if (!(n < 9.0e18)) ctx.Fail("range length is not finite");
    return std::max<int64_t>(static_cast<int64_t>(n), 0);
  }
}

void RangeKernel(KernelContext& ctx) {
  const Tensor& s = ctx.in(0);
  const Tensor& l = ctx.in(1);
  const Tensor& d = ctx.in(2);
  if (s.dtype() != l.dtype() || s.dtype() != d.dtype()) ctx.Fail("inputs must share one dtype");
  if (s.numel() != 1 || l.numel() != 1 || d.numel() != 1) ctx.Fail("inputs must be scalars");
  DispatchNumeric(ctx, s.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T start = s.data<T>()[0], limit = l.data<T>()[0], delta = d.data<T>()[0];
    const int64_t n = RangeLength<T>(ctx, start, limit, delta);
    Tensor out(s.dtype(), {n});
    T* o = out.data<T>();
    for (int64_t i = 0; i < n; ++i) {
      if constexpr (std::is_integral_v<T>) {
        o[i] = static_cast<T>(start + static_cast<T>(i) * delta);
      } else {
        o[i] = static_cast<T>(static_cast<double>(start) +
                              static_cast<double>(i) * static_cast<double>(delta));
      }
    }
    ctx.set_output(0, out);
  });
}

}  // namespace

SHRINK_REF_KERNEL("", "Constant", 1, kLatestOpset, ConstantKernel);
SHRINK_REF_KERNEL("", "ConstantOfShape", 9, kLatestOpset, ConstantOfShapeKernel);
SHRINK_REF_KERNEL("", "EyeLike", 9, kLatestOpset, EyeLikeKernel);
SHRINK_REF_KERNEL("", "Range", 11, kLatestOpset, RangeKernel);

}  // namespace shrink::runtime
