// OrtSession: one Node process serves many runs; ORT errors leave it usable; a model ORT cannot
// load fails at Start with ORT's message.
#include "runtimes/ort_session.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "core/temp_dir.h"
#include "ir/builder.h"
#include "onnx/export.h"

namespace shrink::runtimes {
namespace {

#define REQUIRE_ORT(runner_var)                        \
  auto runner_var = OrtRunner::Find();                 \
  if (!runner_var.ok()) {                              \
    if (std::getenv("SHRINK_ALLOW_NO_ORT") != nullptr) \
      GTEST_SKIP() << runner_var.status().ToString();  \
    FAIL() << runner_var.status().ToString();          \
  }

TEST(OrtSession, ServesManyRunsAndSurvivesErrors) {
  REQUIRE_ORT(runner);
  auto dir = TempDir::Create("ort-session-test-");
  ASSERT_TRUE(dir.ok());
  // y = Relu(x + 1), x float32[N, 3].
  ir::Model m = ir::MakeModel(17);
  ir::GraphBuilder b(*m.graph);
  ir::Value* x = b.Input("x", DataType::kFloat32,
                         std::vector<ir::Dim>{ir::Dim::Symbol("N"), ir::Dim::Known(3)});
  ir::Value* one = b.Const("one", Tensor::FromVector<float>({1}, {1}));
  b.Output(b.Op("Relu", {b.Op("Add", {x, one})}), "y");
  ASSERT_TRUE(onnx_io::SaveModel(m, dir->File("m.onnx")).ok());

  auto session = OrtSession::Start(*runner, dir->File("m.onnx"));
  ASSERT_TRUE(session.ok()) << session.status().ToString();
  OrtSession& s = **session;
  EXPECT_EQ(s.input_names(), std::vector<std::string>{"x"});
  for (int64_t n = 1; n <= 3; ++n) {  // batch sizes 1, 2, 3 through the same process
    std::vector<float> v(static_cast<size_t>(3 * n));
    for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<float>(i) - 2.0f;
    auto out = s.Run({{"x", Tensor::FromVector<float>({n, 3}, v)}});
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    ASSERT_EQ(out->size(), 1u);
    EXPECT_EQ((*out)[0].first, "y");
    ASSERT_EQ((*out)[0].second.shape(), (Shape{n, 3}));
    for (size_t i = 0; i < v.size(); ++i)  // relu(v + 1): -2 -> 0, -1 -> 0, 0 -> 1, ...
      EXPECT_FLOAT_EQ((*out)[0].second.data<float>()[i], std::max(0.0f, v[i] + 1.0f));
  }
  auto wrong = s.Run({{"z", Tensor::FromVector<float>({1, 3}, {1, 2, 3})}});
  EXPECT_EQ(wrong.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(wrong.status().message().find("'z'"), std::string::npos) << wrong.status().message();
  auto again = s.Run({{"x", Tensor::FromVector<float>({1, 3}, {1, 2, 3})}});
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_FLOAT_EQ((*again)[0].second.data<float>()[2], 4.0f);

  std::ofstream(dir->File("junk.onnx")) << "not a model";
  auto junk = OrtSession::Start(*runner, dir->File("junk.onnx"));
  EXPECT_EQ(junk.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(junk.status().message().find("cannot load model"), std::string::npos)
      << junk.status().message();
  EXPECT_EQ(OrtSession::Start(*runner, dir->File("absent.onnx")).status().code(),
            StatusCode::kNotFound);
}

}  // namespace
}  // namespace shrink::runtimes
