// Matching and rewriting helpers shared by the passes (cheap checks first, then rewrite).
//
// Contract: ConstantOf() sees initializers that are not also graph inputs (those can be fed and so
// are not constant) and outputs of Constant nodes; everything else is not constant. SoleUse()
// returns the one consuming node of a value that has exactly one use and is not a graph output:
// the only values a pass may fuse through. ReplaceWithNode() performs the all-or-nothing rewrite
// of a matched chain into one new node that takes over the name (and type) of the chain's final
// output, removes the matched nodes, and leaves node order to a final TopologicalSort().
#pragma once

#include <optional>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "core/tensor.h"
#include "ir/graph.h"

namespace shrink::passes {

bool IsOp(const ir::Node* n, const char* op_type, const char* domain = "");

// Constant data of `v` (initializer or Constant node output), or nullptr.
const Tensor* ConstantOf(const ir::Value* v);
// The single element of a constant holding exactly one value, as double.
std::optional<double> ScalarConstantOf(const ir::Value* v);
// A Clip's (min, max): from its constant inputs (opset >= 11) or attributes (older), unbounded
// when absent; nullopt when a bound is not a constant scalar.
std::optional<std::pair<double, double>> ClipBounds(const ir::Node& clip);
// A Conv's weights `w` [M, ...] and bias `b` (nullptr: zeros) after its output is mapped per
// channel c to (y + pre[c]) * s[c] + post[c]: {w[c] * s[c], (b[c] + pre[c]) * s[c] + post[c]}, in
// w's dtype (computed in double). `pre` empty means zeros.
std::pair<Tensor, Tensor> ScaleConvChannels(const Tensor& w, const Tensor* b,
                                            const std::vector<double>& pre,
                                            const std::vector<double>& s,
                                            const std::vector<double>& post);

// True when a subgraph (If/Loop/Scan body) of a node of v's graph reads `v` by name.
bool ImplicitlyUsed(const ir::Value* v);
// The consuming node when `v` has exactly one use, is not a graph output and is not read by a
// subgraph; else nullptr.
ir::Node* SoleUse(const ir::Value* v);
// The producer of `v` when it is `op_type` in the default domain; else nullptr.
ir::Node* ProducerIs(const ir::Value* v, const char* op_type);

// True when every output of `n` other than output 0 is absent or unused and not a graph output.
bool OnlyFirstOutputUsed(const ir::Node* n);

// Raw pointers of the graph's nodes, to iterate while rewriting.
std::vector<ir::Node*> NodeList(const ir::Graph& g);

// Adds `op_type(inputs)` computing what `matched.back()`'s output 0 computed, redirects its uses,
// removes `matched` (each must be dead once the final output is redirected), renames the new
// output to the old name and records removed nodes in `removed`. Returns the new node.
ir::Node* ReplaceWithNode(ir::Graph& g, const std::vector<ir::Node*>& matched,
                          const std::string& op_type, const std::vector<ir::Value*>& inputs,
                          std::vector<ir::Attribute> attrs, const std::string& domain,
                          std::unordered_set<const ir::Node*>& removed);

// New initializer named after `hint` (made unique).
ir::Value* AddConstant(ir::Graph& g, const std::string& hint, Tensor data);

// Float32 copy of a float constant as doubles (for folding arithmetic).
std::vector<double> ToDoubles(const Tensor& t);

}  // namespace shrink::passes
