// Pareto dominance and fronts over objective vectors that are all minimised (negate a metric that
// is maximised before passing it in).
//
// Contract:
// - a dominates b when a is <= b in every objective and < in at least one. NaN objectives make a
//   point dominated by every point without NaN (a failed measurement never reaches the front).
// - ParetoFront returns the indices of the non-dominated points in input order; duplicates of a
//   non-dominated point are all kept.
// - NonDominatedSort returns fronts (rank 0 first), each with indices in input order.
// All vectors must have the same length (checked: a mismatch throws std::invalid_argument, which
// is a programming error, not user input).
#pragma once

#include <cstddef>
#include <vector>

namespace shrink::search {

using Objectives = std::vector<double>;

bool Dominates(const Objectives& a, const Objectives& b);
std::vector<size_t> ParetoFront(const std::vector<Objectives>& points);
std::vector<std::vector<size_t>> NonDominatedSort(const std::vector<Objectives>& points);
// NSGA-II crowding distance of each point of one front (infinite at the extremes).
std::vector<double> CrowdingDistance(const std::vector<Objectives>& points,
                                     const std::vector<size_t>& front);

}  // namespace shrink::search
