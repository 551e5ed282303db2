// End-to-end tests of the `shrink` binary: exit codes and one-line errors for bad input, and the
// happy paths of inspect / run / convert.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/npy.h"
#include "core/subprocess.h"
#include "core/temp_dir.h"
#include "ir/builder.h"
#include "onnx/export.h"

namespace shrink {
namespace {

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto t = TempDir::Create("shrink_cli_test_");
    ASSERT_TRUE(t.ok());
    dir_ = std::make_unique<TempDir>(std::move(t).value());
  }
  std::string Path(const std::string& name) const { return dir_->path() + "/" + name; }

  ProcessResult Shrink(std::vector<std::string> args) {
    args.insert(args.begin(), SHRINK_BIN);
    ProcessOptions o;
    o.working_dir = dir_->path();
    o.timeout_seconds = 120;
    auto r = RunProcess(args, o);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : ProcessResult{};
  }

  // y = Relu(x + b), x float32[2, 3].
  std::string SaveSmallModel(const std::string& name) {
    ir::Model m = ir::MakeModel(17);
    ir::GraphBuilder b(*m.graph);
    ir::Value* x = b.Input("x", DataType::kFloat32, Shape{2, 3});
    ir::Value* bias = b.Const("b", Tensor::FromVector<float>({3}, {1, -1, 0.5f}));
    b.Output(b.Op("Relu", {b.Op("Add", {x, bias})}), "y");
    EXPECT_TRUE(onnx_io::SaveModel(m, Path(name)).ok());
    return Path(name);
  }

  static void ExpectOneLineError(const ProcessResult& r, int code, const std::string& fragment) {
    EXPECT_EQ(r.exit_code, code) << r.stderr_data;
    EXPECT_EQ(std::count(r.stderr_data.begin(), r.stderr_data.end(), '\n'), 1) << r.stderr_data;
    EXPECT_NE(r.stderr_data.find(fragment), std::string::npos) << r.stderr_data;
  }

  std::unique_ptr<TempDir> dir_;
};

