// Shared plumbing for the recurrent ops RNN, GRU and LSTM (rnn.cc, lstm.cc).
//
// Contract: ReadRnnSetup validates X [seq, batch, input] (or [batch, seq, input] when layout = 1,
// opset >= 14), W [dirs, gates * hidden, input], R [dirs, gates * hidden, hidden], the direction,
// hidden_size and sequence_lens inputs, and parses the activations / activation_alpha /
// activation_beta attributes (per direction, `defaults` when absent). Names are matched
// case-insensitively; Sigmoid, Tanh, Relu, HardSigmoid, LeakyRelu, ThresholdedRelu, ScaledTanh,
// Affine, Elu, Softsign and Softplus are implemented, anything else is Unsupported. alpha/beta
// values are consumed in order by the activations that take them (ONNX Runtime's rule).
// The helpers convert between the op's layout and the internal time-major layout:
// X -> [seq, batch, input], states -> [dirs, batch, hidden], Y <- [seq, dirs, batch, hidden].
#pragma once

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "core/tensor.h"
#include "runtime/kernel.h"
#include "runtime/kernels/gemm_ref.h"

namespace shrink::runtime {

struct RnnActivation {
  enum class Kind {
    kSigmoid,
    kTanh,
    kRelu,
    kHardSigmoid,
    kLeakyRelu,
    kThresholdedRelu,
    kScaledTanh,
    kAffine,
    kElu,
    kSoftsign,
    kSoftplus
  };
  Kind kind = Kind::kSigmoid;
  double alpha = 0, beta = 0;

