#include "passes/pass.h"

#include <algorithm>

namespace shrink::passes {
namespace {
std::string Canon(const std::string& d) { return d == "ai.onnx" ? std::string() : d; }
}  // namespace

int64_t PassContext::OpsetFor(const std::string& domain) const {
  for (const auto& op : opsets_)
    if (Canon(op.domain) == Canon(domain)) return op.version;
  return 0;
}

void PassContext::RequireDomain(const std::string& domain, int64_t version) {
  for (auto& op : opsets_) {
    if (Canon(op.domain) == Canon(domain)) {
      op.version = std::max(op.version, version);
      return;
    }
  }
  opsets_.push_back({domain, version});
}

}  // namespace shrink::passes
