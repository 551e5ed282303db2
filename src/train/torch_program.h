// INTERNAL to src/train (includes torch): never include this from outside src/train/*.cc.
//
// The torch side of train::Program: parameter/buffer/constant storage, shrink <-> torch tensor
// conversion and the op table (one function per ONNX op; each makes one or a few torch calls).
// Op functions throw shrink::Error; Program turns that into a Status naming the node.
#pragma once

#include <torch/torch.h>

#include <functional>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/tensor.h"
#include "ir/model.h"
#include "train/program.h"

namespace shrink::train {

torch::Tensor ToTorch(const Tensor& t);    // copies; throws kUnimplemented on unsupported dtypes
Tensor FromTorch(const torch::Tensor& t);  // copies (detached, contiguous)
torch::ScalarType TorchType(DataType dt);  // throws kUnimplemented
DataType ShrinkType(torch::ScalarType st);

struct OpContext {
  const ir::Node& node;
  int64_t opset;
  bool training;
  std::vector<torch::Tensor> in;   // undefined for omitted optional inputs
  std::vector<torch::Tensor> out;  // filled by the op (size = node outputs)

  bool has(size_t i) const { return i < in.size() && in[i].defined(); }
  const torch::Tensor& x(size_t i) const;       // throws when missing
  std::vector<int64_t> ints(size_t i) const;    // 1-D int tensor input -> vector
  int64_t axis(int64_t a, int64_t rank) const;  // normalises a negative axis, checks range
};

using OpFn = std::function<void(OpContext&)>;
using OpTable = std::map<std::string, OpFn>;

void AddMathOps(OpTable& t);   // elementwise, activations, reductions
void AddNnOps(OpTable& t);     // Conv, Gemm, pools, norms, Dropout
void AddShapeOps(OpTable& t);  // reshape/shape/index ops, Constant, Cast
const OpTable& Ops();

// Input positions whose initializer only configures an op (never a parameter).
bool IsConfigInput(const std::string& op_type, int index);

struct ProgramImpl {
  const ir::Model* model = nullptr;
  int64_t opset = 0;
  std::vector<std::string> param_names;  // graph initializer order
  std::vector<torch::Tensor> params;     // requires_grad
  std::vector<std::string> buffer_names;
  std::vector<torch::Tensor> buffers;                     // BN running stats
  std::unordered_map<std::string, torch::Tensor> values;  // params, buffers, constants by name

  // Runs the main graph; graph outputs in order. Records autograd when grad mode is on.
  std::vector<torch::Tensor> Run(const std::unordered_map<std::string, torch::Tensor>& feeds,
                                 bool training);
  std::unordered_map<std::string, torch::Tensor> FeedsFrom(const NamedTensors& feeds) const;
};

}  // namespace shrink::train
