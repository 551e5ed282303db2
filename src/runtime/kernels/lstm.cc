// LSTM (opset 1, 7, 14, 22) for float32/float64.
//
// Gate order in W, R and B is i, o, f, c; peepholes P [dirs, 3 * hidden] are i, o, f.
//   i = f(x Wi + h Ri + Pi (.) C + Wbi + Rbi)      f = f(x Wf + h Rf + Pf (.) C + Wbf + Rbf)
//   c = g(x Wc + h Rc + Wbc + Rbc)                C' = f (.) C + i (.) c
//   o = f(x Wo + h Ro + Po (.) C' + Wbo + Rbo)     h' = o (.) h(C')
// input_forget = 1 couples the gates as f = 1 - i. clip bounds every gate pre-activation.
// Batch entries past their sequence_lens stop updating (zero Y rows; Y_h / Y_c keep the last
// state). layout = 1 (opset >= 14) makes X, Y, initial/final states batch-major.
#include <string>
#include <vector>

#include "runtime/kernel.h"
#include "runtime/kernels/gemm_ref.h"
#include "runtime/kernels/kernel_util.h"
#include "runtime/kernels/rnn_util.h"

namespace shrink::runtime {
namespace {

template <typename T>
std::vector<T> OptionalVector(const KernelContext& ctx, int index, const Shape& want) {
  std::vector<T> v(static_cast<size_t>(NumElements(want)), T(0));
  if (const Tensor* t = ctx.input(index)) {
    if (t->shape() != want)
      ctx.Fail("input " + std::to_string(index) + " has shape " + ShapeToString(t->shape()) +
               ", expected " + ShapeToString(want));
    if (t->dtype() != DataTypeOf<T>::value) ctx.Fail("input dtypes differ from X");
    v.assign(t->data<T>(), t->data<T>() + t->numel());
  }
  return v;
}

template <typename T>
void LstmTyped(KernelContext& ctx) {
  const RnnSetup s = ReadRnnSetup(ctx, 4, {"Sigmoid", "Tanh", "Tanh"});
  const bool input_forget = ctx.attr_int("input_forget", 0) != 0;
  const int64_t H = s.hidden, G = 4 * H;
  const std::vector<T> x = TimeMajorInput<T>(s, ctx.in(0));
  const std::vector<T> bias = OptionalVector<T>(ctx, 3, {s.dirs, 2 * G});
  const std::vector<T> peep = OptionalVector<T>(ctx, 7, {s.dirs, 3 * H});
  std::vector<T> h = InitialState<T>(ctx, s, 5);
  std::vector<T> c = InitialState<T>(ctx, s, 6);
  std::vector<T> y(static_cast<size_t>(s.seq * s.dirs * s.batch * H), T(0));
  std::vector<T> hr(static_cast<size_t>(s.batch * G));
  for (int64_t d = 0; d < s.dirs; ++d) {
    const T* w = ctx.in(1).data<T>() + d * G * s.input;
    const T* r = ctx.in(2).data<T>() + d * G * H;
    const T* wb = bias.data() + d * 2 * G;
    const T* rb = wb + G;
    const T* pi = peep.data() + d * 3 * H;
    const T* po = pi + H;
    const T* pf = pi + 2 * H;
    const RnnActivation& fa = s.acts[static_cast<size_t>(3 * d)];
    const RnnActivation& ga = s.acts[static_cast<size_t>(3 * d + 1)];
    const RnnActivation& ha = s.acts[static_cast<size_t>(3 * d + 2)];
    const std::vector<T> xw = InputProjection(s, x, w, 4);
    T* hd = h.data() + d * s.batch * H;
    T* cd = c.data() + d * s.batch * H;
    for (int64_t step = 0; step < s.seq; ++step) {
      GemmRef<T>(false, true, s.batch, G, H, T(1), hd, H, r, H, T(0), hr.data(), G);
      for (int64_t b = 0; b < s.batch; ++b) {
        if (step >= s.lens[b]) continue;
        const int64_t t = RnnTime(s, d, step, s.lens[b]);
        const T* xr = xw.data() + (t * s.batch + b) * G;
        const T* hrb = hr.data() + b * G;
        T* hb = hd + b * H;
        T* cb = cd + b * H;
        T* yb = y.data() + ((t * s.dirs + d) * s.batch + b) * H;
        auto pre = [&](int gate, int64_t j) {
          const int64_t k = gate * H + j;
          return xr[k] + hrb[k] + wb[k] + rb[k];
        };
        for (int64_t j = 0; j < H; ++j) {
          const T it = fa(Clip(s, pre(0, j) + pi[j] * cb[j]));
          const T ft = input_forget ? T(1) - it : fa(Clip(s, pre(2, j) + pf[j] * cb[j]));
          const T ct = ga(Clip(s, pre(3, j)));
          cb[j] = ft * cb[j] + it * ct;
          const T ot = fa(Clip(s, pre(1, j) + po[j] * cb[j]));
          hb[j] = ot * ha(cb[j]);
          yb[j] = hb[j];
        }
      }
    }
  }
  ctx.set_output(0, MakeY(s, y));
  ctx.set_output(1, MakeState(s, h));
  ctx.set_output(2, MakeState(s, c));
}

void LstmKernel(KernelContext& ctx) {
  DispatchFloat(ctx, ctx.in(0).dtype(),
                [&](auto tag) { LstmTyped<typename decltype(tag)::type>(ctx); });
}

}  // namespace

SHRINK_REF_KERNEL("", "LSTM", 1, kLatestOpset, LstmKernel);

}  // namespace shrink::runtime
