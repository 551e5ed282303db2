#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "ir/builder.h"
#include "ir/printer.h"
#include "onnx/export.h"
#include "onnx/import.h"
#include "onnx/onnx-ml.pb.h"

namespace shrink::onnx_io {
namespace {

namespace fs = std::filesystem;

class OnnxIoTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("shrink_onnx_io_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string Path(const std::string& name) const { return (dir_ / name).string(); }
  fs::path dir_;
};

Tensor Iota(const Shape& s) {
  Tensor t(DataType::kFloat32, s);
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = static_cast<float>(i) * 0.5f;
  return t;
}

// A model exercising initializers, a Constant node, every simple attribute kind and an If.
ir::Model RichModel() {
  ir::Model m = ir::MakeModel(17);
  m.metadata_props.emplace_back("author", "test");
  ir::GraphBuilder b(*m.graph);
  ir::Value* x = b.Input("x", DataType::kFloat32, {ir::Dim::Symbol("N"), ir::Dim::Known(4)});
  ir::Value* cond = b.Input("cond", DataType::kBool, Shape{});
  ir::Value* w = b.Const("w", Iota({4, 4}));
  ir::Value* c = b.Op("Constant", {}, {ir::MakeAttr("value", Iota({4}))});
  ir::Value* y = b.Op("Add", {b.Op("MatMul", {x, w}), c});
  auto then_g = std::make_shared<ir::Graph>("then", m.graph.get());
  then_g->AddOutput(
      then_g->AddNode("Relu", {then_g->AddOuterReference(y->name())}, {"t"})->output(0));
  auto else_g = std::make_shared<ir::Graph>("else", m.graph.get());
  else_g->AddOutput(
      else_g->AddNode("Neg", {else_g->AddOuterReference(y->name())}, {"e"})->output(0));
  ir::Value* z = b.Op("If", {cond},
                      {ir::MakeAttr("then_branch", then_g), ir::MakeAttr("else_branch", else_g)});
  ir::Value* s = b.Op("Softmax", {z},
                      {ir::MakeAttr("axis", -1), ir::MakeAttr("f", 0.25f), ir::MakeAttr("s", "str"),
                       ir::MakeAttr("fs", std::vector<float>{1, 2}),
                       ir::MakeAttr("ss", std::vector<std::string>{"a", "b"}),
                       ir::MakeAttr("is", std::vector<int64_t>{3, 4})});
  b.Output(s, "out", ir::TypeInfo::Tensor(DataType::kFloat32, {2, 4}));
  return m;
}

TEST_F(OnnxIoTest, RoundTripPreservesGraphAndBytes) {
  ir::Model m = RichModel();
  ASSERT_TRUE(SaveModel(m, Path("a.onnx")).ok());
  auto loaded = LoadModel(Path("a.onnx"));
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(ir::PrintModel(*loaded), ir::PrintModel(m));
  EXPECT_EQ(loaded->metadata_props, m.metadata_props);
  ASSERT_TRUE(loaded->graph->FindValue("w")->data().BitwiseEqual(m.graph->FindValue("w")->data()));
  // Save again: deterministic bytes.
  ASSERT_TRUE(SaveModel(*loaded, Path("b.onnx")).ok());
  auto a = SerializeModel(m), b2 = SerializeModel(*loaded);
  ASSERT_TRUE(a.ok() && b2.ok());
  EXPECT_EQ(*a, *b2);
}

TEST_F(OnnxIoTest, UnsortedModelIsSortedOnLoad) {
  ir::Model m = RichModel();
  auto bytes = SerializeModel(m);
  ASSERT_TRUE(bytes.ok());
  onnx::ModelProto p;
  ASSERT_TRUE(p.ParseFromString(*bytes));
  auto* nodes = p.mutable_graph()->mutable_node();
  std::reverse(nodes->begin(), nodes->end());
  const std::string reversed = p.SerializeAsString();
  auto loaded = ParseModel(reversed.data(), reversed.size());
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  // Same lines, possibly another valid order (the sort is stable w.r.t. the given order).
  auto lines = [](const std::string& text) {
    std::vector<std::string> v;
    std::stringstream ss(text);
    for (std::string l; std::getline(ss, l);) v.push_back(l);
    std::sort(v.begin(), v.end());
    return v;
  };
  EXPECT_EQ(lines(ir::PrintModel(*loaded)), lines(ir::PrintModel(m)));
  EXPECT_EQ(loaded->graph->nodes().back()->op_type(), "Softmax");
}

TEST_F(OnnxIoTest, ExternalDataRoundTrip) {
  ir::Model m = RichModel();
  SaveOptions opt;
  opt.external_data = true;
  opt.external_threshold_bytes = 16;
  ASSERT_TRUE(SaveModel(m, Path("ext.onnx"), opt).ok());
  ASSERT_TRUE(fs::exists(Path("ext.onnx.data")));
  auto loaded = LoadModel(Path("ext.onnx"));
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->external_data.tensors, 1);
  EXPECT_TRUE(loaded->graph->FindValue("w")->data().BitwiseEqual(m.graph->FindValue("w")->data()));
}

TEST_F(OnnxIoTest, WeightsOverTheProtobufLimitGoExternalAutomatically) {
  ir::Model m = RichModel();
  SaveOptions opt;  // external_data off, but the weights exceed the (test-sized) limit
  opt.protobuf_limit_bytes = 32;
  opt.external_threshold_bytes = 16;
  ASSERT_TRUE(SaveModel(m, Path("big.onnx"), opt).ok());
  EXPECT_TRUE(fs::exists(Path("big.onnx.data")));
  auto loaded = LoadModel(Path("big.onnx"));
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->external_data.tensors, 1);
  EXPECT_EQ(ir::PrintModel(*loaded), ir::PrintModel(m));
}

