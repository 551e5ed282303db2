// Reference kernels: BatchNormalization (inference), InstanceNormalization, LayerNormalization.
//
// BatchNormalization opset differences: up to 6, `is_test` (default 0 = training) and `spatial`
// attributes; 7-8 keep `spatial`; 9-13 drop both; 14+ add `training_mode`. Only inference is
// implemented: is_test=0, training_mode=1 or any requested running/saved statistics output are
// reported unsupported. spatial=0 (per-activation statistics, shaped like X[1:]) is supported.
// InstanceNormalization has no semantic versions. LayerNormalization (opset 17) normalizes over
// the dims from `axis` on; Scale/B broadcast to X; the optional Mean and InvStdDev outputs have
// the stash type (float32 only). All statistics are computed in double; half inputs compute in
// float32.
#include <cmath>
#include <string>
#include <vector>

#include "runtime/kernel.h"
#include "runtime/kernels/elementwise_util.h"
#include "runtime/kernels/kernel_util.h"

namespace shrink::runtime {
namespace {

// Values of a parameter tensor (any numeric dtype) as doubles, checked against `count`.
std::vector<double> ReadParam(const KernelContext& ctx, const Tensor& t, int64_t count,
                              const char* what) {
  if (t.numel() != count) {
    ctx.Fail(std::string(what) + " has " + std::to_string(t.numel()) + " elements, expected " +
             std::to_string(count));
  }
  std::vector<double> v(static_cast<size_t>(count));
  for (int64_t i = 0; i < count; ++i) v[static_cast<size_t>(i)] = t.GetAsDouble(i);
  return v;
}

struct MeanInvStdResult {
  double mean;
  double inv_std;
};

// Mean and 1 / sqrt(population variance + epsilon) of in[0, n), accumulated in double.
template <typename T>
MeanInvStdResult MeanInvStd(const T* in, int64_t n, double epsilon) {
  double mean = 0;
  for (int64_t j = 0; j < n; ++j) mean += in[j];
  mean /= static_cast<double>(n);
  double var = 0;
  for (int64_t j = 0; j < n; ++j) var += (in[j] - mean) * (in[j] - mean);
  var /= static_cast<double>(n);
  return {mean, 1.0 / std::sqrt(var + epsilon)};
}

enum class BnVersion { kV1, kV7, kV9, kV14 };

template <BnVersion V>
void BatchNormKernel(KernelContext& ctx) {
  if (V == BnVersion::kV1 && ctx.attr_int("is_test", 0) == 0) {
    ctx.Unsupported("training mode (is_test=0)");
  }
  if (V == BnVersion::kV14 && ctx.attr_int("training_mode", 0) != 0) {
    ctx.Unsupported("training mode (training_mode=1)");
  }
  for (int i = 1; i < ctx.num_outputs(); ++i) {
    if (ctx.output_wanted(i)) ctx.Unsupported("training-mode output " + std::to_string(i));
  }
  const bool spatial =
      V == BnVersion::kV9 || V == BnVersion::kV14 || ctx.attr_int("spatial", 1) != 0;
  const Tensor& x = ctx.in(0);
  if (x.rank() < 2) ctx.Fail("X must have rank >= 2, got " + ShapeToString(x.shape()));
  const int64_t batch = x.dim(0);
  const int64_t channels = x.dim(1);
  const int64_t per_sample = batch == 0 ? 0 : x.numel() / batch;
  const int64_t inner = channels == 0 ? 0 : per_sample / channels;
  const int64_t count = spatial ? channels : per_sample;
  const std::vector<double> scale = ReadParam(ctx, ctx.in(1), count, "scale");
  const std::vector<double> bias = ReadParam(ctx, ctx.in(2), count, "B");
  const std::vector<double> mean = ReadParam(ctx, ctx.in(3), count, "mean");
  const std::vector<double> var = ReadParam(ctx, ctx.in(4), count, "var");
  const double epsilon = ctx.attr_float("epsilon", 1e-5f);
  DispatchFloat(ctx, x.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    Tensor y(x.dtype(), x.shape());
    const T* px = x.data<T>();
    T* py = y.data<T>();
    for (int64_t i = 0; i < x.numel(); ++i) {
      const size_t p = static_cast<size_t>(spatial ? (i / inner) % channels : i % per_sample);
      const double normalized = (double(px[i]) - mean[p]) / std::sqrt(var[p] + epsilon);
      py[i] = static_cast<T>(normalized * scale[p] + bias[p]);
    }
    ctx.set_output(0, std::move(y));
  });
}

void InstanceNormKernel(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  if (x.rank() < 2) ctx.Fail("X must have rank >= 2, got " + ShapeToString(x.shape()));
  const int64_t channels = x.dim(1);
  const int64_t groups = x.dim(0) * channels;
  const int64_t inner = groups == 0 ? 0 : x.numel() / groups;
  const std::vector<double> scale = ReadParam(ctx, ctx.in(1), channels, "scale");
  const std::vector<double> bias = ReadParam(ctx, ctx.in(2), channels, "B");
  const double epsilon = ctx.attr_float("epsilon", 1e-5f);
  DispatchFloat(ctx, x.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    Tensor y(x.dtype(), x.shape());
    const T* px = x.data<T>();
    T* py = y.data<T>();
    for (int64_t g = 0; g < groups; ++g) {
      const T* in = px + g * inner;
      const auto [mean, inv_std] = MeanInvStd(in, inner, epsilon);
      const size_t c = static_cast<size_t>(g % channels);
      for (int64_t j = 0; j < inner; ++j) {
        py[g * inner + j] = static_cast<T>((in[j] - mean) * inv_std * scale[c] + bias[c]);
      }
    }
    ctx.set_output(0, std::move(y));
  });
}

