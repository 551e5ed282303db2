#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "core/npy.h"
#include "core/subprocess.h"
#include "core/temp_dir.h"
#include "ir/builder.h"
#include "onnx/export.h"
#include "runtimes/onnxruntime.h"

namespace shrink::runtimes {
namespace {

namespace fs = std::filesystem;
using ir::GraphBuilder;
using ir::TypeInfo;

// ORT is installed by scripts/setup.sh; SHRINK_ALLOW_NO_ORT=1 turns its absence into a skip.
#define REQUIRE_ORT(runner_var)                        \
  auto runner_var = OrtRunner::Find();                 \
  if (!runner_var.ok()) {                              \
    if (std::getenv("SHRINK_ALLOW_NO_ORT") != nullptr) \
      GTEST_SKIP() << runner_var.status().ToString();  \
    FAIL() << runner_var.status().ToString();          \
  }

class OrtRunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto d = TempDir::Create("ort-runner-test-");
    ASSERT_TRUE(d.ok()) << d.status().ToString();
    dir_ = std::make_unique<TempDir>(std::move(d).value());
  }
  std::string Save(const ir::Model& m, const std::string& name) {
    const std::string path = dir_->File(name);
    Status s = onnx_io::SaveModel(m, path);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return path;
  }
  // Relu(x + y), x: float[2, 3], y: float[3] (broadcast).
  std::string AddReluModel() {
    ir::Model m = ir::MakeModel(17);
    GraphBuilder b(*m.graph);
    auto* x = b.Input("x", DataType::kFloat32, Shape{2, 3});
    auto* y = b.Input("y", DataType::kFloat32, Shape{3});
    b.Output(b.Op("Relu", {b.Op("Add", {x, y})}), "z",
             TypeInfo::Tensor(DataType::kFloat32, {2, 3}));
    return Save(m, "add_relu.onnx");
  }
  std::unique_ptr<TempDir> dir_;
};

TEST_F(OrtRunnerTest, AddReluMatchesHandComputedValues) {
  REQUIRE_ORT(runner);
  const std::vector<float> x = {-1.5f, 0.25f, 3.f, 4.f, -5.f, 0.5f};
  const std::vector<float> y = {1.f, -1.f, 0.125f};
  auto out = runner->Run(AddReluModel(), {{"x", Tensor::FromVector<float>({2, 3}, x)},
                                          {"y", Tensor::FromVector<float>({3}, y)}});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  ASSERT_EQ(out->size(), 1u);
  EXPECT_EQ((*out)[0].first, "z");
  const Tensor& z = (*out)[0].second;
  ASSERT_EQ(z.dtype(), DataType::kFloat32);
  ASSERT_EQ(z.shape(), (Shape{2, 3}));
  for (int i = 0; i < 6; ++i) EXPECT_EQ(z.data<float>()[i], std::max(0.f, x[i] + y[i % 3])) << i;
}

TEST_F(OrtRunnerTest, MatMulWithInitializer) {
  REQUIRE_ORT(runner);
  const int m = 3, k = 5, n = 4;
  std::vector<float> w(k * n), a(m * k);
  for (int i = 0; i < k * n; ++i) w[i] = 0.1f * static_cast<float>((i * 7) % 11) - 0.5f;
  for (int i = 0; i < m * k; ++i) a[i] = 0.25f * static_cast<float>(i % 9) - 1.f;
  ir::Model model = ir::MakeModel(17);
  GraphBuilder b(*model.graph);
  auto* x = b.Input("a", DataType::kFloat32, Shape{m, k});
  b.Output(b.Op("MatMul", {x, b.Const("w", Tensor::FromVector<float>({k, n}, w))}), "y",
           TypeInfo::Tensor(DataType::kFloat32, {m, n}));
  OrtRunOptions opts;
  opts.intra_op_threads = 2;
  opts.optimization_level = "disabled";
  auto out =
      runner->Run(Save(model, "matmul.onnx"), {{"a", Tensor::FromVector<float>({m, k}, a)}}, opts);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  const Tensor& y = (*out)[0].second;
  ASSERT_EQ(y.shape(), (Shape{m, n}));
  for (int i = 0; i < m; ++i) {
    for (int j = 0; j < n; ++j) {
      double ref = 0;
      for (int p = 0; p < k; ++p) ref += static_cast<double>(a[i * k + p]) * w[p * n + j];
      EXPECT_NEAR(y.data<float>()[i * n + j], ref, 1e-5) << i << "," << j;
    }
  }
}