  template <typename T>
  T operator()(T v) const {
    const double x = static_cast<double>(v);
    double r = 0;
    switch (kind) {
      case Kind::kSigmoid:
        r = 1.0 / (1.0 + std::exp(-x));
        break;
      case Kind::kTanh:
        r = std::tanh(x);
        break;
      case Kind::kRelu:
        r = x > 0 ? x : 0;
        break;
      case Kind::kHardSigmoid:
        r = std::fmax(0.0, std::fmin(1.0, alpha * x + beta));
        break;
      case Kind::kLeakyRelu:
        r = x >= 0 ? x : alpha * x;
        break;
      case Kind::kThresholdedRelu:
        r = x > alpha ? x : 0;
        break;
      case Kind::kScaledTanh:
        r = alpha * std::tanh(beta * x);
        break;
      case Kind::kAffine:
        r = alpha * x + beta;
        break;
      case Kind::kElu:
        r = x >= 0 ? x : alpha * (std::exp(x) - 1);
        break;
      case Kind::kSoftsign:
        r = x / (1 + std::fabs(x));
        break;
      case Kind::kSoftplus:
        r = std::log1p(std::exp(x));
        break;
    }
    return static_cast<T>(r);
  }
};

struct RnnSetup {
  int64_t seq = 0, batch = 0, input = 0, hidden = 0, dirs = 1;
  bool reverse = false;             // direction == "reverse" (single direction run backwards)
  bool batch_major = false;         // layout == 1
  double clip = 0;                  // 0: no clipping
  std::vector<int64_t> lens;        // per batch entry, in [0, seq]
  std::vector<RnnActivation> acts;  // acts_per_dir * dirs, direction-major
};

RnnSetup ReadRnnSetup(const KernelContext& ctx, int gates,
                      const std::vector<std::string>& defaults);

// The input as time-major [seq, batch, input] values.
template <typename T>
std::vector<T> TimeMajorInput(const RnnSetup& s, const Tensor& x) {
  const T* xp = x.data<T>();
  if (!s.batch_major) return std::vector<T>(xp, xp + x.numel());
  std::vector<T> out(static_cast<size_t>(x.numel()));
  for (int64_t t = 0; t < s.seq; ++t)
    for (int64_t b = 0; b < s.batch; ++b)
      for (int64_t i = 0; i < s.input; ++i)
        out[(t * s.batch + b) * s.input + i] = xp[(b * s.seq + t) * s.input + i];
  return out;
}

// An initial state input ([dirs, batch, hidden], or [batch, dirs, hidden] batch-major) as
// [dirs, batch, hidden]; zeros when the input is absent.
template <typename T>
std::vector<T> InitialState(const KernelContext& ctx, const RnnSetup& s, int index) {
  std::vector<T> out(static_cast<size_t>(s.dirs * s.batch * s.hidden), T(0));
  const Tensor* t = ctx.input(index);
  if (!t) return out;
  const Shape want =
      s.batch_major ? Shape{s.batch, s.dirs, s.hidden} : Shape{s.dirs, s.batch, s.hidden};
  if (t->shape() != want)
    ctx.Fail("input " + std::to_string(index) + " must have shape " + ShapeToString(want) +
             ", got " + ShapeToString(t->shape()));
  if (t->dtype() != DataTypeOf<T>::value) ctx.Fail("initial state dtype differs from X");
  const T* p = t->data<T>();
  for (int64_t d = 0; d < s.dirs; ++d)
    for (int64_t b = 0; b < s.batch; ++b)
      for (int64_t h = 0; h < s.hidden; ++h)
        out[(d * s.batch + b) * s.hidden + h] = s.batch_major ? p[(b * s.dirs + d) * s.hidden + h]
                                                              : p[(d * s.batch + b) * s.hidden + h];
  return out;
}

// Y from internal [seq, dirs, batch, hidden] to the op's layout.
template <typename T>
Tensor MakeY(const RnnSetup& s, const std::vector<T>& y) {
  if (!s.batch_major) return Tensor::FromVector<T>({s.seq, s.dirs, s.batch, s.hidden}, y);
  Tensor out(DataTypeOf<T>::value, {s.batch, s.seq, s.dirs, s.hidden});
  T* o = out.data<T>();
  for (int64_t t = 0; t < s.seq; ++t)
    for (int64_t d = 0; d < s.dirs; ++d)
      for (int64_t b = 0; b < s.batch; ++b)
        for (int64_t h = 0; h < s.hidden; ++h)
          o[((b * s.seq + t) * s.dirs + d) * s.hidden + h] =
              y[((t * s.dirs + d) * s.batch + b) * s.hidden + h];
  return out;
}

// A final state from internal [dirs, batch, hidden] to the op's layout.
template <typename T>
Tensor MakeState(const RnnSetup& s, const std::vector<T>& st) {
  if (!s.batch_major) return Tensor::FromVector<T>({s.dirs, s.batch, s.hidden}, st);
  Tensor out(DataTypeOf<T>::value, {s.batch, s.dirs, s.hidden});
  T* o = out.data<T>();
  for (int64_t d = 0; d < s.dirs; ++d)
    for (int64_t b = 0; b < s.batch; ++b)
      for (int64_t h = 0; h < s.hidden; ++h)
        o[(b * s.dirs + d) * s.hidden + h] = st[(d * s.batch + b) * s.hidden + h];
  return out;
}

// X * W_d^T for all time steps (x time-major [seq, batch, input], w [gates * hidden, input]):
// [seq * batch, gates * hidden].
template <typename T>
std::vector<T> InputProjection(const RnnSetup& s, const std::vector<T>& x, const T* w, int gates) {
  const int64_t gh = gates * s.hidden;
  std::vector<T> xw(static_cast<size_t>(s.seq * s.batch * gh));
  GemmRef<T>(false, true, s.seq * s.batch, gh, s.input, T(1), x.data(), s.input, w, s.input, T(0),
             xw.data(), gh);
  return xw;
}

// Clips a gate pre-activation when clip > 0.
template <typename T>
T Clip(const RnnSetup& s, T v) {
  if (s.clip <= 0) return v;
  const T c = static_cast<T>(s.clip);
  return v < -c ? -c : (v > c ? c : v);
}

// Time index processed at `step` by direction `dir` for a batch entry of length `len`.
inline int64_t RnnTime(const RnnSetup& s, int64_t dir, int64_t step, int64_t len) {
  const bool backwards = s.reverse || dir == 1;
  return backwards ? len - 1 - step : step;
}

}  // namespace shrink::runtime
