#include "quant/block_quant.h"

#include <algorithm>
#include <cmath>

namespace shrink::quant {

Expected<BlockGrid> MakeBlockGrid(int bits, bool symmetric) {
  if (bits != 4 && bits != 8)
    return InvalidArgument("weight-only quantization supports 4 or 8 bits, got " +
                           std::to_string(bits));
  BlockGrid g;
  g.bits = bits;
  g.symmetric = symmetric;
  if (symmetric) {
    g.qmax = bits == 4 ? 7 : 127;
    g.qmin = -g.qmax;
    g.dtype = bits == 4 ? DataType::kInt4 : DataType::kInt8;
  } else {
    g.qmin = 0;
    g.qmax = bits == 4 ? 15 : 255;
    g.dtype = bits == 4 ? DataType::kUInt4 : DataType::kUInt8;
  }
  return g;
}

BlockParams ChooseBlockParams(const float* w, int64_t count, int64_t stride, const BlockGrid& g) {
  float lo = 0, hi = 0;
  for (int64_t i = 0; i < count; ++i) {
    lo = std::min(lo, w[i * stride]);
    hi = std::max(hi, w[i * stride]);
  }
  BlockParams p;
  if (g.symmetric) {
    const float amax = std::max(-lo, hi);
    if (amax > 0) p.scale = amax / static_cast<float>(g.qmax);
    return p;
  }
  if (hi > lo) {
    p.scale = (hi - lo) / static_cast<float>(g.qmax - g.qmin);
    const float zp = std::nearbyint(static_cast<float>(g.qmin) - lo / p.scale);
    p.zero_point = static_cast<int32_t>(std::clamp(zp, float(g.qmin), float(g.qmax)));
  }
  return p;
}

int32_t QuantizeCode(float w, const BlockParams& p, const BlockGrid& g) {
  const float q = std::nearbyint(w / p.scale) + static_cast<float>(p.zero_point);
  return static_cast<int32_t>(std::clamp(q, static_cast<float>(g.qmin), float(g.qmax)));
}

std::vector<float> BlockQuantized::Dequantized() const {
  std::vector<float> out(codes.size());
  for (int64_t r = 0; r < k; ++r)
    for (int64_t c = 0; c < n; ++c)
      out[static_cast<size_t>(r * n + c)] =
          DequantizeCode(codes[static_cast<size_t>(r * n + c)], Params(r, c));
  return out;
}

BlockQuantized QuantizeRtn(const std::vector<float>& w, int64_t k, int64_t n, int64_t block,
                           const BlockGrid& g) {
  BlockQuantized q;
  q.k = k;
  q.n = n;
  q.block = block;
  q.grid = g;
  q.codes.resize(static_cast<size_t>(k * n));
  q.params.resize(static_cast<size_t>(q.blocks() * n));
  for (int64_t b = 0; b < q.blocks(); ++b) {
    const int64_t r0 = b * block, rows = std::min(block, k - r0);
    for (int64_t c = 0; c < n; ++c) {
      const BlockParams p = ChooseBlockParams(&w[static_cast<size_t>(r0 * n + c)], rows, n, g);
      q.params[static_cast<size_t>(b * n + c)] = p;
      for (int64_t r = r0; r < r0 + rows; ++r)
        q.codes[static_cast<size_t>(r * n + c)] =
            QuantizeCode(w[static_cast<size_t>(r * n + c)], p, g);
    }
  }
  return q;
}

namespace {
void StoreCode(Tensor& t, int64_t i, int32_t code) {
  switch (t.dtype()) {
    case DataType::kInt4:
    case DataType::kUInt4:
      PackInt4(static_cast<uint8_t*>(t.raw()), i, code);
      break;
    case DataType::kInt8:
      t.data<int8_t>()[i] = static_cast<int8_t>(code);
      break;
    default:
      t.data<uint8_t>()[i] = static_cast<uint8_t>(code);
  }
}
}  // namespace

BlockTensors ToTensors(const BlockQuantized& q, bool transposed) {
  BlockTensors t;
  t.axis = transposed ? 1 : 0;
  const int64_t nb = q.blocks();
  t.codes = transposed ? Tensor(q.grid.dtype, {q.n, q.k}) : Tensor(q.grid.dtype, {q.k, q.n});
  const Shape ps = transposed ? Shape{q.n, nb} : Shape{nb, q.n};
  t.scale = Tensor(DataType::kFloat32, ps);
  if (!q.grid.symmetric) t.zero_point = Tensor(q.grid.dtype, ps);
  for (int64_t r = 0; r < q.k; ++r)
    for (int64_t c = 0; c < q.n; ++c)
      StoreCode(t.codes, transposed ? c * q.k + r : r * q.n + c,
                q.codes[static_cast<size_t>(r * q.n + c)]);
  for (int64_t b = 0; b < nb; ++b)
    for (int64_t c = 0; c < q.n; ++c) {
      const BlockParams& p = q.params[static_cast<size_t>(b * q.n + c)];
      const int64_t i = transposed ? c * nb + b : b * q.n + c;
      t.scale.data<float>()[i] = p.scale;
      if (t.zero_point.defined()) StoreCode(t.zero_point, i, p.zero_point);
    }
  return t;
}

double RelativeMse(const std::vector<float>& w, const std::vector<float>& dequantized) {
  double num = 0, den = 0;
  for (size_t i = 0; i < w.size(); ++i) {
    const double d = static_cast<double>(w[i]) - dequantized[i];
    num += d * d;
    den += static_cast<double>(w[i]) * w[i];
  }
  return den > 0 ? num / den : 0;
}

}  // namespace shrink::quant
