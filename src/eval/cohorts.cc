#include "eval/cohorts.h"

#include <cctype>
#include <cstdlib>

#include "eval/edit_distance.h"

namespace shrink::eval {
namespace {

std::string Bucket(int64_t length, const std::vector<int64_t>& edges) {
  int64_t low = 1;
  for (int64_t edge : edges) {
    if (length <= edge) return std::to_string(low) + "-" + std::to_string(edge);
    low = edge + 1;
  }
  return std::to_string(low) + "+";
}

bool LeadingNumber(const std::string& s, long long* value) {
  if (s.empty() || !std::isdigit(static_cast<unsigned char>(s[0]))) return false;
  *value = std::strtoll(s.c_str(), nullptr, 10);
  return true;
}

}  // namespace

Status AppendCohortKeys(const data::CohortSpec& cohort, const data::Batch& batch,
                        const Predictions& p, std::vector<std::string>* keys) {
  switch (cohort.kind) {
    case data::CohortKind::kLabel:
      if (static_cast<int64_t>(p.labels.size()) != p.size)
        return InvalidArgument("cohort '" + cohort.name + "' needs class labels");
      for (int64_t label : p.labels) keys->push_back(std::to_string(label));
      break;
    case data::CohortKind::kMetadata:
      for (int64_t i = 0; i < p.size; ++i) {
        std::string key = "(missing)";
        if (static_cast<size_t>(i) < batch.metadata.size()) {
          const auto it = batch.metadata[i].find(cohort.key);
          if (it != batch.metadata[i].end()) key = it->second;
        }
        keys->push_back(std::move(key));
      }
      break;
    case data::CohortKind::kTextLength:
      if (static_cast<int64_t>(p.targets.size()) != p.size)
        return InvalidArgument("cohort '" + cohort.name + "' needs reference texts");
      for (const auto& t : p.targets)
        keys->push_back(Bucket(static_cast<int64_t>(Utf8Chars(t).size()), cohort.buckets));
      break;
  }
  return Status::Ok();
}

bool CohortKeyLess(const std::string& a, const std::string& b) {
  long long x = 0, y = 0;
  const bool nx = LeadingNumber(a, &x), ny = LeadingNumber(b, &y);
  if (nx && ny && x != y) return x < y;
  if (nx != ny) return nx;  // numbers first
  return a < b;
}

}  // namespace shrink::eval
