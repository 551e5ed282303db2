// The search space of a compression job: one gene per explored stage option (a policy list with
// more than one value) and, with `search: {per_layer: true}`, one gene per quantizable layer
// choosing its precision: float, int8, w4a8 (int4 weight codes with 8-bit activations, any
// quantizable layer) or int4 (weight-only, float activations).
//
// A layer's gene holds only the search's layer choices that apply to it: "int4" (weight-only)
// only to MatMul / Gemm. A layer left with one choice gets no gene: a choice other than "int8"
// (the ptq stage's default) is then fixed in every decoded configuration.
//
// Contract:
// - Genes are ordered: stages in policy order, options in Axes() order, then layers in graph
//   order. Gene names are "<stage>.<option>" and "layer:<node name>".
// - Decode() turns a genome into the concrete choices: {"<stage>": {option: value, ...} for every
//   stage (every choice option resolved to one value, other options as parsed), "layers":
//   {name: precision} (only with per-layer genes)}. Decoding is pure: the same genome always
//   gives the same JSON.
// - DefaultGenome(): the first value of every option, every layer at "int8" when offered (else
//   the first choice): what a user who accepts the defaults gets.
// - OptionSeeds(limit): the default genome with each combination of the stage options (layers
//   at their defaults), when there are at most `limit` combinations; else none.
// - PrecisionSeeds(base, p): when layers can take precision `p` ("w4a8", "int4"), `base` with the
//   largest such layers (by weight count) set to `p`: the single largest, then as many as hold
//   half and then nine tenths of all the quantizable layers' weights (duplicates dropped).
// - A genome of the wrong length or with out-of-range values -> kInvalidArgument.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/status.h"
#include "pipeline/policy.h"
#include "search/nsga2.h"

namespace shrink::pipeline {

struct Gene {
  std::string name;
  std::vector<nlohmann::json> values;
};

struct Layer {
  std::string name;
  std::string op_type;
  int64_t weights = 0;  // elements of its weight tensor
};

class SearchSpace {
 public:
  // `layers`: the quantizable layers (graph order), used with per-layer search.
  static SearchSpace Build(const Policy& policy, const std::vector<Layer>& layers);

  const std::vector<Gene>& genes() const { return genes_; }
  std::vector<int> Cardinalities() const;
  double Size() const;  // number of distinct genomes
  search::Genome DefaultGenome() const;
  std::vector<search::Genome> OptionSeeds(size_t limit) const;
  std::vector<search::Genome> PrecisionSeeds(const search::Genome& base,
                                             const std::string& precision) const;
  // Names of the layers that have a gene, in gene order.
  std::vector<std::string> LayerGeneNames() const;
  // Decode(DefaultGenome()) of the policy's space without per-layer genes: every stage's first
  // choices (what a trial with all defaults applies).
  static Expected<nlohmann::json> DefaultChoices(const Policy& policy);
  Expected<nlohmann::json> Decode(const search::Genome& g) const;
  // One line for people: "ptq.method=entropy ptq.per_channel=true; layers: 3 float, 9 int8".
  std::string Describe(const search::Genome& g) const;
  bool per_layer() const { return per_layer_; }

 private:
  std::vector<Gene> genes_;
  std::vector<int64_t> gene_weights_;  // per gene: the layer's weight count (0: option genes)
  int64_t layer_weights_ = 0;          // all quantizable layers' weights
  nlohmann::json fixed_;  // per stage: options with every choice list collapsed to its first value
  std::vector<std::string> choice_options_;  // "<stage>.<option>" for every choice option
  bool per_layer_ = false;
};

}  // namespace shrink::pipeline
