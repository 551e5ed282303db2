// GemmRef: the one reference matrix-multiply routine that Conv, ConvTranspose, Gemm, MatMul, the
// recurrent ops and the integer/quantized ops share.
//
// Contract: C[M,N] = alpha * op(A) * op(B) + beta * C, all row-major with leading dimensions
// (lda, ldb, ldc). op(A) is A[M,K] (trans_a = false) or A^T where A is stored [K,M]; likewise
// op(B) is B[K,N] or B^T with B stored [N,K]. beta == 0 overwrites C without reading it (so C may
// hold garbage or NaN); C must not overlap A or B. Single-threaded; accumulates in T. Loop order
// is i-k-j over tiles of B that fit the L2 cache, four rows of C at a time, with a contiguous
// innermost loop that the compiler vectorises (gemm_ref.cc is built with -O3, see
// src/CMakeLists.txt: GCC 12 does not vectorise it at -O2). Instantiated for float, double,
// int32_t and int64_t.
#pragma once

#include <cstdint>

namespace shrink::runtime {

template <typename T>
void GemmRef(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, T alpha, const T* a,
             int64_t lda, const T* b, int64_t ldb, T beta, T* c, int64_t ldc);

// Convenience for dense, untransposed operands: C[M,N] = A[M,K] * B[K,N] (+ C when accumulate).
template <typename T>
void MatMulRef(int64_t m, int64_t n, int64_t k, const T* a, const T* b, T* c,
               bool accumulate = false) {
  GemmRef<T>(false, false, m, n, k, T(1), a, k, b, n, accumulate ? T(1) : T(0), c, n);
}

}  // namespace shrink::runtime
