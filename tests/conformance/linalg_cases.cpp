// Linear algebra: matmul in every transposition and with vectors, dot, diag both ways, tril,
// cholesky, triangular solves and the log-determinant from a Cholesky factor. Matrices that must
// be positive definite or well conditioned are built in the graph from unconstrained inputs
// (A = B B^T + 3 I), so their gradients are well defined; references are loops written here.
#include <cmath>

#include "case.hpp"

namespace stochos::conformance {

namespace {

using Matrix = std::vector<double>;  // row-major

Matrix matmul(const Matrix& a, const Matrix& b, int n, int k, int m) {
  Matrix c(static_cast<std::size_t>(n * m), 0.0);
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < m; ++j)
      for (int l = 0; l < k; ++l)
        c[static_cast<std::size_t>(i * m + j)] +=
            a[static_cast<std::size_t>(i * k + l)] * b[static_cast<std::size_t>(l * m + j)];
  return c;
}

Matrix transposed(const Matrix& a, int rows, int cols) {
  Matrix t(a.size());
  for (int i = 0; i < rows; ++i)
    for (int j = 0; j < cols; ++j)
      t[static_cast<std::size_t>(j * rows + i)] = a[static_cast<std::size_t>(i * cols + j)];
  return t;
}

// B B^T + 3 I for a 3 x 3 B.
Matrix spd(const Matrix& b) {
  Matrix a = matmul(b, transposed(b, 3, 3), 3, 3, 3);
  for (int i = 0; i < 3; ++i) a[static_cast<std::size_t>(i * 4)] += 3;
  return a;
}
Tensor spd(const Tensor& b) {
  return graph::matmul(b, b, false, true) + graph::diag(graph::full(b.graph(), {3}, 3.0));
}

// Cholesky-Banachiewicz.
Matrix cholesky(const Matrix& a, int n) {
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
Matrix solve_lower(const Matrix& t, const Matrix& b, int n, int cols) {
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
Matrix lower_of(const Matrix& b) {
  Matrix l(9, 0.0);
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j <= i; ++j)
      l[static_cast<std::size_t>(i * 3 + j)] =
          b[static_cast<std::size_t>(i * 3 + j)] + (i == j ? 3 : 0);
  return l;
}
Tensor lower_of(const Tensor& b) {
  return graph::tril(b) + graph::diag(graph::full(b.graph(), {3}, 3.0));
}

Case make(std::string name, std::vector<std::string> ops, std::vector<Input> in,
          std::function<Tensor(const std::vector<Tensor>&)> build,
          std::function<Expected(const std::vector<Values>&)> ref, double tol = 1e-13) {
  Case c;
  c.name = std::move(name);
  c.ops = std::move(ops);
  c.inputs = std::move(in);
  c.build = std::move(build);
  c.reference = std::move(ref);
  c.tolerance = tol;
  return c;
}

}  // namespace

std::vector<Case> linalg_cases() {
  std::vector<Case> cases;
  for (bool ta : {false, true})
    for (bool tb : {false, true}) {
      // op(A) is 2 x 3 and op(B) is 3 x 4.
      const Shape sa = ta ? Shape{3, 2} : Shape{2, 3}, sb = tb ? Shape{4, 3} : Shape{3, 4};
      Case c = make(
          std::string("matmul") + (ta ? "_ta" : "") + (tb ? "_tb" : ""), {"matmul"},
          {Input{sa}, Input{sb}},
          [ta, tb](const std::vector<Tensor>& x) { return graph::matmul(x[0], x[1], ta, tb); },
          [ta, tb](const std::vector<Values>& v) {
            const Matrix a = ta ? transposed(v[0], 3, 2) : v[0];
            const Matrix b = tb ? transposed(v[1], 4, 3) : v[1];
            return Expected{matmul(a, b, 2, 3, 4), {2, 4}};
          },
          1e-14);
      c.f32_tolerance = ta || tb ? 0 : 2e-6;
      cases.push_back(c);
    }
  cases.push_back(make(
      "matmul_matrix_vector", {"matmul"}, {Input{{3, 4}}, Input{{4}}},
      [](const std::vector<Tensor>& x) { return graph::matmul(x[0], x[1]); },
      [](const std::vector<Values>& v) {
        return Expected{matmul(v[0], v[1], 3, 4, 1), {3}};
      },
      1e-14));
  cases.push_back(make(
      "matmul_vector_matrix", {"matmul"}, {Input{{3}}, Input{{3, 2}}},
      [](const std::vector<Tensor>& x) { return graph::matmul(x[0], x[1]); },
      [](const std::vector<Values>& v) {
        return Expected{matmul(v[0], v[1], 1, 3, 2), {2}};
      },
      1e-14));
  cases.push_back(make(
      "dot", {"matmul"}, {Input{{5}}, Input{{5}}},
      [](const std::vector<Tensor>& x) { return graph::dot(x[0], x[1]); },
      [](const std::vector<Values>& v) {
        return Expected{matmul(v[0], v[1], 1, 5, 1), {}};
      },
      1e-14));
  cases.push_back(make(
      "diag_part", {"diag_part"}, {Input{{3, 3}}},
      [](const std::vector<Tensor>& x) { return graph::diag(x[0]); },
      [](const std::vector<Values>& v) {
        return Expected{{v[0][0], v[0][4], v[0][8]}, {3}};
      },
      0));
  cases.push_back(make(
      "diag_embed", {"diag_embed"}, {Input{{3}}},
      [](const std::vector<Tensor>& x) { return graph::diag(x[0]); },
      [](const std::vector<Values>& v) {
        return Expected{{v[0][0], 0, 0, 0, v[0][1], 0, 0, 0, v[0][2]}, {3, 3}};
      },
      0));
  cases.push_back(make(
      "tril", {"where", "less_equal"}, {Input{{3, 3}}},
      [](const std::vector<Tensor>& x) { return graph::tril(x[0]); },
      [](const std::vector<Values>& v) {
        Matrix l;
        for (int i = 0; i < 3; ++i)
          for (int j = 0; j < 3; ++j)
            l.push_back(j <= i ? v[0][static_cast<std::size_t>(i * 3 + j)] : 0.0);
        return Expected{l, {3, 3}};
      },
      0));
  cases.push_back(make(
      "cholesky", {"cholesky", "matmul"}, {Input{{3, 3}}},
      [](const std::vector<Tensor>& x) { return graph::cholesky(spd(x[0])); },
      [](const std::vector<Values>& v) {
        return Expected{cholesky(spd(v[0]), 3), {3, 3}};
      },
      1e-13));
  cases.push_back(make(
      "logdet_from_cholesky", {"cholesky", "diag_part", "log"}, {Input{{3, 3}}},
      [](const std::vector<Tensor>& x) {
        return graph::logdet_from_cholesky(graph::cholesky(spd(x[0])));
      },
      [](const std::vector<Values>& v) {
        const Matrix l = cholesky(spd(v[0]), 3);
        return Expected{{2 * (std::log(l[0]) + std::log(l[4]) + std::log(l[8]))}, {}};
      },
      1e-13));
  cases.push_back(make(
      "trsolve_lower_matrix", {"trsolve"}, {Input{{3, 3}}, Input{{3, 2}}},
      [](const std::vector<Tensor>& x) { return graph::solve_triangular(lower_of(x[0]), x[1]); },
      [](const std::vector<Values>& v) {
        return Expected{solve_lower(lower_of(v[0]), v[1], 3, 2), {3, 2}};
      }));
  cases.push_back(make(
      "trsolve_lower_vector", {"trsolve"}, {Input{{3, 3}}, Input{{3}}},
      [](const std::vector<Tensor>& x) { return graph::solve_triangular(lower_of(x[0]), x[1]); },
      [](const std::vector<Values>& v) {
        return Expected{solve_lower(lower_of(v[0]), v[1], 3, 1), {3}};
      }));
  // Upper: U = L^T, so U x = b; transpose_a with lower L solves L^T x = b, the same system.
  const auto upper_ref = [](const std::vector<Values>& v) {
    // Back substitution on U = L^T.
    const Matrix u = transposed(lower_of(v[0]), 3, 3);
    Matrix x = v[1];
    for (int i = 2; i >= 0; --i) {
      double s = x[static_cast<std::size_t>(i)];
      for (int k = i + 1; k < 3; ++k)
        s -= u[static_cast<std::size_t>(i * 3 + k)] * x[static_cast<std::size_t>(k)];
      x[static_cast<std::size_t>(i)] = s / u[static_cast<std::size_t>(i * 3 + i)];
    }
    return Expected{x, {3}};
  };
  cases.push_back(make(
      "trsolve_upper", {"trsolve", "transpose"}, {Input{{3, 3}}, Input{{3}}},
      [](const std::vector<Tensor>& x) {
        return graph::solve_triangular(graph::transpose(lower_of(x[0])), x[1], /*lower=*/false);
      },
      upper_ref));
  cases.push_back(make(
      "trsolve_transpose_a", {"trsolve"}, {Input{{3, 3}}, Input{{3}}},
      [](const std::vector<Tensor>& x) {
        return graph::solve_triangular(lower_of(x[0]), x[1], /*lower=*/true, /*transpose_a=*/true);
      },
      upper_ref));
  return cases;
}

}  // namespace stochos::conformance
