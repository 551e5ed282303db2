// NSGA-II over discrete genomes (one integer choice per gene), with an ask/tell interface so that
// the caller owns evaluation, budgets and the trial log.
//
// Contract:
// - A genome has one value per gene in [0, cardinality). Objectives are minimised (see pareto.h).
// - Ask() returns a genome never returned or told before: first the seeds (AddSeed, in order),
//   then random genomes until `population` individuals are known, then offspring of the elitist
//   parent population (the best `population` of everything told so far by non-dominated rank,
//   then crowding distance): binary tournament, uniform crossover, per-gene mutation (a gene
//   with a larger `mutation_weights` entry mutates more often). When 200 tries give only known
//   genomes it falls back to a random unseen one; nullopt once the whole space is exhausted.
// - Tell() records a result, in any order; telling a genome twice keeps the first result. Replaying
//   a trial log through Tell() restores the state (resume never repeats a finished genome).
// - The same seed and the same sequence of calls give the same genomes.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <vector>

#include "search/pareto.h"

namespace shrink::search {

using Genome = std::vector<int>;

struct Nsga2Options {
  int population = 16;
  double crossover_prob = 0.9;
  double mutation_rate = 0;  // expected mutated genes per offspring; 0: 1
  uint64_t seed = 0;
  std::vector<double> mutation_weights;  // per gene (empty: uniform)
};

class Nsga2 {
 public:
  Nsga2(std::vector<int> cardinalities, Nsga2Options options);

  void AddSeed(Genome g);
  std::optional<Genome> Ask();
  void Tell(const Genome& g, const Objectives& objectives);

  // Everything told, and the indices of its Pareto front.
  const std::vector<std::pair<Genome, Objectives>>& Told() const { return told_; }
  std::vector<size_t> Front() const;
  double SpaceSize() const;  // product of cardinalities (as double: may be huge)

 private:
  std::vector<size_t> Parents();  // indices into told_
  Genome Random();
  Genome Offspring(const std::vector<size_t>& parents, const std::vector<int>& rank,
                   const std::vector<double>& crowd);
  bool Known(const Genome& g) const { return seen_.count(g) > 0; }

  std::vector<int> card_;
  Nsga2Options o_;
  std::mt19937_64 rng_;
  std::vector<Genome> seeds_;
  std::set<Genome> seen_;  // asked or told
  std::vector<std::pair<Genome, Objectives>> told_;
  std::set<Genome> told_set_;
};

}  // namespace shrink::search
