#include "runtime_util/op_test_util.h"

#include <cmath>
#include <limits>

#include "ir/builder.h"
#include "runtime/executor.h"

namespace shrink::testing {

Expected<std::vector<Tensor>> RunOp(const std::string& op_type, const std::vector<Tensor>& inputs,
                                    std::vector<ir::Attribute> attrs, int num_outputs,
                                    int64_t opset, const std::string& domain) {
  try {
    ir::Model model = ir::MakeModel(opset);
    if (!domain.empty()) model.SetOpset(domain, 1);
    ir::Graph& g = *model.graph;
    std::vector<ir::Value*> ins;
    runtime::Feeds feeds;
    for (size_t i = 0; i < inputs.size(); ++i) {
      if (!inputs[i].defined()) {
        ins.push_back(nullptr);
        continue;
      }
      const std::string name = "in" + std::to_string(i);
      ins.push_back(g.AddInput(name, ir::TypeInfo::Tensor(inputs[i].dtype(), inputs[i].shape())));
      feeds.emplace_back(name, inputs[i]);
    }
    std::vector<std::string> outs;
    for (int i = 0; i < num_outputs; ++i) outs.push_back("out" + std::to_string(i));
    ir::Node* n = g.AddNode(op_type, ins, outs, std::move(attrs), "node", domain);
    for (ir::Value* v : n->outputs()) g.AddOutput(v);
    SHRINK_ASSIGN_OR_RETURN(auto ex, runtime::Executor::Create(model));
    return ex->Run(feeds);
  } catch (const Error& e) {
    return e.ToStatus();
  }
}

double MaxAbsDiff(const Tensor& a, const Tensor& b) {
  if (a.dtype() != b.dtype() || a.shape() != b.shape())
    return std::numeric_limits<double>::infinity();
  double m = 0;
  for (int64_t i = 0; i < a.numel(); ++i) {
    const double x = a.GetAsDouble(i), y = b.GetAsDouble(i);
    if (std::isnan(x) && std::isnan(y)) continue;
    m = std::max(m, std::fabs(x - y));
    if (std::isnan(x - y)) return std::numeric_limits<double>::infinity();
  }
  return m;
}

}  // namespace shrink::testing
