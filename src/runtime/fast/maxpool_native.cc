#include "runtime/fast/maxpool_native.h"

#include <algorithm>
#include <limits>
#include <vector>

#include "runtime/fast/onednn_util.h"

namespace shrink::runtime::fast {
namespace {

// Window of one spatial axis: input extent, output extent, kernel, stride, dilation, pad begin.
struct Axis {
  int64_t in = 1, out = 1, k = 1, stride = 1, dil = 1, pad = 0;
};

// Windows that never leave the input (no padding, undilated): direct loops, no bounds checks;
// KH / KW > 0 fix the kernel size at compile time (the common 2x2 and 3x3), 0 reads it from h / w.
template <typename T, int KH, int KW>
void PoolInterior(const T* x, T* y, int64_t planes, const Axis& h, const Axis& w) {
  const int64_t kh = KH > 0 ? KH : h.k, kw = KW > 0 ? KW : w.k;
  const int64_t in_plane = h.in * w.in, out_plane = h.out * w.out;
#pragma omp parallel for schedule(static) if (planes * out_plane >= 65536)
  for (int64_t p = 0; p < planes; ++p) {
    const T* xp = x + p * in_plane;
    T* yp = y + p * out_plane;
    for (int64_t oh = 0; oh < h.out; ++oh) {
      const T* rows = xp + oh * h.stride * w.in;
      T* out = yp + oh * w.out;
      for (int64_t ow = 0; ow < w.out; ++ow) {
        const T* t = rows + ow * w.stride;
        T m = t[0];
        for (int64_t i = 0; i < kh; ++i)
          for (int64_t j = 0; j < kw; ++j) m = std::max(m, t[i * w.in + j]);
        out[ow] = m;
      }
    }
  }
}

// Per output row: the max over the window's input rows into `tmp` (contiguous, vectorised), then
// the max over the window's columns of `tmp` (bounds checks only at the borders).
template <typename T>
void PoolPadded(const T* x, T* y, int64_t planes, const Axis& h, const Axis& w) {
  const int64_t in_plane = h.in * w.in, out_plane = h.out * w.out;
  // Output columns whose whole window lies inside the row: [ow_lo, ow_hi).
  const int64_t ow_lo = std::min(w.out, (w.pad + w.stride - 1) / w.stride);
  const int64_t last_tap = (w.k - 1) * w.dil;
  const int64_t ow_hi =
      std::max(ow_lo, std::min(w.out, (w.in - 1 - last_tap + w.pad) / w.stride + 1));
#pragma omp parallel if (planes * out_plane >= 65536)
  {
    std::vector<T> tmp(static_cast<size_t>(w.in));
#pragma omp for schedule(static)
    for (int64_t p = 0; p < planes; ++p) {
      const T* xp = x + p * in_plane;
      T* yp = y + p * out_plane;
      for (int64_t oh = 0; oh < h.out; ++oh) {
        std::fill(tmp.begin(), tmp.end(), std::numeric_limits<T>::lowest());
        for (int64_t i = 0; i < h.k; ++i) {
          const int64_t hh = oh * h.stride - h.pad + i * h.dil;
          if (hh < 0 || hh >= h.in) continue;
          const T* row = xp + hh * w.in;
          T* t = tmp.data();
#pragma omp simd
          for (int64_t c = 0; c < w.in; ++c) t[c] = std::max(t[c], row[c]);
        }
        T* out = yp + oh * w.out;
        auto border = [&](int64_t ow) {
          T m = std::numeric_limits<T>::lowest();
          for (int64_t j = 0; j < w.k; ++j) {
            const int64_t c = ow * w.stride - w.pad + j * w.dil;
            if (c >= 0 && c < w.in) m = std::max(m, tmp[static_cast<size_t>(c)]);
          }
          out[ow] = m;
        };
        for (int64_t ow = 0; ow < ow_lo; ++ow) border(ow);
        for (int64_t ow = ow_lo; ow < ow_hi; ++ow) {
          const T* t = tmp.data() + ow * w.stride - w.pad;
          T m = t[0];
          for (int64_t j = 1; j < w.k; ++j) m = std::max(m, t[j * w.dil]);
          out[ow] = m;
        }
        for (int64_t ow = ow_hi; ow < w.out; ++ow) border(ow);
      }
    }
  }
}

// Channels-last ([N, H, W, C]): per output pixel, the max over the window's valid taps of
// C-long rows (vectorised over C).
template <typename T>
void PoolChannelsLast(const T* x, T* y, int64_t n, int64_t c, const Axis& h, const Axis& w) {
#pragma omp parallel for collapse(2) schedule(static) if (n * h.out * w.out * c >= 65536)
  for (int64_t b = 0; b < n; ++b)
    for (int64_t oh = 0; oh < h.out; ++oh) {
      const T* xb = x + b * h.in * w.in * c;
      for (int64_t ow = 0; ow < w.out; ++ow) {
        T* out = y + ((b * h.out + oh) * w.out + ow) * c;
        std::fill(out, out + c, std::numeric_limits<T>::lowest());
        for (int64_t i = 0; i < h.k; ++i) {
          const int64_t hh = oh * h.stride - h.pad + i * h.dil;
          if (hh < 0 || hh >= h.in) continue;
          for (int64_t j = 0; j < w.k; ++j) {
            const int64_t ww = ow * w.stride - w.pad + j * w.dil;
            if (ww < 0 || ww >= w.in) continue;
            const T* row = xb + (hh * w.in + ww) * c;
#pragma omp simd
            for (int64_t k = 0; k < c; ++k) out[k] = out[k] < row[k] ? row[k] : out[k];
          }
        }
      }
    }
}

template <typename T>
void Pool(const T* x, T* y, int64_t planes, const Axis& h, const Axis& w) {
  const bool interior = h.pad == 0 && w.pad == 0 && h.dil == 1 && w.dil == 1 &&
                        (h.out - 1) * h.stride + h.k <= h.in &&
                        (w.out - 1) * w.stride + w.k <= w.in;
  if (!interior) return PoolPadded(x, y, planes, h, w);
  if (h.k == 2 && w.k == 2) return PoolInterior<T, 2, 2>(x, y, planes, h, w);
  if (h.k == 3 && w.k == 3) return PoolInterior<T, 3, 3>(x, y, planes, h, w);
  PoolInterior<T, 0, 0>(x, y, planes, h, w);
}

class MaxPoolInt8 : public FastKernel {
 public:
  MaxPoolInt8(const CreateInfo& info) : node_(*info.node), dtype_(info.input_dtypes[0]) {
    Reshape(info.input_shapes);
  }