void LayerNormKernel(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  const Tensor& scale = ctx.in(1);
  const Tensor* bias = ctx.input(2);
  const int64_t stash_type = ctx.attr_int("stash_type", 1);
  if (stash_type != static_cast<int64_t>(DataType::kFloat32)) {
    ctx.Unsupported("stash_type " + std::to_string(stash_type) + " (only 1 = float32)");
  }
  const int64_t rank = x.rank();
  const int64_t axis = NormalizeAxis(ctx, ctx.attr_int("axis", -1), rank);
  RequireSameDtype(ctx, x, scale);
  if (bias != nullptr) RequireSameDtype(ctx, x, *bias);
  const Shape bias_shape = bias != nullptr ? bias->shape() : Shape{};
  if (BroadcastShapes(ctx, {x.shape(), scale.shape(), bias_shape}) != x.shape()) {
    ctx.Fail("Scale/B do not broadcast to X " + ShapeToString(x.shape()));
  }
  Shape stat_shape = x.shape();
  int64_t inner = 1;
  for (int64_t d = axis; d < rank; ++d) {
    inner *= x.dim(static_cast<int>(d));
    stat_shape[static_cast<size_t>(d)] = 1;
  }
  Tensor mean_out(DataType::kFloat32, stat_shape);
  Tensor inv_std_out(DataType::kFloat32, stat_shape);
  const double epsilon = ctx.attr_float("epsilon", 1e-5f);
  DispatchFloat(ctx, x.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    Tensor y(x.dtype(), x.shape());
    const T* px = x.data<T>();
    const T* ps = scale.data<T>();
    const T* pb = bias != nullptr ? bias->data<T>() : nullptr;
    T* py = y.data<T>();
    BroadcastIterator it(x.shape(), {scale.shape(), bias_shape});
    for (int64_t g = 0; g < mean_out.numel(); ++g) {
      const T* in = px + g * inner;
      const auto [mean, inv_std] = MeanInvStd(in, inner, epsilon);
      for (int64_t j = 0; j < inner; ++j, it.Next()) {
        const double b = pb != nullptr ? double(pb[it.offset(1)]) : 0.0;
        py[g * inner + j] = static_cast<T>((in[j] - mean) * inv_std * ps[it.offset(0)] + b);
      }
      mean_out.data<float>()[g] = static_cast<float>(mean);
      inv_std_out.data<float>()[g] = static_cast<float>(inv_std);
    }
    ctx.set_output(0, std::move(y));
  });
  ctx.set_output(1, std::move(mean_out));
  ctx.set_output(2, std::move(inv_std_out));
}

}  // namespace

SHRINK_REF_KERNEL("", "BatchNormalization", 1, 6, HalfAsFloat<BatchNormKernel<BnVersion::kV1>>);
SHRINK_REF_KERNEL("", "BatchNormalization", 7, 8, HalfAsFloat<BatchNormKernel<BnVersion::kV7>>);
SHRINK_REF_KERNEL("", "BatchNormalization", 9, 13, HalfAsFloat<BatchNormKernel<BnVersion::kV9>>);
SHRINK_REF_KERNEL("", "BatchNormalization", 14, kLatestOpset,
                  HalfAsFloat<BatchNormKernel<BnVersion::kV14>>);
SHRINK_REF_KERNEL("", "InstanceNormalization", 1, kLatestOpset, HalfAsFloat<InstanceNormKernel>);
// Only Y (output 0) returns to a half type; Mean/InvStdDev keep the float32 stash type.
SHRINK_REF_KERNEL("", "LayerNormalization", 17, kLatestOpset, (HalfAsFloat<LayerNormKernel, 0, 1>));

}  // namespace shrink::runtime
