// See qlinear_conv_native.h.
#include "runtime/fast/qlinear_conv_native.h"

#include <omp.h>

#include <algorithm>
#include <cstring>

#include "runtime/fast/int8_depthwise.h"
#include "runtime/fast/int8_gemm.h"
#include "runtime/fast/int8_util.h"

namespace shrink::runtime::fast {
namespace {

constexpr int64_t kSlack = 16;  // bytes past the end of pad_ / col_ (Im2Col's 16-byte pieces)

struct Geometry {
  int64_t n = 0, c = 0, h = 0, w = 0, m = 0, oh = 0, ow = 0, kh = 1, kw = 1;
  int64_t sh = 1, sw = 1, pt = 0, pl = 0;
  int64_t hp = 0, wp = 0;  // padded input extent
  bool padded = false;
};

class QLinearConvNative : public FastKernel {
 public:
  QLinearConvNative(const CreateInfo& info, Int8ConvParams p, std::unique_ptr<FastKernel> fallback)
      : node_(*info.node), p_(std::move(p)), fallback_(std::move(fallback)) {
    const Tensor& w = p_.w;
    const int64_t m = w.dim(0), per_out = w.numel() / m;
    group_ = node_.GetInt("group", 1);
    depthwise_ = group_ > 1 && w.dim(1) == 1 && group_ == m;
    // Requantization: the node's bias minus x_zp * sum(w[m]), scales per output channel.
    rq_.bias.assign(static_cast<size_t>(m), 0);
    rq_.scales.resize(static_cast<size_t>(m));
    for (int64_t o = 0; o < m; ++o) {
      int64_t sum = 0;
      for (int64_t i = 0; i < per_out; ++i) sum += w.data<int8_t>()[o * per_out + i];
      rq_.bias[o] = (p_.bias.defined() ? p_.bias.data<int32_t>()[o] : 0) -
                    p_.x_zp * static_cast<int32_t>(sum);
      rq_.scales[o] = p_.scales[p_.scales.size() == 1 ? 0 : o];
    }
    rq_.y_zp = static_cast<float>(p_.y_zp);
    rq_.hardswish = !p_.acts.empty();  // the factory offers HardSwish only
    rq_.inv_y_scale = 1.0f / p_.y_scale;
    const bool s8 = p_.y_dtype == DataType::kInt8;
    rq_.lo = s8 ? -128 : 0;
    rq_.hi = s8 ? 127 : 255;
    if (w.rank() == 4 && depthwise_ && w.dim(3) <= kInt8DwMaxKernelWidth) {
      dw_ = PackInt8Depthwise(w.data<int8_t>(), m, w.dim(2), w.dim(3), rq_);
    } else if (w.rank() == 4 && group_ == 1) {
      // B[k][m] with k = (ky * kw + kx) * C + ci: the im2col row order of channels-last input.
      const int64_t c = w.dim(1), kh = w.dim(2), kw = w.dim(3), k = per_out;
      std::vector<int8_t> b(static_cast<size_t>(k * m));
      for (int64_t o = 0; o < m; ++o)
        for (int64_t ci = 0; ci < c; ++ci)
          for (int64_t t = 0; t < kh * kw; ++t)
            b[static_cast<size_t>((t * c + ci) * m + o)] =
                w.data<int8_t>()[(o * c + ci) * kh * kw + t];
      gemm_ = PackInt8Gemv(b.data(), k, m);
    }
  }

  bool native() const { return native_; }

