// Linear algebra: matmul in every transposition and with vectors (transposed too), dot, diag both
// ways (rectangular too), tril, cholesky, triangular solves (lower/upper, transpose_a, vector and
// matrix right-hand sides) and the log-determinant from a Cholesky factor. Matrices that must be
// positive definite or well conditioned are either built in the graph from unconstrained inputs
// (A = B B^T + 3 I) or fed as symmetric inputs whose finite differences move A_ij and A_ji
// together (Input::spd). References are loops written here (Cholesky-Banachiewicz, substitution,
// Gaussian elimination).
#include <cmath>
#include <utility>

#include "case.hpp"
#include "linalg_reference.hpp"

namespace stochos::conformance {

namespace {

Case make(std::string name, std::vector<std::string> ops, std::vector<Input> in,
          std::function<Tensor(const std::vector<Tensor>&)> build,
          std::function<Expected(const std::vector<Values>&)> ref, double tol = 1e-13) {
  Case c =
      make_case(std::move(name), std::move(ops), std::move(in), std::move(build), std::move(ref));
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
      "dot", {"mul", "sum"}, {Input{{5}}, Input{{5}}},
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
      "tril", {"where"}, {Input{{3, 3}}},
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
  cases.push_back(make(
      "trsolve_lower_transpose_matrix", {"trsolve"}, {Input{{3, 3}}, Input{{3, 2}}},
      [](const std::vector<Tensor>& x) {
        return graph::solve_triangular(lower_of(x[0]), x[1], /*lower=*/true, /*transpose_a=*/true);
      },
      [](const std::vector<Values>& v) {
        return Expected{solve_upper(transposed(lower_of(v[0]), 3, 3), v[1], 3, 2), {3, 2}};
      }));
  // upper with transpose_a: U^T X = B with U = L^T is L X = B.
  cases.push_back(make(
      "trsolve_upper_transpose_matrix", {"trsolve", "transpose"}, {Input{{3, 3}}, Input{{3, 2}}},
      [](const std::vector<Tensor>& x) {
        return graph::solve_triangular(graph::transpose(lower_of(x[0])), x[1], /*lower=*/false,
                                       /*transpose_a=*/true);
      },
      [](const std::vector<Values>& v) {
        return Expected{solve_lower(lower_of(v[0]), v[1], 3, 2), {3, 2}};
      }));
  cases.back().f32_tolerance = 1e-5;
  // A vector against a transposed matrix, on either side.
  cases.push_back(make(
      "matmul_transposed_matrix_vector", {"matmul"}, {Input{{4, 3}}, Input{{4}}},
      [](const std::vector<Tensor>& x) { return graph::matmul(x[0], x[1], true); },
      [](const std::vector<Values>& v) {
        return Expected{matmul(transposed(v[0], 4, 3), v[1], 3, 4, 1), {3}};
      },
      1e-14));
  cases.push_back(make(
      "matmul_vector_transposed_matrix", {"matmul"}, {Input{{3}}, Input{{2, 3}}},
      [](const std::vector<Tensor>& x) { return graph::matmul(x[0], x[1], false, true); },
      [](const std::vector<Values>& v) {
        return Expected{matmul(v[0], transposed(v[1], 2, 3), 1, 3, 2), {2}};
      },
      1e-14));
  // The diagonal of a rectangular matrix (its gradient places a square block in a corner).
  cases.push_back(make(
      "diag_part_wide", {"diag_part"}, {Input{{2, 3}}},
      [](const std::vector<Tensor>& x) { return graph::diag(x[0]); },
      [](const std::vector<Values>& v) {
        return Expected{{v[0][0], v[0][4]}, {2}};
      },
      0));
  cases.push_back(make(
      "diag_part_tall", {"diag_part"}, {Input{{3, 2}}},
      [](const std::vector<Tensor>& x) { return graph::diag(x[0]); },
      [](const std::vector<Values>& v) {
        return Expected{{v[0][0], v[0][3]}, {2}};
      },
      0));
  // Symmetric positive-definite inputs, differentiated as symmetric matrices.
  Input spd4{{4, 4}};
  spd4.spd = true;
  cases.push_back(make(
      "cholesky_spd_input", {"cholesky"}, {spd4},
      [](const std::vector<Tensor>& x) { return graph::cholesky(x[0]); },
      [](const std::vector<Values>& v) {
        return Expected{cholesky(v[0], 4), {4, 4}};
      }));
  cases.back().f32_tolerance = 1e-5;
  cases.push_back(make(
      "logdet_spd_input", {"cholesky", "diag_part", "log"}, {spd4},
      [](const std::vector<Tensor>& x) {
        return graph::logdet_from_cholesky(graph::cholesky(x[0]));
      },
      [](const std::vector<Values>& v) {
        const Matrix l = cholesky(v[0], 4);
        long double s = 0;
        for (int i = 0; i < 4; ++i)
          s += 2 * std::log(static_cast<long double>(l[static_cast<std::size_t>(i * 5)]));
        return Expected{{static_cast<double>(s)}, {}};
      }));
  // A x = b through the factor, L^T (L^-1 b): both solves and cholesky's symmetric gradient;
  // the reference is elimination on A itself.
  cases.push_back(make(
      "cholesky_solve_spd_input", {"cholesky", "trsolve"}, {spd4, Input{{4}}},
      [](const std::vector<Tensor>& x) {
        const Tensor l = graph::cholesky(x[0]);
        return graph::solve_triangular(l, graph::solve_triangular(l, x[1]), true, true);
      },
      [](const std::vector<Values>& v) {
        return Expected{gauss_solve(v[0], v[1], 4), {4}};
      }));
  cases.back().f32_tolerance = 1e-5;
  // Sizes past Eigen's small-matrix paths: a 17 x 33 by 33 x 9 product, and a 12 x 12
  // factor, a solve against it and its log-determinant.
  cases.push_back(make(
      "matmul_larger", {"matmul"}, {Input{{17, 33}}, Input{{33, 9}}},
      [](const std::vector<Tensor>& x) { return graph::matmul(x[0], x[1]); },
      [](const std::vector<Values>& v) {
        return Expected{matmul(v[0], v[1], 17, 33, 9), {17, 9}};
      },
      1e-12));
  Input spd12{{12, 12}};
  spd12.spd = true;
  cases.push_back(make(
      "cholesky_spd_12", {"cholesky", "trsolve", "diag_part", "log"}, {spd12, Input{{12, 2}}},
      [](const std::vector<Tensor>& x) {
        const Tensor l = graph::cholesky(x[0]);
        return graph::concat({graph::reshape(l, {144}),
                              graph::reshape(graph::solve_triangular(l, x[1]), {24}),
                              graph::reshape(graph::logdet_from_cholesky(l), {1})});
      },
      [](const std::vector<Values>& v) {
        const Matrix l = cholesky(v[0], 12);
        Values out = l;
        const Matrix y = solve_lower(l, v[1], 12, 2);
        out.insert(out.end(), y.begin(), y.end());
        long double s = 0;
        for (std::size_t i = 0; i < 12; ++i) s += 2 * std::log(static_cast<long double>(l[i * 13]));
        out.push_back(static_cast<double>(s));
        return Expected{out, {169}};
      },
      1e-12));
  return cases;
}

}  // namespace stochos::conformance
