// Activation kernels (Relu LeakyRelu Elu Selu Celu Sigmoid HardSigmoid HardSwish Softplus
// Softsign ThresholdedRelu Gelu PRelu Clip).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <numbers>

#include "runtime/kernel_test_helpers.h"

namespace shrink::testing {
namespace {

using ir::MakeAttr;
const std::vector<double> kInputs = {-3, -0.5, 0, 0.25, 2, 7};

std::vector<double> Apply(const std::function<double(double)>& f) {
  std::vector<double> out;
  for (double v : kInputs) out.push_back(f(v));
  return out;
}

void ExpectActivation(const char* op, std::vector<ir::Attribute> attrs,
                      const std::function<double(double)>& ref, int64_t opset = 17) {
  SCOPED_TRACE(op);
  ExpectTensor(RunOne(op, {F32({2, 3}, kInputs)}, std::move(attrs), opset), kF32, {2, 3},
               Apply(ref), 1e-6);
}

TEST(Activation, DefaultAttributes) {
  ExpectActivation("Relu", {}, [](double v) { return v > 0 ? v : 0; });
  ExpectActivation("LeakyRelu", {}, [](double v) { return v > 0 ? v : 0.01 * v; });
  ExpectActivation("Elu", {}, [](double v) { return v > 0 ? v : std::exp(v) - 1; });
  ExpectActivation("Selu", {}, [](double v) {
    const double alpha = 1.6732632423543772, gamma = 1.0507009873554805;
    return v > 0 ? gamma * v : gamma * alpha * (std::exp(v) - 1);
  });
  ExpectActivation("Celu", {}, [](double v) { return v > 0 ? v : std::exp(v) - 1; });
  ExpectActivation("Sigmoid", {}, [](double v) { return 1 / (1 + std::exp(-v)); });
  ExpectActivation("HardSigmoid", {}, [](double v) { return std::clamp(0.2 * v + 0.5, 0.0, 1.0); });
  ExpectActivation("HardSwish", {}, [](double v) { return v * std::clamp(v / 6 + 0.5, 0.0, 1.0); });
  ExpectActivation("Softplus", {}, [](double v) { return std::log(1 + std::exp(v)); });
  ExpectActivation("Softsign", {}, [](double v) { return v / (1 + std::fabs(v)); });
  ExpectActivation("ThresholdedRelu", {}, [](double v) { return v > 1 ? v : 0; });
}

TEST(Activation, ExplicitAttributes) {
  ExpectActivation("LeakyRelu", {MakeAttr("alpha", 0.5f)},
                   [](double v) { return v > 0 ? v : 0.5 * v; });
  ExpectActivation("Elu", {MakeAttr("alpha", 2.0f)},
                   [](double v) { return v > 0 ? v : 2 * (std::exp(v) - 1); });
  ExpectActivation("Celu", {MakeAttr("alpha", 2.0f)}, [](double v) {
    return std::max(0.0, v) + std::min(0.0, 2 * (std::exp(v / 2) - 1));
  });
  ExpectActivation("HardSigmoid", {MakeAttr("alpha", 0.5f), MakeAttr("beta", 0.25f)},
                   [](double v) { return std::clamp(0.5 * v + 0.25, 0.0, 1.0); });
  ExpectActivation("ThresholdedRelu", {MakeAttr("alpha", 0.1f)},
                   [](double v) { return v > 0.1 ? v : 0; });
}

TEST(Activation, GeluExactAndTanh) {
  ExpectActivation(
      "Gelu", {}, [](double v) { return 0.5 * v * (1 + std::erf(v / std::sqrt(2))); }, 20);
  ExpectActivation(
      "Gelu", {MakeAttr("approximate", "tanh")},
      [](double v) {
        return 0.5 * v *
               (1 + std::tanh(std::sqrt(2 / std::numbers::pi) * (v + 0.044715 * v * v * v)));
      },
      20);
  const Status s = RunStatus("Gelu", {F32({1}, {1})}, {MakeAttr("approximate", "fast")}, 20);
  EXPECT_EQ(s.code(), StatusCode::kUnimplemented) << s.ToString();
}

TEST(Activation, SoftplusAndSigmoidStayFiniteForLargeInputs) {
  ExpectTensor(RunOne("Softplus", {F32({2}, {100, -100})}), kF32, {2}, {100, std::exp(-100.0)});
  ExpectTensor(RunOne("Sigmoid", {F32({2}, {-100, 100})}), kF32, {2}, {std::exp(-100.0), 1});
}

TEST(Activation, ReluOnSignedIntegers) {
  ExpectTensor(RunOne("Relu", {Make(DataType::kInt8, {3}, {-5, 0, 7})}, {}, 14), DataType::kInt8,
               {3}, {0, 0, 7});
}

TEST(Activation, PReluBroadcastsSlopePerChannel) {
  // X [1, 2, 2], slope [2, 1] -> one slope per channel.
  const Tensor x = F32({1, 2, 2}, {-1, 2, -3, 4});
  const Tensor slope = F32({2, 1}, {0.5, 0.25});
  ExpectTensor(RunOne("PRelu", {x, slope}), kF32, {1, 2, 2}, {-0.5, 2, -0.75, 4});
  // A slope that would have to grow X fails.
  EXPECT_EQ(RunStatus("PRelu", {F32({2}, {1, 2}), F32({2, 2}, {1, 2, 3, 4})}).code(),
            StatusCode::kInvalidArgument);
  // Before opset 7 only a one-element or full-shape slope is defined.
  ExpectTensor(RunOne("PRelu", {x, F32({1}, {0.1})}, {}, 6), kF32, {1, 2, 2}, {-0.1, 2, -0.3, 4});
  EXPECT_EQ(RunStatus("PRelu", {x, slope}, {}, 6).code(), StatusCode::kUnimplemented);
}

TEST(Activation, ClipAttributesBeforeOpset11) {
  const Tensor x = F32({4}, {-5, -1, 0.5, 9});
  ExpectTensor(RunOne("Clip", {x}, {MakeAttr("min", -2.0f), MakeAttr("max", 1.0f)}, 6), kF32, {4},
               {-2, -1, 0.5, 1});
  ExpectTensor(RunOne("Clip", {x}, {MakeAttr("max", 0.0f)}, 6), kF32, {4}, {-5, -1, 0, 0});
  ExpectTensor(RunOne("Clip", {x}, {}, 6), kF32, {4}, {-5, -1, 0.5, 9});
}

TEST(Activation, ClipInputsFromOpset11) {
  const Tensor x = F32({4}, {-5, -1, 0.5, 9});
  ExpectTensor(RunOne("Clip", {x, F32({}, {-2}), F32({}, {1})}, {}, 11), kF32, {4},
               {-2, -1, 0.5, 1});
  // Omitted min (undefined tensor) -> only the max bound applies.
  ExpectTensor(RunOne("Clip", {x, Tensor(), F32({}, {0})}, {}, 13), kF32, {4}, {-5, -1, 0, 0});
  // min > max: everything becomes max.
  ExpectTensor(RunOne("Clip", {x, F32({}, {3}), F32({}, {1})}, {}, 13), kF32, {4}, {1, 1, 1, 1});
  // Integer clip (opset 12+).
  ExpectTensor(
      RunOne("Clip", {Make(DataType::kInt8, {3}, {-100, 5, 100}), Make(DataType::kInt8, {}, {-10})},
             {}, 13),
      DataType::kInt8, {3}, {-10, 5, 100});
  // No bounds: identity.
  ExpectTensor(RunOne("Clip", {x}, {}, 11), kF32, {4}, {-5, -1, 0.5, 9});
  EXPECT_EQ(RunStatus("Clip", {x, F32({2}, {0, 1})}, {}, 13).code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace shrink::testing
