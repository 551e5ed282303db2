#include "runtime/kernels/conv_util.h"

#include <algorithm>
#include <string>

#include "runtime/kernels/gemm_ref.h"

namespace shrink::runtime {

bool ConvGeometry::is_pointwise() const {
  for (int d = 0; d < rank(); ++d)
    if (kernel[d] != 1 || strides[d] != 1 || pads_begin[d] != 0 || pads_end[d] != 0) return false;
  return true;
}

namespace {

Shape AttrPerDim(const KernelContext& ctx, const char* name, int rank, int64_t dflt) {
  Shape v = ctx.attr_ints(name, Shape(static_cast<size_t>(rank), dflt));
  if (static_cast<int>(v.size()) != rank)
    ctx.Fail(std::string(name) + " has " + std::to_string(v.size()) + " values, expected " +
             std::to_string(rank));
  for (int64_t x : v)
    if (x < 1) ctx.Fail(std::string(name) + " must be positive");
  return v;
}

int64_t CeilDiv(int64_t a, int64_t b) { return a >= 0 ? (a + b - 1) / b : -((-a) / b); }
int64_t FloorDiv(int64_t a, int64_t b) { return a >= 0 ? a / b : -CeilDiv(-a, b); }

}  // namespace

ConvGeometry MakeConvGeometry(const KernelContext& ctx, const Shape& x_shape, const Shape& kernel,
                              bool ceil_mode) {
  if (x_shape.size() < 3)
    ctx.Fail("input must have rank >= 3 ([N, C, D1, ...]), got " + ShapeToString(x_shape));
  const int rank = static_cast<int>(x_shape.size()) - 2;
  if (static_cast<int>(kernel.size()) != rank)
    ctx.Fail("kernel has " + std::to_string(kernel.size()) + " spatial dims, input has " +
             std::to_string(rank));
  ConvGeometry g;
  g.batch = x_shape[0];
  g.channels = x_shape[1];
  g.in.assign(x_shape.begin() + 2, x_shape.end());
  g.kernel = kernel;
  for (int64_t k : kernel)
    if (k < 1) ctx.Fail("kernel dims must be positive, got " + ShapeToString(kernel));
  g.strides = AttrPerDim(ctx, "strides", rank, 1);
  g.dilations = AttrPerDim(ctx, "dilations", rank, 1);
  const std::string auto_pad = ctx.attr_string("auto_pad", "NOTSET");
  g.pads_begin.assign(static_cast<size_t>(rank), 0);
  g.pads_end.assign(static_cast<size_t>(rank), 0);
  g.out.assign(static_cast<size_t>(rank), 0);
  for (int d = 0; d < rank; ++d) {
    const int64_t ext = (kernel[d] - 1) * g.dilations[d] + 1;  // dilated kernel extent
    const int64_t in = g.in[d];
    const int64_t s = g.strides[d];
    if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
      g.out[d] = CeilDiv(in, s);
      const int64_t total = std::max<int64_t>(0, (g.out[d] - 1) * s + ext - in);
      const int64_t small = total / 2;
      g.pads_begin[d] = auto_pad == "SAME_UPPER" ? small : total - small;
      g.pads_end[d] = total - g.pads_begin[d];
    } else if (auto_pad == "VALID") {
      if (in < ext) ctx.Fail("kernel larger than input for auto_pad VALID");
      g.out[d] = (in - ext) / s + 1;
    } else if (auto_pad == "NOTSET") {
      const Shape pads = ctx.attr_ints("pads", Shape(static_cast<size_t>(2 * rank), 0));
      if (static_cast<int>(pads.size()) != 2 * rank)
        ctx.Fail("pads has " + std::to_string(pads.size()) + " values, expected " +
                 std::to_string(2 * rank));
      for (int64_t p : pads)
        if (p < 0) ctx.Fail("negative pads are not allowed");
      g.pads_begin[d] = pads[static_cast<size_t>(d)];
      g.pads_end[d] = pads[static_cast<size_t>(d + rank)];
      const int64_t span = in + g.pads_begin[d] + g.pads_end[d] - ext;
      if (span < 0) ctx.Fail("kernel larger than padded input " + ShapeToString(x_shape));
      g.out[d] = (ceil_mode ? CeilDiv(span, s) : FloorDiv(span, s)) + 1;
      // A ceil-mode window must start inside the input or the begin padding.
      if (ceil_mode && (g.out[d] - 1) * s >= in + g.pads_begin[d]) --g.out[d];
    } else {
      ctx.Fail("unknown auto_pad '" + auto_pad + "'");
    }
  }
  return g;
}

void CheckConvShapes(const KernelContext& ctx, const Shape& x_shape, const Shape& w_shape,
                     int64_t group) {
  if (group < 1) ctx.Fail("group must be >= 1");
  if (x_shape.size() < 3 || w_shape.size() != x_shape.size())
    ctx.Fail("input " + ShapeToString(x_shape) + " and weight " + ShapeToString(w_shape) +
             " must have the same rank >= 3");
  if (x_shape[1] != w_shape[1] * group)
    ctx.Fail("input channels " + std::to_string(x_shape[1]) + " != weight channels " +
             std::to_string(w_shape[1]) + " * group " + std::to_string(group));
  if (w_shape[0] % group != 0)
    ctx.Fail("output channels " + std::to_string(w_shape[0]) + " not divisible by group " +
             std::to_string(group));
}

