#include <string>
#include <vector>

#include "zoo/builders.h"

namespace shrink::zoo {

const std::vector<BuilderInfo>& AllBuilders() {
  static const std::vector<BuilderInfo> kBuilders = {
      {"resnet50", 1, &BuildResNet50},      {"mobilenet_v2", 1, &BuildMobileNetV2},
      {"bert_base", 1, &BuildBertBase},     {"gpt2_small", 1, &BuildGpt2Small},
      {"conformer_s", 1, &BuildConformerS},
  };
  return kBuilders;
}

const BuilderInfo* FindBuilder(const std::string& name) {
  for (const BuilderInfo& b : AllBuilders())
    if (b.name == name) return &b;
  return nullptr;
}

const std::vector<BuilderInfo>& ArchitectureBuilders() {
  static const std::vector<BuilderInfo> kBuilders = {
      {"fashion_cnn", 1, &BuildFashionCnn},           {"mnist_mlp", 1, &BuildMnistMlp},
      {"tabular_mlp", 1, &BuildTabularMlp},           {"depthwise_cnn", 1, &BuildDepthwiseCnn},
      {"char_transformer", 1, &BuildCharTransformer},
  };
  return kBuilders;
}

const BuilderInfo* FindArchitecture(const std::string& name) {
  for (const BuilderInfo& b : ArchitectureBuilders())
    if (b.name == name) return &b;
  return nullptr;
}

int64_t CountParameters(const ir::Graph& graph) {
  int64_t total = 0;
  for (const ir::Value* v : graph.initializers())
    if (IsFloat(v->data().dtype()) && v->data().rank() > 0) total += v->data().numel();
  return total;
}

}  // namespace shrink::zoo
