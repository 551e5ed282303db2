#include "ir/model.h"

namespace shrink::ir {

namespace {
bool SameDomain(const std::string& a, const std::string& b) {
  auto canon = [](const std::string& d) { return d == "ai.onnx" ? std::string() : d; };
  return canon(a) == canon(b);
}
}  // namespace

int64_t Model::OpsetFor(const std::string& domain) const {
  for (const auto& op : opset_imports)
    if (SameDomain(op.domain, domain)) return op.version;
  return 0;
}

void Model::SetOpset(const std::string& domain, int64_t version) {
  for (auto& op : opset_imports) {
    if (SameDomain(op.domain, domain)) {
      op.version = version;
      return;
    }
  }
  opset_imports.push_back(OpsetImport{domain, version});
}

}  // namespace shrink::ir
