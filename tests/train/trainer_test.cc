// train::Trainer: loss falls on a separable problem, resume equals a straight run, options.
#include "train/trainer.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "core/temp_dir.h"
#include "ir/builder.h"

namespace shrink::train {
namespace {

using ir::Dim;
using ir::MakeAttr;

Tensor RandomTensor(Shape shape, std::mt19937& rng, float scale) {
  Tensor t(DataType::kFloat32, std::move(shape));
  std::normal_distribution<float> d(0.0f, scale);
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = d(rng);
  return t;
}

// x[4] -> Gemm(16) -> BN -> Relu -> Dropout -> Gemm(2) logits.
ir::Model Classifier() {
  std::mt19937 rng(11);
  ir::Model m = ir::MakeModel(17);
  ir::GraphBuilder b(*m.graph);
  auto* x = b.Input("x", DataType::kFloat32, {Dim::Symbol("N"), Dim::Known(4)});
  auto* h = b.Op("Gemm",
                 {x, b.Const("w1", RandomTensor({16, 4}, rng, 0.5f)),
                  b.Const("b1", Tensor(DataType::kFloat32, {16}))},
                 {MakeAttr("transB", int64_t{1})});
  Tensor ones(DataType::kFloat32, {16});
  for (int i = 0; i < 16; ++i) ones.data<float>()[i] = 1.0f;
  auto* h3 = b.Op("Unsqueeze", {h, b.Const("ax", Tensor::FromVector<int64_t>({1}, {2}))});
  auto* bn =
      b.Op("BatchNormalization",
           {h3, b.Const("bn_s", ones), b.Const("bn_b", Tensor(DataType::kFloat32, {16})),
            b.Const("bn_m", Tensor(DataType::kFloat32, {16})), b.Const("bn_v", ones.Clone())});
  auto* flat = b.Op("Flatten", {bn});
  auto* r = b.Op("Relu", {flat});
  auto* d = b.Op("Dropout", {r, b.Const("ratio", Tensor::Scalar<float>(0.2f))});
  auto* logits = b.Op("Gemm",
                      {d, b.Const("w2", RandomTensor({2, 16}, rng, 0.5f)),
                       b.Const("b2", Tensor(DataType::kFloat32, {2}))},
                      {MakeAttr("transB", int64_t{1})});
  b.Output(logits, "logits");
  return m;
}

// Label = (x0 + x1 > 0): linearly separable.
std::vector<Batch> SeparableBatches(int batches, int batch_size, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<Batch> out;
  for (int bi = 0; bi < batches; ++bi) {
    Tensor x = RandomTensor({batch_size, 4}, rng, 1.0f);
    Tensor y(DataType::kInt64, {batch_size});
    for (int i = 0; i < batch_size; ++i)
      y.data<int64_t>()[i] = x.data<float>()[i * 4] + x.data<float>()[i * 4 + 1] > 0 ? 1 : 0;
    out.push_back(Batch{{{"x", x}}, y});
  }
  return out;
}

TEST(TrainerTest, LossFallsOnSeparableProblem) {
  ir::Model m = Classifier();
  TrainOptions o;
  o.optimizer = OptimizerKind::kAdam;
  o.lr = 0.01;
  o.epochs = 8;
  o.seed = 3;
  VectorBatchSource src(SeparableBatches(8, 32, 1));
  auto t = Trainer::Create(m, o);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  auto before = (*t)->Evaluate(src);
  ASSERT_TRUE(before.ok()) << before.status().ToString();
  auto r = (*t)->Train(src);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->epochs_run, 8);
  EXPECT_EQ(r->global_step, 64);
  EXPECT_LT(r->last_epoch_loss, 0.5 * r->first_epoch_loss);
  auto after = (*t)->Evaluate(src);
  ASSERT_TRUE(after.ok());
  EXPECT_LT(*after, 0.5 * *before);
  // Write back and check the model changed and still evaluates to the trained loss.
  ASSERT_TRUE((*t)->WriteBack(m).ok());
  ir::Model fresh = Classifier();
  EXPECT_FALSE(m.graph->FindValue("w1")->data().BitwiseEqual(fresh.graph->FindValue("w1")->data()));
  TrainOptions eval_o = o;
  auto t2 = Trainer::Create(m, eval_o);
  ASSERT_TRUE(t2.ok());
  auto again = (*t2)->Evaluate(src);
  ASSERT_TRUE(again.ok());
  EXPECT_NEAR(*again, *after, 1e-6);
}

TEST(TrainerTest, SgdWithCosineScheduleAlsoLearnsAndReportsProgress) {
  ir::Model m = Classifier();
  TrainOptions o;
  o.optimizer = OptimizerKind::kSgd;
  o.lr = 0.1;
  o.schedule = ScheduleKind::kCosine;
  o.epochs = 6;
  std::vector<double> lrs;
  int epoch_ends = 0;
  o.progress = [&](const TrainProgress& p) {
    if (p.epoch_end)
      ++epoch_ends;
    else
      lrs.push_back(p.lr);
  };
  VectorBatchSource src(SeparableBatches(6, 32, 2));
  auto t = Trainer::Create(m, o);
  ASSERT_TRUE(t.ok());
  auto r = (*t)->Train(src);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_LT(r->last_epoch_loss, r->first_epoch_loss);
  EXPECT_EQ(epoch_ends, 6);
  ASSERT_EQ(lrs.size(), 36u);
  EXPECT_DOUBLE_EQ(lrs.front(), 0.1);
  for (size_t i = 1; i < lrs.size(); ++i) EXPECT_LT(lrs[i], lrs[i - 1]);
}

NamedTensors Weights(const ir::Model& m) {
  NamedTensors w;
  for (const ir::Value* v : m.graph->initializers()) w.emplace_back(v->name(), v->data());
  return w;
}

TEST(TrainerTest, ResumeContinuesExactly) {
  auto tmp = TempDir::Create("train_resume");
  ASSERT_TRUE(tmp.ok());
  const std::string ckpt = (std::filesystem::path(tmp->path()) / "ckpt.pt").string();
  TrainOptions o;
  o.lr = 0.01;
  o.seed = 5;
  o.epochs = 2;
  const auto batches = SeparableBatches(4, 16, 9);

  ir::Model straight = Classifier();
  {
    VectorBatchSource src(batches);
    auto t = Trainer::Create(straight, o);
    ASSERT_TRUE(t.ok());
    ASSERT_TRUE((*t)->Train(src).ok());
    ASSERT_TRUE((*t)->WriteBack(straight).ok());
  }
  ir::Model resumed = Classifier();
  {
    TrainOptions first = o;
    first.epochs = 1;
    first.checkpoint_path = ckpt;
    VectorBatchSource src(batches);
    auto t = Trainer::Create(resumed, first);
    ASSERT_TRUE(t.ok());
    ASSERT_TRUE((*t)->Train(src).ok());
    ASSERT_TRUE(std::filesystem::exists(ckpt));
  }
  {
    // A fresh process-like start: other seed state, same checkpoint.
    TrainOptions second = o;
    second.checkpoint_path = ckpt;
    second.resume = true;
    second.seed = 999;  // must not matter: the RNG state comes from the checkpoint
    VectorBatchSource src(batches);
    auto t = Trainer::Create(resumed, second);
    ASSERT_TRUE(t.ok());
    auto r = (*t)->Train(src);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->epochs_run, 1);
    EXPECT_EQ(r->global_step, 8);
    ASSERT_TRUE((*t)->WriteBack(resumed).ok());
  }
  const auto a = Weights(straight), b = Weights(resumed);
  ASSERT_EQ(a.size(), b.size());
  ir::Model init = Classifier();
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_TRUE(a[i].second.BitwiseEqual(b[i].second)) << a[i].first;
  }
  EXPECT_FALSE(a[0].second.BitwiseEqual(init.graph->initializers()[0]->data()));
}

