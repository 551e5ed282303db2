#include "model_checks.h"

#include <gtest/gtest.h>

#include <cmath>
#include <unordered_set>

#include "runtime/executor.h"

namespace shrink::zoo::testing {

void ExpectActivationsBounded(const ir::Model& model,
                              const std::vector<std::pair<std::string, Tensor>>& feeds) {
  Expected<std::unique_ptr<runtime::Executor>> ex = runtime::Executor::Create(model);
  ASSERT_TRUE(ex.ok()) << ex.status().ToString();
  Expected<std::unordered_map<std::string, Tensor>> all = (*ex)->RunAll(feeds);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  std::unordered_set<std::string> skip;
  for (const auto& n : model.graph->nodes())
    if (n->op_type() == "Where") skip.insert(n->output(0)->name());
  int checked = 0;
  for (const auto& n : model.graph->nodes()) {
    for (const ir::Value* v : n->outputs()) {
      if (v == nullptr || skip.count(v->name())) continue;
      auto it = all->find(v->name());
      ASSERT_NE(it, all->end()) << v->name();
      const Tensor& t = it->second;
      if (!IsFloat(t.dtype())) continue;
      ++checked;
      double worst = 0;
      for (int64_t i = 0; i < t.numel(); ++i) {
        const double x = t.GetAsDouble(i);
        ASSERT_TRUE(std::isfinite(x)) << n->Describe() << " output " << v->name();
        worst = std::max(worst, std::fabs(x));
      }
      EXPECT_LT(worst, 1000.0) << n->Describe() << " output " << v->name();
    }
  }
  EXPECT_GT(checked, 10);
  for (const ir::Value* out : model.graph->outputs()) {
    const Tensor& t = all->at(out->name());
    double s2 = 0;
    for (int64_t i = 0; i < t.numel(); ++i) s2 += t.GetAsDouble(i) * t.GetAsDouble(i);
    const double rms = std::sqrt(s2 / static_cast<double>(t.numel()));
    EXPECT_GT(rms, 0.05) << out->name();
    EXPECT_LT(rms, 20.0) << out->name();
  }
}

void ExpectSamplesMatchGraph(const std::vector<SampleInput>& samples, const ir::Graph& graph) {
  ASSERT_EQ(samples.size(), graph.inputs().size());
  for (const ir::Value* in : graph.inputs()) {
    const SampleInput* s = nullptr;
    for (const SampleInput& c : samples)
      if (c.name == in->name()) s = &c;
    ASSERT_NE(s, nullptr) << "no sample for graph input " << in->name();
    EXPECT_EQ(s->dtype, in->type().dtype) << in->name();
    ASSERT_TRUE(in->type().shape.has_value()) << in->name();
    const auto& dims = *in->type().shape;
    ASSERT_EQ(s->shape.size(), dims.size()) << in->name();
    for (size_t i = 0; i < dims.size(); ++i) {
      EXPECT_GT(s->shape[i], 0) << in->name();
      if (dims[i].is_known()) {
        EXPECT_EQ(s->shape[i], dims[i].value) << in->name() << " dim " << i;
      }
    }
  }
}

std::vector<SampleInput> SamplesWithDims(const std::string& name,
                                         const std::vector<std::pair<int, int64_t>>& dims) {
  const CatalogEntry* e = FindCatalogEntry(name);
  EXPECT_NE(e, nullptr) << name;
  if (e == nullptr) return {};
  std::vector<SampleInput> out = e->sample_inputs;
  for (SampleInput& s : out)
    for (const auto& [axis, value] : dims)
      if (axis < static_cast<int>(s.shape.size())) s.shape[static_cast<size_t>(axis)] = value;
  return out;
}

}  // namespace shrink::zoo::testing
