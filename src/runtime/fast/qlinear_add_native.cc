// Native fast com.microsoft QLinearAdd (the int8 residual add): A and B of the same shape, uint8
// or int8, constant per-tensor scales and zero points; broadcasting is left to the reference
// kernel (the kernel throws at Reshape and the step falls back). The loop is quant_loops.h's
// (bit-identical to the reference, runtime/kernels/qlinear_add.cc). Elementwise, so any layout
// (layout.h) as long as A, B and C share it (tied caps).
#include <omp.h>

#include <algorithm>

#include "runtime/fast/int8_util.h"
#include "runtime/fast/quant_loops.h"
#include "runtime/fast/spin_pool.h"

namespace shrink::runtime::fast {
namespace {

template <typename Q>
class QLinearAddNative : public FastKernel {
 public:
  QLinearAddNative(const CreateInfo& info, float as, float bs, float cs, int32_t az, int32_t bz,
                   int32_t cz)
      : p_{as, static_cast<float>(az), bs, static_cast<float>(bz), cs, static_cast<float>(cz)} {
    Reshape(info.input_shapes);
  }
  std::vector<OutputSpec> Reshape(const std::vector<Shape>& shapes) override {
    if (shapes[0] != shapes[3]) Throw(StatusCode::kUnimplemented, "QLinearAdd broadcasting");
    n_ = NumElements(shapes[0]);
    return {{std::is_same_v<Q, uint8_t> ? DataType::kUInt8 : DataType::kInt8, shapes[0]}};
  }
  bool openmp_free() const override { return true; }
  LayoutCaps layout_caps() const override { return {{0, 3}, true, true}; }
  void Run(const std::vector<const void*>& in, const std::vector<void*>& out) override {
    const Q* a = static_cast<const Q*>(in[0]);
    const Q* b = static_cast<const Q*>(in[3]);
    Q* c = static_cast<Q*>(out[0]);
    // Whole cache lines a thread: the same halves of the activations as the convolutions'.
    const int64_t chunks = n_ >= kSplitMin ? threads_ : 1;
    SpinPool::Run(chunks, threads_, [&](int64_t t) {
      const int64_t begin = SpinPool::ChunkStart(n_, t, chunks, 64),
                    end = SpinPool::ChunkStart(n_, t + 1, chunks, 64);
      QLinearAddLoop(a + begin, b + begin, c + begin, end - begin, p_);
    });
  }

 private:
  static constexpr int64_t kSplitMin = 4096;  // elements: below, one thread
  QAddParams p_;
  int64_t n_ = 0;
  const int threads_ = omp_get_max_threads();  // the session's count for this kernel
};

std::unique_ptr<FastKernel> MakeQLinearAdd(const CreateInfo& info) {
  const DataType dt = info.input_dtypes[0];
  if (info.input_dtypes.size() < 7 || info.input_dtypes[3] != dt) return nullptr;
  auto as = FloatsOf(ConstInput(info, 1)), bs = FloatsOf(ConstInput(info, 4)),
       cs = FloatsOf(ConstInput(info, 6));
  auto az = ScalarInt(ConstInput(info, 2), OmittedInput(info, 2));
  auto bz = ScalarInt(ConstInput(info, 5), OmittedInput(info, 5));
  auto cz = ScalarInt(ConstInput(info, 7), OmittedInput(info, 7));
  if (!as || !bs || !cs || !az || !bz || !cz) return nullptr;
  if (as->size() != 1 || bs->size() != 1 || cs->size() != 1) return nullptr;
  if (dt == DataType::kUInt8)
    return std::make_unique<QLinearAddNative<uint8_t>>(info, (*as)[0], (*bs)[0], (*cs)[0], *az, *bz,
                                                       *cz);
  return std::make_unique<QLinearAddNative<int8_t>>(info, (*as)[0], (*bs)[0], (*cs)[0], *az, *bz,
                                                    *cz);
}

}  // namespace

SHRINK_FAST_KERNEL("com.microsoft", "QLinearAdd", 1, kLatestOpset, DataType::kUInt8, "native",
                   MakeQLinearAdd, nullptr);
SHRINK_FAST_KERNEL("com.microsoft", "QLinearAdd", 1, kLatestOpset, DataType::kInt8, "native",
                   MakeQLinearAdd, nullptr);

}  // namespace shrink::runtime::fast
