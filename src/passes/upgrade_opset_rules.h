// The per-op rules of UpgradeOpset (upgrade_opset.h): one entry per (op type, opset version at
// which its signature changed). A rule is called twice per node: first with ctx.apply == false to
// check that the node's form can be translated (kUnimplemented with the reason otherwise; nothing
// changed), then with ctx.apply == true to rewrite it for the new version. A rule that replaces the
// node updates `node` to the replacement, which keeps the old output names.
//
// Rules (version: what changes):
//   Clip 11: min/max attributes -> optional inputs of X's type.
//   Slice 10: starts/ends/axes attributes -> int64 inputs.        TopK 10: k attribute -> input.
//   Pad 11: pads/value attributes -> pads / constant_value inputs.
//   Dropout 12: ratio attribute -> input (inference: no training_mode).
//   Upsample 10: -> Resize (asymmetric coordinates; nearest uses the legacy floor/ceil rule, so
//     nearest needs constant scales that all up- or all down-scale).  Resize 11: same, from
//     Resize-10.
//   Resize 13: tf_half_pixel_for_nn was removed -> unimplemented.
//   Squeeze/Unsqueeze/ReduceSum 13 and ReduceMean/Max/Min/Prod/L1/L2/LogSum/LogSumExp/SumSquare
//     18: axes attribute -> int64 input.
//   Split 13: split attribute -> input; Split 18: num_outputs attribute when no split input.
//   Softmax/LogSoftmax/Hardmax 13: old 2-D coercion (default axis 1) -> new per-axis semantics.
//   BatchNormalization 9: `spatial` removed (spatial=0 unimplemented); 14: the optional training
//     outputs are gone (they must be unused; the node is rebuilt with output 0 only).
//   Scatter 11: -> ScatterElements.  RoiAlign 16: explicit output_half_pixel coordinates.
//   GridSample 20: modes bilinear/bicubic -> linear/cubic.
// Entries with a null rule are known signature changes that are not translated (Scan 9,
// GroupNormalization 21, DFT 20, the experimental ops removed at 10).
#pragma once

#include <cstdint>
#include <vector>

#include "core/status.h"
#include "ir/graph.h"
#include "passes/rank_inference.h"

namespace shrink::passes::upgrade {

struct RuleContext {
  ir::Graph* graph = nullptr;
  int64_t from = 0;  // the model's opset before the upgrade
  int64_t to = 0;    // the target opset
  bool apply = false;
  const RankMap* ranks = nullptr;  // ranks of the graph's values before any rewrite
};

using Rule = Status (*)(RuleContext& ctx, ir::Node*& node);

struct OpChange {
  const char* op;
  int64_t version;  // first opset with the new signature
  Rule rule;        // nullptr: not handled
};

// Every known signature change, grouped by op, each op's changes in ascending version order.
const std::vector<OpChange>& OpChanges();

}  // namespace shrink::passes::upgrade
