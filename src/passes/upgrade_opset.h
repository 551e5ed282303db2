// UpgradeOpset: raises a model's default-domain (ai.onnx) opset import and rewrites every node
// whose operator signature changed on the way, so that the model means the same at the new opset.
//
// Contract:
//   - target_opset must be in [model opset, kMaxUpgradeOpset]; lowering -> kInvalidArgument; equal
//     -> no-op (Ok, nothing touched). A model that does not import the default domain, or imports
//     it below opset 7, -> kInvalidArgument / kUnimplemented.
//   - Nodes of the default domain in the main graph and in every subgraph (If/Loop/Scan bodies) are
//     rewritten, one rule per (op, version where the signature changed) with from < version <=
//     target, in version order. Handled changes (see upgrade_opset_rules.h for each rule):
//       Clip 11, Slice 10, TopK 10, Pad 11, Dropout 12, Upsample 10 (-> Resize), Resize 11/13,
//       Squeeze/Unsqueeze/ReduceSum 13, Split 13/18, Softmax/LogSoftmax/Hardmax 13,
//       BatchNormalization 9/14, Scatter 11 (-> ScatterElements), RoiAlign 16, GridSample 20,
//       the other Reduce* ops 18. Changes that only add dtypes or attributes whose defaults keep
//       the old meaning need no rewrite.
//   - All-or-nothing: every node is checked first; if any node has a changed signature that is not
//     handled (or a form a rule cannot translate, e.g. nearest Upsample with non-constant scales),
//     the result is kUnimplemented listing the op types and nodes, and the model is untouched.
//   - New constant inputs become initializers of the node's graph; new nodes get unique names;
//     rewritten nodes keep their output names (and so their consumers); graphs are re-sorted. The
//     model's IR version is raised to the one the target opset needs (never lowered).
//   - Softmax-like ops before 13 coerce to 2-D at `axis`: when the input rank is known (rank
//     inference) and axis is the last dim the node just gets an explicit axis; otherwise it is
//     rewritten as Shape + Flatten(axis) + op(axis=-1) + Reshape, exact for any rank.
#pragma once

#include <cstdint>

#include "core/status.h"
#include "ir/model.h"

namespace shrink::passes {

inline constexpr int64_t kMaxUpgradeOpset = 21;

Status UpgradeOpset(ir::Model& model, int64_t target_opset);

// The IR version a model importing ai.onnx `opset` needs at least (opset 21 -> 10, ...).
int64_t MinIrVersionForOpset(int64_t opset);

}  // namespace shrink::passes
