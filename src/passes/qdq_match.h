// Matching helpers shared by the QDQ fusion passes (fuse_qdq, fuse_qdq_ops). Not a pass.
//
// Contract: QuantDtype gives the dtype of a quantized value (declared, or from its producer:
// QuantizeLinear, or an 8-bit op that an earlier rewrite of the same pass family put there, incl.
// com.microsoft QLinearAdd / QGemm).
// MatchDq matches a DequantizeLinear with plain attributes (no block_size / saturate /
// output_dtype), an 8-bit input and constant float32 scale / zero point, per-tensor, or per-channel
// along `axis` when `per_channel_len` > 0. MatchQuantizeAfter finds the QuantizeLinear that is the
// sole use of `op`'s output 0, optionally through a single-use Relu that the QuantizeLinear makes
// redundant (its zero point is the lowest value of its dtype: saturation already maps every
// negative value to it, so dropping the Relu is exact). ZeroPoint returns `zp`, or a new zero
// constant of `dtype` when it is absent.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "ir/graph.h"

namespace shrink::passes {

bool IsInt8(DataType t);
DataType QuantDtype(const ir::Value* v);
bool PlainQdqAttrs(const ir::Node* n);

struct Dq {
  ir::Value* q = nullptr;
  ir::Value* scale = nullptr;
  ir::Value* zp = nullptr;  // nullptr when absent
  int64_t channels = 1;     // 1: per tensor
};

std::optional<Dq> MatchDq(const ir::Value* v, int64_t per_channel_len = 0, int64_t axis = 0);
bool ZeroPointIsLowest(const ir::Value* zp);
// `*relu` is set to the skipped Relu (or nullptr). Returns nullptr when there is no match.
ir::Node* MatchQuantizeAfter(ir::Node* op, ir::Node** relu);
// Whether QuantizeLinear `q` has a constant float32 scalar scale and an absent or constant 8-bit
// scalar zero point (what the QLinear ops take as y_scale / y_zero_point).
bool ScalarOutputParams(const ir::Node& q);
// A Conv bias of length `m` as float32 values: a float32 constant, or DequantizeLinear of an
// int32 constant (ONNX Runtime's QDQ bias form) with a constant scale (scalar or per channel,
// axis 0) and an absent or all-zero zero point, evaluated as DequantizeLinear does. nullopt
// otherwise.
std::optional<std::vector<float>> ConstantBias(const ir::Value* v, int64_t m);
ir::Value* ZeroPoint(ir::Graph& g, ir::Value* zp, DataType dtype, const std::string& hint);
// The int32 bias of a quantized Conv with `m` output channels: the Conv's bias input `b`
// (ConstantBias forms) over x_scale * w_scale[c], rounded half to even (QLinearConv's units).
// nullopt when `b` is not such a constant.
std::optional<Tensor> QuantizedConvBias(const ir::Value* b, int64_t m, const Dq& x, const Dq& w);
// The first eight inputs of QLinearConv (and of shrink's QLinearConvAct): x, x_scale,
// x_zero_point, w, w_scale, w_zero_point (of `w_dtype`), y_scale, y_zero_point from the
// QuantizeLinear `q`; absent zero points become explicit zeros named after `base` (uint8 for y).
std::vector<ir::Value*> QLinearConvInputs(ir::Graph& g, const Dq& x, const Dq& w, DataType w_dtype,
                                          const ir::Node& q, const std::string& base);

}  // namespace shrink::passes
