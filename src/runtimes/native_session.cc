#include "runtimes/native_session.h"

#include "onnx/export.h"
#include "onnx/import.h"
#include "passes/fuse_qdq_ops.h"
#include "passes/runtime_fusion.h"
#include "runtime/fast/int8_exact.h"

namespace shrink::runtimes {

Expected<std::unique_ptr<NativeSession>> NativeSession::Create(const ir::Model& model,
                                                               int threads) {
  std::unique_ptr<NativeSession> s(new NativeSession());
  // A deep copy through the serializer: the session's plan refers into its own model.
  SHRINK_ASSIGN_OR_RETURN(std::string bytes, onnx_io::SerializeModel(model));
  SHRINK_ASSIGN_OR_RETURN(s->model_, onnx_io::ParseModel(bytes.data(), bytes.size()));
  // Where its int8 products would not be exact (runtime/fast/int8_exact.h: full-range weights
  // without VNNI) a QDQ model runs as written: float kernels between its QuantizeLinear /
  // DequantizeLinear nodes.
  if (runtime::fast::QdqLowersExactly(s->model_)) {
    SHRINK_ASSIGN_OR_RETURN(s->lowered_, passes::LowerQdq(s->model_));
  }
  SHRINK_RETURN_IF_ERROR(passes::FuseForRuntime(s->model_).status());
  runtime::fast::SessionOptions so;
  so.threads = threads;
  SHRINK_ASSIGN_OR_RETURN(s->session_, runtime::fast::Session::Create(s->model_, so));
  return s;
}

Status NativeSession::Warm(const runtime::Feeds& feeds) {
  do {
    SHRINK_RETURN_IF_ERROR(session_->Run(feeds).status());
  } while (session_->stats().threads == 0);
  return Status::Ok();
}

}  // namespace shrink::runtimes
