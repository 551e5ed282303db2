// Test helpers for the fast runtime: one-node (or small) models run through both the reference
// Executor (the oracle) and fast::Session, with named tolerances.
#pragma once

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "ir/builder.h"
#include "runtime/executor.h"
#include "runtime/fast/int8_exact.h"
#include "runtime/fast/onednn_util.h"
#include "runtime/fast/session.h"
#include "runtime_util/op_test_util.h"

namespace shrink::testing {

// fp32 tolerances (absolute, on values of order 1): accumulation-order differences only.
constexpr double kEltwiseTol = 1e-5;    // one transcendental per element
constexpr double kReductionTol = 2e-4;  // conv / matmul / softmax / layer norm sums
constexpr double kModelRelTol = 2e-3;   // whole models, relative to max |reference output|

// Integers uniform in [lo, hi] as a tensor of 8/32-bit dtype `t` (quantized inputs, int32 biases).
inline Tensor RandomQ(DataType t, Shape shape, uint32_t seed, int lo, int hi) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> dist(lo, hi);
  Tensor out(t, std::move(shape));
  for (int64_t i = 0; i < out.numel(); ++i) out.SetFromDouble(i, dist(rng));
  return out;
}

// A scalar of dtype `t` holding `v` (a zero point).
inline Tensor ScalarQ(DataType t, int v) {
  Tensor out(t, {});
  out.SetFromDouble(0, v);
  return out;
}

inline Tensor RandomTensor(Shape shape, uint32_t seed, float lo = -1.0f, float hi = 1.0f) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  Tensor t(DataType::kFloat32, std::move(shape));
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = dist(rng);
  return t;
}

// The backend an int8 product kernel (convolution, matmul, gemm) runs on: `fast` where this CPU
// has an exact int8 dot product (VNNI), else "reference" (without it the fast factories decline:
// oneDNN's AVX2 int8 kernels saturate 16-bit pair sums).
inline std::string Int8Backend(const std::string& fast) {
  return runtime::fast::Int8DotExact() ? fast : "reference";
}

struct FastOpResult {
  std::vector<Tensor> ref, fast;
  std::string backend;  // backend of the single step
};

// Inputs flagged constant become initializers; the rest are fed. An undefined tensor is omitted.
// A non-default `domain` is imported at version 1. `threads` > 0: the fast session's thread count
// (kernels created for it, no thread tuning).
inline FastOpResult RunBoth(const std::string& op, const std::vector<Tensor>& inputs,
                            const std::vector<bool>& constant, std::vector<ir::Attribute> attrs,
                            int64_t opset = 17, const std::string& domain = "", int threads = 0) {
  ir::Model model = ir::MakeModel(opset);
  if (!domain.empty()) model.SetOpset(domain, 1);
  ir::Graph& g = *model.graph;
  std::vector<ir::Value*> ins;
  runtime::Feeds feeds;
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (!inputs[i].defined()) {
      ins.push_back(nullptr);
      continue;
    }
    const std::string name = "in" + std::to_string(i);
    if (i < constant.size() && constant[i]) {
      ins.push_back(g.AddInitializer(name, inputs[i]));
    } else {
      ins.push_back(g.AddInput(name, ir::TypeInfo::Tensor(inputs[i].dtype(), inputs[i].shape())));
      feeds.emplace_back(name, inputs[i]);
    }
  }
  ir::Node* n = g.AddNode(op, ins, {"out0"}, std::move(attrs), "node", domain);
  g.AddOutput(n->output(0));
  FastOpResult r;
  auto ex = runtime::Executor::Create(model);
  EXPECT_TRUE(ex.ok()) << ex.status().ToString();
  auto ref = (*ex)->Run(feeds);
  EXPECT_TRUE(ref.ok()) << ref.status().ToString();
  runtime::fast::SessionOptions opts;
  opts.threads = threads;
  opts.tune_threads = threads == 0;
  auto s = runtime::fast::Session::Create(model, opts);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  auto fast = (*s)->Run(feeds);
  EXPECT_TRUE(fast.ok()) << fast.status().ToString();
  if (ref.ok()) r.ref = *ref;
  if (fast.ok()) r.fast = *fast;
  auto prof = (*s)->Profile();
  if (!prof.empty()) r.backend = prof[0].backend;
  return r;
}

// Runs both and expects the fast backend and agreement within `tol`.
inline void ExpectFastMatches(const std::string& what, const std::string& op,
                              const std::vector<Tensor>& inputs, const std::vector<bool>& constant,
                              std::vector<ir::Attribute> attrs, double tol, int64_t opset = 17) {
  SCOPED_TRACE(what);
  FastOpResult r = RunBoth(op, inputs, constant, std::move(attrs), opset);
  ASSERT_EQ(r.ref.size(), 1u);
  ASSERT_EQ(r.fast.size(), 1u);
  EXPECT_EQ(r.backend, "onednn");
  EXPECT_EQ(r.fast[0].shape(), r.ref[0].shape());
  EXPECT_LE(MaxAbsDiff(r.fast[0], r.ref[0]), tol);
}

}  // namespace shrink::testing
