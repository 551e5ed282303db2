#include "runtime/kernels/gemm_ref.h"

#include <algorithm>
#include <vector>

namespace shrink::runtime {
namespace {

// Tile sizes: a kKc x kNc block of B (256 x 512 floats = 512 KiB) stays in L2 while the rows of
// A stream past it; four rows of the C tile (8 KiB) stay in L1.
constexpr int64_t kKc = 256;
constexpr int64_t kNc = 512;

// Copies op(X) (rows x cols, possibly stored transposed) into a dense row-major buffer.
template <typename T>
std::vector<T> PackDense(bool trans, int64_t rows, int64_t cols, const T* x, int64_t ldx) {
  std::vector<T> out(static_cast<size_t>(rows * cols));
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c)
      out[static_cast<size_t>(r * cols + c)] = trans ? x[c * ldx + r] : x[r * ldx + c];
  return out;
}

// C[i0..i0+3, j0:j1] += alpha * A[i0..i0+3, p0:p1] * B[p0:p1, j0:j1]: each loaded element of B
// feeds four rows of C. The restrict-qualified row pointers let the compiler vectorise the j loop.
template <typename T>
void FourRows(int64_t i0, int64_t p0, int64_t p1, int64_t j0, int64_t j1, T alpha, const T* a,
              int64_t lda, const T* b, int64_t ldb, T* c, int64_t ldc) {
  T* __restrict c0 = c + i0 * ldc;
  T* __restrict c1 = c0 + ldc;
  T* __restrict c2 = c1 + ldc;
  T* __restrict c3 = c2 + ldc;
  const T* a0 = a + i0 * lda;
  for (int64_t p = p0; p < p1; ++p) {
    const T v0 = alpha * a0[p], v1 = alpha * a0[lda + p], v2 = alpha * a0[2 * lda + p],
            v3 = alpha * a0[3 * lda + p];
    const T* __restrict brow = b + p * ldb;
    for (int64_t j = j0; j < j1; ++j) {
      const T bv = brow[j];
      c0[j] += v0 * bv;
      c1[j] += v1 * bv;
      c2[j] += v2 * bv;
      c3[j] += v3 * bv;
    }
  }
}

// The same for a single row (the m % 4 leftover rows).
template <typename T>
void OneRow(int64_t i, int64_t p0, int64_t p1, int64_t j0, int64_t j1, T alpha, const T* a,
            int64_t lda, const T* b, int64_t ldb, T* c, int64_t ldc) {
  T* __restrict crow = c + i * ldc;
  for (int64_t p = p0; p < p1; ++p) {
    const T av = alpha * a[i * lda + p];
    const T* __restrict brow = b + p * ldb;
    for (int64_t j = j0; j < j1; ++j) crow[j] += av * brow[j];
  }
}

}  // namespace

template <typename T>
void GemmRef(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, T alpha, const T* a,
             int64_t lda, const T* b, int64_t ldb, T beta, T* c, int64_t ldc) {
  if (m <= 0 || n <= 0) return;
  // C = beta * C first (beta == 0 must not propagate NaN/garbage from C).
  for (int64_t i = 0; i < m; ++i) {
    T* crow = c + i * ldc;
    if (beta == T(0)) {
      std::fill(crow, crow + n, T(0));
    } else if (beta != T(1)) {
      for (int64_t j = 0; j < n; ++j) crow[j] *= beta;
    }
  }
  if (k <= 0) return;
  // Transposed operands are packed once so that the hot loop reads both contiguously.
  std::vector<T> a_packed, b_packed;
  if (trans_a) {
    a_packed = PackDense(true, m, k, a, lda);
    a = a_packed.data();
    lda = k;
  }
  if (trans_b) {
    b_packed = PackDense(true, k, n, b, ldb);
    b = b_packed.data();
    ldb = n;
  }
  // i-k-j order over L2-sized tiles of B; the innermost loop runs along contiguous rows.
  for (int64_t j0 = 0; j0 < n; j0 += kNc) {
    const int64_t j1 = std::min(n, j0 + kNc);
    for (int64_t p0 = 0; p0 < k; p0 += kKc) {
      const int64_t p1 = std::min(k, p0 + kKc);
      int64_t i = 0;
      for (; i + 4 <= m; i += 4) FourRows(i, p0, p1, j0, j1, alpha, a, lda, b, ldb, c, ldc);
      for (; i < m; ++i) OneRow(i, p0, p1, j0, j1, alpha, a, lda, b, ldb, c, ldc);
    }
  }
}

template void GemmRef<float>(bool, bool, int64_t, int64_t, int64_t, float, const float*, int64_t,
                             const float*, int64_t, float, float*, int64_t);
template void GemmRef<double>(bool, bool, int64_t, int64_t, int64_t, double, const double*, int64_t,
                              const double*, int64_t, double, double*, int64_t);
template void GemmRef<int32_t>(bool, bool, int64_t, int64_t, int64_t, int32_t, const int32_t*,
                               int64_t, const int32_t*, int64_t, int32_t, int32_t*, int64_t);
template void GemmRef<int64_t>(bool, bool, int64_t, int64_t, int64_t, int64_t, const int64_t*,
                               int64_t, const int64_t*, int64_t, int64_t, int64_t*, int64_t);

}  // namespace shrink::runtime
