// The native runtime as a measurement target: what `native` means everywhere shrink measures
// (evaluation, latency, the compression job, the bench harness).
//
// Contract: Create() takes a private copy of the model, lowers QDQ patterns to 8-bit QLinear ops
// (passes::LowerQdq, so a QDQ artifact runs in int8 as a deployment would; on a CPU without VNNI,
// where oneDNN's int8 products can saturate, the QDQ model runs as written instead) and plans a
// runtime::fast::Session on it with `threads`. A model without QDQ gets the runtime fusions
// (passes::FuseForRuntime: Gelu, LayerNorm, Attention) instead. Run() returns
// the outputs in graph output order; Warm() before timing. The caller's model may be destroyed
// after Create().
#pragma once

#include <memory>
#include <vector>

#include "core/status.h"
#include "ir/model.h"
#include "runtime/executor.h"
#include "runtime/fast/session.h"

namespace shrink::runtimes {

class NativeSession {
 public:
  static Expected<std::unique_ptr<NativeSession>> Create(const ir::Model& model, int threads);
  Expected<std::vector<Tensor>> Run(const runtime::Feeds& feeds) { return session_->Run(feeds); }
  // Runs `feeds` until the session has built its kernels and settled its thread count
  // (runtime/fast/thread_tuner.h), so that timed runs after it are steady; at least one run.
  Status Warm(const runtime::Feeds& feeds);
  const ir::Graph& graph() const { return *model_.graph; }
  const runtime::fast::Session& session() const { return *session_; }
  bool lowered_qdq() const { return lowered_; }

 private:
  NativeSession() = default;
  ir::Model model_;
  std::unique_ptr<runtime::fast::Session> session_;
  bool lowered_ = false;
};

}  // namespace shrink::runtimes
