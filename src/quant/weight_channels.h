// Channel views of the constant weights of Conv / Gemm / MatMul, shared by the rescaling passes
// (cross-layer equalization, SmoothQuant) and bias correction.
//
// Contract:
// - OwnedWeight(): the float32 initializer at input `index` of `node` when only that input of that
//   node reads it (not a graph input, not a graph output); nullptr otherwise. Rescaling a shared
//   weight would change other nodes, so the passes skip such nodes.
// - OutChannels() / InChannels(): how many output channels `node` computes from weight shape `w`
//   (Conv: dim 0; Gemm: transB ? dim 0 : dim 1; MatMul [K, N]: N) and how many input channels it
//   reads (Conv: dim 1 * group; Gemm: transB ? dim 1 : dim 0; MatMul: K). 0 when unsupported
//   (Gemm with transA, MatMul weight not rank 2, Conv weight below rank 3).
// - OutChannelOf() / InChannelOf(): the output / input channel that flat element `e` of the weight
//   belongs to (Conv groups: input channel (o / (M / G)) * (C / G) + local index).
// - ScaleOutChannels() / ScaleInChannels(): multiply every element by s[channel] in place (the
//   value's data is replaced by a scaled copy).
#pragma once

#include <vector>

#include "core/tensor.h"
#include "ir/graph.h"

namespace shrink::quant {

ir::Value* OwnedWeight(const ir::Node& node, int index);
int64_t OutChannels(const ir::Node& node, const Shape& w);
int64_t InChannels(const ir::Node& node, const Shape& w);
int64_t OutChannelOf(const ir::Node& node, const Shape& w, int64_t e);
int64_t InChannelOf(const ir::Node& node, const Shape& w, int64_t e);
void ScaleOutChannels(const ir::Node& node, ir::Value* weight, const std::vector<double>& s);
void ScaleInChannels(const ir::Node& node, ir::Value* weight, const std::vector<double>& s);
// max |w| per output / input channel.
std::vector<double> OutChannelAbsMax(const ir::Node& node, const Tensor& w);
std::vector<double> InChannelAbsMax(const ir::Node& node, const Tensor& w);
// Multiplies element c of a 1-D float32 initializer by s[c] (biases).
void ScaleVector(ir::Value* v, const std::vector<double>& s);

}  // namespace shrink::quant
