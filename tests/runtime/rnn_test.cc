// LSTM, GRU and RNN reference kernels vs naive per-(direction, batch, step) loops written here.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>

#include "runtime/kernel_test_helpers.h"

namespace shrink::testing {
namespace {

using ir::MakeAttr;

double Sig(double x) { return 1.0 / (1.0 + std::exp(-x)); }

struct Dims {
  int64_t seq, batch, input, hidden, dirs;
  bool reverse = false;
  std::vector<int64_t> lens;  // empty: all seq
};

struct Weights {
  std::vector<double> x, w, r, b, h0, c0, p;
};

Weights MakeWeights(const Dims& d, int gates, uint32_t seed) {
  Weights wt;
  wt.x = RandomFloatValues(d.seq * d.batch * d.input, seed);
  wt.w = RandomFloatValues(d.dirs * gates * d.hidden * d.input, seed + 1);
  wt.r = RandomFloatValues(d.dirs * gates * d.hidden * d.hidden, seed + 2);
  wt.b = RandomFloatValues(d.dirs * 2 * gates * d.hidden, seed + 3);
  wt.h0 = RandomFloatValues(d.dirs * d.batch * d.hidden, seed + 4);
  wt.c0 = RandomFloatValues(d.dirs * d.batch * d.hidden, seed + 5);
  wt.p = RandomFloatValues(d.dirs * 3 * d.hidden, seed + 6);
  return wt;
}

// Row `row` of matrix m [.., cols] (offset `base`) dotted with v.
double Dot(const std::vector<double>& m, int64_t base, int64_t row, int64_t cols, const double* v) {
  double s = 0;
  for (int64_t k = 0; k < cols; ++k) s += m[base + row * cols + k] * v[k];
  return s;
}

struct Result {
  std::vector<double> y, yh, yc;
};

// cell(d, x, h, c, h_out, c_out) advances one batch entry by one step.
using Cell =
    std::function<void(int64_t, const double*, std::vector<double>&, std::vector<double>&)>;

Result Unroll(const Dims& d, const Weights& wt, const Cell& cell) {
  Result res;
  res.y.assign(static_cast<size_t>(d.seq * d.dirs * d.batch * d.hidden), 0.0);
  res.yh.assign(static_cast<size_t>(d.dirs * d.batch * d.hidden), 0.0);
  res.yc = res.yh;
  for (int64_t dir = 0; dir < d.dirs; ++dir)
    for (int64_t b = 0; b < d.batch; ++b) {
      const int64_t len = d.lens.empty() ? d.seq : d.lens[b];
      const int64_t off = (dir * d.batch + b) * d.hidden;
      std::vector<double> h(wt.h0.begin() + off, wt.h0.begin() + off + d.hidden);
      std::vector<double> c(wt.c0.begin() + off, wt.c0.begin() + off + d.hidden);
      for (int64_t s = 0; s < len; ++s) {
        const int64_t t = (d.reverse || dir == 1) ? len - 1 - s : s;
        cell(dir, &wt.x[(t * d.batch + b) * d.input], h, c);
        for (int64_t j = 0; j < d.hidden; ++j)
          res.y[((t * d.dirs + dir) * d.batch + b) * d.hidden + j] = h[j];
      }
      for (int64_t j = 0; j < d.hidden; ++j) {
        res.yh[off + j] = h[j];
        res.yc[off + j] = c[j];
      }
    }
  return res;
}

Result NaiveLstm(const Dims& d, const Weights& wt) {
  const int64_t H = d.hidden, I = d.input;
  return Unroll(d, wt,
                [&](int64_t dir, const double* x, std::vector<double>& h, std::vector<double>& c) {
                  auto gate = [&](int g, int64_t j) {
                    return Dot(wt.w, dir * 4 * H * I, g * H + j, I, x) +
                           Dot(wt.r, dir * 4 * H * H, g * H + j, H, h.data()) +
                           wt.b[dir * 8 * H + g * H + j] + wt.b[dir * 8 * H + 4 * H + g * H + j];
                  };
                  std::vector<double> hn(H), cn(H);
                  for (int64_t j = 0; j < H; ++j) {
                    const double* p = &wt.p[dir * 3 * H];
                    const double i = Sig(gate(0, j) + p[j] * c[j]);
                    const double f = Sig(gate(2, j) + p[2 * H + j] * c[j]);
                    cn[j] = f * c[j] + i * std::tanh(gate(3, j));
                    const double o = Sig(gate(1, j) + p[H + j] * cn[j]);
                    hn[j] = o * std::tanh(cn[j]);
                  }
                  h = hn;
                  c = cn;
                });
}

Result NaiveGru(const Dims& d, const Weights& wt, bool lbr) {
  const int64_t H = d.hidden, I = d.input;
  return Unroll(
      d, wt, [&](int64_t dir, const double* x, std::vector<double>& h, std::vector<double>&) {
        const int64_t wbase = dir * 3 * H * I, rbase = dir * 3 * H * H, bb = dir * 6 * H;
        std::vector<double> z(H), r(H), rh(H), hn(H);
        for (int64_t j = 0; j < H; ++j) {
          z[j] = Sig(Dot(wt.w, wbase, j, I, x) + Dot(wt.r, rbase, j, H, h.data()) + wt.b[bb + j] +
                     wt.b[bb + 3 * H + j]);
          r[j] = Sig(Dot(wt.w, wbase, H + j, I, x) + Dot(wt.r, rbase, H + j, H, h.data()) +
                     wt.b[bb + H + j] + wt.b[bb + 4 * H + j]);
          rh[j] = r[j] * h[j];
        }
        for (int64_t j = 0; j < H; ++j) {
          const double xin = Dot(wt.w, wbase, 2 * H + j, I, x) + wt.b[bb + 2 * H + j];
          const double rb = wt.b[bb + 5 * H + j];
          const double pre = lbr ? xin + r[j] * (Dot(wt.r, rbase, 2 * H + j, H, h.data()) + rb)
                                 : xin + Dot(wt.r, rbase, 2 * H + j, H, rh.data()) + rb;
          hn[j] = (1 - z[j]) * std::tanh(pre) + z[j] * h[j];
        }
        h = hn;
      });
}

Result NaiveRnn(const Dims& d, const Weights& wt, double clip) {
  const int64_t H = d.hidden, I = d.input;
  return Unroll(
      d, wt, [&](int64_t dir, const double* x, std::vector<double>& h, std::vector<double>&) {
        std::vector<double> hn(H);
        for (int64_t j = 0; j < H; ++j) {
          double pre = Dot(wt.w, dir * H * I, j, I, x) + Dot(wt.r, dir * H * H, j, H, h.data()) +
                       wt.b[dir * 2 * H + j] + wt.b[dir * 2 * H + H + j];
          pre = std::min(clip, std::max(-clip, pre));
          hn[j] = pre > 0 ? pre : 0;  // Relu
        }
        h = hn;
      });
}

std::vector<Tensor> Inputs(const Dims& d, const Weights& wt, int gates, bool with_c, bool peep) {
  std::vector<Tensor> in = {
      F32({d.seq, d.batch, d.input}, wt.x),
      F32({d.dirs, gates * d.hidden, d.input}, wt.w),
      F32({d.dirs, gates * d.hidden, d.hidden}, wt.r),
      F32({d.dirs, 2 * gates * d.hidden}, wt.b),
      d.lens.empty() ? Tensor()
                     : Tensor::FromVector<int32_t>(
                           {d.batch}, std::vector<int32_t>(d.lens.begin(), d.lens.end())),
      F32({d.dirs, d.batch, d.hidden}, wt.h0)};
  if (with_c) in.push_back(F32({d.dirs, d.batch, d.hidden}, wt.c0));
  if (peep) in.push_back(F32({d.dirs, 3 * d.hidden}, wt.p));
  return in;
}

const char* Direction(const Dims& d) {
  return d.dirs == 2 ? "bidirectional" : (d.reverse ? "reverse" : "forward");
}

TEST(LstmTest, BidirectionalPeepholesSequenceLens) {
  const Dims d{4, 3, 5, 3, 2, false, {4, 1, 3}};
  const Weights wt = MakeWeights(d, 4, 100);
  const Result e = NaiveLstm(d, wt);
  auto r = RunOp("LSTM", Inputs(d, wt, 4, true, true),
                 {MakeAttr("hidden_size", d.hidden), MakeAttr("direction", Direction(d))}, 3, 14);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ExpectNear((*r)[0], {d.seq, d.dirs, d.batch, d.hidden}, e.y, 1e-5);
  ExpectNear((*r)[1], {d.dirs, d.batch, d.hidden}, e.yh, 1e-5);
  ExpectNear((*r)[2], {d.dirs, d.batch, d.hidden}, e.yc, 1e-5);
}

TEST(LstmTest, ReverseWithoutOptionalInputsAndLayout1) {
  Dims d{3, 2, 4, 5, 1, true, {}};
  Weights wt = MakeWeights(d, 4, 200);
  std::fill(wt.b.begin(), wt.b.end(), 0.0);
  std::fill(wt.h0.begin(), wt.h0.end(), 0.0);
  std::fill(wt.c0.begin(), wt.c0.end(), 0.0);
  std::fill(wt.p.begin(), wt.p.end(), 0.0);
  const Result e = NaiveLstm(d, wt);
  const std::vector<Tensor> ins = {F32({d.seq, d.batch, d.input}, wt.x),
                                   F32({1, 4 * d.hidden, d.input}, wt.w),
                                   F32({1, 4 * d.hidden, d.hidden}, wt.r)};
  auto r = RunOp("LSTM", ins, {MakeAttr("hidden_size", d.hidden), MakeAttr("direction", "reverse")},
                 2, 7);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ExpectNear((*r)[0], {d.seq, 1, d.batch, d.hidden}, e.y, 1e-5);
  ExpectNear((*r)[1], {1, d.batch, d.hidden}, e.yh, 1e-5);
  // layout = 1: X [batch, seq, input], Y [batch, seq, dirs, hidden], Y_h [batch, dirs, hidden].
  std::vector<double> xb(wt.x.size()), yb(e.y.size());
  for (int64_t t = 0; t < d.seq; ++t)
    for (int64_t b = 0; b < d.batch; ++b) {
      for (int64_t i = 0; i < d.input; ++i)
        xb[(b * d.seq + t) * d.input + i] = wt.x[(t * d.batch + b) * d.input + i];
      for (int64_t j = 0; j < d.hidden; ++j)
        yb[(b * d.seq + t) * d.hidden + j] = e.y[(t * d.batch + b) * d.hidden + j];
    }
  std::vector<Tensor> ins1 = ins;
  ins1[0] = F32({d.batch, d.seq, d.input}, xb);
  r = RunOp(
      "LSTM", ins1,
      {MakeAttr("hidden_size", d.hidden), MakeAttr("direction", "reverse"), MakeAttr("layout", 1)},
      2, 14);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ExpectNear((*r)[0], {d.batch, d.seq, 1, d.hidden}, yb, 1e-5);
  ExpectNear((*r)[1], {d.batch, 1, d.hidden}, e.yh, 1e-5);
}

TEST(GruTest, LinearBeforeResetBothWaysAndSequenceLens) {
  for (int lbr = 0; lbr < 2; ++lbr) {
    const Dims d{5, 3, 4, 3, 2, false, {5, 2, 0}};
    const Weights wt = MakeWeights(d, 3, 300 + lbr);
    const Result e = NaiveGru(d, wt, lbr != 0);
    auto r = RunOp("GRU", Inputs(d, wt, 3, false, false),
                   {MakeAttr("hidden_size", d.hidden), MakeAttr("direction", Direction(d)),
                    MakeAttr("linear_before_reset", lbr)},
                   2, 14);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    SCOPED_TRACE(lbr);
    ExpectNear((*r)[0], {d.seq, d.dirs, d.batch, d.hidden}, e.y, 1e-5);
    ExpectNear((*r)[1], {d.dirs, d.batch, d.hidden}, e.yh, 1e-5);
  }
}

TEST(GruTest, ReverseDirection) {
  const Dims d{4, 2, 3, 4, 1, true, {3, 4}};
  const Weights wt = MakeWeights(d, 3, 400);
  const Result e = NaiveGru(d, wt, false);
  auto r = RunOp("GRU", Inputs(d, wt, 3, false, false),
                 {MakeAttr("hidden_size", d.hidden), MakeAttr("direction", "reverse")}, 2, 7);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ExpectNear((*r)[0], {d.seq, 1, d.batch, d.hidden}, e.y, 1e-5);
  ExpectNear((*r)[1], {1, d.batch, d.hidden}, e.yh, 1e-5);
}

TEST(RnnTest, ReluActivationWithClip) {
  const Dims d{4, 2, 3, 5, 2, false, {}};
  const Weights wt = MakeWeights(d, 1, 500);
  const Result e = NaiveRnn(d, wt, 0.4);
  auto r = RunOp(
      "RNN", Inputs(d, wt, 1, false, false),
      {MakeAttr("hidden_size", d.hidden), MakeAttr("direction", "bidirectional"),
       MakeAttr("activations", std::vector<std::string>{"Relu", "Relu"}), MakeAttr("clip", 0.4f)},
      2, 14);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ExpectNear((*r)[0], {d.seq, 2, d.batch, d.hidden}, e.y, 1e-5);
  ExpectNear((*r)[1], {2, d.batch, d.hidden}, e.yh, 1e-5);
}

TEST(RnnTest, Errors) {
  const Dims d{2, 1, 3, 2, 1, false, {}};
  const Weights wt = MakeWeights(d, 1, 600);
  auto r = RunOp("RNN", Inputs(d, wt, 1, false, false),
                 {MakeAttr("hidden_size", d.hidden),
                  MakeAttr("activations", std::vector<std::string>{"Gelu"})},
                 2);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnimplemented);
  std::vector<Tensor> bad = Inputs(d, wt, 1, false, false);
  bad[1] = F32({1, 2, 4}, std::vector<double>(8, 0.1));  // input size 4 != 3
  r = RunOp("RNN", bad, {MakeAttr("hidden_size", d.hidden)}, 2);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  std::vector<Tensor> lens = Inputs(d, wt, 1, false, false);
  lens[4] = Tensor::FromVector<int32_t>({1}, {3});  // longer than seq
  EXPECT_FALSE(RunOp("GRU",
                     {lens[0], F32({1, 6, 3}, std::vector<double>(18, 0.1)),
                      F32({1, 6, 2}, std::vector<double>(12, 0.1)), Tensor(), lens[4]},
                     {MakeAttr("hidden_size", d.hidden)}, 2)
                   .ok());
}

}  // namespace
}  // namespace shrink::testing