  std::vector<OutputSpec> Reshape(const std::vector<Shape>& shapes) override {
    native_ = Fits(shapes[0]);
    if (!native_) {
      if (!fallback_) Throw(StatusCode::kUnimplemented, "QLinearConv: no kernel for this shape");
      return fallback_->Reshape(shapes);
    }
    const Shape& x = shapes[0];
    x_shape_ = x;
    y_shape_ = {g_.n, g_.m, g_.oh, g_.ow};
    const int64_t rows = g_.n * g_.oh * g_.ow;
    in_place_ = !depthwise_ && g_.kh == 1 && g_.kw == 1 && g_.sh == 1 && g_.sw == 1 && !g_.padded &&
                g_.c % 4 == 0;
    col_.clear();
    pad_.clear();
    if (!in_place_) {
      // Zero-point borders, written once; the interior is copied in per run.
      pad_.assign(static_cast<size_t>(g_.n * g_.hp * g_.wp * g_.c + kSlack),
                  static_cast<uint8_t>(p_.x_zp));
      if (!depthwise_) col_.assign(static_cast<size_t>(rows * gemm_.kp + kSlack), 0);
    }
    x_buf_.resize(x_cl_ || g_.c == 1 ? 0 : static_cast<size_t>(NumElements(x)));
    y_buf_.resize(y_cl_ || g_.m == 1 ? 0 : static_cast<size_t>(NumElements(y_shape_)));
    return {{p_.y_dtype, y_shape_}};
  }

  size_t workspace_bytes() const override {
    if (!native_) return fallback_->workspace_bytes();
    return col_.size() + pad_.size() + x_buf_.size() + y_buf_.size();
  }
  size_t weight_bytes() const override {
    return dw_.rows.size() + gemm_.packed.size() + (fallback_ ? fallback_->weight_bytes() : 0);
  }

  LayoutCaps layout_caps() const override { return {{0}, true, false}; }
  void SetLayouts(const std::vector<Layout>& in, Layout out) override {
    x_cl_ = !in.empty() && in[0] == Layout::kChannelsLast;
    y_cl_ = out == Layout::kChannelsLast;
    if (fallback_) fallback_->SetLayouts(in, out);
  }

  void Run(const std::vector<const void*>& in, const std::vector<void*>& out) override {
    if (!native_) return fallback_->Run(in, out);
    const uint8_t* x = static_cast<const uint8_t*>(in[0]);
    if (!x_buf_.empty()) {
      ToChannelsLast(x, x_buf_.data(), x_shape_, 1);
      x = x_buf_.data();
    }
    uint8_t* y = y_buf_.empty() ? static_cast<uint8_t*>(out[0]) : y_buf_.data();
    const int64_t rows = g_.n * g_.oh * g_.ow;
    if (in_place_) {
      Int8Gemm(gemm_, x, g_.c, rows, rq_, y, g_.m);
    } else {
      Pad(x);
      if (depthwise_) {
        const DwGeometry dg{g_.n, g_.hp, g_.wp, g_.oh, g_.ow, g_.sh, g_.sw};
        Int8Depthwise(dw_, dg, pad_.data(), rq_, y);
      } else {
        Im2Col();
        Int8Gemm(gemm_, col_.data(), gemm_.kp, rows, rq_, y, g_.m);
      }
    }
    if (!y_buf_.empty()) ToPlain(y_buf_.data(), out[0], y_shape_, 1);
  }

 private:
  // Whether the native paths take input shape `x` (and its geometry, into g_).
  bool Fits(const Shape& x) {
    const Tensor& w = p_.w;
    if (x.size() != 4 || w.rank() != 4 || (!depthwise_ && group_ != 1)) return false;
    const WindowGeometry win = MakeWindow(node_, {x[2], x[3]}, {w.dim(2), w.dim(3)}, false);
    if (win.dilations[0] != 1 || win.dilations[1] != 1) return false;
    Geometry g;
    g.n = x[0];
    g.c = x[1];
    g.h = x[2];
    g.w = x[3];
    g.m = w.dim(0);
    g.oh = win.out[0];
    g.ow = win.out[1];
    g.kh = w.dim(2);
    g.kw = w.dim(3);
    g.sh = win.strides[0];
    g.sw = win.strides[1];
    g.pt = win.pads_begin[0];
    g.pl = win.pads_begin[1];
    g.hp = g.h + g.pt + win.pads_end[0];
    g.wp = g.w + g.pl + win.pads_end[1];
    g.padded =
        std::any_of(win.pads_begin.begin(), win.pads_begin.end(), [](int64_t v) { return v; }) ||
        std::any_of(win.pads_end.begin(), win.pads_end.end(), [](int64_t v) { return v; });
    if (g.c != (depthwise_ ? g.m : w.dim(1))) return false;
    if (depthwise_ && g.kw > kInt8DwMaxKernelWidth) return false;
    // Under 4 input channels (a first conv over an image) the im2col copies cost more than
    // oneDNN's direct kernel: fashion_cnn's 1 -> 32 3x3 conv took 7.4 us here against 6.9.
    if (!depthwise_ && g.c < 4) return false;
    const int64_t macs = g.n * g.oh * g.ow * g.m * (w.numel() / g.m);
    if (macs > kNativeConvMaxMacs || g.n * g.oh * g.ow == 0) return false;
    g_ = g;
    return true;
  }