TEST_F(OrtRunnerTest, EveryNpyDtypeSurvivesTheRoundTripThroughOrt) {
  REQUIRE_ORT(runner);
  const DataType dtypes[] = {DataType::kFloat16, DataType::kFloat32, DataType::kFloat64,
                             DataType::kInt8,    DataType::kUInt8,   DataType::kInt16,
                             DataType::kUInt16,  DataType::kInt32,   DataType::kUInt32,
                             DataType::kInt64,   DataType::kUInt64,  DataType::kBool};
  ir::Model model = ir::MakeModel(17);
  GraphBuilder b(*model.graph);
  NamedTensors feeds;
  std::vector<std::string> out_names;
  for (DataType dt : dtypes) {
    // Names with characters that are not file-name safe, and an '=' in an input name.
    const std::string in_name = std::string("in=") + DataTypeName(dt);
    const std::string out_name = std::string("out/") + DataTypeName(dt) + ":0";
    Tensor t(dt, {2, 3});
    for (int64_t i = 0; i < t.numel(); ++i)
      t.SetFromDouble(i, dt == DataType::kBool ? (i % 2) : static_cast<double>(i * 3 + 1));
    if (dt == DataType::kInt64) t.data<int64_t>()[5] = (int64_t{1} << 53) + 1;  // not a double
    if (dt == DataType::kUInt64) t.data<uint64_t>()[5] = ~uint64_t{0};
    auto* x = b.Input(in_name, dt, Shape{2, 3});
    b.Output(b.Op("Identity", {x}, {}, std::string("id_") + DataTypeName(dt)), out_name,
             TypeInfo::Tensor(dt, {2, 3}));
    feeds.emplace_back(in_name, t);
    out_names.push_back(out_name);
  }
  auto out = runner->Run(Save(model, "identity.onnx"), feeds);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  ASSERT_EQ(out->size(), feeds.size());
  for (size_t i = 0; i < feeds.size(); ++i) {
    EXPECT_EQ((*out)[i].first, out_names[i]);
    EXPECT_TRUE((*out)[i].second.BitwiseEqual(feeds[i].second))
        << out_names[i] << ": " << (*out)[i].second.DebugString();
  }
}

TEST_F(OrtRunnerTest, BenchReportsLatencyAndOptimizedModelIsWritten) {
  REQUIRE_ORT(runner);
  OrtRunOptions opts;
  opts.bench_runs = 5;
  opts.warmup_runs = 2;
  opts.optimized_model_path = dir_->File("optimized.onnx");
  auto r = runner->RunDetailed(
      AddReluModel(),
      {{"x", Tensor(DataType::kFloat32, {2, 3})}, {"y", Tensor(DataType::kFloat32, {3})}}, opts);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_TRUE(r->latency.has_value());
  EXPECT_EQ(r->latency->runs, 5);
  EXPECT_EQ(r->latency->warmup, 2);
  EXPECT_GT(r->latency->min_ms, 0);
  EXPECT_LE(r->latency->min_ms, r->latency->median_ms);
  EXPECT_LE(r->latency->median_ms, r->latency->max_ms);
  EXPECT_GT(fs::file_size(opts.optimized_model_path), 0u);
  EXPECT_EQ(r->outputs.size(), 1u);
}