// Writes a model whose single initializer points at `location` with `length`.
std::string ModelWithExternal(const std::string& location, int64_t length, int64_t offset = 0) {
  onnx::ModelProto p;
  p.set_ir_version(8);
  p.add_opset_import()->set_version(17);
  auto* g = p.mutable_graph();
  g->set_name("g");
  auto* t = g->add_initializer();
  t->set_name("w");
  t->set_data_type(1);
  t->add_dims(4);
  t->set_data_location(onnx::TensorProto::EXTERNAL);
  auto add = [&](const char* k, const std::string& v) {
    auto* e = t->add_external_data();
    e->set_key(k);
    e->set_value(v);
  };
  add("location", location);
  add("offset", std::to_string(offset));
  if (length >= 0) add("length", std::to_string(length));
  auto* out = g->add_output();
  out->set_name("w");
  return p.SerializeAsString();
}

Status LoadBytes(const std::string& dir, const std::string& bytes) {
  const std::string path = dir + "/m.onnx";
  std::ofstream(path, std::ios::binary) << bytes;
  return LoadModel(path).status();
}

TEST_F(OnnxIoTest, HostileExternalPathsAreRefused) {
  std::ofstream(Path("ok.bin"), std::ios::binary) << std::string(16, '\0');
  EXPECT_TRUE(LoadBytes(dir_.string(), ModelWithExternal("ok.bin", 16)).ok());
  EXPECT_EQ(LoadBytes(dir_.string(), ModelWithExternal("/etc/passwd", 16)).code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(LoadBytes(dir_.string(), ModelWithExternal("../x.bin", 16)).code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(LoadBytes(dir_.string(), ModelWithExternal("a/../../x.bin", 16)).code(),
            StatusCode::kPermissionDenied);
  fs::path outside = dir_.string() + "_outside.bin";
  std::ofstream(outside, std::ios::binary) << std::string(16, '\0');
  fs::create_symlink(outside, dir_ / "link.bin");
  EXPECT_EQ(LoadBytes(dir_.string(), ModelWithExternal("link.bin", 16)).code(),
            StatusCode::kPermissionDenied);
  fs::remove(outside);
}

TEST_F(OnnxIoTest, ExternalLengthMustAgreeWithShape) {
  std::ofstream(Path("ok.bin"), std::ios::binary) << std::string(16, '\0');
  EXPECT_EQ(LoadBytes(dir_.string(), ModelWithExternal("ok.bin", 12)).code(), StatusCode::kCorrupt);
  EXPECT_EQ(LoadBytes(dir_.string(), ModelWithExternal("ok.bin", 16, 8)).code(),
            StatusCode::kCorrupt);
  EXPECT_EQ(LoadBytes(dir_.string(), ModelWithExternal("missing.bin", 16)).code(),
            StatusCode::kNotFound);
}

TEST_F(OnnxIoTest, TruncatedAndGarbageFilesAreCorrupt) {
  auto bytes = SerializeModel(RichModel());
  ASSERT_TRUE(bytes.ok());
  const std::string truncated = bytes->substr(0, bytes->size() / 2);
  auto t = ParseModel(truncated.data(), truncated.size());
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), StatusCode::kCorrupt);
  const std::string garbage = "\xff\xff\xff\xff this is not onnx";
  EXPECT_FALSE(ParseModel(garbage.data(), garbage.size()).ok());
  EXPECT_EQ(LoadModel(Path("none.onnx")).status().code(), StatusCode::kNotFound);
}

TEST_F(OnnxIoTest, RawDataDisagreeingWithShapeIsCorrupt) {
  onnx::ModelProto p;
  p.set_ir_version(8);
  p.add_opset_import()->set_version(17);
  auto* t = p.mutable_graph()->add_initializer();
  t->set_name("w");
  t->set_data_type(1);
  t->add_dims(4);
  t->set_raw_data(std::string(12, '\0'));
  p.mutable_graph()->add_output()->set_name("w");
  const std::string b = p.SerializeAsString();
  auto r = ParseModel(b.data(), b.size());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kCorrupt);
  EXPECT_NE(r.status().message().find("'w'"), std::string::npos);
}

TEST_F(OnnxIoTest, DeclaredShapeOverMemoryLimitIsRefused) {
  onnx::ModelProto p;
  p.set_ir_version(8);
  p.add_opset_import()->set_version(17);
  auto* t = p.mutable_graph()->add_initializer();
  t->set_name("w");
  t->set_data_type(1);
  t->add_dims(int64_t{1} << 20);
  t->add_dims(int64_t{1} << 20);
  p.mutable_graph()->add_output()->set_name("w");
  const std::string b = p.SerializeAsString();
  auto r = ParseModel(b.data(), b.size());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted);
}

TEST_F(OnnxIoTest, CycleAndDanglingInputAreErrors) {
  onnx::ModelProto p;
  p.set_ir_version(8);
  p.add_opset_import()->set_version(17);
  auto* g = p.mutable_graph();
  auto* a = g->add_node();
  a->set_op_type("Neg");
  a->add_input("b");
  a->add_output("a");
  auto* b = g->add_node();
  b->set_op_type("Abs");
  b->add_input("a");
  b->add_output("b");
  g->add_output()->set_name("b");
  std::string bytes = p.SerializeAsString();
  auto r = ParseModel(bytes.data(), bytes.size());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("cycle"), std::string::npos);
  a->set_input(0, "nowhere");
  bytes = p.SerializeAsString();
  r = ParseModel(bytes.data(), bytes.size());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("nowhere"), std::string::npos);
}

}  // namespace
}  // namespace shrink::onnx_io
