#include "runtime/kernels/movement_util.h"

#include "core/half.h"

namespace shrink::runtime {

namespace {

template <typename T>
void StridedCopyTyped(const T* src, T* dst, const Shape& shape, const std::vector<int64_t>& strides,
                      int64_t offset, int64_t total) {
  if (total == 0) return;
  const size_t rank = shape.size();
  if (rank == 0) {
    dst[0] = src[offset];
    return;
  }
  const int64_t inner = shape[rank - 1];
  const int64_t inner_stride = strides[rank - 1];
  std::vector<int64_t> counter(rank, 0);
  int64_t src_off = offset;
  for (int64_t out = 0; out < total; out += inner) {
    const T* s = src + src_off;
    for (int64_t j = 0; j < inner; ++j) dst[out + j] = s[j * inner_stride];
    // Advance the outer dims (all but the last) by one step.
    for (size_t d = rank - 1; d-- > 0;) {
      if (++counter[d] < shape[d]) {
        src_off += strides[d];
        break;
      }
      src_off -= strides[d] * (shape[d] - 1);
      counter[d] = 0;
    }
  }
}

}  // namespace

Tensor StridedCopy(const KernelContext& ctx, const Tensor& src, const Shape& out_shape,
                   const std::vector<int64_t>& strides, int64_t offset) {
  Tensor out(src.dtype(), out_shape);
  DispatchMovable(ctx, src.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    StridedCopyTyped<T>(Elems<T>(src), Elems<T>(out), out_shape, strides, offset, out.numel());
  });
  return out;
}

Tensor TakeAlongAxis(const KernelContext& ctx, const Tensor& src, int axis,
                     const std::vector<int64_t>& index, Shape out_shape) {
  Tensor out(src.dtype(), std::move(out_shape));
  int64_t outer = 1, inner = 1;
  for (int d = 0; d < axis; ++d) outer *= src.dim(d);
  for (int d = axis + 1; d < src.rank(); ++d) inner *= src.dim(d);
  const int64_t axis_dim = src.dim(axis);
  const int64_t n = static_cast<int64_t>(index.size());
  DispatchMovable(ctx, src.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* s = Elems<T>(src);
    T* o = Elems<T>(out);
    for (int64_t a = 0; a < outer; ++a)
      for (int64_t j = 0; j < n; ++j) {
        const T* from = s + (a * axis_dim + index[static_cast<size_t>(j)]) * inner;
        T* to = o + (a * n + j) * inner;
        for (int64_t k = 0; k < inner; ++k) to[k] = from[k];
      }
  });
  return out;
}

bool IsHalfLike(DataType t) { return t == DataType::kFloat16 || t == DataType::kBFloat16; }

Tensor WidenHalf(const Tensor& t) {
  if (!IsHalfLike(t.dtype())) return t;
  Tensor out(DataType::kFloat32, t.shape());
  const uint16_t* s = RawAs<uint16_t>(t);
  float* o = out.data<float>();
  const bool bf = t.dtype() == DataType::kBFloat16;
  for (int64_t i = 0; i < t.numel(); ++i) o[i] = bf ? BFloat16ToFloat(s[i]) : HalfToFloat(s[i]);
  return out;
}

Tensor NarrowToHalf(const Tensor& t, DataType dtype) {
  if (!IsHalfLike(dtype)) return t;
  Tensor out(dtype, t.shape());
  const float* s = t.data<float>();
  uint16_t* o = RawAs<uint16_t>(out);
  const bool bf = dtype == DataType::kBFloat16;
  for (int64_t i = 0; i < t.numel(); ++i) o[i] = bf ? FloatToBFloat16(s[i]) : FloatToHalf(s[i]);
  return out;
}

int64_t ReadScalarInt(const KernelContext& ctx, const Tensor& t, const char* what) {
  if (t.numel() != 1)
    ctx.Fail(std::string(what) + " must have exactly one element, got shape " +
             ShapeToString(t.shape()));
  return ReadInts(ctx, t)[0];
}

int64_t NormalizeIndex(const KernelContext& ctx, int64_t index, int64_t dim) {
  if (index < -dim || index >= dim)
    ctx.Fail("index " + std::to_string(index) + " out of range for axis of size " +
             std::to_string(dim));
  return index < 0 ? index + dim : index;
}

int ElementsAxis(const KernelContext& ctx, const Tensor& data, const Tensor& indices) {
  const int r = data.rank();
  if (indices.rank() != r) ctx.Fail("indices must have the rank of data");
  const int axis = static_cast<int>(NormalizeAxis(ctx, ctx.attr_int("axis", 0), r));
  for (int d = 0; d < r; ++d)
    if (d != axis && indices.dim(d) > data.dim(d))
      ctx.Fail("indices shape " + ShapeToString(indices.shape()) + " exceeds data shape " +
               ShapeToString(data.shape()));
  return axis;
}

}  // namespace shrink::runtime