  std::vector<OutputSpec> Reshape(const std::vector<Shape>& shapes) override {
    const Shape& x = shapes[0];
    if (x.size() != 3 && x.size() != 4) Throw(StatusCode::kUnimplemented, "MaxPool rank");
    const Shape in(x.begin() + 2, x.end());
    const Shape kernel = node_.GetInts("kernel_shape");
    const WindowGeometry g = MakeWindow(node_, in, kernel, node_.GetInt("ceil_mode", 0) != 0);
    Axis axes[2];
    const size_t r = in.size(), first = 2 - r;  // 1-D pools along the last axis only
    for (size_t i = 0; i < r; ++i)
      axes[first + i] = {in[i], g.out[i], kernel[i], g.strides[i], g.dilations[i], g.pads_begin[i]};
    h_ = axes[0];
    w_ = axes[1];
    n_ = x[0];
    c_ = x[1];
    Shape y = {x[0], x[1]};
    y.insert(y.end(), g.out.begin(), g.out.end());
    return {{dtype_, y}};
  }

  // Both 1-D and 2-D pools (1-D: a trivial H axis) read and write channels-last, tied.
  LayoutCaps layout_caps() const override { return {{0}, true, true}; }
  void SetLayouts(const std::vector<Layout>& in, Layout) override {
    channels_last_ = !in.empty() && in[0] == Layout::kChannelsLast;
  }

  void Run(const std::vector<const void*>& in, const std::vector<void*>& out) override {
    if (dtype_ == DataType::kUInt8)
      RunTyped(static_cast<const uint8_t*>(in[0]), static_cast<uint8_t*>(out[0]));
    else
      RunTyped(static_cast<const int8_t*>(in[0]), static_cast<int8_t*>(out[0]));
  }

 private:
  template <typename T>
  void RunTyped(const T* x, T* y) const {
    if (channels_last_) return PoolChannelsLast(x, y, n_, c_, h_, w_);
    Pool(x, y, n_ * c_, h_, w_);
  }

  const ir::Node& node_;
  DataType dtype_;
  bool channels_last_ = false;
  Axis h_, w_;
  int64_t n_ = 0, c_ = 0;
};

}  // namespace

std::unique_ptr<FastKernel> MakeMaxPoolInt8Native(const CreateInfo& info) {
  const ir::Node& n = *info.node;
  for (size_t i = 1; i < n.outputs().size(); ++i)
    if (n.output(static_cast<int>(i))) return nullptr;  // Indices
  if (n.GetInt("storage_order", 0) != 0 || !n.HasAttr("kernel_shape")) return nullptr;
  const size_t rank = info.input_shapes[0].size();
  if (rank != 3 && rank != 4) return nullptr;
  return std::make_unique<MaxPoolInt8>(info);
}

}  // namespace shrink::runtime::fast
