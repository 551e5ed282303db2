// Layer helpers shared by the small trainable architectures (fashion_cnn, mnist_mlp, tabular_mlp,
// depthwise_cnn): PyTorch-default initialisation for models that shrink trains from scratch.
//
// Contract: deterministic in call order like the rest of detail::; names follow PyTorch
// state_dict names. Throws shrink::Error on misuse (internal to the zoo part).
#pragma once

#include <string>

#include "zoo/builders/common.h"

namespace shrink::zoo::detail {

// nn.Linear as torch.onnx exports it on 2-D input: Gemm(transB=1) with weight [out, in] (He
// scaled with `gain`) and bias uniform in ±1/sqrt(in).
ir::Value* Dense(Ctx& c, ir::Value* x, const std::string& name, int64_t in, int64_t out,
                 float gain = 2.0f);
// nn.BatchNorm2d at its initial state: gamma 1, beta 0, running mean 0, running var 1.
ir::Value* FreshBatchNorm(Ctx& c, ir::Value* x, const std::string& name, int64_t channels);
// Dropout (opset >= 12 form: ratio as an input; inference mode unless a trainer runs it).
ir::Value* DropoutOp(Ctx& c, ir::Value* x, float ratio);
// MaxPool with kernel = stride = k.
ir::Value* MaxPool(Ctx& c, ir::Value* x, int64_t k);

}  // namespace shrink::zoo::detail
