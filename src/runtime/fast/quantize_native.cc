// Native fast QuantizeLinear / DequantizeLinear: float32 <-> (u)int8, per-tensor or per-axis
// (opset >= 13) constant scale and zero point; block-wise quantization, other dtypes and
// output_dtype are left to the reference kernels (the factory declines).
//   Quantize:   y = saturate(round_half_even(x / scale) + zero_point). The quotient is clamped to
//               [lo - zp, hi - zp] first (integer bounds, so the result is unchanged) and then
//               rounded with the float32 magic-number trick (exact half-to-even in the default
//               rounding mode for |v| < 2^22), which vectorises; bit-identical to the reference.
//   Dequantize: y = (x - zero_point) * scale in float32, as the reference.
// Loops split over OpenMP threads for large tensors; the inner loops are quant_loops.h's (also
// built for AVX-512). Per-tensor
// parameters make them elementwise: any layout (layout.h), the same for x and y (tied caps).
#include <algorithm>

#include "runtime/fast/int8_util.h"
#include "runtime/fast/parallel_for.h"
#include "runtime/fast/quant_loops.h"

namespace shrink::runtime::fast {
namespace {

// Per-tensor or per-axis parameters as vectors of length `channels`, x viewed as
// [outer, channels, inner].
struct Params {
  std::vector<float> scale;
  std::vector<int32_t> zp;
  int64_t axis = -1;  // -1: per tensor
};

std::optional<Params> ReadParams(const CreateInfo& info, DataType qtype) {
  const ir::Node& n = *info.node;
  if (n.GetInt("block_size", 0) != 0 || n.GetInt("output_dtype", 0) != 0) return std::nullopt;
  auto s = FloatsOf(ConstInput(info, 1));
  if (!s) return std::nullopt;
  Params p;
  p.scale = *s;
  const Tensor* zp = ConstInput(info, 2);
  if (!OmittedInput(info, 2) &&
      (!zp || zp->dtype() != qtype || zp->numel() != static_cast<int64_t>(s->size())))
    return std::nullopt;
  p.zp.assign(s->size(), 0);
  if (zp)
    for (size_t i = 0; i < p.zp.size(); ++i)
      p.zp[i] = static_cast<int32_t>(zp->GetAsDouble(static_cast<int64_t>(i)));
  const Tensor* st = ConstInput(info, 1);
  if (st->numel() == 1 && st->rank() <= 1) return p;
  if (info.opset < 13 || st->rank() != 1) return std::nullopt;
  const int64_t r = static_cast<int64_t>(info.input_shapes[0].size());
  int64_t axis = n.GetInt("axis", 1);
  if (axis < 0) axis += r;
  if (axis < 0 || axis >= r) return std::nullopt;
  p.axis = axis;
  return p;
}

// x viewed as [outer, channels, inner] for the parameters' axis.
struct AxisLayout {
  Params p;
  int64_t outer = 1, channels = 1, inner = 1;
  void Set(const Shape& x) {
    outer = channels = inner = 1;
    if (p.axis < 0) {
      inner = NumElements(x);
      return;
    }
    if (static_cast<int64_t>(x.size()) <= p.axis ||
        x[static_cast<size_t>(p.axis)] != static_cast<int64_t>(p.scale.size()))
      Throw(StatusCode::kInvalidArgument, "per-axis scale length differs from the axis");
    for (size_t d = 0; d < x.size(); ++d) {
      const int64_t a = static_cast<int64_t>(d);
      (a < p.axis ? outer : a == p.axis ? channels : inner) *= x[d];
    }
  }
  // Calls fn(scale, zero_point, begin, end) over element ranges that share parameters, split
  // across OpenMP threads in chunks of kChunk elements.
  template <typename Fn>
  void ForEachRange(Fn&& fn) const {
    constexpr int64_t kChunk = 16384;
    const int64_t rows = outer * channels, chunks = (inner + kChunk - 1) / kChunk;
    ParallelFor(rows * chunks, rows * inner > 4 * kChunk, [&](int64_t t) {
      const int64_t r = t / chunks, b = (t % chunks) * kChunk;
      const size_t c = p.axis < 0 ? 0 : static_cast<size_t>(r % channels);
      fn(p.scale[c], static_cast<float>(p.zp[c]), r * inner + b,
         r * inner + std::min(inner, b + kChunk));
    });
  }
};

template <typename Q>
class QuantizeNative : public FastKernel {
 public:
  explicit QuantizeNative(Params p) { l_.p = std::move(p); }
  bool openmp_free() const override { return true; }
  LayoutCaps layout_caps() const override {
    return l_.p.axis < 0 ? LayoutCaps{{0}, true, true} : LayoutCaps{};
  }
  std::vector<OutputSpec> Reshape(const std::vector<Shape>& shapes) override {
    l_.Set(shapes[0]);
    return {{std::is_same_v<Q, uint8_t> ? DataType::kUInt8 : DataType::kInt8, shapes[0]}};
  }
  void Run(const std::vector<const void*>& in, const std::vector<void*>& out) override {
    const float* const x = static_cast<const float*>(in[0]);
    Q* const y = static_cast<Q*>(out[0]);
    l_.ForEachRange([x, y](float s, float z, int64_t begin, int64_t end) {
      QuantizeLoop(x + begin, y + begin, end - begin, s, z);
    });
  }

