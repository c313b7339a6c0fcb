// Dense reference linear algebra for the conformance cases, on row-major std::vector<double>
// (loops written here, independent of Eigen and the engines), and the graph builders of the
// well-conditioned matrices the cases feed to cholesky and the triangular solves.
#pragma once

#include <cmath>
#include <utility>
#include <vector>

#include "case.hpp"

namespace stochos::conformance {

using Matrix = std::vector<double>;  // row-major

inline Matrix matmul(const Matrix& a, const Matrix& b, int n, int k, int m) {
  Matrix c(static_cast<std::size_t>(n * m), 0.0);
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < m; ++j)
      for (int l = 0; l < k; ++l)
        c[static_cast<std::size_t>(i * m + j)] +=
            a[static_cast<std::size_t>(i * k + l)] * b[static_cast<std::size_t>(l * m + j)];
  return c;
}

inline Matrix transposed(const Matrix& a, int rows, int cols) {
  Matrix t(a.size());
  for (int i = 0; i < rows; ++i)
    for (int j = 0; j < cols; ++j)
      t[static_cast<std::size_t>(j * rows + i)] = a[static_cast<std::size_t>(i * cols + j)];
  return t;
}

// B B^T + 3 I for a 3 x 3 B.
inline Matrix spd(const Matrix& b) {
  Matrix a = matmul(b, transposed(b, 3, 3), 3, 3, 3);
  for (int i = 0; i < 3; ++i) a[static_cast<std::size_t>(i * 4)] += 3;
  return a;
}
inline Tensor spd(const Tensor& b) {
  return graph::matmul(b, b, false, true) +
         graph::diag(graph::full(b.graph(), {3}, 3.0, b.dtype()));
}

// Cholesky-Banachiewicz.
inline Matrix cholesky(const Matrix& a, int n) {
  Matrix l(a.size(), 0.0);
  for (int i = 0; i < n; ++i)
    for (int j = 0; j <= i; ++j) {
      double s = a[static_cast<std::size_t>(i * n + j)];
      for (int k = 0; k < j; ++k)
        s -= l[static_cast<std::size_t>(i * n + k)] * l[static_cast<std::size_t>(j * n + k)];
      l[static_cast<std::size_t>(i * n + j)] =
          i == j ? std::sqrt(s) : s / l[static_cast<std::size_t>(j * n + j)];
    }
  return l;
}

// Solves T x = b for a lower-triangular T (n x n) and b with `cols` columns.
inline Matrix solve_lower(const Matrix& t, const Matrix& b, int n, int cols) {
  Matrix x = b;
  for (int c = 0; c < cols; ++c)
    for (int i = 0; i < n; ++i) {
      double s = x[static_cast<std::size_t>(i * cols + c)];
      for (int k = 0; k < i; ++k)
        s -= t[static_cast<std::size_t>(i * n + k)] * x[static_cast<std::size_t>(k * cols + c)];
      x[static_cast<std::size_t>(i * cols + c)] = s / t[static_cast<std::size_t>(i * n + i)];
    }
  return x;
}

// tril(B) + 3 I: a well-conditioned lower-triangular matrix.
inline Matrix lower_of(const Matrix& b) {
  Matrix l(9, 0.0);
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j <= i; ++j)
      l[static_cast<std::size_t>(i * 3 + j)] =
          b[static_cast<std::size_t>(i * 3 + j)] + (i == j ? 3 : 0);
  return l;
}
inline Tensor lower_of(const Tensor& b) {
  return graph::tril(b) + graph::diag(graph::full(b.graph(), {3}, 3.0, b.dtype()));
}

// Solves T x = b for an upper-triangular T (n x n) and b with `cols` columns.
inline Matrix solve_upper(const Matrix& t, const Matrix& b, int n, int cols) {
  Matrix x = b;
  for (int c = 0; c < cols; ++c)
    for (int i = n - 1; i >= 0; --i) {
      double s = x[static_cast<std::size_t>(i * cols + c)];
      for (int k = i + 1; k < n; ++k)
        s -= t[static_cast<std::size_t>(i * n + k)] * x[static_cast<std::size_t>(k * cols + c)];
      x[static_cast<std::size_t>(i * cols + c)] = s / t[static_cast<std::size_t>(i * n + i)];
    }
  return x;
}

// Solves A x = b by Gaussian elimination with partial pivoting, in long double (independent of
// any Cholesky factor).
inline Matrix gauss_solve(const Matrix& a, const Matrix& b, int n) {
  std::vector<long double> m(a.begin(), a.end()), r(b.begin(), b.end());
  const auto A = [&](int i, int j) -> long double& {
    return m[static_cast<std::size_t>(i * n + j)];
  };
  for (int col = 0; col < n; ++col) {
    int p = col;
    for (int i = col + 1; i < n; ++i)
      if (std::abs(A(i, col)) > std::abs(A(p, col))) p = i;
    for (int j = 0; j < n; ++j) std::swap(A(col, j), A(p, j));
    std::swap(r[static_cast<std::size_t>(col)], r[static_cast<std::size_t>(p)]);
    for (int i = col + 1; i < n; ++i) {
      const long double f = A(i, col) / A(col, col);
      for (int j = col; j < n; ++j) A(i, j) -= f * A(col, j);
      r[static_cast<std::size_t>(i)] -= f * r[static_cast<std::size_t>(col)];
    }
  }
  Matrix x(static_cast<std::size_t>(n));
  for (int i = n - 1; i >= 0; --i) {
    long double s = r[static_cast<std::size_t>(i)];
    for (int k = i + 1; k < n; ++k) s -= A(i, k) * x[static_cast<std::size_t>(k)];
    x[static_cast<std::size_t>(i)] = static_cast<double>(s / A(i, i));
  }
  return x;
}

}  // namespace stochos::conformance
