#include "runtime/fast/maxpool_native.h"

#include <omp.h>

#include <algorithm>
#include <limits>
#include <vector>

#include "runtime/fast/onednn_util.h"
#include "runtime/fast/spin_pool.h"

namespace shrink::runtime::fast {
namespace {

// Window of one spatial axis: input extent, output extent, kernel, stride, dilation, pad begin.
struct Axis {
  int64_t in = 1, out = 1, k = 1, stride = 1, dil = 1, pad = 0;
};

// Both layouts pool separably, one output row at a time: the max over the window's input rows
// into `tmp` (long contiguous loops: one input row of W, or W x C channels-last values), then for
// each output column the max over the window's columns of `tmp` (taps outside the row skipped).
// Ternaries, not std::max, so that GCC vectorises them.
template <typename T>
[[gnu::always_inline]] inline void RowMax(const T* x, T* tmp, int64_t oh, int64_t len,
                                          const Axis& h) {
  bool first = true;  // the first row inside the input is copied, the others maxed in
  for (int64_t i = 0; i < h.k; ++i) {
    const int64_t hh = oh * h.stride - h.pad + i * h.dil;
    if (hh < 0 || hh >= h.in) continue;
    const T* row = x + hh * len;
    if (first) {
      std::copy(row, row + len, tmp);
      first = false;
      continue;
    }
#pragma omp simd
    for (int64_t k = 0; k < len; ++k) tmp[k] = tmp[k] < row[k] ? row[k] : tmp[k];
  }
  if (first) std::fill(tmp, tmp + len, std::numeric_limits<T>::lowest());
}

// Output rows [r0, r1) of a plain [planes, H, W] input (row r: plane r / out_h, oh r % out_h);
// `tmp` holds W values.
template <typename T>
[[gnu::always_inline]] inline void PlainRows(const T* x, T* y, const Axis& h, const Axis& w,
                                             int64_t r0, int64_t r1, T* tmp) {
  for (int64_t r = r0; r < r1; ++r) {
    const int64_t p = r / h.out, oh = r % h.out;
    RowMax(x + p * h.in * w.in, tmp, oh, w.in, h);
    T* out = y + r * w.out;
    for (int64_t ow = 0; ow < w.out; ++ow) {
      T m = std::numeric_limits<T>::lowest();
      for (int64_t j = 0; j < w.k; ++j) {
        const int64_t col = ow * w.stride - w.pad + j * w.dil;
        if (col >= 0 && col < w.in) m = m < tmp[col] ? tmp[col] : m;
      }
      out[ow] = m;
    }
  }
}

// Output rows [r0, r1) of a channels-last [n, H, W, c] input (row r: image r / out_h, oh
// r % out_h); `tmp` holds W x c values.
template <typename T>
[[gnu::always_inline]] inline void ChannelsLastRows(const T* x, T* y, int64_t c, const Axis& h,
                                                    const Axis& w, int64_t r0, int64_t r1, T* tmp) {
  const int64_t len = w.in * c;
  for (int64_t r = r0; r < r1; ++r) {
    const int64_t b = r / h.out, oh = r % h.out;
    RowMax(x + b * h.in * len, tmp, oh, len, h);
    T* out = y + r * w.out * c;
    if (w.k == 2 && w.stride == 2 && w.pad == 0 && w.dil == 1 && 2 * w.out <= w.in) {
      // The common 2x2 / stride-2 window: one pass over each output pixel's two columns.
      for (int64_t ow = 0; ow < w.out; ++ow, out += c) {
        const T* a = tmp + 2 * ow * c;
        const T* b = a + c;
#pragma omp simd
        for (int64_t k = 0; k < c; ++k) out[k] = a[k] < b[k] ? b[k] : a[k];
      }
      continue;
    }
    for (int64_t ow = 0; ow < w.out; ++ow, out += c) {
      std::fill(out, out + c, std::numeric_limits<T>::lowest());
      for (int64_t j = 0; j < w.k; ++j) {
        const int64_t col = ow * w.stride - w.pad + j * w.dil;
        if (col < 0 || col >= w.in) continue;
        const T* t = tmp + col * c;
#pragma omp simd
        for (int64_t k = 0; k < c; ++k) out[k] = out[k] < t[k] ? t[k] : out[k];
      }
    }
  }
}

// Built for AVX-512 too. The threads are started outside these (an OpenMP region's body would be
// outlined into a function built for the default target).
#define SHRINK_CLONES __attribute__((target_clones("arch=x86-64-v4", "default")))

template <typename T>
SHRINK_CLONES void PlainRowsAny(const T* x, T* y, const Axis& h, const Axis& w, int64_t r0,
                                int64_t r1, T* tmp) {
  PlainRows(x, y, h, w, r0, r1, tmp);
}
template <typename T>
SHRINK_CLONES void ChannelsLastRowsAny(const T* x, T* y, int64_t c, const Axis& h, const Axis& w,
                                       int64_t r0, int64_t r1, T* tmp) {
  ChannelsLastRows(x, y, c, h, w, r0, r1, tmp);
}

// Calls rows(r0, r1, chunk) over [0, rows), split into `threads` chunks on the spin pool
// (spin_pool.h: no OpenMP region, whose worker would then spin against the pool's helper in an
// int8 plan); on this thread when the output is small.
template <typename F>
void ForRows(int64_t rows, int64_t outputs, int threads, const F& f) {
  if (outputs < 65536) return f(0, rows, 0);
  SpinPool::Run(threads, threads, [&](int64_t t) {
    f(SpinPool::ChunkStart(rows, t, threads), SpinPool::ChunkStart(rows, t + 1, threads), t);
  });
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
    y_shape_ = {x[0], x[1]};
    y_shape_.insert(y_shape_.end(), g.out.begin(), g.out.end());
    row_scratch_.resize(static_cast<size_t>(threads_ * w_.in * std::max<int64_t>(c_, 1)));
    if (in_cl_ != out_cl_) out_scratch_.resize(static_cast<size_t>(NumElements(y_shape_)));
    return {{dtype_, y_shape_}};
  }

