// Helpers for metric tests: Predictions built directly from hand-written numbers.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "eval/metric.h"

namespace shrink::eval::testing {

// Rows of class probabilities; predicted = argmax (first on ties).
inline Predictions ClassPreds(const std::vector<std::vector<float>>& rows,
                              const std::vector<int64_t>& labels) {
  Predictions p;
  p.kind = data::PredictionKind::kClass;
  p.size = static_cast<int64_t>(rows.size());
  p.num_classes = static_cast<int64_t>(rows.at(0).size());
  p.labels = labels;
  for (const auto& r : rows) {
    p.scores.insert(p.scores.end(), r.begin(), r.end());
    p.predicted.push_back(std::max_element(r.begin(), r.end()) - r.begin());
  }
  return p;
}

// Class predictions without meaningful scores (confusion metrics).
inline Predictions Labels(const std::vector<int64_t>& labels, const std::vector<int64_t>& predicted,
                          int64_t classes) {
  Predictions p;
  p.kind = data::PredictionKind::kClass;
  p.size = static_cast<int64_t>(labels.size());
  p.num_classes = classes;
  p.labels = labels;
  p.predicted = predicted;
  p.scores.assign(labels.size() * static_cast<size_t>(classes), 1.0f / classes);
  return p;
}

inline Predictions TextPreds(const std::vector<std::string>& hyp,
                             const std::vector<std::string>& ref) {
  Predictions p;
  p.kind = data::PredictionKind::kText;
  p.size = static_cast<int64_t>(hyp.size());
  p.texts = hyp;
  p.targets = ref;
  return p;
}

inline std::unique_ptr<Metric> Make(const std::string& name, int64_t k = 1) {
  data::MetricSpec spec;
  spec.name = name;
  spec.k = k;
  auto m = CreateMetric(spec);
  EXPECT_TRUE(m.ok()) << m.status().ToString();
  return m.ok() ? std::move(m).value() : nullptr;
}

// The metric's value on one batch.
inline double Score(const std::string& name, const Predictions& p, int64_t k = 1) {
  auto m = Make(name, k);
  if (!m) return -1;
  Status s = m->Update(p);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return m->Result();
}

}  // namespace shrink::eval::testing
