// ConvTranspose (opset 1, 11, 22): grouped N-d transposed convolution for float32/float64 as
// GemmRef (W^T * X per group) followed by col2im scatter-add.
//
// Output size follows the ONNX spec: with output_shape, total_padding = stride * (in - 1) +
// output_padding + ((k - 1) * dilation + 1) - output_shape is split begin/end (SAME_UPPER puts the
// smaller half first, everything else the larger half first); auto_pad SAME_* without
// output_shape targets output_shape = in * stride; otherwise explicit pads (or none for VALID).
#include <algorithm>
#include <string>
#include <vector>

#include "runtime/kernel.h"
#include "runtime/kernels/conv_util.h"
#include "runtime/kernels/gemm_ref.h"
#include "runtime/kernels/kernel_util.h"

namespace shrink::runtime {
namespace {

Shape PerDim(const KernelContext& ctx, const char* name, int rank, int64_t dflt, int64_t min) {
  Shape v = ctx.attr_ints(name, Shape(static_cast<size_t>(rank), dflt));
  if (static_cast<int>(v.size()) != rank)
    ctx.Fail(std::string(name) + " has " + std::to_string(v.size()) + " values, expected " +
             std::to_string(rank));
  for (int64_t e : v)
    if (e < min) ctx.Fail(std::string(name) + " value " + std::to_string(e) + " out of range");
  return v;
}

// Geometry of the transposed conv seen from the output: `in` is X's spatial size, `out` Y's.
ConvGeometry TransposeGeometry(const KernelContext& ctx, const Shape& x_shape,
                               const Shape& kernel) {
  const int rank = static_cast<int>(x_shape.size()) - 2;
  ConvGeometry g;
  g.batch = x_shape[0];
  g.channels = x_shape[1];
  g.in.assign(x_shape.begin() + 2, x_shape.end());
  g.kernel = kernel;
  g.strides = PerDim(ctx, "strides", rank, 1, 1);
  g.dilations = PerDim(ctx, "dilations", rank, 1, 1);
  const Shape out_pad = PerDim(ctx, "output_padding", rank, 0, 0);
  const std::string auto_pad = ctx.attr_string("auto_pad", "NOTSET");
  if (auto_pad != "NOTSET" && auto_pad != "VALID" && auto_pad != "SAME_UPPER" &&
      auto_pad != "SAME_LOWER")
    ctx.Fail("unknown auto_pad '" + auto_pad + "'");
  Shape out_shape = ctx.attr_ints("output_shape");
  if (static_cast<int>(out_shape.size()) == rank + 2)
    out_shape.erase(out_shape.begin(), out_shape.begin() + 2);
  if (!out_shape.empty() && static_cast<int>(out_shape.size()) != rank)
    ctx.Fail("output_shape has " + std::to_string(out_shape.size()) + " values, expected " +
             std::to_string(rank));
  const bool same = auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER";
  Shape pads = ctx.attr_ints("pads", Shape(static_cast<size_t>(2 * rank), 0));
  if (static_cast<int>(pads.size()) != 2 * rank) ctx.Fail("pads must have 2 * rank values");
  g.pads_begin.assign(static_cast<size_t>(rank), 0);
  g.pads_end.assign(static_cast<size_t>(rank), 0);
  g.out.assign(static_cast<size_t>(rank), 0);
  for (int d = 0; d < rank; ++d) {
    const int64_t full =
        g.strides[d] * (g.in[d] - 1) + out_pad[d] + (kernel[d] - 1) * g.dilations[d] + 1;
    if (!out_shape.empty() || same) {
      const int64_t target = out_shape.empty() ? g.in[d] * g.strides[d] : out_shape[d];
      // A negative total (output_shape beyond the full output) pads the end with zeros; halves
      // use floor division as the ONNX reference does.
      const int64_t total = full - target;
      const int64_t half = total >= 0 ? total / 2 : -((1 - total) / 2);
      g.pads_begin[d] = auto_pad == "SAME_UPPER" ? half : total - half;
      g.pads_end[d] = total - g.pads_begin[d];
      if (target < 0) ctx.Fail("negative output_shape");
      g.out[d] = target;
    } else {
      if (auto_pad == "NOTSET") {
        g.pads_begin[d] = pads[static_cast<size_t>(d)];
        g.pads_end[d] = pads[static_cast<size_t>(d + rank)];
        if (g.pads_begin[d] < 0 || g.pads_end[d] < 0) ctx.Fail("negative pads");
      }
      g.out[d] = full - g.pads_begin[d] - g.pads_end[d];
      if (g.out[d] < 0) ctx.Fail("pads larger than the transposed output");
    }
  }
  return g;
}

// y[M, out...] += scatter of col [M * kprod, in_size] (one image, one group).
template <typename T>
void Col2Im(const T* col, int64_t channels, const ConvGeometry& g, T* y) {
  const int nd = g.rank();
  const int64_t kprod = g.kernel_size(), in_size = g.in_size(), out_size = g.out_size();
  const int64_t in_inner = g.in[nd - 1], out_inner = g.out[nd - 1];
  const int64_t s_in = g.strides[nd - 1], d_in = g.dilations[nd - 1], p_in = g.pads_begin[nd - 1];
  std::vector<int64_t> kidx(static_cast<size_t>(nd)), iidx(static_cast<size_t>(nd), 0);
  for (int64_t row = 0; row < channels * kprod; ++row) {
    T* yc = y + (row / kprod) * out_size;
    for (int64_t r = row % kprod, d = nd - 1; d >= 0; --d) {
      kidx[d] = r % g.kernel[d];
      r /= g.kernel[d];
    }
    const T* src = col + row * in_size;
    std::fill(iidx.begin(), iidx.end(), 0);
    for (int64_t done = 0; done < in_size; done += in_inner, src += in_inner) {
      bool valid = true;
      int64_t off = 0;
      for (int d = 0; d < nd - 1; ++d) {
        const int64_t o = iidx[d] * g.strides[d] - g.pads_begin[d] + kidx[d] * g.dilations[d];
        if (o < 0 || o >= g.out[d]) valid = false;
        off = off * g.out[d] + o;
      }
      if (valid) {
        T* yrow = yc + off * out_inner;
        const int64_t base = kidx[nd - 1] * d_in - p_in;
        for (int64_t i = 0; i < in_inner; ++i) {
          const int64_t o = i * s_in + base;
          if (o >= 0 && o < out_inner) yrow[o] += src[i];
        }
      }
      for (int d = nd - 2; d >= 0; --d) {
        if (++iidx[d] < g.in[d]) break;
        iidx[d] = 0;
      }
    }
  }
}

template <typename T>
void ConvTransposeTyped(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  const Tensor& w = ctx.in(1);
  const Tensor* b = ctx.input(2);
  if (w.dtype() != x.dtype() || (b && b->dtype() != x.dtype()))
    ctx.Fail("X, W and B must share one dtype");
  const int64_t group = ctx.attr_int("group", 1);
  if (group < 1) ctx.Fail("group must be >= 1");
  if (x.rank() < 3 || w.rank() != x.rank())
    ctx.Fail("X " + ShapeToString(x.shape()) + " and W " + ShapeToString(w.shape()) +
             " must have the same rank >= 3");
  if (w.dim(0) != x.dim(1) || x.dim(1) % group != 0)
    ctx.Fail("input channels " + std::to_string(x.dim(1)) + " must equal W.shape[0] " +
             std::to_string(w.dim(0)) + " and be divisible by group " + std::to_string(group));
  const ConvGeometry g = TransposeGeometry(ctx, x.shape(), ConvKernelShape(ctx, w.shape()));
  const int64_t cg = x.dim(1) / group, mg = w.dim(1), m = mg * group;
  Tensor y(x.dtype(), ConvOutputShape(g, m));
  const int64_t rows = mg * g.kernel_size(), in_size = g.in_size(), out_size = g.out_size();
  Tensor col_t(x.dtype(), {rows, in_size});  // scratch under the process-wide allocation limit
  T* col = col_t.data<T>();
  const T* xp = x.data<T>();
  const T* wp = w.data<T>();
  T* yp = y.data<T>();
  for (int64_t n = 0; n < g.batch; ++n) {
    for (int64_t gi = 0; gi < group; ++gi) {
      // col[rows, in_size] = W_g^T (W_g stored [cg, rows]) * X_g [cg, in_size].
      GemmRef<T>(true, false, rows, in_size, cg, T(1), wp + gi * cg * rows, rows,
                 xp + (n * x.dim(1) + gi * cg) * in_size, in_size, T(0), col, in_size);
      Col2Im(col, mg, g, yp + (n * m + gi * mg) * out_size);
    }
  }
  if (b) AddConvBias<T>(ctx, *b, g, m, yp);
  ctx.set_output(0, std::move(y));
}

void ConvTransposeKernel(KernelContext& ctx) {
  DispatchFloat(ctx, ctx.in(0).dtype(),
                [&](auto tag) { ConvTransposeTyped<typename decltype(tag)::type>(ctx); });
}

}  // namespace

SHRINK_REF_KERNEL("", "ConvTranspose", 1, kLatestOpset, ConvTransposeKernel);

}  // namespace shrink::runtime
