// Program: an ir::Model turned into a trainable libtorch program (torch stays out of this header).
//
// Contract:
// - Create() checks every node of the main graph against the trainable op table and fails with
//   kUnimplemented naming op, node and opset ("not trainable yet") for anything else, and for
//   models with subgraphs (If/Loop/Scan) or non-default domains.
// - Float32 initializers become parameters (requires_grad) except: rank-0 scalars, the running
//   mean/var of BatchNormalization (buffers: updated in training mode, saved by WriteBack), inputs
//   that only configure an op (Pow exponent, Clip bounds, shapes/axes), and names in `frozen`.
//   All other initializers are constants.
// - Forward() interprets nodes in topological order, one torch call per ONNX op, over a
//   name -> tensor map. In training mode BatchNormalization uses batch statistics and updates its
//   running stats and Dropout is active; in eval mode both follow ONNX inference semantics.
// - WriteBack() copies parameters and buffers back into the model's initializers (same dtype and
//   shape), so the model can then be saved with onnx_io::SaveModel.
// The ir::Model passed to Create() must outlive the Program.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/npy.h"  // NamedTensors
#include "core/status.h"
#include "core/tensor.h"
#include "ir/model.h"

namespace shrink::train {

using ::shrink::NamedTensors;  // std::vector<std::pair<std::string, Tensor>>

struct ProgramOptions {
  std::vector<std::string> frozen;  // float initializers to keep constant
};

struct ProgramImpl;  // torch-side state (src/train/torch_program.h, internal)

class Program {
 public:
  static Expected<std::unique_ptr<Program>> Create(const ir::Model& model,
                                                   const ProgramOptions& options = {});
  ~Program();
  Program(const Program&) = delete;
  Program& operator=(const Program&) = delete;

  // Runs the graph without recording gradients; returns the graph outputs in order.
  Expected<std::vector<Tensor>> Forward(const NamedTensors& feeds, bool training = false);

  // Copies parameters and BatchNormalization running stats into `model`'s initializers (matched
  // by name; `model` is normally the one the Program was created from).
  Status WriteBack(ir::Model& model) const;

  std::vector<std::string> ParameterNames() const;
  std::vector<std::string> BufferNames() const;
  int64_t NumParameterElements() const;

  ProgramImpl& impl() { return *impl_; }
  const ProgramImpl& impl() const { return *impl_; }

 private:
  Program() = default;
  std::unique_ptr<ProgramImpl> impl_;
};

// The ops Program can train, sorted ("Add", "AveragePool", ...).
std::vector<std::string> TrainableOps();

}  // namespace shrink::train
