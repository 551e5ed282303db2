// Native fast Concat (float32 and 8-bit inputs) on the plain layout: per block of the dims before
// `axis`, each input's contiguous slab is copied in turn (memcpy). Exact. Inputs must share the
// rank and every dim but `axis` (otherwise Reshape throws and the step falls back to the reference
// kernel, which reports the error).
#include <cstring>

#include "runtime/fast/onednn_util.h"
#include "runtime/fast/parallel_for.h"

namespace shrink::runtime::fast {
namespace {

class ConcatNative : public FastKernel {
 public:
  ConcatNative(const CreateInfo& info, size_t elem)
      : axis_(info.node->GetInt("axis", 0)), elem_(elem) {
    dtype_ = info.input_dtypes[0];
    Reshape(info.input_shapes);
  }

  std::vector<OutputSpec> Reshape(const std::vector<Shape>& shapes) override {
    const Shape& first = shapes[0];
    const int64_t r = static_cast<int64_t>(first.size());
    const int64_t a = axis_ < 0 ? axis_ + r : axis_;
    if (r == 0 || a < 0 || a >= r) Throw(StatusCode::kInvalidArgument, "Concat axis");
    Shape y = first;
    y[a] = 0;
    slabs_.clear();
    for (const Shape& s : shapes) {
      if (static_cast<int64_t>(s.size()) != r) Throw(StatusCode::kInvalidArgument, "Concat rank");
      for (int64_t d = 0; d < r; ++d)
        if (d != a && s[d] != first[d]) Throw(StatusCode::kInvalidArgument, "Concat dims");
      y[a] += s[a];
    }
    outer_ = 1;
    for (int64_t d = 0; d < a; ++d) outer_ *= first[d];
    int64_t inner = 1;
    for (int64_t d = a + 1; d < r; ++d) inner *= first[d];
    for (const Shape& s : shapes) slabs_.push_back(s[a] * inner * static_cast<int64_t>(elem_));
    out_slab_ = y[a] * inner * static_cast<int64_t>(elem_);
    return {{dtype_, y}};
  }

  bool openmp_free() const override { return true; }  // ParallelFor: the spin pool
  void Run(const std::vector<const void*>& in, const std::vector<void*>& out) override {
    char* y = static_cast<char*>(out[0]);
    ParallelFor(outer_, outer_ * out_slab_ >= (1 << 20), [&](int64_t o) {
      char* dst = y + o * out_slab_;
      for (size_t i = 0; i < in.size(); ++i) {
        if (slabs_[i] == 0) continue;
        std::memcpy(dst, static_cast<const char*>(in[i]) + o * slabs_[i], slabs_[i]);
        dst += slabs_[i];
      }
    });
  }

 private:
  int64_t axis_;
  size_t elem_;
  DataType dtype_ = DataType::kUndefined;
  int64_t outer_ = 1, out_slab_ = 0;
  std::vector<int64_t> slabs_;  // bytes per outer block, per input
};

std::unique_ptr<FastKernel> MakeConcat(const CreateInfo& info) {
  for (DataType t : info.input_dtypes)
    if (t != info.input_dtypes[0]) return nullptr;
  const size_t elem = info.input_dtypes[0] == DataType::kFloat32 ? 4 : 1;
  return std::make_unique<ConcatNative>(info, elem);
}

}  // namespace

SHRINK_FAST_KERNEL("", "Concat", 4, kLatestOpset, DataType::kFloat32, "native", MakeConcat,
                   nullptr);
SHRINK_FAST_KERNEL("", "Concat", 4, kLatestOpset, DataType::kUInt8, "native", MakeConcat, nullptr);
SHRINK_FAST_KERNEL("", "Concat", 4, kLatestOpset, DataType::kInt8, "native", MakeConcat, nullptr);

}  // namespace shrink::runtime::fast
