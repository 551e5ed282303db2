// See qlinear_conv_native.h.
#include "runtime/fast/qlinear_conv_native.h"

#include <omp.h>

#include <algorithm>
#include <cstring>

#include "runtime/fast/int8_depthwise.h"
#include "runtime/fast/int8_gemm.h"
#include "runtime/fast/int8_util.h"
#include "runtime/fast/spin_pool.h"

namespace shrink::runtime::fast {
namespace {

constexpr int64_t kSlack = 16;  // bytes past the end of pad_ (whole 4-byte groups, 16-byte loads)
// Work split across threads only above these (the halves must outweigh a hand-off, ~0.2 us).
constexpr int64_t kSplitMinMacs = 64 * 1024, kSplitMinPadBytes = 16 * 1024;

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
    if (w.rank() == 4 && depthwise_ && w.dim(2) <= kInt8DwMaxKernelHeight) {
      dw_ = PackInt8Depthwise(w.data<int8_t>(), m, w.dim(2), w.dim(3), rq_);
    } else if (w.rank() == 4 && group_ == 1) {
      // B[k][m] with k = ky * span + kx * C + ci: window row ky as it lies in channels-last
      // input (kw * C bytes), padded to span (a multiple of 4) with zero weights.
      const int64_t c = w.dim(1), kh = w.dim(2), kw = w.dim(3);
      span_ = (kw * c + 3) / 4 * 4;
      const int64_t k = kh * span_;
      std::vector<int8_t> b(static_cast<size_t>(k * m), 0);
      for (int64_t o = 0; o < m; ++o)
        for (int64_t ci = 0; ci < c; ++ci)
          for (int64_t ky = 0; ky < kh; ++ky)
            for (int64_t kx = 0; kx < kw; ++kx)
              b[static_cast<size_t>((ky * span_ + kx * c + ci) * m + o)] =
                  w.data<int8_t>()[((o * c + ci) * kh + ky) * kw + kx];
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
    in_place_ = !depthwise_ && g_.kh == 1 && g_.kw == 1 && g_.sh == 1 && g_.sw == 1 && !g_.padded &&
                g_.c % 4 == 0;
    // Depthwise outputs cost about as much as 16 of the GEMM's multiply-adds each (both
    // requantization-bound: ~4.5 outputs per ns against ~100 multiply-adds per ns at K = 16).
    const int64_t work =
        depthwise_ ? 16 * NumElements(y_shape_) : g_.n * g_.oh * g_.ow * p_.w.numel();
    chunks_ = work >= kSplitMinMacs ? threads_ : 1;
    pad_.clear();
    zp_row_.clear();
    // Depthwise reads the input in place, a row of zero points standing for the rows above and
    // below; the GEMM path reads a padded copy whose borders (zero points) are written once.
    if (depthwise_)
      zp_row_.assign(static_cast<size_t>(g_.w * g_.c), static_cast<uint8_t>(p_.x_zp));
    else if (!in_place_)
      pad_.assign(static_cast<size_t>(g_.n * g_.hp * g_.wp * g_.c + kSlack),
                  static_cast<uint8_t>(p_.x_zp));
    x_buf_.resize(x_cl_ || g_.c == 1 ? 0 : static_cast<size_t>(NumElements(x)));
    y_buf_.resize(y_cl_ || g_.m == 1 ? 0 : static_cast<size_t>(NumElements(y_shape_)));
    return {{p_.y_dtype, y_shape_}};
  }

  size_t workspace_bytes() const override {
    if (!native_) return fallback_->workspace_bytes();
    return pad_.size() + zp_row_.size() + x_buf_.size() + y_buf_.size();
  }
  size_t weight_bytes() const override {
    return dw_.cols.size() + gemm_.packed.size() + (fallback_ ? fallback_->weight_bytes() : 0);
  }

