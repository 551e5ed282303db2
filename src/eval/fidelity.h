// Fidelity between two models' outputs for the same inputs (no labels needed): how far a
// compressed model's output drifts from the original's.
//
// Contract: both tensors must have the same shape and a numeric dtype (kInvalidArgument naming
// both shapes otherwise); values are compared as double. Row-wise measures treat the last axis as
// the class axis and every other axis as rows. Nothing throws.
// - Sqnr: 10 log10(sum ref^2 / sum (ref - test)^2) in dB; +inf when the outputs are identical.
// - CosineSimilarity: of the flattened tensors; 1 when both are all zero, 0 when one is.
// - Top1Agreement: fraction of rows whose argmax (first on ties) is the same.
// - KlDivergence: mean over rows of KL(P_ref || P_test) in nats, where P = softmax(row) when
//   `logits`, else the rows themselves (probabilities; zeros in P_ref contribute 0, a zero in
//   P_test under a positive P_ref is clamped at 1e-12).
#pragma once

#include "core/status.h"
#include "core/tensor.h"

namespace shrink::eval {

Expected<double> Sqnr(const Tensor& reference, const Tensor& test);
Expected<double> CosineSimilarity(const Tensor& a, const Tensor& b);
Expected<double> Top1Agreement(const Tensor& reference, const Tensor& test);
Expected<double> KlDivergence(const Tensor& reference, const Tensor& test, bool logits = true);

}  // namespace shrink::eval
