// The one preprocessing function (see dataset.h) and its helper that also reports the valid
// length of the variable axis.
#include <algorithm>
#include <cmath>

#include "data/dataset.h"
#include "data/preprocess_internal.h"

namespace shrink::data {
namespace {

// Bilinear resize of a float [C, H, W] image (half-pixel centres, edge clamped).
Tensor Resize(const Tensor& in, int64_t oh, int64_t ow) {
  const int64_t c = in.dim(0), h = in.dim(1), w = in.dim(2);
  if (oh == h && ow == w) return in;
  Tensor out(DataType::kFloat32, {c, oh, ow});
  const float* src = in.data<float>();
  float* dst = out.data<float>();
  const double sy = static_cast<double>(h) / static_cast<double>(oh);
  const double sx = static_cast<double>(w) / static_cast<double>(ow);
  for (int64_t y = 0; y < oh; ++y) {
    const double fy =
        std::clamp((static_cast<double>(y) + 0.5) * sy - 0.5, 0.0, static_cast<double>(h - 1));
    const int64_t y0 = static_cast<int64_t>(fy);
    const int64_t y1 = std::min(y0 + 1, h - 1);
    const double wy = fy - static_cast<double>(y0);
    for (int64_t x = 0; x < ow; ++x) {
      const double fx =
          std::clamp((static_cast<double>(x) + 0.5) * sx - 0.5, 0.0, static_cast<double>(w - 1));
      const int64_t x0 = static_cast<int64_t>(fx);
      const int64_t x1 = std::min(x0 + 1, w - 1);
      const double wx = fx - static_cast<double>(x0);
      for (int64_t ch = 0; ch < c; ++ch) {
        const float* p = src + ch * h * w;
        const double top = p[y0 * w + x0] * (1 - wx) + p[y0 * w + x1] * wx;
        const double bot = p[y1 * w + x0] * (1 - wx) + p[y1 * w + x1] * wx;
        dst[(ch * oh + y) * ow + x] = static_cast<float>(top * (1 - wy) + bot * wy);
      }
    }
  }
  return out;
}

// Pads (pad_value) or cuts the last axis of a float tensor to `len`.
Tensor PadLastAxis(const Tensor& in, int64_t len, float pad_value) {
  const int64_t cur = in.dim(-1);
  if (cur == len) return in;
  Shape shape = in.shape();
  shape.back() = len;
  Tensor out(DataType::kFloat32, shape);
  const int64_t rows = in.numel() / std::max<int64_t>(cur, 1);
  const float* s = in.data<float>();
  float* d = out.data<float>();
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t i = 0; i < len; ++i) d[r * len + i] = i < cur ? s[r * cur + i] : pad_value;
  return out;
}

Status CheckStats(const std::vector<float>& v, int64_t channels, const char* what) {
  if (v.empty() || v.size() == 1 || static_cast<int64_t>(v.size()) == channels) return Status::Ok();
  return InvalidArgument(std::string("preprocess ") + what + " has " + std::to_string(v.size()) +
                         " values; expected 1 or " + std::to_string(channels));
}

}  // namespace

namespace detail {

Expected<Tensor> PreprocessWithLength(const Tensor& example, bool is_image,
                                      const PreprocessSpec& spec, bool variable,
                                      int64_t* valid_length) {
  if (!example.defined()) return InvalidArgument("preprocess: undefined tensor");
  for (float s : spec.std)
    if (!(s > 0)) return InvalidArgument("preprocess std values must be > 0");
  if (spec.layout != "NCHW" && spec.layout != "NHWC")
    return InvalidArgument("preprocess layout must be NCHW or NHWC, got '" + spec.layout + "'");
  if (spec.pad_to < 0 || spec.resize_h < 0 || spec.resize_w < 0)
    return InvalidArgument("preprocess sizes must be >= 0");
  if (example.dtype() != DataType::kFloat32) {
    if (valid_length) *valid_length = example.rank() > 0 ? example.dim(-1) : 1;
    return example;  // tokens and other integer inputs pass through
  }
  try {
    Tensor x = example;
    int64_t channels;
    if (is_image) {
      if (x.rank() != 3)
        return InvalidArgument("preprocess: image must be [C, H, W], got " +
                               ShapeToString(x.shape()));
      int64_t oh = x.dim(1), ow = x.dim(2);
      if (spec.resize_h > 0 && spec.resize_w > 0) {
        oh = spec.resize_h;
        ow = spec.resize_w;
      } else if (spec.resize_h > 0) {
        oh = spec.resize_h;
        ow = std::max<int64_t>(
            1, std::llround(static_cast<double>(x.dim(2)) * oh / static_cast<double>(x.dim(1))));
      } else if (spec.resize_w > 0) {
        ow = spec.resize_w;
      }
      x = Resize(x, oh, ow);
      channels = x.dim(0);
    } else {
      channels = x.rank() > 0 ? x.dim(-1) : 1;
    }
    SHRINK_RETURN_IF_ERROR(CheckStats(spec.mean, channels, "mean"));
    SHRINK_RETURN_IF_ERROR(CheckStats(spec.std, channels, "std"));
    // Scale and normalise into a fresh tensor (never write into the source's buffer).
    Tensor y(DataType::kFloat32, x.shape());
    const float* s = x.data<float>();
    float* d = y.data<float>();
    const int64_t n = x.numel();
    const int64_t inner = is_image ? x.dim(1) * x.dim(2) : 1;
    for (int64_t i = 0; i < n; ++i) {
      const int64_t ch = is_image ? i / inner : (channels > 0 ? i % channels : 0);
      float v = s[i] * spec.scale;
      if (!spec.mean.empty()) v -= spec.mean.size() == 1 ? spec.mean[0] : spec.mean[ch];
      if (!spec.std.empty()) v /= spec.std.size() == 1 ? spec.std[0] : spec.std[ch];
      d[i] = v;
    }
    const int64_t valid = y.rank() > 0 ? y.dim(-1) : 1;  // width (images) or last axis
    if (valid_length) *valid_length = valid;
    if (variable && spec.pad_to > 0) {
      y = PadLastAxis(y, spec.pad_to, spec.pad_value);
      if (valid_length) *valid_length = std::min(valid, spec.pad_to);
    }
    if (is_image && spec.layout == "NHWC") {
      const int64_t c = y.dim(0), h = y.dim(1), w = y.dim(2);
      Tensor t(DataType::kFloat32, {h, w, c});
      const float* a = y.data<float>();
      float* b = t.data<float>();
      for (int64_t ch = 0; ch < c; ++ch)
        for (int64_t i = 0; i < h * w; ++i) b[i * c + ch] = a[ch * h * w + i];
      y = t;
    }
    if (is_image && spec.flatten) y = y.Reshaped({y.numel()});
    return y;
  } catch (const Error& e) {
    return e.ToStatus();
  }
}

int VariableAxis(bool is_image, const PreprocessSpec& spec, int rank) {
  if (!is_image) return rank - 1;
  if (spec.flatten) return -1;
  return spec.layout == "NHWC" ? rank - 2 : rank - 1;
}

}  // namespace detail

Expected<Tensor> Preprocess(const Tensor& example, bool is_image, const PreprocessSpec& spec,
                            bool variable) {
  return detail::PreprocessWithLength(example, is_image, spec, variable, nullptr);
}

}  // namespace shrink::data