// Yields the batches of a VectorBatchSource but fails ("crashes") at batch `fail_at` of epoch 0.
class CrashingSource : public VectorBatchSource {
 public:
  CrashingSource(std::vector<Batch> b, int fail_at)
      : VectorBatchSource(std::move(b)), fail_at_(fail_at) {}
  Expected<std::optional<Batch>> Next() override {
    if (served_++ == fail_at_) return IOError("simulated crash");
    return VectorBatchSource::Next();
  }

 private:
  int fail_at_;
  int served_ = 0;
};

TEST(TrainerTest, MidEpochCheckpointResumesExactly) {
  auto tmp = TempDir::Create("train_resume_mid");
  ASSERT_TRUE(tmp.ok());
  const std::string ckpt = (std::filesystem::path(tmp->path()) / "ckpt.pt").string();
  TrainOptions o;
  o.optimizer = OptimizerKind::kSgd;
  o.lr = 0.05;
  o.epochs = 1;
  o.seed = 12;
  const auto batches = SeparableBatches(6, 16, 4);
  ir::Model straight = Classifier();
  {
    VectorBatchSource src(batches);
    auto t = Trainer::Create(straight, o);
    ASSERT_TRUE(t.ok());
    ASSERT_TRUE((*t)->Train(src).ok());
    ASSERT_TRUE((*t)->WriteBack(straight).ok());
  }
  ir::Model resumed = Classifier();
  {
    TrainOptions first = o;
    first.checkpoint_path = ckpt;
    first.checkpoint_every_steps = 3;
    CrashingSource src(batches, 4);  // steps 1..4 run, the checkpoint holds step 3
    auto t = Trainer::Create(resumed, first);
    ASSERT_TRUE(t.ok());
    auto r = (*t)->Train(src);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kIOError);
  }
  {
    TrainOptions second = o;
    second.checkpoint_path = ckpt;
    second.resume = true;
    VectorBatchSource src(batches);
    auto t = Trainer::Create(resumed, second);
    ASSERT_TRUE(t.ok());
    auto r = (*t)->Train(src);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->global_step, 6);
    ASSERT_TRUE((*t)->WriteBack(resumed).ok());
  }
  const auto a = Weights(straight), b = Weights(resumed);
  for (size_t i = 0; i < a.size(); ++i)
    EXPECT_TRUE(a[i].second.BitwiseEqual(b[i].second)) << a[i].first;
}

TEST(TrainerTest, BadOptionsAndLabelsAreErrors) {
  ir::Model m = Classifier();
  TrainOptions o;
  o.lr = -1;
  EXPECT_FALSE(Trainer::Create(m, o).ok());
  o.lr = 0.1;
  o.output = "nope";
  auto t = Trainer::Create(m, o);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), StatusCode::kNotFound);
  EXPECT_FALSE(ParseOptimizer("rmsprop").ok());
  EXPECT_EQ(*ParseSchedule("cosine"), ScheduleKind::kCosine);
  EXPECT_EQ(*ParseLoss("next_token"), LossKind::kNextToken);
  o.output = "";
  auto t2 = Trainer::Create(m, o);
  ASSERT_TRUE(t2.ok());
  auto batches = SeparableBatches(1, 4, 1);
  batches[0].labels = Tensor();
  VectorBatchSource src(batches);
  EXPECT_FALSE((*t2)->Train(src).ok());
}

}  // namespace
}  // namespace shrink::train
