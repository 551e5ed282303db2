// Cohort keys: which slice of a task's cohort each example of a batch belongs to.
//
// kLabel: the ground-truth class id ("3"); kMetadata: Batch::metadata[key] ("(missing)" when the
// example has none); kTextLength: the reference text's length in code points, bucketed by the
// ascending edges [4, 8] into "1-4", "5-8", "9+" (length 0 falls in the first bucket).
#pragma once

#include <string>
#include <vector>

#include "core/status.h"
#include "data/dataset.h"
#include "data/task.h"
#include "eval/predictions.h"

namespace shrink::eval {

// Appends one key per example of `batch` to `keys`; kInvalidArgument when the cohort needs
// something the predictions lack (labels for kLabel, texts for kTextLength).
Status AppendCohortKeys(const data::CohortSpec& cohort, const data::Batch& batch,
                        const Predictions& predictions, std::vector<std::string>* keys);

// Orders keys for display: numbers (and buckets, by their leading number) numerically, others
// as strings.
bool CohortKeyLess(const std::string& a, const std::string& b);

}  // namespace shrink::eval
