// `shrink quantize --cle / --bias-correction / --smoothquant`: they run and say what they did,
// and bad combinations fail with one clear line (exit 2).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "ir/builder.h"
#include "onnx/export.h"
#include "quantize_cli_fixture.h"

namespace shrink {
namespace {

class QuantizeAccuracyCliTest : public testing::QuantizeCliFixture {
 protected:
  // x[N, 16] -> Gemm(32) -> Relu -> Gemm(10): one CLE pair, two biases, MatMul-like inputs.
  std::string SaveMlp() {
    ir::Model m = ir::MakeModel(17);
    ir::GraphBuilder b(*m.graph);
    auto* x = b.Input("x", DataType::kFloat32, {ir::Dim::Symbol("N"), ir::Dim::Known(16)});
    auto* h = b.Op(
        "Relu",
        {b.Op("Gemm",
              {x, b.Const("w1", Random({32, 16}, 0.3f, 1)), b.Const("b1", Random({32}, 0.1f, 2))},
              {ir::MakeAttr("transB", int64_t{1})})});
    b.Output(
        b.Op("Gemm",
             {h, b.Const("w2", Random({10, 32}, 0.3f, 3)), b.Const("b2", Random({10}, 0.1f, 4))},
             {ir::MakeAttr("transB", int64_t{1})}),
        "y");
    EXPECT_TRUE(onnx_io::SaveModel(m, Path("mlp.onnx")).ok());
    return Path("mlp.onnx");
  }
};

TEST_F(QuantizeAccuracyCliTest, RunsAndReports) {
  const std::string model = SaveMlp();
  ProcessResult r = Shrink({"quantize", model, "--calib-random", "2", "--cle", "--bias-correction",
                            "--smoothquant", "0.5", "--json", "-o", Path("q.onnx")});
  ASSERT_EQ(r.exit_code, 0) << r.stderr_data;
  const auto j = nlohmann::json::parse(r.stdout_data);
  EXPECT_EQ(j["cle"]["pairs"], 1);
  EXPECT_EQ(j["bias_corrected_layers"], 2);
  EXPECT_EQ(j["smoothquant"]["groups"], 2);
}

TEST_F(QuantizeAccuracyCliTest, BadCombinationsGiveOneLineErrors) {
  const std::string model = SaveMlp();
  for (const std::vector<std::string>& extra :
       {std::vector<std::string>{"--calib-random", "1", "--smoothquant", "1.5"},
        std::vector<std::string>{"--dynamic", "--bias-correction"}}) {
    std::vector<std::string> args = {"quantize", model, "-o", Path("q.onnx")};
    args.insert(args.end(), extra.begin(), extra.end());
    ProcessResult r = Shrink(args);
    EXPECT_EQ(r.exit_code, 2) << r.stderr_data;
    EXPECT_EQ(std::count(r.stderr_data.begin(), r.stderr_data.end(), '\n'), 1) << r.stderr_data;
    const bool named = r.stderr_data.find("smoothquant") != std::string::npos ||
                       r.stderr_data.find("bias correction") != std::string::npos;
    EXPECT_TRUE(named) << r.stderr_data;
  }
}

}  // namespace
}  // namespace shrink
