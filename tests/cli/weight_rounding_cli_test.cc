// `shrink quantize --weight-rounding rtn|gptq`: GPTQ int8 weight codes through the CLI, and a
// one-line usage error (exit 2) for an unknown choice. `--int4-weights GLOBS` (W4A8): 4-bit codes
// for the named layers, a smaller file, and one-line errors where it cannot apply.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "ir/builder.h"
#include "onnx/export.h"
#include "quantize_cli_fixture.h"

namespace shrink {
namespace {

class WeightRoundingCliTest : public testing::QuantizeCliFixture {
 protected:
  // x[N, 2, 8, 8] -> Conv(8, 3x3) -> Relu -> GAP -> Flatten -> Gemm(10, transB).
  std::string SaveNet(const std::string& name) {
    ir::Model m = ir::MakeModel(17);
    ir::GraphBuilder b(*m.graph);
    auto* x =
        b.Input("x", DataType::kFloat32,
                {ir::Dim::Symbol("N"), ir::Dim::Known(2), ir::Dim::Known(8), ir::Dim::Known(8)});
    auto* c = b.Op("Relu", {b.Op("Conv", {x, b.Const("w1", Random({8, 2, 3, 3}, 0.3f, 1)),
                                          b.Const("b1", Random({8}, 0.1f, 2))})});
    auto* flat = b.Op("Flatten", {b.Op("GlobalAveragePool", {c})});
    b.Output(
        b.Op("Gemm", {flat, b.Const("w2", Random({10, 8}, 0.3f, 3))}, {ir::MakeAttr("transB", 1)}),
        "logits");
    EXPECT_TRUE(onnx_io::SaveModel(m, Path(name)).ok());
    return Path(name);
  }
};

TEST_F(WeightRoundingCliTest, GptqWritesAModelAndFooIsAUsageError) {
  const std::string model = SaveNet("m.onnx");
  ProcessResult r = Shrink({"quantize", model, "--calib-random", "3", "--per-channel",
                            "--weight-rounding", "gptq", "--json", "-o", Path("q.onnx")});
  ASSERT_EQ(r.exit_code, 0) << r.stderr_data;
  auto j = nlohmann::json::parse(r.stdout_data);
  EXPECT_EQ(j["gptq"]["layers"], 2);  // the Conv and the Gemm
  EXPECT_LE(j["gptq"]["mean_output_rel_error"].get<double>(),
            j["gptq"]["mean_rtn_output_rel_error"].get<double>());
  std::ifstream meta(j["metadata"].get<std::string>());
  const std::string metadata((std::istreambuf_iterator<char>(meta)), {});
  EXPECT_NE(metadata.find("_gptq"), std::string::npos) << metadata;  // the scheme name
  ASSERT_TRUE(std::filesystem::exists(Path("q.onnx")));
  ProcessResult inspect = Shrink({"inspect", Path("q.onnx"), "--json"});
  EXPECT_EQ(inspect.exit_code, 0) << inspect.stderr_data;

  ExpectOneLineError(Shrink({"quantize", model, "--calib-random", "1", "--weight-rounding", "foo",
                             "-o", Path("x.onnx")}),
                     2, "rtn or gptq");
  ExpectOneLineError(
      Shrink({"quantize", model, "--dynamic", "--weight-rounding", "gptq", "-o", Path("x.onnx")}),
      2, "--weight-rounding gptq");
  EXPECT_FALSE(std::filesystem::exists(Path("x.onnx")));
}

TEST_F(WeightRoundingCliTest, Int4WeightsShrinkTheNamedLayersAndRefuseDynamicOrQOperator) {
  const std::string model = SaveNet("m.onnx");
  ProcessResult w8 = Shrink(
      {"quantize", model, "--calib-random", "3", "--per-channel", "--json", "-o", Path("w8.onnx")});
  ASSERT_EQ(w8.exit_code, 0) << w8.stderr_data;
  ProcessResult w4 =
      Shrink({"quantize", model, "--calib-random", "3", "--per-channel", "--weight-rounding",
              "gptq", "--int4-weights", "*", "--json", "-o", Path("w4.onnx")});
  ASSERT_EQ(w4.exit_code, 0) << w4.stderr_data;
  EXPECT_LT(std::filesystem::file_size(Path("w4.onnx")),
            std::filesystem::file_size(Path("w8.onnx")));
  auto j = nlohmann::json::parse(w4.stdout_data);
  std::ifstream meta(j["metadata"].get<std::string>());
  const std::string metadata((std::istreambuf_iterator<char>(meta)), {});
  EXPECT_NE(metadata.find("_int4_weights_1"), std::string::npos) << metadata;
  ProcessResult inspect = Shrink({"inspect", Path("w4.onnx"), "--json"});
  EXPECT_EQ(inspect.exit_code, 0) << inspect.stderr_data;
  auto summary = nlohmann::json::parse(inspect.stdout_data);
  EXPECT_EQ(summary["opsets"]["ai.onnx"], 21);
  // The Conv's 8x2x3x3 and the Gemm's 10x8 weights as int4 codes, plus their per-channel (zero)
  // zero points.
  EXPECT_EQ(summary["parameters_by_dtype"]["int4"], 8 * 2 * 3 * 3 + 10 * 8 + 8 + 10);

  ExpectOneLineError(
      Shrink({"quantize", model, "--dynamic", "--int4-weights", "*", "-o", Path("x.onnx")}), 2,
      "QDQ");
  ExpectOneLineError(Shrink({"quantize", model, "--calib-random", "1", "--format", "qoperator",
                             "--int4-weights", "*", "-o", Path("x.onnx")}),
                     2, "QDQ");
  ExpectOneLineError(Shrink({"quantize", model, "--weight-only", "int4", "--int4-weights", "*",
                             "-o", Path("x.onnx")}),
                     2, "--int4-weights");
  EXPECT_FALSE(std::filesystem::exists(Path("x.onnx")));
}

}  // namespace
}  // namespace shrink
