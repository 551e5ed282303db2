#include "pipeline/search_space.h"

#include <algorithm>
#include <map>
#include <sstream>

#include "pipeline/stages/configs.h"

namespace shrink::pipeline {

namespace {
bool Int4Capable(const Layer& l) { return l.op_type == "MatMul" || l.op_type == "Gemm"; }
bool IsLayerGene(const Gene& g) { return g.name.rfind("layer:", 0) == 0; }
}  // namespace

SearchSpace SearchSpace::Build(const Policy& policy, const std::vector<Layer>& layers) {
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
    for (const Layer& layer : layers) {
      Gene g{"layer:" + layer.name, {}};
      for (const std::string& c : search->layer_choices)
        if (c != "int4" || Int4Capable(layer)) g.values.push_back(c);
      if (g.values.size() > 1) {
        s.genes_.push_back(std::move(g));
      } else if (g.values.size() == 1 && g.values[0] != "int8") {
        s.fixed_["layers"][layer.name] = g.values[0];
      }
    }
  }
  for (const Layer& l : layers) s.layer_weights_ += l.weights;
  s.gene_weights_.assign(s.genes_.size(), 0);
  for (size_t i = 0, l = 0; i < s.genes_.size(); ++i) {
    if (!IsLayerGene(s.genes_[i])) continue;
    while (layers[l].name != s.genes_[i].name.substr(6)) ++l;
    s.gene_weights_[i] = layers[l].weights;
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
    if (IsLayerGene(gene)) {
      const auto it = std::find(gene.values.begin(), gene.values.end(), nlohmann::json("int8"));
      if (it != gene.values.end()) v = static_cast<int>(it - gene.values.begin());
    }
    g.push_back(v);
  }
  return g;
}

std::vector<search::Genome> SearchSpace::OptionSeeds(size_t limit) const {
  std::vector<size_t> options;
  double combos = 1;
  for (size_t i = 0; i < genes_.size(); ++i)
    if (!IsLayerGene(genes_[i])) {
      options.push_back(i);
      combos *= static_cast<double>(genes_[i].values.size());
    }
  if (combos > static_cast<double>(limit)) return {};
  std::vector<search::Genome> out;
  search::Genome g = DefaultGenome();
  while (true) {  // mixed-radix count over the option genes
    out.push_back(g);
    size_t k = 0;
    while (k < options.size() &&
           ++g[options[k]] == static_cast<int>(genes_[options[k]].values.size()))
      g[options[k++]] = 0;
    if (k == options.size()) break;
  }
  return out;
}

std::vector<search::Genome> SearchSpace::PrecisionSeeds(const search::Genome& base,
                                                        const std::string& precision) const {
  const nlohmann::json want(precision);
  std::vector<size_t> capable;  // layer genes offering `precision`, largest first
  for (size_t i = 0; i < genes_.size(); ++i) {
    if (IsLayerGene(genes_[i]) &&
        std::count(genes_[i].values.begin(), genes_[i].values.end(), want) > 0)
      capable.push_back(i);
  }
  std::stable_sort(capable.begin(), capable.end(),
                   [&](size_t a, size_t b) { return gene_weights_[a] > gene_weights_[b]; });
  std::vector<search::Genome> out;
  for (double share : {0.0, 0.5, 0.9}) {
    search::Genome g = base;
    int64_t covered = 0;
    for (size_t i : capable) {
      const auto& v = genes_[i].values;
      g[i] = static_cast<int>(std::find(v.begin(), v.end(), want) - v.begin());
      covered += gene_weights_[i];
      if (covered > share * static_cast<double>(layer_weights_)) break;
    }
    if (!capable.empty() && std::find(out.begin(), out.end(), g) == out.end()) out.push_back(g);
  }
  return out;
}

std::vector<std::string> SearchSpace::LayerGeneNames() const {
  std::vector<std::string> out;
  for (const Gene& g : genes_)
    if (IsLayerGene(g)) out.push_back(g.name.substr(6));
  return out;
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
    if (IsLayerGene(gene)) {
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
    if (IsLayerGene(gene)) {
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
