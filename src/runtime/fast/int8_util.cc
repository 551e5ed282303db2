#include "runtime/fast/int8_util.h"

namespace shrink::runtime::fast {

std::optional<int32_t> ScalarInt(const Tensor* t, bool omitted) {
  if (omitted) return 0;
  if (!t || t->numel() != 1 || !IsInteger(t->dtype())) return std::nullopt;
  return static_cast<int32_t>(t->GetAsDouble(0));
}

std::optional<std::vector<float>> FloatsOf(const Tensor* t) {
  if (!t || t->dtype() != DataType::kFloat32 || t->numel() < 1) return std::nullopt;
  return std::vector<float>(t->data<float>(), t->data<float>() + t->numel());
}

std::optional<Tensor> ToS8Weights(const Tensor& w, const Tensor* zp, int axis) {
  if (w.dtype() != DataType::kInt8 && w.dtype() != DataType::kUInt8) return std::nullopt;
  if (zp && zp->dtype() != w.dtype()) return std::nullopt;
  int64_t channels = 1, inner = 1;
  if (zp && zp->numel() != 1) {
    if (zp->rank() != 1 || axis < 0 || axis >= w.rank() || zp->numel() != w.dim(axis))
      return std::nullopt;
    channels = w.dim(axis);
    for (int d = axis + 1; d < w.rank(); ++d) inner *= w.dim(d);
  }
  Tensor out(DataType::kInt8, w.shape());
  int8_t* o = out.data<int8_t>();
  const bool u8 = w.dtype() == DataType::kUInt8;
  for (int64_t i = 0; i < w.numel(); ++i) {
    const int32_t v =
        u8 ? static_cast<const uint8_t*>(w.raw())[i] : static_cast<const int8_t*>(w.raw())[i];
    const int32_t z = zp ? static_cast<int32_t>(zp->GetAsDouble((i / inner) % channels)) : 0;
    const int32_t d = v - z;
    if (d < -128 || d > 127) return std::nullopt;
    o[i] = static_cast<int8_t>(d);
  }
  return out;
}

std::vector<float> OutputScales(float x_scale, const std::vector<float>& w_scale, float y_scale) {
  std::vector<float> s(w_scale.size());
  for (size_t c = 0; c < s.size(); ++c) s[c] = x_scale * w_scale[c] / y_scale;
  return s;
}

std::optional<Int8ConvParams> QLinearConvParams(const CreateInfo& info,
                                                std::vector<FusedActivation> acts) {
  const Tensor* w = ConstInput(info, 3);
  auto xs = FloatsOf(ConstInput(info, 1)), ws = FloatsOf(ConstInput(info, 4)),
       ys = FloatsOf(ConstInput(info, 6));
  auto xzp = ScalarInt(ConstInput(info, 2), OmittedInput(info, 2));
  auto yzp = ScalarInt(ConstInput(info, 7), OmittedInput(info, 7));
  if (!w || !xs || !ws || !ys || !xzp || !yzp || xs->size() != 1 || ys->size() != 1)
    return std::nullopt;
  if (!OmittedInput(info, 5) && !ConstInput(info, 5)) return std::nullopt;
  if (ws->size() != 1 && static_cast<int64_t>(ws->size()) != w->dim(0)) return std::nullopt;
  Int8ConvParams p;
  p.x_dtype = info.input_dtypes[0];
  p.y_dtype = OmittedInput(info, 7) ? p.x_dtype : info.input_dtypes[7];
  if (p.y_dtype != DataType::kUInt8 && p.y_dtype != DataType::kInt8) return std::nullopt;
  auto s8 = ToS8Weights(*w, ConstInput(info, 5), 0);
  if (!s8) return std::nullopt;
  p.w = std::move(*s8);
  if (!OmittedInput(info, 8)) {
    const Tensor* b = ConstInput(info, 8);
    if (!b || b->dtype() != DataType::kInt32 || b->numel() != w->dim(0)) return std::nullopt;
    p.bias = b->Clone();
  }
  p.scales = OutputScales((*xs)[0], *ws, acts.empty() ? (*ys)[0] : 1.0f);
  p.x_zp = *xzp;
  p.y_zp = *yzp;
  if (!acts.empty() && (*ys)[0] == 0.0f) return std::nullopt;
  p.acts = std::move(acts);
  p.y_scale = (*ys)[0];
  return p;
}

dnnl::memory::data_type DnnlType(DataType t) {
  using dt = dnnl::memory::data_type;
  switch (t) {
    case DataType::kUInt8:
      return dt::u8;
    case DataType::kInt8:
      return dt::s8;
    case DataType::kInt32:
      return dt::s32;
    case DataType::kFloat32:
      return dt::f32;
    default:
      Throw(StatusCode::kUnimplemented, std::string("oneDNN dtype ") + DataTypeName(t));
  }
}

dnnl::memory ZeroPointMemory(int32_t v) {
  dnnl::memory m({{1}, dnnl::memory::data_type::s32, dnnl::memory::format_tag::a}, CpuEngine());
  *static_cast<int32_t*>(m.get_data_handle()) = v;
  return m;
}

dnnl::post_ops ZeroPointPostOp(int32_t zp) {
  dnnl::post_ops po;
  po.append_eltwise(1.0f, dnnl::algorithm::eltwise_linear, 1.0f, static_cast<float>(zp));
  return po;
}

}  // namespace shrink::runtime::fast
