#include "quant/gptq.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace shrink::quant {

HessianAccumulator::HessianAccumulator(int64_t k) : k_(k), sum_(static_cast<size_t>(k * k), 0.0) {}

Status HessianAccumulator::Add(const Tensor& x) {
  if (x.dtype() != DataType::kFloat32 || x.rank() < 1 || x.dim(-1) != k_)
    return InvalidArgument("GPTQ: layer input must be float32 [..., " + std::to_string(k_) +
                           "], got " + DataTypeName(x.dtype()) + ShapeToString(x.shape()));
  const int64_t rows = x.numel() / k_;
  const float* p = x.data<float>();
  for (int64_t r = 0; r < rows; ++r) {
    const float* row = p + r * k_;
    for (int64_t i = 0; i < k_; ++i) {
      const double xi = row[i];
      if (xi == 0) continue;
      double* h = &sum_[static_cast<size_t>(i * k_)];
      for (int64_t j = i; j < k_; ++j) h[j] += xi * row[j];
    }
  }
  samples_ += rows;
  return Status::Ok();
}

std::vector<double> HessianAccumulator::Hessian() const {
  std::vector<double> h(sum_.size(), 0.0);
  if (samples_ == 0) return h;
  const double f = 2.0 / static_cast<double>(samples_);
  for (int64_t i = 0; i < k_; ++i)
    for (int64_t j = i; j < k_; ++j)
      h[static_cast<size_t>(i * k_ + j)] = h[static_cast<size_t>(j * k_ + i)] =
          f * sum_[static_cast<size_t>(i * k_ + j)];
  return h;
}

namespace {

using Matrix = std::vector<double>;  // row-major [k, k]

// In-place lower Cholesky factor of a symmetric matrix (upper part left as is). False when the
// matrix is not positive definite.
bool CholeskyLower(Matrix& a, int64_t k) {
  for (int64_t j = 0; j < k; ++j) {
    double* rj = &a[static_cast<size_t>(j * k)];
    double s = rj[j];
    for (int64_t m = 0; m < j; ++m) s -= rj[m] * rj[m];
    if (!(s > 0)) return false;
    rj[j] = std::sqrt(s);
    for (int64_t i = j + 1; i < k; ++i) {
      double* ri = &a[static_cast<size_t>(i * k)];
      double t = ri[j];
      for (int64_t m = 0; m < j; ++m) t -= ri[m] * rj[m];
      ri[j] = t / rj[j];
    }
  }
  return true;
}

// U (upper, row-major) with H^-1 = U^T U, or false when H is not positive definite.
bool UpperCholeskyOfInverse(Matrix h, int64_t k, Matrix& u) {
  if (!CholeskyLower(h, k)) return false;
  // T = L^-T (upper): row c holds column c of L^-1.
  Matrix t(static_cast<size_t>(k * k), 0.0);
  for (int64_t c = 0; c < k; ++c) {
    double* tc = &t[static_cast<size_t>(c * k)];
    tc[c] = 1.0 / h[static_cast<size_t>(c * k + c)];
    for (int64_t i = c + 1; i < k; ++i) {
      const double* li = &h[static_cast<size_t>(i * k)];
      double s = 0;
      for (int64_t m = c; m < i; ++m) s += li[m] * tc[m];
      tc[i] = -s / li[i];
    }
  }
  // H^-1 = L^-T L^-1: (i, j) = sum over m >= max(i, j) of T[i][m] T[j][m].
  Matrix inv(static_cast<size_t>(k * k), 0.0);
  for (int64_t i = 0; i < k; ++i)
    for (int64_t j = i; j < k; ++j) {
      const double* ti = &t[static_cast<size_t>(i * k)];
      const double* tj = &t[static_cast<size_t>(j * k)];
      double s = 0;
      for (int64_t m = j; m < k; ++m) s += ti[m] * tj[m];
      inv[static_cast<size_t>(i * k + j)] = inv[static_cast<size_t>(j * k + i)] = s;
    }
  if (!CholeskyLower(inv, k)) return false;
  u.assign(static_cast<size_t>(k * k), 0.0);
  for (int64_t i = 0; i < k; ++i)
    for (int64_t j = 0; j <= i; ++j)
      u[static_cast<size_t>(j * k + i)] = inv[static_cast<size_t>(i * k + j)];
  return true;
}

}  // namespace

