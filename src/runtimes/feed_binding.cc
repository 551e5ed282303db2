#include "runtimes/feed_binding.h"

namespace shrink::runtimes {
namespace {

bool Convertible(DataType d) { return d != DataType::kUndefined && d != DataType::kString; }

Expected<Tensor> ToDeclared(const ir::Value& input, const Tensor& t) {
  const DataType want = input.type().dtype;
  if (!Convertible(want) || t.dtype() == want || !Convertible(t.dtype())) return t;
  SHRINK_ASSIGN_OR_RETURN(Tensor out, Tensor::Create(want, t.shape()));
  for (int64_t i = 0; i < t.numel(); ++i) out.SetFromDouble(i, t.GetAsDouble(i));
  return out;
}

}  // namespace

Expected<std::vector<std::pair<std::string, Tensor>>> BindInputs(
    const ir::Graph& graph, const std::vector<std::pair<std::string, Tensor>>& inputs) {
  const auto& wanted = graph.inputs();
  std::vector<std::pair<std::string, Tensor>> feeds;
  if (wanted.size() == 1 && inputs.size() == 1) {
    SHRINK_ASSIGN_OR_RETURN(Tensor t, ToDeclared(*wanted[0], inputs[0].second));
    feeds.emplace_back(wanted[0]->name(), std::move(t));
    return feeds;
  }
  for (const ir::Value* v : wanted) {
    const Tensor* found = nullptr;
    for (const auto& [name, t] : inputs)
      if (name == v->name()) found = &t;
    if (!found) {
      std::string given;
      for (const auto& in : inputs) given += (given.empty() ? "" : ", ") + in.first;
      return InvalidArgument("model input '" + v->name() + "' is not among the dataset inputs (" +
                             given + ")");
    }
    SHRINK_ASSIGN_OR_RETURN(Tensor t, ToDeclared(*v, *found));
    feeds.emplace_back(v->name(), std::move(t));
  }
  return feeds;
}

}  // namespace shrink::runtimes
