#include "runtime/fast/onednn_conv.h"

#include <algorithm>

namespace shrink::runtime::fast {

using dnnl::memory;

ConvShapes MakeConvShapes(const ir::Node& node, const Shape& x, const Shape& w, int64_t group) {
  if (x.size() != w.size() || x.size() < 3 || x.size() > 5)
    Throw(StatusCode::kUnimplemented, "Conv rank");
  if (x[1] != w[1] * group) Throw(StatusCode::kInvalidArgument, "Conv channel mismatch");
  const Shape in(x.begin() + 2, x.end()), k(w.begin() + 2, w.end());
  const WindowGeometry g = MakeWindow(node, in, k, false);
  ConvShapes s;
  s.y = {x[0], w[0]};
  s.y.insert(s.y.end(), g.out.begin(), g.out.end());
  if (group > 1) {
    s.w = {group, w[0] / group};
    s.w.insert(s.w.end(), w.begin() + 1, w.end());
  } else {
    s.w = ToDims(w);
  }
  for (int64_t d : g.dilations) s.dilations.push_back(d - 1);
  s.strides = ToDims(g.strides);
  s.pads_begin = ToDims(g.pads_begin);
  s.pads_end = ToDims(g.pads_end);
  return s;
}

dnnl::convolution_forward::desc ConvDesc(const ConvShapes& s, const memory::desc& x,
                                         const memory::desc& w, const memory::desc* bias,
                                         const memory::desc& y) {
  const auto prop = dnnl::prop_kind::forward_inference;
  const auto alg = dnnl::algorithm::convolution_direct;
  return bias ? dnnl::convolution_forward::desc(prop, alg, x, w, *bias, y, s.strides, s.dilations,
                                                s.pads_begin, s.pads_end)
              : dnnl::convolution_forward::desc(prop, alg, x, w, y, s.strides, s.dilations,
                                                s.pads_begin, s.pads_end);
}

memory::desc ActivationDesc(const Shape& s, memory::data_type dt, Layout layout) {
  if (layout == Layout::kPlain || s.size() < 3) return PlainDesc(s, dt);
  // Strides of [N, spatial..., C] expressed on the logical dims [N, C, spatial...].
  const auto dims = ToDims(s);
  memory::dims strides(dims.size(), 1);
  int64_t inner = std::max<int64_t>(dims[1], 1);  // C is innermost
  for (size_t d = dims.size() - 1; d >= 2; --d) {
    strides[d] = inner;
    inner *= std::max<int64_t>(dims[d], 1);
  }
  strides[0] = inner;
  return memory::desc(dims, dt, strides);
}

void BuiltConv::Init(const dnnl::convolution_forward::primitive_desc& pd, const ConvShapes& s,
                     const void* w_data, memory::data_type w_dtype, const Shape& x,
                     memory::data_type x_dtype, memory::data_type y_dtype, Layout x_layout,
                     Layout y_layout, bool sum) {
  auto& eng = CpuEngine();
  y_shape = s.y;
  memory w_user(PlainDesc(Shape(s.w.begin(), s.w.end()), w_dtype), eng, const_cast<void*>(w_data));
  w = memory(pd.weights_desc(), eng);
  Reorder(w_user, w);
  x_user = memory(ActivationDesc(x, x_dtype, x_layout), eng, DNNL_MEMORY_NONE);
  y_user = memory(ActivationDesc(s.y, y_dtype, y_layout), eng, DNNL_MEMORY_NONE);
  if (pd.src_desc() != x_user.get_desc()) {
    x_conv = memory(pd.src_desc(), eng);
    x_reorder = dnnl::reorder(x_user, x_conv);
    workspace += pd.src_desc().get_size();
  }
  if (pd.dst_desc() != y_user.get_desc()) {
    y_conv = memory(pd.dst_desc(), eng);
    y_reorder = dnnl::reorder(y_conv, y_user);
    if (sum) y_prefill = dnnl::reorder(y_user, y_conv);
    workspace += pd.dst_desc().get_size();
  }
  conv = dnnl::convolution_forward(pd);
}

void BuiltConv::Execute(const void* x, void* y, std::unordered_map<int, memory> args) {
  auto& s = CpuStream();
  x_user.set_data_handle(const_cast<void*>(x));
  y_user.set_data_handle(y);
  if (x_reorder) x_reorder.execute(s, x_user, x_conv);
  if (y_prefill) y_prefill.execute(s, y_user, y_conv);
  args[DNNL_ARG_SRC] = x_reorder ? x_conv : x_user;
  args[DNNL_ARG_WEIGHTS] = w;
  args[DNNL_ARG_DST] = y_reorder ? y_conv : y_user;
  conv.execute(s, args);
  if (y_reorder) y_reorder.execute(s, y_conv, y_user);
  s.wait();
}

}  // namespace shrink::runtime::fast
