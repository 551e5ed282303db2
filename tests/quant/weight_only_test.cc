// Weight-only int4 / int8: block math, packing, the rewritten graph, ONNX Runtime agreement, size
// and option errors.
#include "quant/weight_only.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>

#include "core/temp_dir.h"
#include "onnx/export.h"
#include "onnx/import.h"
#include "quant/block_quant.h"
#include "quant/quantize.h"
#include "quant_test_util.h"
#include "runtime/executor.h"
#include "runtime/random_inputs.h"
#include "runtimes/onnxruntime.h"

namespace shrink::quant {
namespace {

using testing::CountOps;
using testing::RandomFloats;

std::vector<float> ToVector(const Tensor& t) {
  return std::vector<float>(t.data<float>(), t.data<float>() + t.numel());
}

// x[N, k] -> MatMul(k x h) -> Relu -> Gemm(transB, out x h, bias) -> y; optionally a token input
// through a Gather table [vocab, k] first.
ir::Model Mlp(int64_t k, int64_t h, int64_t out, bool embedding = false) {
  ir::Model m = ir::MakeModel(17);
  ir::GraphBuilder b(*m.graph);
  ir::Value* x;
  if (embedding) {
    auto* ids = b.Input("ids", DataType::kInt64, {ir::Dim::Symbol("N")});
    x = b.Op("Gather", {b.Const("table", RandomFloats({50, k}, 0.5f, 11)), ids}, {}, "embed");
  } else {
    x = b.Input("x", DataType::kFloat32, {ir::Dim::Symbol("N"), ir::Dim::Known(k)});
  }
  auto* mm = b.Op("MatMul", {x, b.Const("w1", RandomFloats({k, h}, 0.2f, 12))}, {}, "fc1");
  auto* r = b.Op("Relu", {mm}, {}, "relu");
  auto* y = b.Op("Gemm",
                 {r, b.Const("w2", RandomFloats({out, h}, 0.2f, 13)),
                  b.Const("b2", RandomFloats({out}, 0.1f, 14))},
                 {ir::MakeAttr("transB", 1)}, "fc2");
  b.Output(y, "y");
  return m;
}

Tensor RunModel(const ir::Model& m, const runtime::Feeds& feeds) {
  auto ex = runtime::Executor::Create(m);
  EXPECT_TRUE(ex.ok()) << ex.status().ToString();
  auto out = (*ex)->Run(feeds);
  EXPECT_TRUE(out.ok()) << out.status().ToString();
  return (*out)[0];
}

double MaxAbsDiff(const Tensor& a, const Tensor& b) {
  double d = 0;
  for (int64_t i = 0; i < a.numel(); ++i)
    d = std::max(d, std::abs(a.GetAsDouble(i) - b.GetAsDouble(i)));
  return d;
}

double MaxAbs(const Tensor& a) {
  double d = 0;
  for (int64_t i = 0; i < a.numel(); ++i) d = std::max(d, std::abs(a.GetAsDouble(i)));
  return d;
}

// ||a - b|| / ||b||.
double RelativeRms(const Tensor& a, const Tensor& b) {
  double num = 0, den = 0;
  for (int64_t i = 0; i < a.numel(); ++i) {
    const double d = a.GetAsDouble(i) - b.GetAsDouble(i);
    num += d * d;
    den += b.GetAsDouble(i) * b.GetAsDouble(i);
  }
  return std::sqrt(num / den);
}

TEST(BlockQuant, PackingRoundTripsInBothLayouts) {
  const int64_t k = 70, n = 5, block = 32;  // K not a multiple of the block: a short last block
  const std::vector<float> w = ToVector(RandomFloats({k, n}, 1.0f, 1));
  for (bool symmetric : {true, false}) {
    auto grid = MakeBlockGrid(4, symmetric);
    ASSERT_TRUE(grid.ok());
    const BlockQuantized q = QuantizeRtn(w, k, n, block, *grid);
    for (bool transposed : {false, true}) {
      const BlockTensors t = ToTensors(q, transposed);
      EXPECT_EQ(t.codes.dtype(), symmetric ? DataType::kInt4 : DataType::kUInt4);
      EXPECT_EQ(t.codes.nbytes(), static_cast<size_t>((k * n + 1) / 2));
      EXPECT_EQ(t.axis, transposed ? 1 : 0);
      EXPECT_EQ(t.scale.shape(), (transposed ? Shape{n, 3} : Shape{3, n}));
      EXPECT_EQ(t.zero_point.defined(), !symmetric);
      for (int64_t r = 0; r < k; ++r)
        for (int64_t c = 0; c < n; ++c) {
          const int64_t i = transposed ? c * k + r : r * n + c;
          ASSERT_EQ(t.codes.GetAsDouble(i), q.codes[static_cast<size_t>(r * n + c)]);
          const int64_t pi = transposed ? c * 3 + r / block : (r / block) * n + c;
          ASSERT_EQ(t.scale.data<float>()[pi], q.Params(r, c).scale);
          if (!symmetric) {
            ASSERT_EQ(t.zero_point.GetAsDouble(pi), q.Params(r, c).zero_point);
          }
        }
    }
  }
}

TEST(BlockQuant, RoundToNearestErrorIsHalfAStepPerBlock) {
  const int64_t k = 96, n = 7;
  const std::vector<float> w = ToVector(RandomFloats({k, n}, 1.0f, 2));
  for (int bits : {4, 8})
    for (bool symmetric : {true, false})
      for (int64_t block : {32, 64}) {
        auto grid = MakeBlockGrid(bits, symmetric);
        ASSERT_TRUE(grid.ok());
        const BlockQuantized q = QuantizeRtn(w, k, n, block, *grid);
        const std::vector<float> dq = q.Dequantized();
        for (int64_t r = 0; r < k; ++r)
          for (int64_t c = 0; c < n; ++c) {
            const size_t i = static_cast<size_t>(r * n + c);
            const BlockParams& p = q.Params(r, c);
            ASSERT_GE(q.codes[i], grid->qmin);
            ASSERT_LE(q.codes[i], grid->qmax);
            ASSERT_LE(std::abs(w[i] - dq[i]), 0.5 * p.scale * (1 + 1e-5))
                << "bits " << bits << " row " << r << " col " << c;
          }
        if (symmetric) {  // scale = max|w| of the block / qmax
          float amax = 0;
          for (int64_t r = 0; r < block; ++r) amax = std::max(amax, std::abs(w[r * n]));
          EXPECT_FLOAT_EQ(q.Params(0, 0).scale, amax / static_cast<float>(grid->qmax));
        }
      }
}

TEST(WeightOnly, RewritesMatMulAndGemmIntoBlockwiseDequantize) {
  ir::Model m = Mlp(64, 96, 10);
  auto feeds = runtime::MakeRandomFeeds(*m.graph, 3, {{"N", 4}});
  ASSERT_TRUE(feeds.ok());
  const Tensor ref = RunModel(m, *feeds);
  WeightOnlyOptions o;
  auto r = QuantizeWeightsOnly(m, nullptr, o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->nodes, (std::vector<std::string>{"fc1", "fc2"}));
  EXPECT_EQ(r->scheme, "weight-only int4 block32 rtn");
  EXPECT_GE(m.OpsetFor(""), 21);
  EXPECT_EQ(CountOps(*m.graph, "DequantizeLinear"), 2);
  EXPECT_EQ(m.graph->FindValue("w1"), nullptr);  // float weights dropped
  for (const auto& n : m.graph->nodes()) {
    if (n->op_type() != "DequantizeLinear") continue;
    EXPECT_EQ(n->GetInt("block_size", 0), 32);
    EXPECT_EQ(n->inputs().size(), 2u);  // symmetric: no zero point
    EXPECT_EQ(n->input(0)->data().dtype(), DataType::kInt4);
    const Shape& ws = n->input(0)->data().shape();
    const int64_t axis = n->GetInt("axis", -1);
    EXPECT_EQ(axis, (ws == Shape{64, 96}) ? 0 : 1);  // fc2 keeps its [N, K] = [10, 96] layout
    Shape want = ws;
    want[static_cast<size_t>(axis)] = (ws[static_cast<size_t>(axis)] + 31) / 32;
    EXPECT_EQ(n->input(1)->data().shape(), want);
  }
  for (const WeightOnlyLayer& l : r->layers) {
    EXPECT_GT(l.weight_rel_mse, 0);
    EXPECT_LT(l.weight_rel_mse, 0.02);  // int4 with 32-blocks on Gaussian weights: ~1%
  }
  const Tensor out = RunModel(m, *feeds);
  // Two int4 layers of ~1% weight MSE each: ~10-15% RMS output error.
  const double rel = RelativeRms(out, ref);
  std::cout << "int4 block32 MLP: relative RMS output error " << rel << "\n";
  EXPECT_GT(rel, 0);
  EXPECT_LT(rel, 0.3);
}

TEST(WeightOnly, EmbeddingsAndAsymmetricInt8) {
  ir::Model m = Mlp(64, 32, 8, /*embedding=*/true);
  runtime::Feeds feeds = {{"ids", Tensor::FromVector<int64_t>({5}, {0, 7, 49, 3, 7})}};
  const Tensor ref = RunModel(m, feeds);
  WeightOnlyOptions o;
  o.bits = 8;
  o.symmetric = false;
  o.embeddings = true;
  o.block_size = 16;
  auto r = QuantizeWeightsOnly(m, nullptr, o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->nodes, (std::vector<std::string>{"embed", "fc1", "fc2"}));
  EXPECT_EQ(m.graph->FindValue("table"), nullptr);
  EXPECT_EQ(CountOps(*m.graph, "DequantizeLinear"), 3);
  for (const auto& n : m.graph->nodes())
    if (n->op_type() == "DequantizeLinear") {
      ASSERT_EQ(n->inputs().size(), 3u);
      EXPECT_EQ(n->input(0)->data().dtype(), DataType::kUInt8);
      EXPECT_EQ(n->input(2)->data().dtype(), DataType::kUInt8);
    }
  EXPECT_LT(RelativeRms(RunModel(m, feeds), ref), 0.02);  // int8: ~0.5%
}

// ids -> Gather(table [V, 16]) -> MatMul(Transpose(table, perm)) -> logits: tied embeddings.
// V * 16 is just over constant folding's limit (2^24 elements), so that the Transpose stays, as
// in GPT-2.
ir::Model TiedEmbeddings(std::vector<int64_t> perm) {
  ir::Model m = ir::MakeModel(17);
  ir::GraphBuilder b(*m.graph);
  auto* table = b.Const("table", RandomFloats({(int64_t{1} << 20) + 1, 16}, 0.5f, 15));
  auto* ids = b.Input("ids", DataType::kInt64, {ir::Dim::Symbol("N")});
  auto* h = b.Op("Gather", {table, ids}, {}, "embed");
  auto* t = b.Op("Transpose", {table}, {ir::MakeAttr("perm", perm)}, "lm_head_t");
  b.Output(b.Op("MatMul", {h, t}, {}, "lm_head"), "logits");
  return m;
}

TEST(WeightOnly, TiedEmbeddingTableIsSharedOrLeftAlone) {
  WeightOnlyOptions o;
  o.embeddings = true;
  o.block_size = 16;
  ir::Model m = TiedEmbeddings({1, 0});
  runtime::Feeds feeds = {{"ids", Tensor::FromVector<int64_t>({4}, {0, 7, 49, 1 << 20})}};
  const Tensor ref = RunModel(m, feeds);
  auto r = QuantizeWeightsOnly(m, nullptr, o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(CountOps(*m.graph, "DequantizeLinear"), 1);
  EXPECT_EQ(m.graph->FindValue("table"), nullptr);  // no float copy left for the lm head
  EXPECT_LT(RelativeRms(RunModel(m, feeds), ref), 0.3);
  EXPECT_LT(r->bytes_after * 4, r->bytes_before);  // int4 + a float scale per 16 values
  // A table something else reads as float (here a Transpose that is not a 2-D transpose of it)
  // stays float: an int4 copy would only add bytes.
  ir::Model other = TiedEmbeddings({0, 1});
  r = QuantizeWeightsOnly(other, nullptr, o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->nodes.empty());
  EXPECT_NE(other.graph->FindValue("table"), nullptr);
}

TEST(WeightOnly, Int4IsOverSevenTimesSmallerWithLargeBlocks) {
  for (int64_t block : {32, 128}) {
    ir::Model m = Mlp(512, 512, 512);
    WeightOnlyOptions o;
    o.block_size = block;
    auto r = QuantizeWeightsOnly(m, nullptr, o);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    const double ratio = static_cast<double>(r->bytes_before) / r->bytes_after;
    // Per weight: 4 bits + a float32 scale per block (the 512 float bias stays).
    const double ideal = 32.0 / (4.0 + 32.0 / block);
    std::cout << "int4 block " << block << ": " << ratio << "x (ideal " << ideal << "x)\n";
    EXPECT_GT(ratio, 0.98 * ideal);
    EXPECT_LE(ratio, ideal);
    if (block == 128) {
      EXPECT_GE(ratio, 7.0);
    }
  }
}

TEST(WeightOnly, RejectsBadOptionsAndQuantizedModels) {
  ir::Model m = Mlp(32, 16, 4);
  auto expect_error = [&](WeightOnlyOptions o, CalibrationSource* src, const std::string& text) {
    auto r = QuantizeWeightsOnly(m, src, o);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find(text), std::string::npos) << r.status().ToString();
  };
  WeightOnlyOptions o;
  o.bits = 3;
  expect_error(o, nullptr, "4 or 8 bits");
  o = {};
  o.block_size = 48;
  expect_error(o, nullptr, "power of two");
  o = {};
  o.op_types = {"Conv"};
  expect_error(o, nullptr, "MatMul and Gemm");
  o = {};
  o.method = WeightOnlyMethod::kGptq;
  expect_error(o, nullptr, "calibration data");
  EXPECT_FALSE(ParseWeightOnlyMethod("awq").ok());

  auto src = MakeRandomCalibration(*m.graph, 1, 0, {{"N", 2}});
  ASSERT_TRUE(src.ok());
  QuantizeOptions qo;
  ASSERT_TRUE(QuantizeModel(m, src->get(), qo).ok());  // int8 QDQ
  expect_error(WeightOnlyOptions{}, nullptr, "already quantized");
}

#define REQUIRE_ORT(runner_var)                        \
  auto runner_var = runtimes::OrtRunner::Find();       \
  if (!runner_var.ok()) {                              \
    if (std::getenv("SHRINK_ALLOW_NO_ORT") != nullptr) \
      GTEST_SKIP() << runner_var.status().ToString();  \
    FAIL() << runner_var.status().ToString();          \
  }

// The saved file runs in ONNX Runtime and agrees with our reference executor's run of it (both
// compute dequantize + float MatMul; only the summation order differs).
TEST(WeightOnly, SavedFileRunsInOnnxRuntimeLikeOurExecutor) {
  REQUIRE_ORT(ort);
  auto dir = TempDir::Create("weight-only-ort-");
  ASSERT_TRUE(dir.ok());
  struct Case {
    int bits;
    bool symmetric, embeddings;
    int64_t block;
  };
  for (const Case c : {Case{4, true, false, 32}, Case{4, false, true, 64}, Case{8, true, true, 128},
                       Case{8, false, false, 32}}) {
    ir::Model m = Mlp(100, 48, 6, c.embeddings);  // K = 100: a short last block
    WeightOnlyOptions o;
    o.bits = c.bits;
    o.symmetric = c.symmetric;
    o.embeddings = c.embeddings;
    o.block_size = c.block;
    auto r = QuantizeWeightsOnly(m, nullptr, o);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    const std::string path = dir->path() + "/wo_" + std::to_string(c.bits) +
                             (c.symmetric ? "s" : "a") + std::to_string(c.block) + ".onnx";
    ASSERT_TRUE(onnx_io::SaveModel(m, path).ok());
    auto loaded = onnx_io::LoadModel(path);
    ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
    auto feeds = runtime::MakeRandomFeeds(*loaded->graph, 5, {{"N", 3}});
    ASSERT_TRUE(feeds.ok()) << feeds.status().ToString();
    if (c.embeddings) (*feeds)[0].second = Tensor::FromVector<int64_t>({3}, {1, 49, 20});
    const Tensor ours = RunModel(*loaded, *feeds);
    auto theirs = ort->Run(path, *feeds);
    ASSERT_TRUE(theirs.ok()) << r->scheme << ": " << theirs.status().ToString();
    const double diff = MaxAbsDiff(ours, (*theirs)[0].second);
    std::cout << r->scheme << ": max |ours - ORT| = " << diff << "\n";
    EXPECT_LE(diff, 1e-4 * std::max(1.0, MaxAbs(ours))) << r->scheme;
  }
}

}  // namespace
}  // namespace shrink::quant
