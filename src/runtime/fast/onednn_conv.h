// The oneDNN convolution plumbing shared by the fp32 (conv_onednn.cc) and int8
// (qlinear_conv_onednn.cc) Conv kernels. Internal to the fast runtime.
//
// ConvShapes: the geometry of Conv(x [N, C, spatial...], w [M, C / group, kernel...]) for oneDNN —
//   output shape, weight dims (grouped: [group, M / group, C / group, kernel...]), strides, pads
//   and dilations in oneDNN's convention (0 = dense). Throws kUnimplemented outside 1-3 spatial
//   dims, kInvalidArgument on a channel mismatch or an impossible window.
// ConvDesc: a forward-inference direct convolution descriptor, with a bias when `bias` is non-null.
// BuiltConv: one primitive for one input shape. Activations outside are plain NC... or
//   channels-last (layout.h), as the caller says: Init() adds reorders into / out of the
//   primitive's layouts when it prefers others (their buffers count as workspace) and reorders the
//   plain weights once; Execute() runs it on the caller's buffers, with the caller's extra
//   arguments (bias, zero points). With a sum post-op (`sum`), what y holds on entry is first
//   reordered into the primitive's destination when that is another buffer.
// ActivationDesc: the descriptor of an activation of logical shape `s` in `layout`.
#pragma once

#include <unordered_map>

#include "runtime/fast/onednn_util.h"

namespace shrink::runtime::fast {

struct ConvShapes {
  Shape y;
  dnnl::memory::dims w, strides, dilations, pads_begin, pads_end;
};
ConvShapes MakeConvShapes(const ir::Node& node, const Shape& x, const Shape& w, int64_t group);

dnnl::convolution_forward::desc ConvDesc(const ConvShapes& s, const dnnl::memory::desc& x,
                                         const dnnl::memory::desc& w,
                                         const dnnl::memory::desc* bias,
                                         const dnnl::memory::desc& y);

dnnl::memory::desc ActivationDesc(const Shape& s, dnnl::memory::data_type dt, Layout layout);

struct BuiltConv {
  Shape y_shape;
  dnnl::convolution_forward conv;
  dnnl::memory x_user, x_conv, y_user, y_conv, w;
  dnnl::reorder x_reorder, y_reorder, y_prefill;
  size_t workspace = 0;

  // `w_data` holds the weights as `s.w` dims in plain layout of `w_dtype`; x / y of their dtypes
  // in their layouts.
  void Init(const dnnl::convolution_forward::primitive_desc& pd, const ConvShapes& s,
            const void* w_data, dnnl::memory::data_type w_dtype, const Shape& x,
            dnnl::memory::data_type x_dtype, dnnl::memory::data_type y_dtype,
            Layout x_layout = Layout::kPlain, Layout y_layout = Layout::kPlain, bool sum = false);
  void Execute(const void* x, void* y, std::unordered_map<int, dnnl::memory> args);
};

}  // namespace shrink::runtime::fast