  // The channels-last input into pad_'s interior (its borders hold the input zero point).
  void Pad(const uint8_t* x) {
    const Geometry& g = g_;
    const size_t row = static_cast<size_t>(g.w * g.c);
    for (int64_t img = 0; img < g.n; ++img)
      for (int64_t iy = 0; iy < g.h; ++iy)
        std::memcpy(pad_.data() + ((img * g.hp + iy + g.pt) * g.wp + g.pl) * g.c,
                    x + (img * g.h + iy) * row, row);
  }

  // One row of kp bytes per output pixel: its window in (ky, kx, c) order from pad_, where a
  // window row is kw * c contiguous bytes. Copied in 16-byte pieces that may run past the piece's
  // end: into the next piece (written after), the row's K padding (zero weights) or the next row
  // (written after); pad_ and col_ have 16 bytes of slack at their ends.
  void Im2Col() {
    const Geometry& g = g_;
    const int64_t span = g.kw * g.c;
    uint8_t* dst = col_.data();
    for (int64_t img = 0; img < g.n; ++img)
      for (int64_t oy = 0; oy < g.oh; ++oy)
        for (int64_t ox = 0; ox < g.ow; ++ox, dst += gemm_.kp)
          for (int64_t ky = 0; ky < g.kh; ++ky) {
            const uint8_t* s =
                pad_.data() + ((img * g.hp + oy * g.sh + ky) * g.wp + ox * g.sw) * g.c;
            uint8_t* d = dst + ky * span;
            for (int64_t i = 0; i < span; i += 16) std::memcpy(d + i, s + i, 16);
          }
  }

  const ir::Node& node_;
  Int8ConvParams p_;
  std::unique_ptr<FastKernel> fallback_;
  int64_t group_ = 1;
  bool depthwise_ = false;
  Int8Requant rq_;
  Int8DwWeights dw_;
  Int8GemvWeights gemm_;
  Geometry g_;
  bool native_ = false, in_place_ = false, x_cl_ = false, y_cl_ = false;
  Shape x_shape_, y_shape_;
  std::vector<uint8_t> pad_, col_, x_buf_, y_buf_;
};

}  // namespace

std::unique_ptr<FastKernel> MakeQLinearConvNative(const CreateInfo& info, FastFactory fallback,
                                                  std::vector<FusedActivation> acts) {
  // Sessions create their kernels per thread count: the native paths are the one-thread kernels.
  if (omp_get_max_threads() != 1 || !Int8DepthwiseAvailable() ||
      info.input_dtypes[0] != DataType::kUInt8)
    return nullptr;
  auto p = QLinearConvParams(info, std::move(acts));
  if (!p || p->w.rank() != 4) return nullptr;
  auto k = std::make_unique<QLinearConvNative>(info, std::move(*p), fallback(info));
  // Only when the native paths take the first shape (later ones may go to the fallback).
  try {
    k->Reshape(info.input_shapes);
  } catch (const Error&) {
    return nullptr;
  }
  if (!k->native()) return nullptr;
  return k;
}

}  // namespace shrink::runtime::fast