 private:
  AxisLayout l_;
};

template <typename Q>
class DequantizeNative : public FastKernel {
 public:
  explicit DequantizeNative(Params p) { l_.p = std::move(p); }
  bool openmp_free() const override { return true; }
  LayoutCaps layout_caps() const override {
    return l_.p.axis < 0 ? LayoutCaps{{0}, true, true} : LayoutCaps{};
  }
  std::vector<OutputSpec> Reshape(const std::vector<Shape>& shapes) override {
    l_.Set(shapes[0]);
    return {{DataType::kFloat32, shapes[0]}};
  }
  void Run(const std::vector<const void*>& in, const std::vector<void*>& out) override {
    const Q* const x = static_cast<const Q*>(in[0]);
    float* const y = static_cast<float*>(out[0]);
    l_.ForEachRange([x, y](float s, float z, int64_t begin, int64_t end) {
      DequantizeLoop(x + begin, y + begin, end - begin, s, z);
    });
  }

 private:
  AxisLayout l_;
};

std::unique_ptr<FastKernel> MakeQuantize(const CreateInfo& info) {
  const DataType q = OmittedInput(info, 2) ? DataType::kUInt8 : info.input_dtypes[2];
  auto p = ReadParams(info, q);
  if (!p) return nullptr;
  std::unique_ptr<FastKernel> k;
  if (q == DataType::kUInt8) k = std::make_unique<QuantizeNative<uint8_t>>(std::move(*p));
  if (q == DataType::kInt8) k = std::make_unique<QuantizeNative<int8_t>>(std::move(*p));
  if (k) k->Reshape(info.input_shapes);
  return k;
}

std::unique_ptr<FastKernel> MakeDequantize(const CreateInfo& info) {
  const DataType q = info.input_dtypes[0];
  auto p = ReadParams(info, q);
  if (!p) return nullptr;
  std::unique_ptr<FastKernel> k;
  if (q == DataType::kUInt8) k = std::make_unique<DequantizeNative<uint8_t>>(std::move(*p));
  if (q == DataType::kInt8) k = std::make_unique<DequantizeNative<int8_t>>(std::move(*p));
  if (k) k->Reshape(info.input_shapes);
  return k;
}

}  // namespace

SHRINK_FAST_KERNEL("", "QuantizeLinear", 10, kLatestOpset, DataType::kFloat32, "native",
                   MakeQuantize, nullptr);
SHRINK_FAST_KERNEL("", "DequantizeLinear", 10, kLatestOpset, DataType::kUInt8, "native",
                   MakeDequantize, nullptr);
SHRINK_FAST_KERNEL("", "DequantizeLinear", 10, kLatestOpset, DataType::kInt8, "native",
                   MakeDequantize, nullptr);

}  // namespace shrink::runtime::fast
