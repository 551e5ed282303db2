#include "search/nsga2.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace shrink::search {

Nsga2::Nsga2(std::vector<int> cardinalities, Nsga2Options options)
    : card_(std::move(cardinalities)), o_(std::move(options)), rng_(o_.seed) {
  for (int& c : card_) c = std::max(c, 1);
  if (o_.population < 4) o_.population = 4;
  if (o_.mutation_weights.size() != card_.size()) o_.mutation_weights.assign(card_.size(), 1.0);
}

double Nsga2::SpaceSize() const {
  double s = 1;
  for (int c : card_) s *= c;
  return s;
}

void Nsga2::AddSeed(Genome g) {
  if (g.size() == card_.size()) seeds_.push_back(std::move(g));
}

void Nsga2::Tell(const Genome& g, const Objectives& objectives) {
  seen_.insert(g);
  if (told_set_.insert(g).second) told_.emplace_back(g, objectives);
}

std::vector<size_t> Nsga2::Front() const {
  std::vector<Objectives> pts;
  for (const auto& t : told_) pts.push_back(t.second);
  return ParetoFront(pts);
}

Genome Nsga2::Random() {
  Genome g(card_.size());
  for (size_t i = 0; i < g.size(); ++i)
    g[i] = std::uniform_int_distribution<int>(0, card_[i] - 1)(rng_);
  return g;
}

std::vector<size_t> Nsga2::Parents() {
  std::vector<Objectives> pts;
  for (const auto& t : told_) pts.push_back(t.second);
  std::vector<size_t> parents;
  for (const std::vector<size_t>& front : NonDominatedSort(pts)) {
    if (parents.size() + front.size() <= static_cast<size_t>(o_.population)) {
      parents.insert(parents.end(), front.begin(), front.end());
      continue;
    }
    const std::vector<double> d = CrowdingDistance(pts, front);
    std::vector<size_t> order(front.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return d[a] > d[b]; });
    for (size_t k = 0; parents.size() < static_cast<size_t>(o_.population); ++k)
      parents.push_back(front[order[k]]);
    break;
  }
  return parents;
}

Genome Nsga2::Offspring(const std::vector<size_t>& parents, const std::vector<int>& rank,
                        const std::vector<double>& crowd) {
  std::uniform_int_distribution<size_t> pick(0, parents.size() - 1);
  auto tournament = [&]() {
    const size_t a = pick(rng_), b = pick(rng_);
    if (rank[a] != rank[b]) return rank[a] < rank[b] ? a : b;
    return crowd[a] >= crowd[b] ? a : b;
  };
  const Genome& p1 = told_[parents[tournament()]].first;
  const Genome& p2 = told_[parents[tournament()]].first;
  std::uniform_real_distribution<double> u(0, 1);
  Genome child = p1;
  if (u(rng_) < o_.crossover_prob)
    for (size_t i = 0; i < child.size(); ++i)
      if (u(rng_) < 0.5) child[i] = p2[i];
  const double total = std::accumulate(o_.mutation_weights.begin(), o_.mutation_weights.end(), 0.0);
  const double rate = o_.mutation_rate > 0 ? o_.mutation_rate : 1.0;
  for (size_t i = 0; i < child.size(); ++i) {
    const double p = total > 0 ? rate * o_.mutation_weights[i] / total : 0;
    if (card_[i] > 1 && u(rng_) < p) {
      int v = std::uniform_int_distribution<int>(0, card_[i] - 2)(rng_);
      child[i] = v >= child[i] ? v + 1 : v;  // a different value
    }
  }
  return child;
}

std::optional<Genome> Nsga2::Ask() {
  if (static_cast<double>(seen_.size()) >= SpaceSize()) return std::nullopt;
  while (!seeds_.empty()) {
    Genome g = seeds_.front();
    seeds_.erase(seeds_.begin());
    if (!Known(g)) {
      seen_.insert(g);
      return g;
    }
  }
  if (told_.size() >= static_cast<size_t>(o_.population)) {
    const std::vector<size_t> parents = Parents();
    std::vector<Objectives> pts;
    for (size_t i : parents) pts.push_back(told_[i].second);
    std::vector<int> rank(parents.size());
    std::vector<double> crowd(parents.size());
    const auto fronts = NonDominatedSort(pts);
    for (size_t f = 0; f < fronts.size(); ++f) {
      const std::vector<double> d = CrowdingDistance(pts, fronts[f]);
      for (size_t k = 0; k < fronts[f].size(); ++k) {
        rank[fronts[f][k]] = static_cast<int>(f);
        crowd[fronts[f][k]] = d[k];
      }
    }
    for (int tries = 0; tries < 200; ++tries) {
      Genome g = Offspring(parents, rank, crowd);
      if (!Known(g)) {
        seen_.insert(g);
        return g;
      }
    }
  }
  for (int tries = 0; tries < 10000; ++tries) {
    Genome g = Random();
    if (!Known(g)) {
      seen_.insert(g);
      return g;
    }
  }
  // A nearly exhausted space: enumerate in order for the first unseen genome.
  Genome g(card_.size(), 0);
  for (;;) {
    if (!Known(g)) {
      seen_.insert(g);
      return g;
    }
    size_t i = 0;
    while (i < g.size() && ++g[i] == card_[i]) g[i++] = 0;
    if (i == g.size()) return std::nullopt;
  }
}

}  // namespace shrink::search
