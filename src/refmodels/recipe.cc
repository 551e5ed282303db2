#include "refmodels/recipe.h"

#include <fstream>
#include <sstream>

#include "core/sha256.h"
#include "zoo/builders.h"

namespace shrink::refmodels {
namespace {

using train::LossKind;
using train::OptimizerKind;
using train::ScheduleKind;

std::vector<Recipe> MakeRecipes() {
  std::vector<Recipe> r;
  // CPU seconds per epoch on one thread (measured): fashion_cnn ~40, depthwise_cnn ~190 (torch's
  // depthwise conv backward is slow), char_transformer ~9, mnist_mlp and tabular_mlp < 0.5; all
  // five about 11.5 CPU minutes.
  r.push_back({.name = "fashion_cnn",
               .architecture = "fashion_cnn",
               .task = "tasks/fashion_mnist.yaml",
               .lr = 1e-3,
               .epochs = 5,
               .batch_size = 64,
               .band = {.min = 0.91}});
  r.push_back({.name = "depthwise_cnn",
               .architecture = "depthwise_cnn",
               .task = "tasks/fashion_mnist.yaml",
               .lr = 3e-3,
               .epochs = 2,
               .batch_size = 128,
               .band = {.min = 0.88}});
  r.push_back({.name = "mnist_mlp",
               .architecture = "mnist_mlp",
               .task = "tasks/mnist.yaml",
               .lr = 1e-3,
               .epochs = 8,
               .batch_size = 64,
               .band = {.min = 0.94}});  // 8000 training digits only
  r.push_back({.name = "tabular_mlp",
               .architecture = "tabular_mlp",
               .task = "tasks/breast_cancer.yaml",
               .loss = LossKind::kBceWithLogits,
               .lr = 1e-3,
               .epochs = 60,
               .batch_size = 32,
               .seed = 7,
               .band = {.min = 0.98}});
  r.push_back({.name = "char_transformer",
               .architecture = "char_transformer",
               .task = "tasks/char_lm.yaml",
               .loss = LossKind::kNextToken,
               .lr = 2e-3,  // 3e-3 at batch 32 stalled at perplexity 12.4; 1e-3 gave 7.3
               .epochs = 12,
               .batch_size = 16,
               .band = {.max = 7.0}});
  return r;
}

const char* LossName(LossKind k) {
  switch (k) {
    case LossKind::kCrossEntropy:
      return "cross_entropy";
    case LossKind::kBceWithLogits:
      return "bce_with_logits";
    case LossKind::kMse:
      return "mse";
    case LossKind::kNextToken:
      return "next_token";
  }
  return "?";
}

const char* ScheduleName(ScheduleKind k) {
  switch (k) {
    case ScheduleKind::kConstant:
      return "constant";
    case ScheduleKind::kCosine:
      return "cosine";
    case ScheduleKind::kStep:
      return "step";
  }
  return "?";
}

}  // namespace

const std::vector<Recipe>& Recipes() {
  static const std::vector<Recipe> kRecipes = MakeRecipes();
  return kRecipes;
}

const Recipe* FindRecipe(const std::string& name) {
  for (const Recipe& r : Recipes())
    if (r.name == name) return &r;
  return nullptr;
}

std::string TaskPath(const Recipe& recipe) {
  if (!recipe.task.empty() && recipe.task[0] == '/') return recipe.task;
  return std::string(SHRINK_SOURCE_DIR) + "/" + recipe.task;
}

nlohmann::json RecipeToJson(const Recipe& r) {
  return {{"name", r.name},
          {"architecture", r.architecture},
          {"task", r.task},
          {"loss", LossName(r.loss)},
          {"optimizer", r.optimizer == OptimizerKind::kAdam ? "adam" : "sgd"},
          {"lr", r.lr},
          {"weight_decay", r.weight_decay},
          {"schedule", ScheduleName(r.schedule)},
          {"epochs", r.epochs},
          {"batch_size", r.batch_size},
          {"seed", r.seed},
          {"threads", r.threads},
          {"opset", r.opset}};
}

Expected<std::string> RecipeHash(const Recipe& recipe) {
  const zoo::BuilderInfo* arch = zoo::FindArchitecture(recipe.architecture);
  if (arch == nullptr)
    return NotFound("recipe " + recipe.name + ": unknown architecture '" + recipe.architecture +
                    "'");
  const std::string path = TaskPath(recipe);
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound("recipe " + recipe.name + ": cannot read task file " + path);
  std::ostringstream task;
  task << in.rdbuf();
  nlohmann::json j = RecipeToJson(recipe);
  j["architecture_version"] = arch->version;
  j["training_code_version"] = kTrainingCodeVersion;
  j["task_sha256"] = Sha256Hex(task.str());
  return Sha256Hex(j.dump());  // nlohmann::json objects dump with sorted keys
}

}  // namespace shrink::refmodels