Shape ConvKernelShape(const KernelContext& ctx, const Shape& w_shape) {
  Shape k(w_shape.begin() + 2, w_shape.end());
  if (ctx.has_attr("kernel_shape") && ctx.attr_ints("kernel_shape") != k)
    ctx.Fail("kernel_shape " + ShapeToString(ctx.attr_ints("kernel_shape")) +
             " disagrees with weight shape " + ShapeToString(w_shape));
  return k;
}

template <typename T>
void Im2Col(const T* x, int64_t channels, const ConvGeometry& g, T* col) {
  const int nd = g.rank();
  const int64_t kprod = g.kernel_size();
  const int64_t in_size = g.in_size();
  const int64_t out_size = g.out_size();
  const int64_t out_inner = g.out[nd - 1];
  const int64_t in_inner = g.in[nd - 1];
  const int64_t s_in = g.strides[nd - 1], d_in = g.dilations[nd - 1], p_in = g.pads_begin[nd - 1];
  std::vector<int64_t> kidx(static_cast<size_t>(nd)), oidx(static_cast<size_t>(nd), 0);
  for (int64_t row = 0; row < channels * kprod; ++row) {
    const T* xc = x + (row / kprod) * in_size;
    for (int64_t r = row % kprod, d = nd - 1; d >= 0; --d) {
      kidx[d] = r % g.kernel[d];
      r /= g.kernel[d];
    }
    T* dst = col + row * out_size;
    std::fill(oidx.begin(), oidx.end(), 0);
    for (int64_t done = 0; done < out_size; done += out_inner, dst += out_inner) {
      bool valid = true;
      int64_t off = 0;
      for (int d = 0; d < nd - 1; ++d) {
        const int64_t ix = oidx[d] * g.strides[d] - g.pads_begin[d] + kidx[d] * g.dilations[d];
        if (ix < 0 || ix >= g.in[d]) valid = false;
        off = off * g.in[d] + ix;
      }
      if (!valid) {
        std::fill(dst, dst + out_inner, T(0));
      } else {
        const T* xrow = xc + off * in_inner;
        const int64_t base = kidx[nd - 1] * d_in - p_in;
        for (int64_t o = 0; o < out_inner; ++o) {
          const int64_t ix = o * s_in + base;
          dst[o] = (ix >= 0 && ix < in_inner) ? xrow[ix] : T(0);
        }
      }
      for (int d = nd - 2; d >= 0; --d) {  // odometer over the outer output dims
        if (++oidx[d] < g.out[d]) break;
        oidx[d] = 0;
      }
    }
  }
}

template <typename T>
void ConvForward(const T* x, const T* w, int64_t out_channels, int64_t group, const ConvGeometry& g,
                 T* y) {
  const int64_t cg = g.channels / group;
  const int64_t mg = out_channels / group;
  const int64_t kdim = cg * g.kernel_size();
  const int64_t out_size = g.out_size();
  const bool pointwise = g.is_pointwise();
  // A Tensor (not a vector) so that the process-wide allocation limit applies to the scratch.
  Tensor col_t(DataTypeOf<T>::value, pointwise ? Shape{0} : Shape{kdim, out_size});
  T* col = col_t.data<T>();
  for (int64_t n = 0; n < g.batch; ++n) {
    for (int64_t gi = 0; gi < group; ++gi) {
      const T* xg = x + (n * g.channels + gi * cg) * g.in_size();
      const T* b = xg;
      if (!pointwise) {
        Im2Col(xg, cg, g, col);
        b = col;
      }
      MatMulRef<T>(mg, out_size, kdim, w + gi * mg * kdim, b,
                   y + (n * out_channels + gi * mg) * out_size);
    }
  }
}

Shape ConvOutputShape(const ConvGeometry& g, int64_t out_channels) {
  Shape y_shape = {g.batch, out_channels};
  y_shape.insert(y_shape.end(), g.out.begin(), g.out.end());
  return y_shape;
}

template void Im2Col<float>(const float*, int64_t, const ConvGeometry&, float*);
template void Im2Col<double>(const double*, int64_t, const ConvGeometry&, double*);
template void Im2Col<int32_t>(const int32_t*, int64_t, const ConvGeometry&, int32_t*);
template void ConvForward<float>(const float*, const float*, int64_t, int64_t, const ConvGeometry&,
                                 float*);
template void ConvForward<double>(const double*, const double*, int64_t, int64_t,
                                  const ConvGeometry&, double*);
template void ConvForward<int32_t>(const int32_t*, const int32_t*, int64_t, int64_t,
                                   const ConvGeometry&, int32_t*);

}  // namespace shrink::runtime
