// Native fast Split on the plain layout, for 1-, 2-, 4- or 8-byte elements: per block of the dims
// before `axis`, each output's slab is one memcpy. Sizes from the `split` input (opset >= 13) or
// attribute (opset < 13), else equal parts over the outputs (opset 18's num_outputs: the last
// part may be smaller). Exact. Sizes that do not add up to the axis throw at Reshape (the step
// then falls back to the reference kernel, which reports the error).
#include <cstring>

#include "runtime/fast/int8_util.h"
#include "runtime/fast/parallel_for.h"

namespace shrink::runtime::fast {
namespace {

class SplitNative : public FastKernel {
 public:
  SplitNative(const CreateInfo& info, size_t elem, std::vector<int64_t> sizes)
      : axis_(info.node->GetInt("axis", 0)),
        outputs_(info.node->outputs().size()),
        elem_(elem),
        given_(std::move(sizes)),
        dtype_(info.input_dtypes[0]) {
    Reshape(info.input_shapes);
  }

  std::vector<OutputSpec> Reshape(const std::vector<Shape>& shapes) override {
    const Shape& x = shapes[0];
    const int64_t r = static_cast<int64_t>(x.size());
    const int64_t a = axis_ < 0 ? axis_ + r : axis_;
    if (a < 0 || a >= r) Throw(StatusCode::kInvalidArgument, "Split axis");
    std::vector<int64_t> sizes = given_;
    if (sizes.empty()) {
      const int64_t n = static_cast<int64_t>(outputs_);
      const int64_t part = (x[a] + n - 1) / n;
      for (int64_t k = 0; k < n; ++k)
        sizes.push_back(std::max<int64_t>(0, std::min(part, x[a] - k * part)));
    }
    int64_t total = 0;
    for (int64_t s : sizes) total += s;
    if (total != x[a] || sizes.size() != outputs_ || x[a] < 0)
      Throw(StatusCode::kInvalidArgument, "Split sizes");
    outer_ = 1;
    for (int64_t d = 0; d < a; ++d) outer_ *= x[d];
    int64_t inner = static_cast<int64_t>(elem_);
    for (int64_t d = a + 1; d < r; ++d) inner *= x[d];
    in_slab_ = x[a] * inner;
    slabs_.clear();
    std::vector<OutputSpec> out;
    for (int64_t s : sizes) {
      slabs_.push_back(s * inner);
      Shape y = x;
      y[a] = s;
      out.push_back({dtype_, y});
    }
    return out;
  }

  bool openmp_free() const override { return true; }  // ParallelFor: the spin pool
  void Run(const std::vector<const void*>& in, const std::vector<void*>& out) override {
    const char* x = static_cast<const char*>(in[0]);
    ParallelFor(outer_, outer_ * in_slab_ >= (1 << 20), [&](int64_t o) {
      const char* src = x + o * in_slab_;
      for (size_t k = 0; k < out.size(); ++k) {
        if (out[k] && slabs_[k] > 0)
          std::memcpy(static_cast<char*>(out[k]) + o * slabs_[k], src, slabs_[k]);
        src += slabs_[k];
      }
    });
  }

 private:
  int64_t axis_;
  size_t outputs_, elem_;
  std::vector<int64_t> given_;  // split sizes from the node (empty: equal parts)
  DataType dtype_;
  int64_t outer_ = 1, in_slab_ = 0;
  std::vector<int64_t> slabs_;  // bytes per outer block, per output
};

std::unique_ptr<FastKernel> MakeSplit(const CreateInfo& info) {
  const DataType t = info.input_dtypes[0];
  const size_t elem = StorageBytes(t, 1);
  if (t == DataType::kString || (elem != 1 && elem != 2 && elem != 4 && elem != 8) ||
      StorageBytes(t, 8) != 8 * elem)
    return nullptr;
  std::vector<int64_t> sizes;
  if (info.opset >= 13) {
    if (!OmittedInput(info, 1)) {
      const Tensor* s = ConstInput(info, 1);
      if (!s || s->dtype() != DataType::kInt64) return nullptr;  // sizes that vary per run
      for (int64_t i = 0; i < s->numel(); ++i) sizes.push_back(s->data<int64_t>()[i]);
    }
  } else if (info.node->HasAttr("split")) {
    sizes = info.node->GetInts("split");
  }
  return std::make_unique<SplitNative>(info, elem, std::move(sizes));
}

}  // namespace

SHRINK_FAST_KERNEL("", "Split", 2, kLatestOpset, DataType::kFloat32, "native", MakeSplit, nullptr);
SHRINK_FAST_KERNEL("", "Split", 2, kLatestOpset, DataType::kUInt8, "native", MakeSplit, nullptr);
SHRINK_FAST_KERNEL("", "Split", 2, kLatestOpset, DataType::kInt8, "native", MakeSplit, nullptr);
SHRINK_FAST_KERNEL("", "Split", 2, kLatestOpset, DataType::kInt64, "native", MakeSplit, nullptr);

}  // namespace shrink::runtime::fast
