// UpgradeOpset on small built graphs: each rewritten op, golden IR for the main forms, the same
// outputs on the reference executor before (old opset) and after (new opset), and the errors.
#include "passes/upgrade_opset.h"

#include <gtest/gtest.h>

#include "ir/printer.h"
#include "ir/verifier.h"
#include "pass_test_util.h"
#include "passes/rank_inference.h"
#include "runtime_util/op_test_util.h"

namespace shrink::passes {
namespace {

using ir::GraphBuilder;
using ir::MakeAttr;
using ir::Value;

struct Upgraded {
  ir::Model before;
  ir::Model after;
};

// Builds the model at `from` twice, upgrades one to `to`, checks it verifies and that both give
// the same outputs on `feeds`.
Upgraded ExpectUpgradeKeepsOutputs(const testing::BuildFn& build, int64_t from, int64_t to,
                                   const runtime::Feeds& feeds, double tol = 1e-6) {
  Upgraded u{testing::Build(build, from), testing::Build(build, from)};
  const Status s = UpgradeOpset(u.after, to);
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(u.after.OpsetFor(""), to);
  EXPECT_GE(u.after.ir_version, MinIrVersionForOpset(to));
  const Status v = ir::Verify(u.after);
  EXPECT_TRUE(v.ok()) << v.ToString() << "\n" << ir::PrintGraph(*u.after.graph);
  const std::vector<Tensor> want = testing::RunModel(u.before, feeds);
  const std::vector<Tensor> got = testing::RunModel(u.after, feeds);
  EXPECT_EQ(want.size(), got.size());
  for (size_t i = 0; i < want.size() && i < got.size(); ++i) {
    EXPECT_EQ(want[i].shape(), got[i].shape()) << "output " << i;
    EXPECT_LE(shrink::testing::MaxAbsDiff(want[i], got[i]), tol) << "output " << i;
  }
  return u;
}

runtime::Feeds X(const Shape& shape, uint32_t seed = 3) {
  return {{"x", testing::RandomTensor(shape, seed, -2, 2)}};
}

TEST(UpgradeOpset, ClipAttributesBecomeInputs) {
  auto u = ExpectUpgradeKeepsOutputs(
      [](GraphBuilder& b) {
        Value* x = b.Input("x", DataType::kFloat32, Shape{2, 3});
        Value* y = b.Op("Clip", {x}, {MakeAttr("min", 0.0f), MakeAttr("max", 0.5f)}, "clip");
        b.Output(b.Op("Clip", {y}, {MakeAttr("max", 0.25f)}, "clip_max"), "y");
      },
      9, 13, X({2, 3}));
  EXPECT_EQ(ir::PrintGraph(*u.after.graph),
            "graph main(%x: float32[2, 3]) -> (%y: undefined[?]) {\n"
            "  %clip_min = initializer float32[] {0}\n"
            "  %clip_max = initializer float32[] {0.5}\n"
            "  %clip_max_max = initializer float32[] {0.25}\n"
            "  %clip_out = Clip(%x, %clip_min, %clip_max)  # clip\n"
            "  %y = Clip(%clip_out, _, %clip_max_max)  # clip_max\n"
            "}\n");
}

TEST(UpgradeOpset, SliceSqueezeUnsqueezeReduceSumAxes) {
  auto u = ExpectUpgradeKeepsOutputs(
      [](GraphBuilder& b) {
        Value* x = b.Input("x", DataType::kFloat32, Shape{2, 6, 4});
        Value* s = b.Op("Slice", {x},
                        {MakeAttr("starts", std::vector<int64_t>{1, 0}),
                         MakeAttr("ends", std::vector<int64_t>{5, 1}),
                         MakeAttr("axes", std::vector<int64_t>{1, 2})},
                        "slice");
        Value* q = b.Op("Squeeze", {s}, {MakeAttr("axes", std::vector<int64_t>{2})}, "squeeze");
        Value* u = b.Op("Unsqueeze", {q}, {MakeAttr("axes", std::vector<int64_t>{0})}, "unsq");
        b.Output(b.Op("ReduceSum", {u},
                      {MakeAttr("axes", std::vector<int64_t>{2}), MakeAttr("keepdims", int64_t{0})},
                      "sum"),
                 "y");
      },
      9, 13, X({2, 6, 4}));
  for (const auto& n : u.after.graph->nodes()) {
    EXPECT_TRUE(n->attributes().empty() || n->op_type() == "ReduceSum") << n->Describe();
    EXPECT_FALSE(n->HasAttr("axes")) << n->Describe();
  }
  EXPECT_EQ(u.after.graph->nodes()[0]->inputs().size(), 4u);  // Slice(x, starts, ends, axes)
}

TEST(UpgradeOpset, ReduceMeanAndMaxAxesAt18) {
  auto u = ExpectUpgradeKeepsOutputs(
      [](GraphBuilder& b) {
        Value* x = b.Input("x", DataType::kFloat32, Shape{2, 3, 4});
        Value* m = b.Op("ReduceMean", {x}, {MakeAttr("axes", std::vector<int64_t>{-1})}, "mean");
        Value* r = b.Op("ReduceMax", {m}, {}, "max");  // no axes: all, stays without input
        b.Output(b.Op("Add", {m, r}), "y");
      },
      17, 21, X({2, 3, 4}));
  EXPECT_EQ(ir::PrintGraph(*u.after.graph),
            "graph main(%x: float32[2, 3, 4]) -> (%y: undefined[?]) {\n"
            "  %mean_axes = initializer int64[1] {-1}\n"
            "  %mean_out = ReduceMean(%x, %mean_axes)  # mean\n"
            "  %max_out = ReduceMax(%mean_out)  # max\n"
            "  %y = Add(%mean_out, %max_out)  # Add\n"
            "}\n");
  // Equal opsets: nothing to do.
  ir::Model same = testing::Build([](GraphBuilder& b) {
    b.Output(b.Op("ReduceMean", {b.Input("x", DataType::kFloat32, Shape{2})},
                  {MakeAttr("axes", std::vector<int64_t>{0})}),
             "y");
  });
  EXPECT_TRUE(UpgradeOpset(same, 17).ok());
  EXPECT_TRUE(same.graph->nodes()[0]->HasAttr("axes"));
}

TEST(UpgradeOpset, SplitAttributeThenNumOutputs) {
  auto build = [](bool with_split) {
    return [with_split](GraphBuilder& b) {
      Value* x = b.Input("x", DataType::kFloat32, Shape{6, 2});
      std::vector<ir::Attribute> attrs = {MakeAttr("axis", int64_t{0})};
      if (with_split) attrs.push_back(MakeAttr("split", std::vector<int64_t>{2, 4}));
      auto outs = b.OpN("Split", {x}, 2, attrs, "split");
      b.Output(outs[0], "a");
      b.Output(outs[1], "b");
    };
  };
  auto u = ExpectUpgradeKeepsOutputs(build(true), 12, 18, X({6, 2}));
  const ir::Node* split = u.after.graph->nodes()[0].get();
  EXPECT_EQ(split->inputs().size(), 2u);
  EXPECT_FALSE(split->HasAttr("num_outputs"));
  auto even = ExpectUpgradeKeepsOutputs(build(false), 12, 21, X({6, 2}));
  EXPECT_EQ(even.after.graph->nodes()[0]->GetInt("num_outputs", 0), 2);
}

TEST(UpgradeOpset, SoftmaxOnLastAxisKeepsOneNode) {
  for (const char* op : {"Softmax", "LogSoftmax", "Hardmax"}) {
    auto u = ExpectUpgradeKeepsOutputs(
        [op](GraphBuilder& b) {
          Value* x = b.Input("x", DataType::kFloat32, Shape{2, 3, 5});
          Value* t = b.Op("Transpose", {x}, {MakeAttr("perm", std::vector<int64_t>{1, 0, 2})});
          b.Output(b.Op(op, {t}, {MakeAttr("axis", int64_t{2})}, "sm"), "y");
        },
        9, 13, X({2, 3, 5}));
    ASSERT_EQ(u.after.graph->num_nodes(), 2u) << op;
    EXPECT_EQ(u.after.graph->nodes()[1]->GetInt("axis", 0), -1) << op;
  }
}

TEST(UpgradeOpset, SoftmaxOnInnerAxisKeepsTwoDimensionalSemantics) {
  // Old default axis 1 on a rank-3 input normalises over dims 1 and 2 together.
  auto u = ExpectUpgradeKeepsOutputs(
      [](GraphBuilder& b) {
        b.Output(b.Op("Softmax", {b.Input("x", DataType::kFloat32, Shape{2, 3, 5})}, {}, "sm"),
                 "y");
      },
      11, 13, X({2, 3, 5}));
  EXPECT_EQ(ir::PrintGraph(*u.after.graph),
            "graph main(%x: float32[2, 3, 5]) -> (%y: undefined[?]) {\n"
            "  %sm_shape = Shape(%x)  # sm_shape\n"
            "  %sm_2d = Flatten(%x) {axis=1}  # sm_flatten\n"
            "  %sm_2d_out = Softmax(%sm_2d) {axis=-1}  # sm\n"
            "  %y = Reshape(%sm_2d_out, %sm_shape)  # sm_reshape\n"
            "}\n");
  // Unknown rank, explicit inner axis: the same exact rewrite.
  ExpectUpgradeKeepsOutputs(
      [](GraphBuilder& b) {
        Value* x = b.Input("x", DataType::kFloat32, std::vector<ir::Dim>{});
        x->type().shape.reset();
        b.Output(b.Op("LogSoftmax", {x}, {MakeAttr("axis", int64_t{2})}, "sm"), "y");
      },
      9, 21, X({2, 3, 4, 2}));
}

TEST(UpgradeOpset, RankInferenceThroughShapeArithmetic) {
  // Reshape to Concat(Shape(x)[0:1], [2, 3], [-1]): rank 4 although the shape is not constant.
  ir::Model m = testing::Build([](GraphBuilder& b) {
    Value* x = b.Input("x", DataType::kFloat32, {ir::Dim::Symbol("N"), ir::Dim::Known(24)});
    Value* n = b.Op(
        "Slice", {b.Op("Shape", {x})},
        {MakeAttr("starts", std::vector<int64_t>{0}), MakeAttr("ends", std::vector<int64_t>{1})});
    Value* shape = b.Op("Concat",
                        {n, b.Const(Tensor::FromVector<int64_t>({2}, {2, 3})),
                         b.Const(Tensor::FromVector<int64_t>({1}, {-1}))},
                        {MakeAttr("axis", int64_t{0})});
    Value* r = b.Op("Reshape", {x, shape});
    Value* t = b.Op("Transpose", {r}, {MakeAttr("perm", std::vector<int64_t>{0, 2, 1, 3})});
    Value* q = b.Op("ReduceMean", {t},
                    {MakeAttr("axes", std::vector<int64_t>{1}), MakeAttr("keepdims", int64_t{0})});
    b.Output(b.Op("MatMul",
                  {q, b.Op("Transpose", {q}, {MakeAttr("perm", std::vector<int64_t>{0, 2, 1})})}),
             "y");
  });
  const RankMap ranks = InferRanks(*m.graph);
  const auto rank_of = [&](const char* op) {
    for (const auto& n : m.graph->nodes())
      if (n->op_type() == op) {
        auto it = ranks.find(n->output(0));
        return it == ranks.end() ? int64_t{-1} : it->second;
      }
    return int64_t{-2};
  };
  EXPECT_EQ(rank_of("Reshape"), 4);
  EXPECT_EQ(rank_of("ReduceMean"), 3);
  EXPECT_EQ(rank_of("MatMul"), 3);
  EXPECT_EQ(InferElementType(m.graph->outputs()[0]), DataType::kFloat32);
}

TEST(UpgradeOpset, PadTopKDropout) {
  ExpectUpgradeKeepsOutputs(
      [](GraphBuilder& b) {
        Value* x = b.Input("x", DataType::kFloat32, Shape{2, 5});
        Value* p = b.Op(
            "Pad", {x},
            {MakeAttr("pads", std::vector<int64_t>{0, 1, 1, 2}), MakeAttr("value", 1.5f)}, "pad");
        Value* d = b.Op("Dropout", {p}, {MakeAttr("ratio", 0.3f)}, "drop");
        auto topk = b.OpN("TopK", {d}, 2, {MakeAttr("k", int64_t{3})}, "topk");
        b.Output(topk[0], "v");
        b.Output(topk[1], "i");
      },
      9, 21, X({2, 5}));
}

TEST(UpgradeOpset, UpsampleAndResize10BecomeResize) {
  auto up = [](const char* mode, std::vector<float> scales) {
    return [=](GraphBuilder& b) {
      Value* x = b.Input("x", DataType::kFloat32, Shape{1, 2, 3, 4});
      Value* s = b.Const("scales", Tensor::FromVector<float>({4}, scales));
      b.Output(b.Op("Upsample", {x, s}, {MakeAttr("mode", mode)}, "up"), "y");
    };
  };
  for (int to : {10, 11, 13, 21}) {
    auto u = ExpectUpgradeKeepsOutputs(up("nearest", {1, 1, 2, 3}), 9, to, X({1, 2, 3, 4}));
    EXPECT_EQ(testing::CountOps(*u.after.graph, "Resize"), 1) << to;
  }
  ExpectUpgradeKeepsOutputs(up("nearest", {1, 1, 0.5f, 0.5f}), 9, 13, X({1, 2, 3, 4}));
  ExpectUpgradeKeepsOutputs(up("linear", {1, 1, 2, 1.5f}), 9, 13, X({1, 2, 3, 4}), 1e-5);
  ExpectUpgradeKeepsOutputs(
      [](GraphBuilder& b) {
        Value* x = b.Input("x", DataType::kFloat32, Shape{1, 1, 4, 4});
        Value* s = b.Const("scales", Tensor::FromVector<float>({4}, {1, 1, 2, 2}));
        b.Output(b.Op("Resize", {x, s}, {MakeAttr("mode", "linear")}, "rs"), "y");
      },
      10, 11, X({1, 1, 4, 4}), 1e-5);
}

TEST(UpgradeOpset, BatchNormDropsUnusedTrainingOutputs) {
  ir::Model m = testing::Build(
      [](GraphBuilder& b) {
        Value* x = b.Input("x", DataType::kFloat32, Shape{2, 3, 2});
        auto c = [&](float v) { return b.Const(Tensor::FromVector<float>({3}, {v, v + 1, v})); };
        auto bn = b.OpN("BatchNormalization", {x, c(1), c(0.5f), c(0.1f), c(2)}, 3, {}, "bn");
        b.Output(bn[0], "y");
      },
      9);
  ASSERT_TRUE(UpgradeOpset(m, 14).ok());
  const ir::Node* bn = m.graph->nodes()[0].get();
  EXPECT_EQ(bn->op_type(), "BatchNormalization");
  EXPECT_EQ(bn->name(), "bn");
  EXPECT_EQ(bn->outputs().size(), 1u);
  EXPECT_EQ(bn->output(0)->name(), "y");
  EXPECT_TRUE(ir::Verify(m).ok());
}

TEST(UpgradeOpset, ScatterBecomesScatterElements) {
  auto u = ExpectUpgradeKeepsOutputs(
      [](GraphBuilder& b) {
        Value* x = b.Input("x", DataType::kFloat32, Shape{2, 3, 2});
        Value* idx = b.Const("idx", Tensor::FromVector<int64_t>({1, 1, 1}, {1}));
        Value* upd = b.Const("upd", Tensor::FromVector<float>({1, 1, 1}, {9}));
        b.Output(b.Op("Scatter", {x, idx, upd}, {MakeAttr("axis", int64_t{1})}, "sc"), "y");
      },
      9, 11, X({2, 3, 2}));
  EXPECT_EQ(testing::CountOps(*u.after.graph, "ScatterElements"), 1);
}

TEST(UpgradeOpset, RewritesInsideSubgraphs) {
  ir::Model m = testing::Build(
      [](GraphBuilder& b) {
        Value* x = b.Input("x", DataType::kFloat32, Shape{4});
        Value* cond = b.Input("cond", DataType::kBool, Shape{});
        auto branch = [&](const char* name, float hi) {
          auto g = std::make_shared<ir::Graph>(name, &b.graph());
          ir::Node* n = g->AddNode("Clip", {g->AddOuterReference(x->name())}, {"r"},
                                   {MakeAttr("min", 0.0f), MakeAttr("max", hi)});
          g->AddOutput(n->output(0));
          return g;
        };
        b.Output(b.Op("If", {cond},
                      {MakeAttr("then_branch", branch("then", 0.5f)),
                       MakeAttr("else_branch", branch("else", 1.0f))},
                      "if"),
                 "y");
      },
      9);
  runtime::Feeds feeds = X({4});
  feeds.emplace_back("cond", Tensor::Scalar<bool>(true));
  const std::vector<Tensor> want = testing::RunModel(m, feeds);
  ASSERT_TRUE(UpgradeOpset(m, 13).ok());
  const ir::Graph* then = m.graph->nodes()[0]->GetGraph("then_branch");
  ASSERT_NE(then, nullptr);
  EXPECT_EQ(then->nodes()[0]->inputs().size(), 3u);
  EXPECT_FALSE(then->nodes()[0]->HasAttr("max"));
  const std::vector<Tensor> got = testing::RunModel(m, feeds);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(shrink::testing::MaxAbsDiff(want[0], got[0]), 0.0);
}

TEST(UpgradeOpset, Errors) {
  auto clip = [](GraphBuilder& b) {
    b.Output(b.Op("Clip", {b.Input("x", DataType::kFloat32, Shape{2})}, {MakeAttr("max", 1.0f)}),
             "y");
  };
  ir::Model m = testing::Build(clip, 13);
  EXPECT_EQ(UpgradeOpset(m, 11).code(), StatusCode::kInvalidArgument);  // lowering
  EXPECT_EQ(UpgradeOpset(m, 22).code(), StatusCode::kInvalidArgument);  // above the maximum
  ir::Model old = testing::Build(clip, 6);
  EXPECT_EQ(UpgradeOpset(old, 13).code(), StatusCode::kUnimplemented);

  // Unhandled changes are all listed and nothing is touched (the Clip keeps its attribute).
  ir::Model mixed = testing::Build(
      [](GraphBuilder& b) {
        Value* x = b.Input("x", DataType::kFloat32, Shape{1, 4, 2});
        Value* c = b.Op("Clip", {x}, {MakeAttr("max", 1.0f)}, "clip");
        Value* s = b.Const("s", Tensor::FromVector<float>({2}, {1, 1}));
        Value* bi = b.Const("b", Tensor::FromVector<float>({2}, {0, 0}));
        b.Output(b.Op("GroupNormalization", {c, s, bi}, {MakeAttr("num_groups", int64_t{2})}), "y");
        Value* sc = b.Input("sc", DataType::kFloat32, Shape{4});
        b.Output(b.Op("Upsample", {x, sc}, {}, "up"), "z");
      },
      9);
  const Status s = UpgradeOpset(mixed, 21);
  EXPECT_EQ(s.code(), StatusCode::kUnimplemented);
  EXPECT_NE(s.message().find("GroupNormalization"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("Upsample"), std::string::npos) << s.message();
  EXPECT_EQ(mixed.OpsetFor(""), 9);
  EXPECT_TRUE(mixed.graph->nodes()[0]->HasAttr("max"));
}

}  // namespace
}  // namespace shrink::passes
