// OrtSession: one Node process (`ort_run.js --serve`) that loads an ONNX model into ONNX Runtime
// once and then runs many batches (what evaluation needs; OrtRunner starts node per call).
//
// Contract:
// - Start() forks/execs `node ort_run.js --serve --model <abs path> --threads N --opt-level L`
//   (no shell) in a private temp dir, talking over a Unix socket pair (stdin/stdout of the child;
//   stderr goes to a file in the temp dir), and waits for the script's ready line. A model that
//   ORT cannot load -> kInvalidArgument with ORT's message; node missing -> kNotFound (from
//   OrtRunner); no ready line within options.timeout_seconds -> kResourceExhausted.
// - Run() writes the feeds as .npy into the temp dir, sends one JSON request line, waits for the
//   answer line (options.timeout_seconds per request) and reads the outputs in the model's output
//   order. ORT errors (unknown input, bad shape) -> kInvalidArgument, and the session stays
//   usable; a dead or silent process -> kInternal / kResourceExhausted, and every later Run fails.
// - The destructor closes the socket (the script exits at end of input), waits up to 5 s, then
//   kills the process group. Not thread-safe: one session per thread.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "core/temp_dir.h"
#include "runtimes/onnxruntime.h"

namespace shrink::runtimes {

class OrtSession {
 public:
  static Expected<std::unique_ptr<OrtSession>> Start(const OrtRunner& runner,
                                                     const std::string& model_path,
                                                     const OrtRunOptions& options = {});
  ~OrtSession();
  OrtSession(const OrtSession&) = delete;
  OrtSession& operator=(const OrtSession&) = delete;

  Expected<NamedTensors> Run(const NamedTensors& feeds);
  const std::vector<std::string>& input_names() const { return inputs_; }
  const std::vector<std::string>& output_names() const { return outputs_; }

 private:
  OrtSession(TempDir dir, std::string where, double timeout)
      : dir_(std::move(dir)), where_(std::move(where)), timeout_(timeout) {}
  Status Send(const std::string& line);
  Expected<std::string> ReceiveLine();
  std::string ChildError() const;  // the script's stderr, trimmed

  TempDir dir_;
  std::string where_;
  double timeout_;
  pid_t pid_ = -1;
  int fd_ = -1;
  bool broken_ = false;
  std::string buffer_;
  std::vector<std::string> inputs_, outputs_;
};

}  // namespace shrink::runtimes
