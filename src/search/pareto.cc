#include "search/pareto.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace shrink::search {
namespace {

bool HasNan(const Objectives& a) {
  return std::any_of(a.begin(), a.end(), [](double v) { return std::isnan(v); });
}

}  // namespace

bool Dominates(const Objectives& a, const Objectives& b) {
  if (a.size() != b.size()) throw std::invalid_argument("objective vectors differ in length");
  const bool na = HasNan(a), nb = HasNan(b);
  if (na || nb) return !na && nb;
  bool strictly = false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i] > b[i]) return false;
    if (a[i] < b[i]) strictly = true;
  }
  return strictly;
}

std::vector<size_t> ParetoFront(const std::vector<Objectives>& p) {
  std::vector<size_t> front;
  for (size_t i = 0; i < p.size(); ++i) {
    bool dominated = false;
    for (size_t j = 0; j < p.size() && !dominated; ++j) dominated = j != i && Dominates(p[j], p[i]);
    if (!dominated) front.push_back(i);
  }
  return front;
}

std::vector<std::vector<size_t>> NonDominatedSort(const std::vector<Objectives>& p) {
  const size_t n = p.size();
  std::vector<std::vector<size_t>> dominates(n);
  std::vector<int> dominated_by(n, 0);
  std::vector<std::vector<size_t>> fronts(1);
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = 0; j < n; ++j) {
      if (i == j) continue;
      if (Dominates(p[i], p[j]))
        dominates[i].push_back(j);
      else if (Dominates(p[j], p[i]))
        ++dominated_by[i];
    }
    if (dominated_by[i] == 0) fronts[0].push_back(i);
  }
  for (size_t f = 0; !fronts[f].empty(); ++f) {
    std::vector<size_t> next;
    for (size_t i : fronts[f])
      for (size_t j : dominates[i])
        if (--dominated_by[j] == 0) next.push_back(j);
    std::sort(next.begin(), next.end());
    fronts.push_back(std::move(next));
  }
  fronts.pop_back();
  return fronts;
}

std::vector<double> CrowdingDistance(const std::vector<Objectives>& p,
                                     const std::vector<size_t>& front) {
  const size_t n = front.size();
  std::vector<double> d(n, 0.0);
  if (n == 0) return d;
  const double inf = std::numeric_limits<double>::infinity();
  std::vector<size_t> order(n);
  for (size_t m = 0; m < p[front[0]].size(); ++m) {
    for (size_t i = 0; i < n; ++i) order[i] = i;
    std::sort(order.begin(), order.end(),
              [&](size_t a, size_t b) { return p[front[a]][m] < p[front[b]][m]; });
    const double lo = p[front[order.front()]][m], hi = p[front[order.back()]][m];
    d[order.front()] = d[order.back()] = inf;
    if (hi <= lo) continue;
    for (size_t k = 1; k + 1 < n; ++k)
      d[order[k]] += (p[front[order[k + 1]]][m] - p[front[order[k - 1]]][m]) / (hi - lo);
  }
  return d;
}

}  // namespace shrink::search
