#include "zoo/builders/small_common.h"

#include <cmath>

namespace shrink::zoo::detail {

using ir::MakeAttr;
using ir::Value;

Value* Dense(Ctx& c, Value* x, const std::string& name, int64_t in, int64_t out, float gain) {
  const float std = std::sqrt(gain / static_cast<float>(in));
  Value* w = c.W(name + ".weight", c.gen.Scaled({out, in}, std));
  const float bound = 1.0f / std::sqrt(static_cast<float>(in));
  Value* b = c.W(name + ".bias", c.gen.Uniform({out}, -bound, bound));
  return c.Op("Gemm", {x, w, b},
              {MakeAttr("alpha", 1.0f), MakeAttr("beta", 1.0f), MakeAttr("transB", 1)}, name);
}

Value* FreshBatchNorm(Ctx& c, Value* x, const std::string& name, int64_t channels) {
  Value* gamma = c.W(name + ".weight", Filled({channels}, 1.0f));
  Value* beta = c.W(name + ".bias", Filled({channels}, 0.0f));
  Value* mean = c.W(name + ".running_mean", Filled({channels}, 0.0f));
  Value* var = c.W(name + ".running_var", Filled({channels}, 1.0f));
  return c.Op("BatchNormalization", {x, gamma, beta, mean, var},
              {MakeAttr("epsilon", 1e-5f), MakeAttr("momentum", 0.9f)}, name);
}

Value* DropoutOp(Ctx& c, Value* x, float ratio) { return c.Op("Dropout", {x, c.F32(ratio)}); }

Value* MaxPool(Ctx& c, Value* x, int64_t k) {
  return c.Op("MaxPool", {x},
              {Ints("kernel_shape", {k, k}), Ints("pads", {0, 0, 0, 0}), Ints("strides", {k, k})});
}

}  // namespace shrink::zoo::detail
