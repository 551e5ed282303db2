#include "pipeline/search_space.h"

#include <algorithm>
#include <map>
#include <sstream>

#include "pipeline/stages/configs.h"

namespace shrink::pipeline {

SearchSpace SearchSpace::Build(const Policy& policy, const std::vector<std::string>& layers) {
  SearchSpace s;
  s.fixed_ = nlohmann::json::object();
  for (const auto& stage : policy.stages) {
    nlohmann::json opts = stage->ToJson();
    for (const Axis& a : stage->Axes()) {
      const nlohmann::json& values = opts.at(a.option);
      s.choice_options_.push_back(stage->kind() + "." + a.option);
      if (a.size > 1)
        s.genes_.push_back({stage->kind() + "." + a.option,
                            std::vector<nlohmann::json>(values.begin(), values.end())});
      opts[a.option] = values.at(0);
    }
    s.fixed_[stage->kind()] = opts;
  }
  const auto* search = dynamic_cast<const SearchConfig*>(policy.Stage("search"));
  if (search && search->per_layer) {
    s.per_layer_ = true;
    for (const std::string& layer : layers) {
      Gene g{"layer:" + layer, {}};
      for (const std::string& c : search->layer_choices) g.values.push_back(c);
      s.genes_.push_back(std::move(g));
    }
  }
  return s;
}

std::vector<int> SearchSpace::Cardinalities() const {
  std::vector<int> c;
  for (const Gene& g : genes_) c.push_back(static_cast<int>(g.values.size()));
  return c;
}

double SearchSpace::Size() const {
  double n = 1;
  for (const Gene& g : genes_) n *= static_cast<double>(g.values.size());
  return n;
}

search::Genome SearchSpace::DefaultGenome() const {
  search::Genome g;
  for (const Gene& gene : genes_) {
    int v = 0;
    if (gene.name.rfind("layer:", 0) == 0) {
      const auto it = std::find(gene.values.begin(), gene.values.end(), nlohmann::json("int8"));
      if (it != gene.values.end()) v = static_cast<int>(it - gene.values.begin());
    }
    g.push_back(v);
  }
  return g;
}

Expected<nlohmann::json> SearchSpace::DefaultChoices(const Policy& policy) {
  const SearchSpace s = Build(policy, {});
  return s.Decode(s.DefaultGenome());
}

Expected<nlohmann::json> SearchSpace::Decode(const search::Genome& g) const {
  if (g.size() != genes_.size())
    return InvalidArgument("genome has " + std::to_string(g.size()) + " genes, the space " +
                           std::to_string(genes_.size()));
  nlohmann::json out = fixed_;
  for (size_t i = 0; i < g.size(); ++i) {
    const Gene& gene = genes_[i];
    if (g[i] < 0 || g[i] >= static_cast<int>(gene.values.size()))
      return InvalidArgument("gene " + gene.name + " value " + std::to_string(g[i]) +
                             " out of range");
    if (gene.name.rfind("layer:", 0) == 0) {
      out["layers"][gene.name.substr(6)] = gene.values[g[i]];
    } else {
      const auto dot = gene.name.find('.');
      out[gene.name.substr(0, dot)][gene.name.substr(dot + 1)] = gene.values[g[i]];
    }
  }
  return out;
}

std::string SearchSpace::Describe(const search::Genome& g) const {
  std::ostringstream o;
  std::map<std::string, int> per_precision;
  bool first = true;
  for (size_t i = 0; i < g.size() && i < genes_.size(); ++i) {
    const Gene& gene = genes_[i];
    const nlohmann::json& v = gene.values[g[i]];
    if (gene.name.rfind("layer:", 0) == 0) {
      ++per_precision[v.get<std::string>()];
      continue;
    }
    o << (first ? "" : " ") << gene.name << "="
      << (v.is_string() ? v.get<std::string>() : v.dump());
    first = false;
  }
  if (!per_precision.empty()) {
    o << (first ? "" : "; ") << "layers:";
    for (const auto& [p, n] : per_precision) o << " " << n << " " << p;
  }
  const std::string s = o.str();
  return s.empty() ? "defaults" : s;
}

}  // namespace shrink::pipeline