  bool openmp_free() const override { return native_ || (fallback_ && fallback_->openmp_free()); }
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
    const Geometry& g = g_;
    if (in_place_) {
      // Pixel rows in whole output rows: the halves the next convolution's output rows take.
      const int64_t rows = g.n * g.oh * g.ow;
      SpinPool::Run(chunks_, threads_, [&](int64_t t) {
        const int64_t r0 = SpinPool::ChunkStart(rows, t, chunks_, g.ow),
                      r1 = SpinPool::ChunkStart(rows, t + 1, chunks_, g.ow);
        if (r1 > r0) Int8Gemm(gemm_, x + r0 * g.c, g.c, r1 - r0, rq_, y + r0 * g.m, g.m);
      });
    } else {
      const int64_t in_rows = g.n * g.h, out_rows = g.n * g.oh;
      if (!depthwise_) {
        const int64_t pads = in_rows * g.w * g.c >= kSplitMinPadBytes ? chunks_ : 1;
        SpinPool::Run(pads, threads_, [&](int64_t t) {
          Pad(x, SpinPool::ChunkStart(in_rows, t, pads),
              SpinPool::ChunkStart(in_rows, t + 1, pads));
        });
      }
      SpinPool::Run(chunks_, threads_, [&](int64_t t) {
        OutputRows(x, y, SpinPool::ChunkStart(out_rows, t, chunks_),
                   SpinPool::ChunkStart(out_rows, t + 1, chunks_));
      });
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
    if (depthwise_ && g.kh > kInt8DwMaxKernelHeight) return false;
    const int64_t image_macs = g.oh * g.ow * g.m * (w.numel() / g.m);
    if (image_macs > kNativeConvMaxImageMacs || g.n * g.oh * g.ow == 0) return false;
    g_ = g;
    return true;
  }

  // Rows [r0, r1) of the channels-last input (row r: image r / h, row r % h) into pad_'s interior
  // (its borders hold the input zero point).
  void Pad(const uint8_t* x, int64_t r0, int64_t r1) {
    const Geometry& g = g_;
    const size_t row = static_cast<size_t>(g.w * g.c);
    for (int64_t r = r0; r < r1; ++r)
      std::memcpy(pad_.data() + (((r / g.h) * g.hp + r % g.h + g.pt) * g.wp + g.pl) * g.c,
                  x + r * static_cast<int64_t>(row), row);
  }

  // Output rows [r0, r1) of the n * oh (row r: image r / oh, row r % oh): depthwise from x, the
  // GEMM path from pad_.
  void OutputRows(const uint8_t* x, uint8_t* y, int64_t r0, int64_t r1) {
    const Geometry& g = g_;
    if (depthwise_) {
      const DwGeometry dg{g.n,           g.h,  g.w,  g.pt, g.pl,
                          g.oh,          g.ow, g.sh, g.sw, static_cast<uint8_t>(p_.x_zp),
                          zp_row_.data()};
      return Int8Depthwise(dw_, dg, x, rq_, y, r0, r1);
    }
    // One output row at a time: its pixels' windows are sw * C bytes apart, their rows one padded
    // input row apart.
    const Int8Segments seg{g.kh, span_, g.wp * g.c};
    for (int64_t r = r0; r < r1; ++r) {
      const int64_t img = r / g.oh, oy = r % g.oh;
      Int8Gemm(gemm_, pad_.data() + (img * g.hp + oy * g.sh) * g.wp * g.c, g.sw * g.c, g.ow, rq_,
               y + r * g.ow * g.m, g.m, seg);
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
  const int threads_ = omp_get_max_threads();  // the session's count for this kernel
  int64_t chunks_ = 1;
  Shape x_shape_, y_shape_;
  int64_t span_ = 0;  // bytes of one window row in the GEMM's K (kw * C rounded up to 4)
  std::vector<uint8_t> pad_, zp_row_, x_buf_, y_buf_;
};

}  // namespace

std::unique_ptr<FastKernel> MakeQLinearConvNative(const CreateInfo& info, FastFactory fallback,
                                                  std::vector<FusedActivation> acts) {
  if (!Int8DepthwiseAvailable() || info.input_dtypes[0] != DataType::kUInt8) return nullptr;
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