  size_t workspace_bytes() const override { return row_scratch_.size() + out_scratch_.size(); }

  // Either activation may be channels-last, independently (1-D pools: a trivial H axis): a pool
  // whose output is flattened reads channels-last and writes plain, so only the (smaller) pooled
  // tensor is transposed.
  bool openmp_free() const override { return true; }
  LayoutCaps layout_caps() const override { return {{0}, true, false}; }
  void SetLayouts(const std::vector<Layout>& in, Layout out) override {
    in_cl_ = !in.empty() && in[0] == Layout::kChannelsLast;
    out_cl_ = out == Layout::kChannelsLast;
  }

  void Run(const std::vector<const void*>& in, const std::vector<void*>& out) override {
    if (dtype_ == DataType::kUInt8)
      RunTyped(static_cast<const uint8_t*>(in[0]), static_cast<uint8_t*>(out[0]));
    else
      RunTyped(static_cast<const int8_t*>(in[0]), static_cast<int8_t*>(out[0]));
  }

 private:
  template <typename T>
  void RunTyped(const T* x, T* y) {
    T* rows = reinterpret_cast<T*>(row_scratch_.data());
    T* pooled = in_cl_ == out_cl_ ? y : reinterpret_cast<T*>(out_scratch_.data());
    const int64_t outputs = n_ * c_ * h_.out * w_.out;
    if (in_cl_)
      ForRows(n_ * h_.out, outputs, threads_, [&](int64_t r0, int64_t r1, int64_t t) {
        ChannelsLastRowsAny(x, pooled, c_, h_, w_, r0, r1, rows + t * w_.in * c_);
      });
    else
      ForRows(n_ * c_ * h_.out, outputs, threads_, [&](int64_t r0, int64_t r1, int64_t t) {
        PlainRowsAny(x, pooled, h_, w_, r0, r1, rows + t * w_.in);
      });
    if (in_cl_ && !out_cl_) ToPlain(pooled, y, y_shape_, 1);
    if (!in_cl_ && out_cl_) ToChannelsLast(pooled, y, y_shape_, 1);
  }

  const ir::Node& node_;
  DataType dtype_;
  bool in_cl_ = false, out_cl_ = false;
  Axis h_, w_;
  int64_t n_ = 0, c_ = 0;
  Shape y_shape_;
  std::vector<uint8_t> row_scratch_, out_scratch_;
  const int threads_ = omp_get_max_threads();  // the session's count for this kernel
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