TEST_F(CliTest, InspectJsonDescribesTheModel) {
  const std::string model = SaveSmallModel("m.onnx");
  ProcessResult r = Shrink({"inspect", model, "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.stderr_data;
  auto j = nlohmann::json::parse(r.stdout_data);
  EXPECT_EQ(j["nodes"], 2);
  EXPECT_EQ(j["parameters"], 3);
  EXPECT_EQ(j["opsets"]["ai.onnx"], 17);
  EXPECT_EQ(j["inputs"][0]["type"], "float32[2, 3]");
  EXPECT_TRUE(j["unsupported_ops"].empty());
}

TEST_F(CliTest, RunWritesOutputsComputedFromGivenInput) {
  const std::string model = SaveSmallModel("m.onnx");
  ASSERT_TRUE(
      WriteNpy(Path("x.npy"), Tensor::FromVector<float>({2, 3}, {1, 2, -3, -4, 0.5f, 1})).ok());
  ProcessResult r =
      Shrink({"run", model, "--input", "x=" + Path("x.npy"), "-o", Path("out"), "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.stderr_data;
  auto y = ReadNpy(Path("out/y.npy"));
  ASSERT_TRUE(y.ok());
  const std::vector<float> expected = {2, 1, 0, 0, 0, 1.5f};  // relu(x + [1, -1, 0.5])
  for (int i = 0; i < 6; ++i)
    EXPECT_FLOAT_EQ(y->data<float>()[i], expected[static_cast<size_t>(i)]);
}

TEST_F(CliTest, ConvertRoundTripsAndRunsTheSame) {
  const std::string model = SaveSmallModel("m.onnx");
  ProcessResult c = Shrink({"convert", model, Path("c.onnx"), "--external-data"});
  ASSERT_EQ(c.exit_code, 0) << c.stderr_data;
  ProcessResult a = Shrink({"run", model, "--seed", "5", "-o", Path("a"), "--json"});
  ProcessResult b = Shrink({"run", Path("c.onnx"), "--seed", "5", "-o", Path("b"), "--json"});
  ASSERT_EQ(a.exit_code, 0);
  ASSERT_EQ(b.exit_code, 0);
  auto ya = ReadNpy(Path("a/y.npy")), yb = ReadNpy(Path("b/y.npy"));
  ASSERT_TRUE(ya.ok() && yb.ok());
  EXPECT_TRUE(ya->BitwiseEqual(*yb));
}

TEST_F(CliTest, ConvertUpgradesTheOpset) {
  const std::string model = SaveSmallModel("m.onnx");  // opset 17
  ProcessResult c = Shrink({"convert", model, Path("u.onnx"), "--opset", "21", "--json"});
  ASSERT_EQ(c.exit_code, 0) << c.stderr_data;
  EXPECT_EQ(nlohmann::json::parse(c.stdout_data)["opset"], 21);
  ExpectOneLineError(Shrink({"convert", model, Path("l.onnx"), "--opset", "13"}), 2,
                     "cannot lower");
}

TEST_F(CliTest, MissingFileIsOneLineExit3) {
  ExpectOneLineError(Shrink({"inspect", Path("nope.onnx")}), 3, "does not exist");
}

TEST_F(CliTest, TruncatedModelIsOneLineExit4) {
  const std::string model = SaveSmallModel("m.onnx");
  const auto size = std::filesystem::file_size(model);
  std::filesystem::resize_file(model, size / 2);
  ExpectOneLineError(Shrink({"inspect", model}), 4, "corrupt");
}

TEST_F(CliTest, WrongInputShapeIsOneLineExit2) {
  const std::string model = SaveSmallModel("m.onnx");
  ASSERT_TRUE(WriteNpy(Path("x.npy"), Tensor::FromVector<float>({3}, {1, 2, 3})).ok());
  ExpectOneLineError(Shrink({"run", model, "--input", "x=" + Path("x.npy"), "-o", Path("o")}), 2,
                     "expects shape");
  ExpectOneLineError(Shrink({"run", model, "--input", "nothere=" + Path("x.npy"), "-o", Path("o")}),
                     2, "no input named");
  ExpectOneLineError(Shrink({"run", model, "--input", "x=" + Path("missing.npy")}), 3,
                     "missing.npy");
}

TEST_F(CliTest, UnknownOpIsOneLineExit5NamingOpAndNode) {
  ir::Model m = ir::MakeModel(17);
  ir::GraphBuilder b(*m.graph);
  ir::Value* x = b.Input("x", DataType::kFloat32, Shape{2});
  b.Output(b.Op("FrobnicateV9", {x}, {}, "frob"), "y");
  ASSERT_TRUE(onnx_io::SaveModel(m, Path("u.onnx")).ok());
  ProcessResult r = Shrink({"run", Path("u.onnx"), "-o", Path("o")});
  ExpectOneLineError(r, 5, "FrobnicateV9 'frob'");
  EXPECT_NE(r.stderr_data.find("opset 17"), std::string::npos);
}

TEST_F(CliTest, HostileExternalDataIsOneLineExit6) {
  const std::string model = SaveSmallModel("m.onnx");
  // Re-save with external data, then point the location outside the folder.
  ProcessResult c =
      Shrink({"convert", model, Path("e.onnx"), "--external-data", "--external-min-bytes", "0"});
  ASSERT_EQ(c.exit_code, 0);
  std::ifstream in(Path("e.onnx"), std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string loc = "e.onnx.data";
  const auto pos = bytes.find(loc);
  ASSERT_NE(pos, std::string::npos);
  bytes.replace(pos, loc.size(), "../xx.onnx.");  // same length keeps the protobuf valid
  std::ofstream(Path("e.onnx"), std::ios::binary | std::ios::trunc) << bytes;
  ExpectOneLineError(Shrink({"inspect", Path("e.onnx")}), 6, "escapes the model folder");
}

TEST_F(CliTest, TensorOverTheMemoryLimitIsOneLineExit7) {
  ir::Model m = ir::MakeModel(17);
  ir::GraphBuilder b(*m.graph);
  ir::Value* x = b.Input("x", DataType::kFloat32, Shape{1024});
  b.Output(b.Op("Add", {x, b.Const("w", Tensor(DataType::kFloat32, {1024}))}), "y");
  ASSERT_TRUE(onnx_io::SaveModel(m, Path("w.onnx")).ok());
  EXPECT_EQ(Shrink({"inspect", Path("w.onnx")}).exit_code, 0);
  ExpectOneLineError(Shrink({"--max-tensor-gb", "0.000001", "inspect", Path("w.onnx")}), 7,
                     "memory limit");
}

TEST_F(CliTest, BadArgumentsExitNonZero) {
  ProcessResult r = Shrink({"frobnicate"});
  EXPECT_NE(r.exit_code, 0);
  ProcessResult z = Shrink({"zoo", "check", "no_such_model", "--dir", Path("emptyzoo")});
  EXPECT_NE(z.exit_code, 0);
}

}  // namespace
}  // namespace shrink
