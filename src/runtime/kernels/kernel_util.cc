#include "runtime/kernels/kernel_util.h"

namespace shrink::runtime {

Shape BroadcastShapes(const KernelContext& ctx, const std::vector<Shape>& shapes) {
  size_t rank = 0;
  for (const auto& s : shapes) rank = std::max(rank, s.size());
  Shape out(rank, 1);
  for (const auto& s : shapes) {
    const size_t off = rank - s.size();
    for (size_t i = 0; i < s.size(); ++i) {
      int64_t& o = out[off + i];
      const int64_t d = s[i];
      if (d == o || d == 1) continue;
      if (o == 1) {
        o = d;
        continue;
      }
      std::string msg = "cannot broadcast shapes";
      for (const auto& x : shapes) msg += " " + ShapeToString(x);
      ctx.Fail(msg);
    }
  }
  return out;
}

std::vector<int64_t> StridesOf(const Shape& shape) {
  std::vector<int64_t> strides(shape.size(), 1);
  for (size_t i = shape.size(); i-- > 1;) strides[i - 1] = strides[i] * shape[i];
  return strides;
}

std::vector<int64_t> BroadcastStrides(const Shape& in, const Shape& out) {
  std::vector<int64_t> result(out.size(), 0);
  const auto in_strides = StridesOf(in);
  const size_t off = out.size() - in.size();
  for (size_t i = 0; i < in.size(); ++i) result[off + i] = in[i] == 1 ? 0 : in_strides[i];
  return result;
}

BroadcastIterator::BroadcastIterator(const Shape& out, const std::vector<Shape>& ins)
    : out_(out), counter_(out.size(), 0), offsets_(ins.size(), 0) {
  for (const auto& in : ins) strides_.push_back(BroadcastStrides(in, out));
}

void BroadcastIterator::Next() {
  for (size_t d = out_.size(); d-- > 0;) {
    if (++counter_[d] < out_[d]) {
      for (size_t k = 0; k < strides_.size(); ++k) offsets_[k] += strides_[k][d];
      return;
    }
    counter_[d] = 0;
    for (size_t k = 0; k < strides_.size(); ++k) offsets_[k] -= strides_[k][d] * (out_[d] - 1);
  }
}

int64_t NormalizeAxis(const KernelContext& ctx, int64_t axis, int64_t rank) {
  if (axis < -rank || axis >= rank)
    ctx.Fail("axis " + std::to_string(axis) + " out of range for rank " + std::to_string(rank));
  return axis < 0 ? axis + rank : axis;
}

std::vector<int64_t> ReadInts(const KernelContext& ctx, const Tensor& t) {
  std::vector<int64_t> v(static_cast<size_t>(t.numel()));
  if (t.dtype() == DataType::kInt64) {
    std::copy(t.data<int64_t>(), t.data<int64_t>() + t.numel(), v.begin());
  } else if (t.dtype() == DataType::kInt32) {
    std::copy(t.data<int32_t>(), t.data<int32_t>() + t.numel(), v.begin());
  } else {
    ctx.Fail(std::string("expected an int32/int64 tensor, got ") + DataTypeName(t.dtype()));
  }
  return v;
}

}  // namespace shrink::runtime
