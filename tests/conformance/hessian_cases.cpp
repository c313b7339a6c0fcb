// Second derivatives of composites models use (MAP/Laplace needs Hessians). Each case builds the
// gradient of a scalar composite with autodiff::grad, flattened over its inputs; its value check
// compares that gradient with a closed form, and its gradient check (of sum(w * gradient)) is a
// Hessian-vector check against central differences of the gradient — grad of grad on the
// backend. Covered: exp, log, sigmoid, softplus, log_sigmoid, tanh, lgamma (through digamma to
// trigamma), pow, log_ndtr, matmul (plain and transposed), cholesky + logdet (symmetric and
// built from an unconstrained matrix), trsolve, gather/scatter_add and cumsum.
#include <boost/math/special_functions/digamma.hpp>
#include <boost/math/special_functions/erf.hpp>
#include <cmath>

#include "autodiff/grad.hpp"
#include "case.hpp"
#include "linalg_reference.hpp"

namespace stochos::conformance {

namespace {

using L = long double;

// The gradient of f with respect to every input, flattened and concatenated.
Tensor flat_gradient(const Tensor& f, const std::vector<Tensor>& x) {
  std::vector<Tensor> parts;
  for (const Tensor& g : autodiff::grad(f, x)) parts.push_back(graph::reshape(g, {g.size()}));
  return parts.size() == 1 ? parts[0] : graph::concat(parts);
}

// The gradient is taken with respect to the inputs listed in `wrt` (all when empty); the
// Hessian check moves every differentiable input.
Case hessian(std::string name, std::vector<std::string> ops, std::vector<Input> in,
             std::function<Tensor(const std::vector<Tensor>&)> f,
             std::function<Values(const std::vector<Values>&)> gradient, double tol = 1e-12,
             std::vector<std::size_t> wrt = {}) {
  Case c;
  c.name = std::move(name);
  c.ops = std::move(ops);
  c.inputs = std::move(in);
  c.build = [f, wrt](const std::vector<Tensor>& x) {
    if (wrt.empty()) return flat_gradient(f(x), x);
    std::vector<Tensor> some;
    for (std::size_t k : wrt) some.push_back(x[k]);
    return flat_gradient(f(x), some);
  };
  c.reference = [gradient](const std::vector<Values>& v) {
    Values g = gradient(v);
    const auto n = static_cast<std::int64_t>(g.size());
    return Expected{std::move(g), {n}};
  };
  c.tolerance = tol;
  c.second_order = true;
  return c;
}

double sig(double x) {
  return static_cast<double>(1 / (1 + std::exp(-static_cast<L>(x))));
}

Values join(Values a, const Values& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

}  // namespace

std::vector<Case> hessian_cases() {
  std::vector<Case> cases;
  const Input positive{{5}, DType::f64, 0.5, 3};
  cases.push_back(hessian(
      "hessian_exp_log", {"exp", "log", "mul"}, {positive},
      [](const std::vector<Tensor>& x) {
        return graph::sum(graph::exp(0.5 * x[0]) * graph::log(x[0]));
      },
      [](const std::vector<Values>& v) {
        Values g;
        for (double x : v[0]) g.push_back(std::exp(x / 2) * (std::log(x) / 2 + 1 / x));
        return g;
      }));
  // Two inputs coupled through x y and x - y: the Hessian has off-diagonal blocks.
  cases.push_back(hessian(
      "hessian_softplus_sigmoid", {"softplus", "sigmoid", "mul", "sub"}, {Input{{4}}, Input{{4}}},
      [](const std::vector<Tensor>& x) {
        return graph::sum(graph::softplus(x[0] * x[1]) + graph::sigmoid(x[0] - x[1]));
      },
      [](const std::vector<Values>& v) {
        Values gx, gy;
        for (std::size_t i = 0; i < 4; ++i) {
          const double x = v[0][i], y = v[1][i], s = sig(x * y), d = sig(x - y) * sig(y - x);
          gx.push_back(y * s + d);
          gy.push_back(x * s - d);
        }
        return join(gx, gy);
      }));
  cases.push_back(hessian(
      "hessian_log_sigmoid_tanh", {"log_sigmoid", "tanh", "mul"}, {Input{{5}, DType::f64, -3, 3}},
      [](const std::vector<Tensor>& x) {
        return graph::sum(graph::log_sigmoid(x[0]) * graph::tanh(x[0]));
      },
      [](const std::vector<Values>& v) {
        Values g;
        for (double x : v[0]) {
          const double t = std::tanh(x),
                       ls = -static_cast<double>(std::log1p(std::exp(-static_cast<L>(x))));
          g.push_back(sig(-x) * t + ls * (1 - t * t));
        }
        return g;
      }));
  // lgamma's second derivative is trigamma, reached through digamma's rule.
  cases.push_back(hessian(
      "hessian_lgamma", {"lgamma", "digamma", "mul"},
      {Input{{4}, DType::f64, 0.5, 2}, Input{{4}, DType::f64, 0.5, 2}},
      [](const std::vector<Tensor>& x) { return graph::sum(graph::lgamma(x[0] * x[1])); },
      [](const std::vector<Values>& v) {
        Values gx, gy;
        for (std::size_t i = 0; i < 4; ++i) {
          const double p = boost::math::digamma(v[0][i] * v[1][i]);
          gx.push_back(v[1][i] * p);
          gy.push_back(v[0][i] * p);
        }
        return join(gx, gy);
      },
      1e-13));
  cases.push_back(hessian(
      "hessian_pow", {"pow"}, {Input{{4}, DType::f64, 0.5, 2}, Input{{4}, DType::f64, -2, 2}},
      [](const std::vector<Tensor>& x) { return graph::sum(graph::pow(x[0], x[1])); },
      [](const std::vector<Values>& v) {
        Values ga, gb;
        for (std::size_t i = 0; i < 4; ++i) {
          const double a = v[0][i], b = v[1][i];
          ga.push_back(b * std::pow(a, b - 1));
          gb.push_back(std::pow(a, b) * std::log(a));
        }
        return join(ga, gb);
      }));
  cases.push_back(hessian(
      "hessian_log_ndtr", {"log_ndtr"}, {Input{{5}, DType::f64, -6, 4}},
      [](const std::vector<Tensor>& x) { return graph::sum(graph::log_ndtr(x[0])); },
      [](const std::vector<Values>& v) {
        Values g;
        for (double x : v[0]) {
          const L z = x;
          g.push_back(
              static_cast<double>(std::exp(-z * z / 2) / std::sqrt(2 * 3.14159265358979323846L) /
                                  (boost::math::erfc(-z / std::sqrt(2.0L)) / 2)));
        }
        return g;
      }));
  // sum(exp(A x)): d/dA = exp(Ax) x^T, d/dx = A^T exp(Ax).
  cases.push_back(hessian(
      "hessian_matmul_exp", {"matmul", "exp"},
      {Input{{3, 3}, DType::f64, -1, 1}, Input{{3}, DType::f64, -1, 1}},
      [](const std::vector<Tensor>& x) {
        return graph::sum(graph::exp(graph::matmul(x[0], x[1])));
      },
      [](const std::vector<Values>& v) {
        Values e = matmul(v[0], v[1], 3, 3, 1);
        for (double& y : e) y = std::exp(y);
        Values ga;
        for (std::size_t i = 0; i < 3; ++i)
          for (std::size_t j = 0; j < 3; ++j) ga.push_back(e[i] * v[1][j]);
        return join(ga, matmul(transposed(v[0], 3, 3), e, 3, 3, 1));
      }));
  // |A^T B|_F^2 with the transpose as a matmul flag: d/dA = 2 B B^T A, d/dB = 2 A A^T B.
  cases.push_back(hessian(
      "hessian_matmul_transposed", {"matmul", "square"}, {Input{{3, 2}}, Input{{3, 4}}},
      [](const std::vector<Tensor>& x) {
        return graph::sum(graph::square(graph::matmul(x[0], x[1], true, false)));
      },
      [](const std::vector<Values>& v) {
        const Matrix bbt = matmul(v[1], transposed(v[1], 3, 4), 3, 4, 3);
        const Matrix aat = matmul(v[0], transposed(v[0], 3, 2), 3, 2, 3);
        Matrix ga = matmul(bbt, v[0], 3, 3, 2), gb = matmul(aat, v[1], 3, 3, 4);
        for (double& g : ga) g *= 2;
        for (double& g : gb) g *= 2;
        return join(ga, gb);
      }));
  // log det A for a symmetric A: the gradient is A^-1 (symmetric), the Hessian -A^-1 (x) A^-1,
  // by differences that move A_ij and A_ji together.
  Input spd3{{3, 3}};
  spd3.spd = true;
  const auto inverse = [](const Matrix& a) {
    Matrix inv(9);
    for (std::size_t j = 0; j < 3; ++j) {
      Values e(3, 0.0);
      e[j] = 1;
      const Values col = gauss_solve(a, e, 3);
      for (std::size_t i = 0; i < 3; ++i) inv[i * 3 + j] = col[i];
    }
    return inv;
  };
  cases.push_back(hessian(
      "hessian_cholesky_logdet", {"cholesky", "diag_part", "log", "trsolve"}, {spd3},
      [](const std::vector<Tensor>& x) {
        return graph::logdet_from_cholesky(graph::cholesky(x[0]));
      },
      [inverse](const std::vector<Values>& v) { return inverse(v[0]); }));
  // The same through A = B B^T + 3 I from an unconstrained B: d/dB = 2 A^-1 B.
  cases.push_back(hessian(
      "hessian_cholesky_logdet_unconstrained", {"cholesky", "matmul", "trsolve"}, {Input{{3, 3}}},
      [](const std::vector<Tensor>& x) {
        return graph::logdet_from_cholesky(graph::cholesky(spd(x[0])));
      },
      [inverse](const std::vector<Values>& v) {
        Matrix g = matmul(inverse(spd(v[0])), v[0], 3, 3, 3);
        for (double& e : g) e *= 2;
        return g;
      }));
  // The Mahalanobis form |L^-1 y|^2 with L = tril(B) + 3 I: d/dy = 2 L^-T L^-1 y. The Hessian
  // check moves B as well, so the mixed derivatives d2/dy dB through trsolve's rule count too.
  cases.push_back(hessian(
      "hessian_trsolve_quadratic", {"trsolve", "square"}, {Input{{3, 3}}, Input{{3}}},
      [](const std::vector<Tensor>& x) {
        return graph::sum(graph::square(graph::solve_triangular(lower_of(x[0]), x[1])));
      },
      [](const std::vector<Values>& v) {
        const Matrix l = lower_of(v[0]);
        Matrix gy = solve_upper(transposed(l, 3, 3), solve_lower(l, v[1], 3, 1), 3, 1);
        for (double& e : gy) e *= 2;
        return gy;
      },
      1e-12, {1}));
  // Repeated indices: the gradient of a is a scatter_add of the picks' cotangents.
  const Values idx = {2, 0, 2, 1, 2};
  cases.push_back(hessian(
      "hessian_gather_exp", {"gather", "scatter_add", "exp"}, {Input{{3}}, Input{{5}}},
      [idx](const std::vector<Tensor>& x) {
        const Tensor i = graph::constant(x[0].graph(), {5}, idx, DType::i64);
        return graph::sum(graph::exp(graph::gather(x[0], i)) * x[1]);
      },
      [idx](const std::vector<Values>& v) {
        Values ga(3, 0.0), gy;
        for (std::size_t k = 0; k < 5; ++k) {
          const double e = std::exp(v[0][static_cast<std::size_t>(idx[k])]);
          ga[static_cast<std::size_t>(idx[k])] += e * v[1][k];
          gy.push_back(e);
        }
        return join(ga, gy);
      }));
  // softplus of a prefix sum: d/dx_i = sum_{j >= i} sigmoid(c_j), a suffix sum.
  cases.push_back(hessian(
      "hessian_cumsum_softplus", {"cumsum", "softplus"}, {Input{{6}}},
      [](const std::vector<Tensor>& x) { return graph::sum(graph::softplus(graph::cumsum(x[0]))); },
      [](const std::vector<Values>& v) {
        Values c(6), g(6);
        double acc = 0;
        for (std::size_t i = 0; i < 6; ++i) c[i] = acc += v[0][i];
        double suffix = 0;
        for (std::size_t i = 6; i-- > 0;) g[i] = suffix += sig(c[i]);
        return g;
      }));
  return cases;
}

}  // namespace stochos::conformance
