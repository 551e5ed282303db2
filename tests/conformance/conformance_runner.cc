// Runs the ONNX backend node tests (model.onnx + test_data_set_*/input_*.pb / output_*.pb) through
// the reference executor.
//
// A test is *claimed* when every node of its model has a registered reference kernel at the
// model's opset. Claimed tests must pass; a kernel that reports an unsupported attribute/dtype
// (kUnimplemented) is counted as skipped with its reason, never as passed. Unclaimed tests are
// skipped. Prints one line per failure and "N passed, N failed, N skipped"; exits 1 on failure.
//
//   conformance_runner [--data DIR] [--filter SUBSTRING] [--verbose] [--skips]
#include <algorithm>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "conformance/tensor_compare.h"
#include "onnx/import.h"
#include "onnx/tensor_file.h"
#include "runtime/executor.h"

namespace fs = std::filesystem;
using namespace shrink;

namespace {

enum class Outcome { kPass, kFail, kSkip };
struct Result {
  Outcome outcome;
  std::string detail;
};

std::vector<fs::path> SortedEntries(const fs::path& dir, const std::string& prefix) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().filename().string().rfind(prefix, 0) == 0) out.push_back(e.path());
  // input_10 after input_9: sort by the numeric suffix.
  auto index = [&](const fs::path& p) {
    std::string s = p.stem().string().substr(prefix.size());
    return s.empty() ? 0 : std::stoi(s);
  };
  std::sort(out.begin(), out.end(),
            [&](const fs::path& a, const fs::path& b) { return index(a) < index(b); });
  return out;
}

// Defects of the ONNX 1.12 test data itself (fixed upstream later), skipped with the reason.
const std::map<std::string, std::string>& KnownDataDefects() {
  static const std::map<std::string, std::string> defects = {
      {"test_cast_FLOAT_to_BFLOAT16",
       "expected values truncate instead of rounding to nearest even"},
      {"test_castlike_FLOAT_to_BFLOAT16",
       "expected values truncate instead of rounding to nearest even"},
      {"test_castlike_FLOAT_to_BFLOAT16_expanded",
       "expected values truncate instead of rounding to nearest even"},
      {"test_castlike_BFLOAT16_to_FLOAT",
       "input 'like' has shape [1] but the model declares [3, 4]"},
      {"test_castlike_BFLOAT16_to_FLOAT_expanded",
       "input 'like' has shape [1] but the model declares [3, 4]"},
  };
  return defects;
}

// ONNX 1.12 stores bfloat16 test tensors with data_type UINT16: reinterpret the bits.
Tensor AsDeclared(const Tensor& t, DataType declared) {
  if (t.dtype() != DataType::kUInt16 || declared != DataType::kBFloat16) return t;
  Tensor out(DataType::kBFloat16, t.shape());
  std::memcpy(out.raw(), t.raw(), t.nbytes());
  return out;
}

Result RunCase(const fs::path& dir) {
  if (auto it = KnownDataDefects().find(dir.filename().string()); it != KnownDataDefects().end())
    return {Outcome::kSkip, "known defect in the ONNX 1.12 test data: " + it->second};
  auto model = onnx_io::LoadModel((dir / "model.onnx").string());
  if (!model.ok()) {
    if (model.status().code() == StatusCode::kUnimplemented)
      return {Outcome::kSkip, model.status().message()};
    return {Outcome::kFail, "load: " + model.status().ToString()};
  }
  const auto missing = runtime::UnsupportedOps(*model);
  if (!missing.empty()) return {Outcome::kSkip, "no kernel for " + missing[0]};
  auto executor = runtime::Executor::Create(*model);
  if (!executor.ok()) return {Outcome::kFail, executor.status().ToString()};

  const auto& graph_inputs = model->graph->declared_inputs();
  for (const auto& set : SortedEntries(dir, "test_data_set_")) {
    runtime::Feeds feeds;
    const auto inputs = SortedEntries(set, "input_");
    for (size_t i = 0; i < inputs.size(); ++i) {
      auto t = onnx_io::LoadTensorProto(inputs[i].string());
      if (!t.ok()) return {Outcome::kSkip, "input: " + t.status().message()};
      std::string name = t->name;
      if (name.empty() && i < graph_inputs.size()) name = graph_inputs[i]->name();
      const ir::Value* declared = model->graph->FindValue(name);
      feeds.emplace_back(name,
                         declared ? AsDeclared(t->tensor, declared->type().dtype) : t->tensor);
    }
    auto outputs = (*executor)->Run(feeds);
    if (!outputs.ok()) {
      if (outputs.status().code() == StatusCode::kUnimplemented)
        return {Outcome::kSkip, outputs.status().message()};
      return {Outcome::kFail, outputs.status().ToString()};
    }
    const auto expected_files = SortedEntries(set, "output_");
    if (expected_files.size() != outputs->size())
      return {Outcome::kFail, "produced " + std::to_string(outputs->size()) +
                                  " outputs, expected " + std::to_string(expected_files.size())};
    for (size_t i = 0; i < expected_files.size(); ++i) {
      auto expected = onnx_io::LoadTensorProto(expected_files[i].string());
      if (!expected.ok())
        return {Outcome::kSkip, "expected output: " + expected.status().message()};
      const DataType declared = model->graph->outputs()[i]->type().dtype;
      const std::string diff =
          testing::CompareTensors((*outputs)[i], AsDeclared(expected->tensor, declared));
      if (!diff.empty())
        return {Outcome::kFail,
                set.filename().string() + " output " + std::to_string(i) + ": " + diff};
    }
  }
  return {Outcome::kPass, ""};
}

}  // namespace

int main(int argc, char** argv) {
  std::string data = "/usr/share/libonnx-testdata/data/node";
  std::string filter;
  bool verbose = false, show_skips = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--data" && i + 1 < argc)
      data = argv[++i];
    else if (a == "--filter" && i + 1 < argc)
      filter = argv[++i];
    else if (a == "--verbose")
      verbose = true;
    else if (a == "--skips")
      show_skips = true;
    else {
      std::cerr
          << "usage: conformance_runner [--data DIR] [--filter SUBSTRING] [--verbose] [--skips]\n";
      return 2;
    }
  }
  if (!fs::is_directory(data)) {
    std::cerr << "conformance data not found at " << data << " (install libonnx-testdata)\n";
    return 2;
  }
  std::vector<fs::path> cases;
  for (const auto& e : fs::directory_iterator(data))
    if (e.is_directory() && e.path().filename().string().find(filter) != std::string::npos)
      cases.push_back(e.path());
  std::sort(cases.begin(), cases.end());

  int passed = 0, failed = 0, skipped = 0;
  for (const auto& dir : cases) {
    Result r = RunCase(dir);
    const std::string name = dir.filename().string();
    switch (r.outcome) {
      case Outcome::kPass:
        ++passed;
        if (verbose) std::cout << "PASS " << name << "\n";
        break;
      case Outcome::kFail:
        ++failed;
        std::cout << "FAIL " << name << ": " << r.detail << "\n";
        break;
      case Outcome::kSkip:
        ++skipped;
        if (verbose || show_skips) std::cout << "SKIP " << name << ": " << r.detail << "\n";
        break;
    }
  }
  std::cout << passed << " passed, " << failed << " failed, " << skipped << " skipped\n";
  return failed == 0 ? 0 : 1;
}