Expected<BlockQuantized> QuantizeGptq(const std::vector<float>& w, int64_t k, int64_t n,
                                      const std::vector<double>& h, int64_t block,
                                      const BlockGrid& grid, const GptqOptions& options) {
  if (static_cast<int64_t>(w.size()) != k * n || static_cast<int64_t>(h.size()) != k * k)
    return InvalidArgument("GPTQ: weight / Hessian sizes do not match K=" + std::to_string(k) +
                           ", N=" + std::to_string(n));
  // Visiting order of the rows (input features).
  std::vector<int64_t> perm(static_cast<size_t>(k));
  std::iota(perm.begin(), perm.end(), 0);
  if (options.act_order)
    std::stable_sort(perm.begin(), perm.end(), [&](int64_t a, int64_t b) {
      return h[static_cast<size_t>(a * k + a)] > h[static_cast<size_t>(b * k + b)];
    });
  Matrix hp(static_cast<size_t>(k * k));
  double mean_diag = 0;
  for (int64_t i = 0; i < k; ++i) {
    for (int64_t j = 0; j < k; ++j)
      hp[static_cast<size_t>(i * k + j)] = h[static_cast<size_t>(perm[i] * k + perm[j])];
    double& d = hp[static_cast<size_t>(i * k + i)];
    if (d == 0) d = 1;  // a feature never seen: no error compensation through it
    mean_diag += d / static_cast<double>(k);
  }
  Matrix u;
  double damp = options.damp;
  for (int attempt = 0;; ++attempt) {
    Matrix damped = hp;
    for (int64_t i = 0; i < k; ++i) damped[static_cast<size_t>(i * k + i)] += damp * mean_diag;
    if (UpperCholeskyOfInverse(std::move(damped), k, u)) break;
    if (attempt == 3)
      return InvalidArgument("GPTQ: the Hessian is not positive definite even with damping " +
                             std::to_string(damp));
    damp *= 10;
  }

  BlockQuantized q;
  q.k = k;
  q.n = n;
  q.block = block;
  q.grid = grid;
  q.codes.resize(static_cast<size_t>(k * n));
  q.params.resize(static_cast<size_t>(q.blocks() * n));
  const bool fixed = options.fixed_params != nullptr;
  if (fixed && options.fixed_params->size() != q.params.size())
    return InvalidArgument("GPTQ: " + std::to_string(options.fixed_params->size()) +
                           " fixed block parameters for " + std::to_string(q.params.size()) +
                           " blocks x columns");
  if (fixed)
    q.params = *options.fixed_params;
  else if (options.act_order)
    q.params = QuantizeRtn(w, k, n, block, grid).params;  // static groups

  std::vector<float> wp(static_cast<size_t>(k * n));  // working weights, rows in visiting order
  for (int64_t i = 0; i < k; ++i)
    std::copy_n(&w[static_cast<size_t>(perm[i] * n)], n, &wp[static_cast<size_t>(i * n)]);
  // Lazy batches of whole blocks (>= 128 rows); with fixed parameters any 128 rows will do.
  const int64_t lazy = fixed ? 128 : block * ((128 + block - 1) / block);
  std::vector<float> err;
  for (int64_t b0 = 0; b0 < k; b0 += lazy) {
    const int64_t b1 = std::min(k, b0 + lazy);
    err.assign(static_cast<size_t>((b1 - b0) * n), 0.0f);
    for (int64_t i = b0; i < b1; ++i) {
      float* wi = &wp[static_cast<size_t>(i * n)];
      const int64_t orig = perm[i];
      BlockParams* params = &q.params[static_cast<size_t>((orig / block) * n)];
      if (!fixed && !options.act_order && orig % block == 0) {
        const int64_t rows = std::min(block, k - i);  // no permutation: rows i.. are the block
        for (int64_t c = 0; c < n; ++c) params[c] = ChooseBlockParams(wi + c, rows, n, grid);
      }
      const double uii = u[static_cast<size_t>(i * k + i)];
      float* ei = &err[static_cast<size_t>((i - b0) * n)];
      for (int64_t c = 0; c < n; ++c) {
        const int32_t code = QuantizeCode(wi[c], params[c], grid);
        q.codes[static_cast<size_t>(orig * n + c)] = code;
        ei[c] = static_cast<float>((wi[c] - DequantizeCode(code, params[c])) / uii);
      }
      for (int64_t j = i + 1; j < b1; ++j) {
        const float f = static_cast<float>(u[static_cast<size_t>(i * k + j)]);
        float* wj = &wp[static_cast<size_t>(j * n)];
        for (int64_t c = 0; c < n; ++c) wj[c] -= f * ei[c];
      }
    }
    for (int64_t j = b1; j < k; ++j) {  // the lazy update of the rows after this batch
      float* wj = &wp[static_cast<size_t>(j * n)];
      for (int64_t i = b0; i < b1; ++i) {
        const float f = static_cast<float>(u[static_cast<size_t>(i * k + j)]);
        const float* ei = &err[static_cast<size_t>((i - b0) * n)];
        for (int64_t c = 0; c < n; ++c) wj[c] -= f * ei[c];
      }
    }
  }
  return q;
}

double RelativeOutputError(const std::vector<float>& w, const std::vector<float>& q, int64_t k,
                           int64_t n, const std::vector<double>& h) {
  double num = 0, den = 0;
  std::vector<double> d(static_cast<size_t>(k)), x(static_cast<size_t>(k));
  for (int64_t c = 0; c < n; ++c) {
    for (int64_t i = 0; i < k; ++i) {
      x[static_cast<size_t>(i)] = w[static_cast<size_t>(i * n + c)];
      d[static_cast<size_t>(i)] = x[static_cast<size_t>(i)] - q[static_cast<size_t>(i * n + c)];
    }
    for (int64_t i = 0; i < k; ++i) {
      const double* hi = &h[static_cast<size_t>(i * k)];
      double hd = 0, hx = 0;
      for (int64_t j = 0; j < k; ++j) {
        hd += hi[j] * d[static_cast<size_t>(j)];
        hx += hi[j] * x[static_cast<size_t>(j)];
      }
      num += d[static_cast<size_t>(i)] * hd;
      den += x[static_cast<size_t>(i)] * hx;
    }
  }
  return den > 0 ? num / den : 0;
}

}  // namespace shrink::quant
