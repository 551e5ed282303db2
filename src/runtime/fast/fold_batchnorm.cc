#include <cmath>

#include "runtime/fast/plan_step.h"

namespace shrink::runtime::fast {

std::pair<Tensor, Tensor> FoldBatchNorm(const Tensor& w, const Tensor* bias, const ir::Node& bn,
                                        const Tensor& gamma, const Tensor& beta, const Tensor& mean,
                                        const Tensor& var) {
  const int64_t m = w.dim(0);
  for (const Tensor* t : {&gamma, &beta, &mean, &var})
    if (t->dtype() != DataType::kFloat32 || t->numel() != m)
      Throw(StatusCode::kUnimplemented, "BatchNormalization parameter shape");
  const float eps = bn.GetFloat("epsilon", 1e-5f);
  Tensor w2 = w.Clone();
  Tensor b2(DataType::kFloat32, {m});
  const int64_t per = w.numel() / m;
  float* wp = w2.data<float>();
  for (int64_t o = 0; o < m; ++o) {
    const double s =
        gamma.data<float>()[o] / std::sqrt(static_cast<double>(var.data<float>()[o]) + eps);
    for (int64_t i = 0; i < per; ++i) wp[o * per + i] = static_cast<float>(wp[o * per + i] * s);
    const double b = bias ? bias->data<float>()[o] : 0.0;
    b2.data<float>()[o] =
        static_cast<float>((b - mean.data<float>()[o]) * s + beta.data<float>()[o]);
  }
  return {std::move(w2), std::move(b2)};
}

}  // namespace shrink::runtime::fast
