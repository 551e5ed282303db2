#include "runtime/kernels/gemm_ref.h"

#include <algorithm>
#include <vector>

namespace shrink::runtime {
namespace {

// Tile sizes: a kKc x kNc block of B (128 x 512 floats = 256 KiB) stays in L2 while every row of
// A streams past it; one row of the C tile (2 KiB) stays in L1.
constexpr int64_t kKc = 128;
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
  for (int64_t j0 = 0; j0 < n; j0 += kNc) {
    const int64_t j1 = std::min(n, j0 + kNc);
    for (int64_t p0 = 0; p0 < k; p0 += kKc) {
      const int64_t p1 = std::min(k, p0 + kKc);
      for (int64_t i = 0; i < m; ++i) {
        const T* arow = a + i * lda;
        T* crow = c + i * ldc;
        for (int64_t p = p0; p < p1; ++p) {
          const T av = alpha * arow[p];
          const T* brow = b + p * ldb;
          for (int64_t j = j0; j < j1; ++j) crow[j] += av * brow[j];
        }
      }
    }
  }
}

template void GemmRef<float>(bool, bool, int64_t, int64_t, int64_t, float, const float*, int64_t,
                             const float*, int64_t, float, float*, int64_t);
template void GemmRef<double>(bool, bool, int64_t, int64_t, int64_t, double, const double*,
                              int64_t, const double*, int64_t, double, double*, int64_t);
template void GemmRef<int32_t>(bool, bool, int64_t, int64_t, int64_t, int32_t, const int32_t*,
                               int64_t, const int32_t*, int64_t, int32_t, int32_t*, int64_t);
template void GemmRef<int64_t>(bool, bool, int64_t, int64_t, int64_t, int64_t, const int64_t*,
                               int64_t, const int64_t*, int64_t, int64_t, int64_t*, int64_t);

}  // namespace shrink::runtime
