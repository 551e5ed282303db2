// RNN (opset 1, 7, 14, 22) and GRU (opset 1, 3, 7, 14, 22) for float32/float64.
//
// Gate pre-activations X * W^T for all time steps come from one GemmRef call per direction; each
// step adds H_{t-1} * R^T (another GemmRef) and the biases. Batch entries past their
// sequence_lens stop updating; their Y rows are zero and Y_h holds the last updated state.
// GRU gate order is z, r, h; linear_before_reset (opset >= 3) selects
// h = g(Xt*Wh + r (.) (H*Rh + Rbh) + Wbh) instead of h = g(Xt*Wh + (r (.) H)*Rh + Rbh + Wbh).
#include <string>
#include <vector>

#include "runtime/kernel.h"
#include "runtime/kernels/gemm_ref.h"
#include "runtime/kernels/kernel_util.h"
#include "runtime/kernels/rnn_util.h"

namespace shrink::runtime {
namespace {

// Bias input B [dirs, 2 * gates * hidden] as a vector (zeros when absent).
template <typename T>
std::vector<T> ReadBias(const KernelContext& ctx, const RnnSetup& s, int gates) {
  const Shape want = {s.dirs, 2 * gates * s.hidden};
  std::vector<T> b(static_cast<size_t>(NumElements(want)), T(0));
  if (const Tensor* t = ctx.input(3)) {
    if (t->shape() != want)
      ctx.Fail("B has shape " + ShapeToString(t->shape()) + ", expected " + ShapeToString(want));
    if (t->dtype() != DataTypeOf<T>::value) ctx.Fail("B dtype differs from X");
    b.assign(t->data<T>(), t->data<T>() + t->numel());
  }
  return b;
}

template <typename T>
void RnnTyped(KernelContext& ctx) {
  const RnnSetup s = ReadRnnSetup(ctx, 1, {"Tanh"});
  const std::vector<T> x = TimeMajorInput<T>(s, ctx.in(0));
  const std::vector<T> bias = ReadBias<T>(ctx, s, 1);
  std::vector<T> h = InitialState<T>(ctx, s, 5);
  std::vector<T> y(static_cast<size_t>(s.seq * s.dirs * s.batch * s.hidden), T(0));
  const int64_t H = s.hidden;
  std::vector<T> hr(static_cast<size_t>(s.batch * H));
  for (int64_t d = 0; d < s.dirs; ++d) {
    const T* w = ctx.in(1).data<T>() + d * H * s.input;
    const T* r = ctx.in(2).data<T>() + d * H * H;
    const T* wb = bias.data() + d * 2 * H;
    const T* rb = wb + H;
    const RnnActivation& f = s.acts[static_cast<size_t>(d)];
    const std::vector<T> xw = InputProjection(s, x, w, 1);
    T* hd = h.data() + d * s.batch * H;
    for (int64_t step = 0; step < s.seq; ++step) {
      GemmRef<T>(false, true, s.batch, H, H, T(1), hd, H, r, H, T(0), hr.data(), H);
      for (int64_t b = 0; b < s.batch; ++b) {
        if (step >= s.lens[b]) continue;
        const int64_t t = RnnTime(s, d, step, s.lens[b]);
        const T* xr = xw.data() + (t * s.batch + b) * H;
        T* hb = hd + b * H;
        T* yb = y.data() + ((t * s.dirs + d) * s.batch + b) * H;
        for (int64_t j = 0; j < H; ++j) {
          hb[j] = f(Clip(s, xr[j] + hr[b * H + j] + wb[j] + rb[j]));
          yb[j] = hb[j];
        }
      }
    }
  }
  ctx.set_output(0, MakeY(s, y));
  ctx.set_output(1, MakeState(s, h));
}

template <typename T>
void GruTyped(KernelContext& ctx) {
  const RnnSetup s = ReadRnnSetup(ctx, 3, {"Sigmoid", "Tanh"});
  const bool lbr = ctx.attr_int("linear_before_reset", 0) != 0;
  const std::vector<T> x = TimeMajorInput<T>(s, ctx.in(0));
  const std::vector<T> bias = ReadBias<T>(ctx, s, 3);
  std::vector<T> h = InitialState<T>(ctx, s, 5);
  std::vector<T> y(static_cast<size_t>(s.seq * s.dirs * s.batch * s.hidden), T(0));
  const int64_t H = s.hidden;
  std::vector<T> hr(static_cast<size_t>(s.batch * 3 * H));  // H_{t-1} * R^T
  std::vector<T> rh(static_cast<size_t>(s.batch * H));      // r (.) H_{t-1}
  std::vector<T> rhr(static_cast<size_t>(s.batch * H));     // (r (.) H_{t-1}) * Rh^T
  std::vector<T> z(static_cast<size_t>(s.batch * H));
  for (int64_t d = 0; d < s.dirs; ++d) {
    const T* w = ctx.in(1).data<T>() + d * 3 * H * s.input;
    const T* r = ctx.in(2).data<T>() + d * 3 * H * H;
    const T* wb = bias.data() + d * 6 * H;
    const T* rb = wb + 3 * H;
    const RnnActivation& f = s.acts[static_cast<size_t>(2 * d)];
    const RnnActivation& g = s.acts[static_cast<size_t>(2 * d + 1)];
    const std::vector<T> xw = InputProjection(s, x, w, 3);
    T* hd = h.data() + d * s.batch * H;
    for (int64_t step = 0; step < s.seq; ++step) {
      GemmRef<T>(false, true, s.batch, 3 * H, H, T(1), hd, H, r, H, T(0), hr.data(), 3 * H);
      for (int64_t b = 0; b < s.batch; ++b) {
        const bool active = step < s.lens[b];
        const int64_t t = active ? RnnTime(s, d, step, s.lens[b]) : 0;
        const T* xr = xw.data() + (t * s.batch + b) * 3 * H;
        const T* hrb = hr.data() + b * 3 * H;
        for (int64_t j = 0; j < H; ++j) {
          z[b * H + j] = f(Clip(s, xr[j] + hrb[j] + wb[j] + rb[j]));
          const T rg = f(Clip(s, xr[H + j] + hrb[H + j] + wb[H + j] + rb[H + j]));
          // Keep r in rh for linear_before_reset, r (.) H otherwise.
          rh[b * H + j] = active ? (lbr ? rg : rg * hd[b * H + j]) : T(0);
        }
      }
      if (!lbr)
        GemmRef<T>(false, true, s.batch, H, H, T(1), rh.data(), H, r + 2 * H * H, H, T(0),
                   rhr.data(), H);
      for (int64_t b = 0; b < s.batch; ++b) {
        if (step >= s.lens[b]) continue;
        const int64_t t = RnnTime(s, d, step, s.lens[b]);
        const T* xr = xw.data() + (t * s.batch + b) * 3 * H + 2 * H;
        const T* hrb = hr.data() + b * 3 * H + 2 * H;
        T* hb = hd + b * H;
        T* yb = y.data() + ((t * s.dirs + d) * s.batch + b) * H;
        for (int64_t j = 0; j < H; ++j) {
          const T pre = lbr ? xr[j] + rh[b * H + j] * (hrb[j] + rb[2 * H + j]) + wb[2 * H + j]
                            : xr[j] + rhr[b * H + j] + rb[2 * H + j] + wb[2 * H + j];
          const T ht = g(Clip(s, pre));
          const T zt = z[b * H + j];
          hb[j] = (T(1) - zt) * ht + zt * hb[j];
          yb[j] = hb[j];
        }
      }
    }
  }
  ctx.set_output(0, MakeY(s, y));
  ctx.set_output(1, MakeState(s, h));
}

void RnnKernel(KernelContext& ctx) {
  DispatchFloat(ctx, ctx.in(0).dtype(),
                [&](auto tag) { RnnTyped<typename decltype(tag)::type>(ctx); });
}
void GruKernel(KernelContext& ctx) {
  DispatchFloat(ctx, ctx.in(0).dtype(),
                [&](auto tag) { GruTyped<typename decltype(tag)::type>(ctx); });
}

}  // namespace

SHRINK_REF_KERNEL("", "RNN", 1, kLatestOpset, RnnKernel);
SHRINK_REF_KERNEL("", "GRU", 1, kLatestOpset, GruKernel);

}  // namespace shrink::runtime