TEST_F(OrtRunnerTest, ErrorsAreClearStatusesAndTheTempDirIsRemoved) {
  REQUIRE_ORT(runner);
  // Route the runner's temp dirs into a folder we can inspect.
  const std::string tmp = dir_->File("tmp");
  fs::create_directory(tmp);
  const char* old_tmp = std::getenv("TMPDIR");
  const std::string saved = old_tmp != nullptr ? old_tmp : "";
  ::setenv("TMPDIR", tmp.c_str(), 1);

  const std::string model = AddReluModel();
  const Tensor x(DataType::kFloat32, {2, 3}), y(DataType::kFloat32, {3});
  auto missing = runner->Run(model, {{"x", x}});
  EXPECT_EQ(missing.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(missing.status().message().find("missing model input(s): y"), std::string::npos)
      << missing.status().message();
  auto unknown = runner->Run(model, {{"x", x}, {"y", y}, {"w", y}});
  EXPECT_EQ(unknown.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(unknown.status().message().find("no input 'w'"), std::string::npos);
  auto wrong_shape = runner->Run(model, {{"x", x}, {"y", Tensor(DataType::kFloat32, {4})}});
  EXPECT_EQ(wrong_shape.status().code(), StatusCode::kInvalidArgument);
  auto bf16 = runner->Run(model, {{"x", x}, {"y", Tensor(DataType::kBFloat16, {3})}});
  EXPECT_EQ(bf16.status().code(), StatusCode::kUnimplemented);
  EXPECT_EQ(runner->Run(dir_->File("nope.onnx"), {}).status().code(), StatusCode::kNotFound);
  const std::string garbage = dir_->File("garbage.onnx");
  std::ofstream(garbage) << "this is not a protobuf";
  auto bad = runner->Run(garbage, {});
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("cannot load model"), std::string::npos)
      << bad.status().message();
  OrtRunOptions bad_level;
  bad_level.optimization_level = "max";
  EXPECT_EQ(runner->Run(model, {{"x", x}, {"y", y}}, bad_level).status().code(),
            StatusCode::kInvalidArgument);
  ASSERT_TRUE(runner->Run(model, {{"x", x}, {"y", y}}).ok());

  for (const auto& e : fs::directory_iterator(tmp)) ADD_FAILURE() << "OrtRunner left " << e.path();
  if (old_tmp != nullptr) {
    ::setenv("TMPDIR", saved.c_str(), 1);
  } else {
    ::unsetenv("TMPDIR");
  }
}

// The script itself, driven directly: bad .npy inputs are exit code 1 with a message on stderr.
TEST_F(OrtRunnerTest, ScriptRejectsBadNpyInputs) {
  REQUIRE_ORT(runner);
  const std::string model = AddReluModel();
  auto y = SerializeNpy(Tensor(DataType::kFloat32, {3}));
  ASSERT_TRUE(y.ok());
  std::ofstream(dir_->File("y.npy"), std::ios::binary) << *y;
  auto good_x = SerializeNpy(Tensor(DataType::kFloat32, {2, 3}));
  ASSERT_TRUE(good_x.ok());
  std::string big_endian = *good_x;
  big_endian.replace(big_endian.find("'<f4'"), 5, "'>f4'");
  const std::pair<std::string, std::string> cases[] = {
      {good_x->substr(0, good_x->size() - 4), "data truncated"},
      {big_endian, "big-endian"},
      {"not an npy file at all", "bad magic"},
  };
  ProcessOptions popts;
  popts.env = {{"ORT_DISABLE_TELEMETRY", "1"}};
  popts.timeout_seconds = 120;
  for (const auto& [bytes, expected] : cases) {
    std::ofstream(dir_->File("x.npy"), std::ios::binary | std::ios::trunc) << bytes;
    auto r = RunProcess({runner->node_program(), runner->script_path(), "--model", model, "--input",
                         "x=" + dir_->File("x.npy"), "--input", "y=" + dir_->File("y.npy"), "--out",
                         dir_->File("out")},
                        popts);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->exit_code, 1) << expected;
    EXPECT_NE(r->stderr_data.find(expected), std::string::npos) << r->stderr_data;
    EXPECT_EQ(r->stdout_data, "");
  }
}

TEST_F(OrtRunnerTest, FindFailsClearlyWithoutTheTools) {
  auto no_dir = OrtRunner::Create("node", dir_->File("does-not-exist"));
  EXPECT_EQ(no_dir.status().code(), StatusCode::kNotFound);
  EXPECT_NE(no_dir.status().message().find("SHRINK_NODE_TOOLS"), std::string::npos);
  // A tools folder with the script but without node_modules: onnxruntime-node is not installed.
  const std::string tools = dir_->File("tools");
  fs::create_directory(tools);
  std::ofstream(tools + "/ort_run.js") << "// empty\n";
  auto no_ort = OrtRunner::Create("node", tools);
  EXPECT_EQ(no_ort.status().code(), StatusCode::kNotFound);
  EXPECT_NE(no_ort.status().message().find("onnxruntime-node is not installed"), std::string::npos)
      << no_ort.status().message();
  auto no_node = OrtRunner::Create("shrink-no-such-node-binary", tools);
  EXPECT_EQ(no_node.status().code(), StatusCode::kNotFound);
  EXPECT_NE(no_node.status().message().find("Node.js"), std::string::npos);
  // SHRINK_NODE_TOOLS overrides the default location.
  const char* old = std::getenv("SHRINK_NODE_TOOLS");
  const std::string saved = old != nullptr ? old : "";
  ::setenv("SHRINK_NODE_TOOLS", tools.c_str(), 1);
  auto overridden = OrtRunner::Find();
  EXPECT_EQ(overridden.status().code(), StatusCode::kNotFound);
  EXPECT_NE(overridden.status().message().find(tools), std::string::npos);
  if (old != nullptr) {
    ::setenv("SHRINK_NODE_TOOLS", saved.c_str(), 1);
  } else {
    ::unsetenv("SHRINK_NODE_TOOLS");
  }
}

}  // namespace
}  // namespace shrink::runtimes
