#include "passes/pass_manager.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <sstream>

#include "ir/printer.h"
#include "ir/verifier.h"

namespace shrink::passes {

PassManager& PassManager::Add(std::unique_ptr<Pass> pass) {
  passes_.push_back(std::move(pass));
  return *this;
}

Expected<bool> PassManager::Run(ir::Graph& graph, PassContext& ctx) {
  auto wants_print = [&](const std::string& name) {
    const auto& names = options_.print_ir_after;
    return std::find(names.begin(), names.end(), name) != names.end() ||
           std::find(names.begin(), names.end(), "*") != names.end();
  };
  bool any_changed = false;
  const int iterations = options_.run_to_fixpoint ? std::max(1, options_.max_iterations) : 1;
  for (int it = 0; it < iterations; ++it) {
    bool changed_this_round = false;
    for (const auto& pass : passes_) {
      const std::string name = pass->name();
      const auto start = std::chrono::steady_clock::now();
      Expected<bool> changed = [&]() -> Expected<bool> {
        try {
          return pass->Run(graph, ctx);
        } catch (const Error& e) {
          return e.ToStatus();
        }
      }();
      const double secs =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      if (!changed.ok()) return changed.status().WithContext("pass " + name);
      if (options_.time_passes) {
        auto t = std::find_if(timings_.begin(), timings_.end(),
                              [&](const PassTiming& p) { return p.pass == name; });
        if (t == timings_.end()) t = timings_.insert(timings_.end(), PassTiming{name});
        ++t->runs;
        t->changed += *changed ? 1 : 0;
        t->seconds += secs;
      }
      if (options_.verify_after_each_pass) {
        Status s = ir::Verify(graph);
        if (!s.ok()) return s.WithContext("IR invalid after pass " + name);
      }
      if (*changed && wants_print(name)) {
        const std::string text = ir::PrintGraph(graph);
        if (options_.print_sink) {
          options_.print_sink(name, text);
        } else {
          std::fprintf(stderr, "// ----- IR after %s -----\n%s", name.c_str(), text.c_str());
        }
      }
      changed_this_round = changed_this_round || *changed;
    }
    any_changed = any_changed || changed_this_round;
    if (!changed_this_round) break;
  }
  return any_changed;
}

Expected<bool> PassManager::Run(ir::Model& model, NodeEvaluator evaluator) {
  PassContext ctx(model.opset_imports);
  ctx.evaluator = std::move(evaluator);
  Expected<bool> changed = Run(*model.graph, ctx);
  if (!changed.ok()) return changed;
  for (const auto& op : ctx.opsets())
    if (model.OpsetFor(op.domain) < op.version) model.SetOpset(op.domain, op.version);
  return changed;
}

std::string PassManager::TimingReport() const {
  std::ostringstream os;
  double total = 0;
  for (const auto& t : timings_) total += t.seconds;
  for (const auto& t : timings_) {
    char line[160];
    std::snprintf(line, sizeof(line), "%-32s %4d runs %4d changed %10.3f ms\n", t.pass.c_str(),
                  t.runs, t.changed, t.seconds * 1e3);
    os << line;
  }
  char line[96];
  std::snprintf(line, sizeof(line), "%-32s %34.3f ms\n", "total", total * 1e3);
  os << line;
  return os.str();
}

}  // namespace shrink::passes
