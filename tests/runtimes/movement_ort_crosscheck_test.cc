// Cross-check of the shape / data-movement reference kernels against ONNX Runtime for the forms
// the ONNX 1.12 conformance data cannot cover (opset 18/19 Resize, Pad, Split, ScatterElements)
// and for general Einsum equations. Each case is a one-node model; both runtimes get the same
// inputs and must agree within the documented tolerance (runtimes/agreement.h).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>

#include "core/temp_dir.h"
#include "ir/builder.h"
#include "onnx/export.h"
#include "runtime/executor.h"
#include "runtimes/agreement.h"
#include "runtimes/onnxruntime.h"

namespace shrink::runtimes {
namespace {

using ir::MakeAttr;

Tensor Wave(Shape shape, double phase) {
  Tensor t(DataType::kFloat32, std::move(shape));
  for (int64_t i = 0; i < t.numel(); ++i)
    t.data<float>()[i] = static_cast<float>(std::sin(0.7 * static_cast<double>(i) + phase) * 3);
  return t;
}

Tensor Ints(const std::vector<int64_t>& v) {
  return Tensor::FromVector<int64_t>({static_cast<int64_t>(v.size())}, v);
}
Tensor Floats(const std::vector<float>& v) {
  return Tensor::FromVector<float>({static_cast<int64_t>(v.size())}, v);
}

struct Case {
  std::string op;
  int64_t opset;
  std::vector<Tensor> feeds;      // graph inputs "x0", "x1", ...
  std::vector<Tensor> constants;  // appended as initializers; undefined = omitted input
  std::vector<ir::Attribute> attrs;
  int num_outputs = 1;
};

void CrossCheck(const Case& c) {
  SCOPED_TRACE(c.op + " opset " + std::to_string(c.opset));
  auto runner = OrtRunner::Find();
  if (!runner.ok()) {
    if (std::getenv("SHRINK_ALLOW_NO_ORT") != nullptr) GTEST_SKIP() << runner.status().ToString();
    FAIL() << runner.status().ToString();
  }
  ir::Model model = ir::MakeModel(c.opset);
  ir::GraphBuilder b(*model.graph);
  std::vector<ir::Value*> ins;
  NamedTensors feeds;
  for (size_t i = 0; i < c.feeds.size(); ++i) {
    const std::string name = "x" + std::to_string(i);
    ins.push_back(b.Input(name, c.feeds[i].dtype(), c.feeds[i].shape()));
    feeds.emplace_back(name, c.feeds[i]);
  }
  for (const Tensor& t : c.constants) ins.push_back(t.defined() ? b.Const(t) : nullptr);
  const auto outs = b.OpN(c.op, ins, c.num_outputs, c.attrs);
  for (size_t i = 0; i < outs.size(); ++i) b.Output(outs[i], "y" + std::to_string(i));

  auto dir = TempDir::Create("movement-ort-");
  ASSERT_TRUE(dir.ok()) << dir.status().ToString();
  const std::string path = dir->File("m.onnx");
  const Status saved = onnx_io::SaveModel(model, path);
  ASSERT_TRUE(saved.ok()) << saved.ToString();
  auto theirs = runner->Run(path, feeds);
  ASSERT_TRUE(theirs.ok()) << theirs.status().ToString();

  auto ex = runtime::Executor::Create(model);
  ASSERT_TRUE(ex.ok()) << ex.status().ToString();
  auto ours = (*ex)->Run(feeds);
  ASSERT_TRUE(ours.ok()) << ours.status().ToString();
  ASSERT_EQ(ours->size(), theirs->size());
  for (size_t i = 0; i < ours->size(); ++i) {
    const auto a = CompareOutputs((*theirs)[i].first, (*ours)[i], (*theirs)[i].second);
    EXPECT_TRUE(a.ok) << a.name << ": " << a.detail << " max_abs " << a.max_abs << " ours "
                      << (*ours)[i].DebugString(12) << " ort "
                      << (*theirs)[i].second.DebugString(12);
  }
}

TEST(MovementOrtCrossCheck, ResizeAntialias) {
  CrossCheck({"Resize",
              19,
              {Wave({1, 1, 6, 7}, 0)},
              {Tensor(), Floats({1, 1, 0.6f, 0.45f})},
              {MakeAttr("mode", "linear"), MakeAttr("antialias", 1)}});
  CrossCheck({"Resize",
              19,
              {Wave({1, 1, 6, 7}, 1)},
              {Tensor(), Floats({1, 1, 0.5f, 0.7f})},
              {MakeAttr("mode", "cubic"), MakeAttr("antialias", 1)}});
}

TEST(MovementOrtCrossCheck, ResizeCubicVariants) {
  CrossCheck(
      {"Resize",
       19,
       {Wave({1, 2, 4, 5}, 2)},
       {Tensor(), Floats({1, 1, 1.7f, 2.3f})},
       {MakeAttr("mode", "cubic"), MakeAttr("cubic_coeff_a", -0.5f), MakeAttr("exclude_outside", 1),
        MakeAttr("coordinate_transformation_mode", "half_pixel_symmetric")}});
  CrossCheck({"Resize",
              13,
              {Wave({1, 1, 8, 6}, 3)},
              {Tensor(), Tensor(), Ints({1, 1, 3, 4})},
              {MakeAttr("mode", "cubic"),
               MakeAttr("coordinate_transformation_mode", "pytorch_half_pixel")}});
}

TEST(MovementOrtCrossCheck, ResizeAxesAndAspectRatio) {
  CrossCheck({"Resize",
              18,
              {Wave({1, 2, 4, 6}, 4)},
              {Tensor(), Tensor(), Ints({5, 4})},
              {MakeAttr("mode", "linear"), MakeAttr("axes", std::vector<int64_t>{3, 2}),
               MakeAttr("keep_aspect_ratio_policy", "not_smaller")}});
  CrossCheck({"Resize",
              18,
              {Wave({1, 2, 4, 6}, 5)},
              {Tensor(), Tensor(), Ints({3, 9})},
              {MakeAttr("mode", "nearest"), MakeAttr("axes", std::vector<int64_t>{2, 3}),
               MakeAttr("keep_aspect_ratio_policy", "not_larger"),
               MakeAttr("nearest_mode", "round_prefer_ceil"),
               MakeAttr("coordinate_transformation_mode", "align_corners")}});
  CrossCheck({"Resize",
              18,
              {Wave({1, 1, 5, 5}, 6)},
              {Floats({0.2f, 0.1f, 1.2f, 0.7f}), Tensor(), Ints({4, 3})},
              {MakeAttr("mode", "linear"), MakeAttr("axes", std::vector<int64_t>{2, 3}),
               MakeAttr("coordinate_transformation_mode", "tf_crop_and_resize"),
               MakeAttr("extrapolation_value", 0.5f)}});
}

TEST(MovementOrtCrossCheck, PadWrapAndAxes) {
  CrossCheck({"Pad", 19, {Wave({3, 4}, 0)}, {Ints({1, 2, 2, 3})}, {MakeAttr("mode", "wrap")}});
  CrossCheck({"Pad",
              18,
              {Wave({2, 3, 4}, 1)},
              {Ints({2, -1, 3, 1}), Tensor(), Ints({-1, 1})},
              {MakeAttr("mode", "reflect")}});
  CrossCheck({"Pad", 18, {Wave({2, 3}, 2)}, {Ints({1, 0, 0, 2}), Floats({7.5f})}, {}});
}

TEST(MovementOrtCrossCheck, SplitNumOutputsAndScatterMinMax) {
  CrossCheck(
      {"Split", 18, {Wave({2, 7}, 0)}, {}, {MakeAttr("axis", 1), MakeAttr("num_outputs", 3)}, 3});
  for (const char* red : {"max", "min"}) {
    CrossCheck({"ScatterElements",
                18,
                {Wave({3, 4}, 1)},
                {Tensor::FromVector<int64_t>({2, 3}, {1, 1, 0, 1, -1, 2}), Wave({2, 3}, 2)},
                {MakeAttr("axis", 1), MakeAttr("reduction", red)}});
  }
}

TEST(MovementOrtCrossCheck, EinsumEquations) {
  CrossCheck({"Einsum",
              12,
              {Wave({2, 3, 5, 4}, 0), Wave({2, 3, 6, 4}, 1)},
              {},
              {MakeAttr("equation", "bhid,bhjd->bhij")}});
  CrossCheck({"Einsum",
              12,
              {Wave({2, 3, 5, 6}, 0), Wave({2, 3, 6, 4}, 1)},
              {},
              {MakeAttr("equation", "bhij,bhjd->bhid")}});
  CrossCheck({"Einsum",
              12,
              {Wave({2, 1, 3, 4}, 2), Wave({1, 5, 4, 2}, 3)},
              {},
              {MakeAttr("equation", "...ij,...jk->...ik")}});
  CrossCheck({"Einsum",
              12,
              {Wave({2, 3}, 4), Wave({3, 4}, 5), Wave({4, 2}, 6)},
              {},
              {MakeAttr("equation", "ij,jk,kl->il")}});
  CrossCheck({"Einsum", 12, {Wave({3, 4, 4}, 7)}, {}, {MakeAttr("equation", "bii->bi")}});
  CrossCheck({"Einsum", 12, {Wave({3, 4, 5}, 8)}, {}, {MakeAttr("equation", "abc->cb")}});
  CrossCheck(
      {"Einsum", 12, {Wave({4, 3}, 9), Wave({3, 5}, 10)}, {}, {MakeAttr("equation", "ij,jk")}});
}

TEST(MovementOrtCrossCheck, TopKSmallestAndGatherNDBatch) {
  CrossCheck({"TopK",
              11,
              {Wave({3, 7}, 0)},
              {Ints({4})},
              {MakeAttr("largest", 0), MakeAttr("axis", -1)},
              2});
  CrossCheck({"GatherND",
              13,
              {Wave({2, 3, 4}, 1)},
              {Tensor::FromVector<int64_t>({2, 2, 1}, {2, 0, 1, -1})},
              {MakeAttr("batch_dims", 1)}});
}

}  // namespace
}  // namespace shrink::runtimes
