// The native Where and Split kernels against the reference executor (exact: they only select and
// copy): Where with every broadcast pattern of its three operands (a causal mask's [1, 1, S, S]
// condition against [N, H, S, S] scores and a scalar) and several element sizes; Split with sizes
// from the input (opset 13+), the attribute (opset 11), equal parts, opset 18's uneven
// num_outputs, a negative axis, and sizes that do not add up (the reference kernel's error).
#include <gtest/gtest.h>

#include "kernel_test_helpers.h"
#include "runtime_util/fast_test_util.h"

namespace shrink::testing {
namespace {

using ir::MakeAttr;

struct Both {
  std::vector<Tensor> ref, fast;
  std::string backend;
  Status fast_status = Status::Ok();
};

// One `op` node over fed inputs (constant ones as initializers) with `outputs` outputs.
Both RunOp(const std::string& op, const std::vector<Tensor>& inputs,
           const std::vector<bool>& constant, std::vector<ir::Attribute> attrs, size_t outputs,
           int64_t opset) {
  ir::Model model = ir::MakeModel(opset);
  ir::Graph& g = *model.graph;
  std::vector<ir::Value*> ins;
  runtime::Feeds feeds;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const std::string name = "in" + std::to_string(i);
    if (constant[i]) {
      ins.push_back(g.AddInitializer(name, inputs[i]));
    } else {
      ins.push_back(g.AddInput(name, ir::TypeInfo::Tensor(inputs[i].dtype(), inputs[i].shape())));
      feeds.emplace_back(name, inputs[i]);
    }
  }
  std::vector<std::string> outs;
  for (size_t k = 0; k < outputs; ++k) outs.push_back("out" + std::to_string(k));
  ir::Node* n = g.AddNode(op, ins, outs, std::move(attrs), "node");
  for (size_t k = 0; k < outputs; ++k) g.AddOutput(n->output(static_cast<int>(k)));
  Both b;
  auto ex = runtime::Executor::Create(model);
  EXPECT_TRUE(ex.ok()) << ex.status().ToString();
  if (auto ref = (*ex)->Run(feeds); ref.ok()) b.ref = *ref;
  auto s = runtime::fast::Session::Create(model);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  auto fast = (*s)->Run(feeds);
  b.fast_status = fast.status();
  if (fast.ok()) b.fast = *fast;
  b.backend = (*s)->Profile().at(0).backend;
  return b;
}

void ExpectExact(const Both& b) {
  ASSERT_TRUE(b.fast_status.ok()) << b.fast_status.ToString();
  ASSERT_EQ(b.fast.size(), b.ref.size());
  for (size_t k = 0; k < b.ref.size(); ++k) {
    EXPECT_EQ(b.fast[k].dtype(), b.ref[k].dtype()) << k;
    EXPECT_EQ(b.fast[k].shape(), b.ref[k].shape()) << k;
    EXPECT_EQ(MaxAbsDiff(b.fast[k], b.ref[k]), 0.0) << k;
  }
}

Tensor Mask(const Shape& shape, uint32_t seed) {
  Tensor m(DataType::kBool, shape);
  const Tensor r = RandomTensor(shape, seed);
  for (int64_t i = 0; i < m.numel(); ++i) m.data<bool>()[i] = r.data<float>()[i] > 0;
  return m;
}

TEST(FastWhere, EveryBroadcastPatternMatchesTheReference) {
  struct Case {
    Shape c, x, y;
  };
  const std::vector<Case> cases = {
      {{1, 1, 8, 8}, {2, 3, 8, 8}, {}},            // causal mask, scores, scalar -inf
      {{2, 3, 8, 8}, {2, 3, 8, 8}, {2, 3, 8, 8}},  // same shapes
      {{8}, {}, {5, 8}},                           // row condition, scalar x
      {{5, 1}, {1, 7}, {5, 7}},                    // column condition: rows of one repeated value
      {{}, {4, 6}, {4, 1}},                        // scalar condition
      {{3, 1, 5}, {1, 4, 1}, {1}},                 // every operand broadcasts somewhere
      {{0, 4}, {0, 4}, {}},                        // empty
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE("case " + std::to_string(i));
    const Case& c = cases[i];
    for (const bool y_const : {false, true}) {
      const Both b = RunOp(
          "Where",
          {Mask(c.c, 10 + static_cast<uint32_t>(i)), RandomTensor(c.x, 20), RandomTensor(c.y, 30)},
          {false, false, y_const}, {}, 1, 17);
      EXPECT_EQ(b.backend, "native");
      ExpectExact(b);
    }
  }
  // 1-byte and 8-byte elements.
  ExpectExact(RunOp("Where",
                    {Mask({2, 9}, 40), RandomQ(DataType::kUInt8, {2, 9}, 41, 0, 255),
                     RandomQ(DataType::kUInt8, {1}, 42, 0, 255)},
                    {false, false, false}, {}, 1, 17));
  ExpectExact(RunOp("Where", {Mask({3, 1}, 43), I64({3, 2}, {1, 2, 3, 4, 5, 6}), I64({}, {-7})},
                    {false, false, false}, {}, 1, 17));
  // Shapes that do not broadcast: the reference kernel's error, not a crash.
  Both bad = RunOp("Where", {Mask({2, 3}, 44), RandomTensor({4, 3}, 45), RandomTensor({}, 46)},
                   {false, false, false}, {}, 1, 17);
  EXPECT_FALSE(bad.fast_status.ok());
}

TEST(FastSplit, EverySizeFormMatchesTheReference) {
  const Tensor x = RandomTensor({2, 9, 4}, 50);
  // Sizes from the input (opset 13), on the middle and the last (negative) axis.
  Both b = RunOp("Split", {x, I64({3}, {2, 3, 4})}, {false, true}, {MakeAttr("axis", int64_t{1})},
                 3, 13);
  EXPECT_EQ(b.backend, "native");
  ExpectExact(b);
  ExpectExact(
      RunOp("Split", {x, I64({2}, {1, 3})}, {false, true}, {MakeAttr("axis", int64_t{-1})}, 2, 13));
  // Attribute (opset 11), equal parts, opset 18's uneven num_outputs (4, 4, 1).
  ExpectExact(RunOp("Split", {x}, {false},
                    {MakeAttr("axis", int64_t{1}), MakeAttr("split", Shape{5, 0, 4})}, 3, 11));
  ExpectExact(RunOp("Split", {x}, {false}, {MakeAttr("axis", int64_t{1})}, 3, 13));
  ExpectExact(RunOp("Split", {x}, {false},
                    {MakeAttr("axis", int64_t{1}), MakeAttr("num_outputs", int64_t{3})}, 3, 18));
  // 8-bit and int64 elements.
  ExpectExact(
      RunOp("Split", {RandomQ(DataType::kInt8, {6, 5}, 51, -128, 127)}, {false}, {}, 2, 13));
  ExpectExact(RunOp("Split", {I64({4}, {1, 2, 3, 4})}, {false}, {}, 2, 13));
  // Sizes that do not add up: the reference kernel's error.
  Both bad =
      RunOp("Split", {x, I64({2}, {2, 3})}, {false, true}, {MakeAttr("axis", int64_t{1})}, 2, 13);
  EXPECT_FALSE(bad.fast_status.ok());
}

}  // namespace
}  // namespace shrink::testing
