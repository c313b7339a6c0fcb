// Gradients of composite functions, the shapes models produce, against central finite
// differences at random points.
#include <cmath>
#include <limits>

#include "check.hpp"

namespace stochos::autodiff::test {
namespace {

using namespace stochos::graph;

constexpr double kHalfLog2Pi = 0.91893853320467274178;

// (A + A^T) / 2: cholesky reads a symmetric matrix, so finite differences must perturb A_ij and
// A_ji together; going through sym makes any perturbation of A a valid one.
Tensor sym(const Tensor& a) {
  return 0.5 * (a + transpose(a));
}

// A random n x n matrix M M^T / n + I, comfortably positive definite, flattened.
Values spd(std::mt19937_64& rng, std::int64_t n) {
  const Values m = uniform(rng, static_cast<std::size_t>(n * n), -1, 1);
  Values a(static_cast<std::size_t>(n * n));
  for (std::int64_t i = 0; i < n; ++i)
    for (std::int64_t j = 0; j < n; ++j) {
      double s = i == j ? 1.0 : 0.0;
      for (std::int64_t k = 0; k < n; ++k)
        s += m[static_cast<std::size_t>(i * n + k)] * m[static_cast<std::size_t>(j * n + k)] /
             static_cast<double>(n);
      a[static_cast<std::size_t>(i * n + j)] = s;
    }
  return a;
}

TEST(Composite, LogisticRegressionLogDensity) {
  std::mt19937_64 rng(1);
  Graph g;
  const std::int64_t n = 8, d = 3;
  Tensor xm = constant(g, {n, d}, uniform(rng, n * d, -2, 2));
  Values yv(n);
  for (std::size_t i = 0; i < yv.size(); ++i) yv[i] = i % 3 == 0 ? 1.0 : 0.0;
  Tensor y = constant(g, {n}, yv);
  Tensor beta = input(g, "beta", DType::f64, {d});
  Tensor alpha = input(g, "alpha", DType::f64, {});
  Tensor eta = matmul(xm, beta) + alpha;
  Tensor lp = sum(y * log_sigmoid(eta) + (1.0 - y) * log_sigmoid(-eta)) - 0.5 * sum(square(beta)) -
              0.5 * square(alpha / 2.0);
  expect_gradient_matches_fd({beta, alpha}, {uniform(rng, d, -1, 1), {0.3}}, lp);
}

TEST(Composite, NormalLogDensityWithBroadcasting) {
  // y [4, 3] against mu [3] and sigma [4, 1] (through exp of an unconstrained log-scale), plus
  // a scalar offset: each parameter is broadcast along a different axis.
  std::mt19937_64 rng(2);
  Graph g;
  Tensor y = constant(g, {4, 3}, uniform(rng, 12, -3, 3));
  Tensor mu = input(g, "mu", DType::f64, {3});
  Tensor log_sigma = input(g, "log_sigma", DType::f64, {4, 1});
  Tensor shift = input(g, "shift", DType::f64, {});
  Tensor sigma = exp(log_sigma);
  Tensor z = (y - (mu + shift)) / sigma;
  Tensor lp = sum(-0.5 * square(z) - log(broadcast_to(sigma, {4, 3})) - kHalfLog2Pi);
  expect_gradient_matches_fd({mu, log_sigma, shift},
                             {uniform(rng, 3, -1, 1), uniform(rng, 4, -0.5, 0.5), {0.2}}, lp);
}

TEST(Composite, HierarchicalModelWithGather) {
  // Non-centred radon-style model: theta = mu + tau * eta, y_i ~ normal(theta[county_i], 1);
  // counties repeat, so gather's gradient must add up the picks.
  std::mt19937_64 rng(3);
  Graph g;
  Tensor county = constant(g, {7}, {0, 2, 1, 2, 2, 0, 3}, DType::i64);
  Tensor y = constant(g, {7}, uniform(rng, 7, -2, 2));
  Tensor mu = input(g, "mu", DType::f64, {});
  Tensor log_tau = input(g, "log_tau", DType::f64, {});
  Tensor eta = input(g, "eta", DType::f64, {4});
  Tensor theta = mu + exp(log_tau) * eta;
  Tensor lp = sum(-0.5 * square(y - gather(theta, county))) - 0.5 * sum(square(eta)) -
              0.5 * square(mu) + log_tau;
  expect_gradient_matches_fd({mu, log_tau, eta}, {{0.1}, {-0.3}, uniform(rng, 4, -1, 1)}, lp);
}

TEST(Composite, MixtureWithLogsumexpAndMinusInfinityWeights) {
  // log p(y) = sum_i logsumexp_k(log w_k + log N(y_i | mu_k, 1)) with one weight exactly 0:
  // that component is -inf everywhere and must contribute nothing, not NaN.
  std::mt19937_64 rng(4);
  Graph g;
  const double inf = std::numeric_limits<double>::infinity();
  Tensor log_w = constant(g, {1, 3}, {std::log(0.3), -inf, std::log(0.7)});
  Tensor y = constant(g, {5, 1}, uniform(rng, 5, -2, 2));
  Tensor mu = input(g, "mu", DType::f64, {3});
  Tensor lp = sum(logsumexp(log_w - 0.5 * square(y - mu) - kHalfLog2Pi, 1));
  const Values muv = uniform(rng, 3, -1, 1);
  expect_gradient_matches_fd({mu}, {muv}, lp);
  // The dead component's mean gets exactly zero.
  EXPECT_EQ(eval({mu}, {muv}, grad(lp, {mu}))[0][1], 0.0);
}

TEST(Composite, MatmulChainsForEveryTransposeFlag) {
  std::mt19937_64 rng(5);
  for (int ta = 0; ta < 2; ++ta)
    for (int tb = 0; tb < 2; ++tb) {
      SCOPED_TRACE("transpose_a=" + std::to_string(ta) + " transpose_b=" + std::to_string(tb));
      Graph g;
      // op(A) is 2 x 3, op(B) is 3 x 4.
      Tensor a = input(g, "A", DType::f64, ta ? Shape{3, 2} : Shape{2, 3});
      Tensor b = input(g, "B", DType::f64, tb ? Shape{4, 3} : Shape{3, 4});
      Tensor w = constant(g, {2, 4}, uniform(rng, 8, -1, 1));
      Tensor c = matmul(a, b, ta != 0, tb != 0);
      // sin makes the cotangent depend on the point; a second product makes B's cotangent
      // flow through two matmuls.
      Tensor f = sum(sin(c) * w) + sum(square(matmul(c, b, false, tb == 0)));
      expect_gradient_matches_fd({a, b}, {uniform(rng, 6, -1, 1), uniform(rng, 12, -1, 1)}, f);
    }
}

TEST(Composite, MatrixVectorProductsAndDot) {
  std::mt19937_64 rng(6);
  Graph g;
  Tensor a = input(g, "A", DType::f64, {3, 4});
  Tensor v = input(g, "v", DType::f64, {4});
  Tensor u = input(g, "u", DType::f64, {3});
  Tensor f = dot(u, matmul(a, v)) + sum(tanh(matmul(u, a)));
  expect_gradient_matches_fd(
      {a, v, u}, {uniform(rng, 12, -1, 1), uniform(rng, 4, -1, 1), uniform(rng, 3, -1, 1)}, f);
}

TEST(Composite, CholeskyLogDeterminantAndQuadraticForm) {
  // The multivariate normal log density through its Cholesky factor:
  // -0.5 |L^-1 (y - mu)|^2 - log det L, with L = chol(sym(A)).
  std::mt19937_64 rng(7);
  const std::int64_t n = 4;
  Graph g;
  Tensor a = input(g, "A", DType::f64, {n, n});
  Tensor mu = input(g, "mu", DType::f64, {n});
  Tensor y = constant(g, {n}, uniform(rng, n, -1, 1));
  Tensor l = cholesky(sym(a));
  Tensor z = solve_triangular(l, y - mu, true, false);
  Tensor lp = -0.5 * sum(square(z)) - 0.5 * logdet_from_cholesky(l);
  expect_gradient_matches_fd({a, mu}, {spd(rng, n), uniform(rng, n, -1, 1)}, lp);
}

TEST(Composite, CholeskyFactorEntriesDirectly) {
  // Weights on every entry of L, the upper zeros included: only the lower triangle of the
  // cotangent may matter.
  std::mt19937_64 rng(8);
  const std::int64_t n = 3;
  Graph g;
  Tensor a = input(g, "A", DType::f64, {n, n});
  Tensor w = constant(g, {n, n}, uniform(rng, n * n, -1, 1));
  Tensor l = cholesky(sym(a));
  Tensor f = sum(w * l) + sum(square(l) * l);
  expect_gradient_matches_fd({a}, {spd(rng, n)}, f);
}

TEST(Composite, LogDeterminantGradientIsTheInverse) {
  // d log det S / dS = S^-1 (symmetric), here for a 2 x 2 S fed to cholesky directly.
  Graph g;
  Tensor s = input(g, "S", DType::f64, {2, 2});
  Tensor f = logdet_from_cholesky(cholesky(s));
  const double p = 2.0, q = 0.6, r = 1.5, det = p * r - q * q;
  const auto got = eval({s}, {{p, q, q, r}}, grad(f, {s}))[0];
  EXPECT_TRUE(close(got, {r / det, -q / det, -q / det, p / det}, 1e-14, 0, "S^-1"));
}

TEST(Composite, TriangularSolvesForEveryFlag) {
  // The engine reads one triangle of A; the other triangle takes zero gradient, which is what
  // finite differences of the full matrix see too.
  std::mt19937_64 rng(9);
  const std::int64_t n = 3;
  for (int lower = 0; lower < 2; ++lower)
    for (int ta = 0; ta < 2; ++ta) {
      SCOPED_TRACE("lower=" + std::to_string(lower) + " transpose_a=" + std::to_string(ta));
      Graph g;
      Tensor a = input(g, "A", DType::f64, {n, n});
      Tensor b = input(g, "B", DType::f64, {n, 2});
      Tensor w = constant(g, {n, 2}, uniform(rng, n * 2, -1, 1));
      Tensor x = solve_triangular(a, b, lower != 0, ta != 0);
      Tensor f = sum(w * x) + 0.1 * sum(square(x));
      Values av = uniform(rng, n * n, -0.5, 0.5);
      for (std::int64_t i = 0; i < n; ++i) av[static_cast<std::size_t>(i * n + i)] += 2.0;
      expect_gradient_matches_fd({a, b}, {av, uniform(rng, n * 2, -1, 1)}, f);
      // And the untouched triangle's gradient is exactly zero.
      const Values ga = eval({a, b}, {av, Values(n * 2, 1.0)}, grad(f, {a}))[0];
      for (std::int64_t i = 0; i < n; ++i)
        for (std::int64_t j = 0; j < n; ++j)
          if (lower ? j > i : j < i) {
            EXPECT_EQ(ga[static_cast<std::size_t>(i * n + j)], 0.0);
          }
    }
}

TEST(Composite, GaussianProcessMarginalLikelihood) {
  // K = sym(A) + diag(exp(log_noise)); alpha = L^-T L^-1 y; lp = -0.5 y.alpha - log det L.
  std::mt19937_64 rng(10);
  const std::int64_t n = 4;
  Graph g;
  Tensor a = input(g, "A", DType::f64, {n, n});
  Tensor log_noise = input(g, "log_noise", DType::f64, {});
  Tensor y = constant(g, {n}, uniform(rng, n, -1, 1));
  Tensor k = sym(a) + diag(broadcast_to(exp(log_noise), {n}));
  Tensor l = cholesky(k);
  Tensor alpha = solve_triangular(l, solve_triangular(l, y, true, false), true, true);
  Tensor lp = -0.5 * dot(y, alpha) - 0.5 * logdet_from_cholesky(l);
  expect_gradient_matches_fd({a, log_noise}, {spd(rng, n), {-1.0}}, lp);
}

TEST(Composite, ShapeOpsChain) {
  // reshape, transpose, slices with steps (including negative), concat, cumsum, diag and
  // broadcast in one function.
  std::mt19937_64 rng(11);
  Graph g;
  Tensor x = input(g, "x", DType::f64, {2, 3});
  Tensor v = input(g, "v", DType::f64, {4});
  Tensor t = transpose(x);                                    // [3, 2]
  Tensor s = slice(reshape(t, {6}), 0, 5, std::nullopt, -2);  // elements 5, 3, 1
  Tensor c = concat({s, v, slice(v, 0, 1, 4, 2)}, 0);         // [3 + 4 + 2]
  Tensor cs = cumsum(reshape(c, {3, 3}), 1);
  Tensor dg = diag(cs);
  Tensor w = constant(g, {3, 3}, uniform(rng, 9, -1, 1));
  Tensor f = sum(w * cs) + sum(square(dg)) + sum(exp(cumsum(c)) * 0.01) +
             sum(broadcast_to(reshape(v, {4, 1}), {4, 3}) * 0.5) +
             sum(square(diag(diag(slice(x, 1, 0, 2, 1))))) + sum(exp(diag(x)));  // [2, 3] diag
  expect_gradient_matches_fd({x, v}, {uniform(rng, 6, -1, 1), uniform(rng, 4, -1, 1)}, f);
}

TEST(Composite, StackIndexAndScatterAdd) {
  std::mt19937_64 rng(12);
  Graph g;
  Tensor x = input(g, "x", DType::f64, {3, 2});
  Tensor idx = constant(g, {4}, {2, 0, 2, 1}, DType::i64);
  Tensor vals = input(g, "vals", DType::f64, {4, 2});
  Tensor sc = scatter_add(vals * vals, idx, 5);                    // [5, 2]
  Tensor st = stack({index(x, 0), index(x, 2), index(x, -2)}, 1);  // [2, 3]
  Tensor f = sum(sin(sc)) + sum(st * st * st) + sum(matmul(st, x));
  expect_gradient_matches_fd({x, vals}, {uniform(rng, 6, -1, 1), uniform(rng, 8, -1, 1)}, f);
}

TEST(Composite, ReductionsOverEachAxis) {
  std::mt19937_64 rng(13);
  Graph g;
  Tensor x = input(g, "x", DType::f64, {3, 4});
  Tensor f = sum(prod(x, 0)) + sum(square(prod(x, 1, true))) + prod(x) * 0.1 +
             sum(max(x, 0) * 2.0) + min(x) + sum(min(x, 1, true)) + max(x) + sum(logsumexp(x, 0)) +
             sum(logsumexp(x, 1, true) * 3.0) + logsumexp(x) + sum(mean(x, 1)) + mean(square(x));
  // Away from zero (prod's gradient divides by x) and with distinct values (max/min).
  Values xv = uniform(rng, 12, 0.5, 1.5);
  for (std::size_t i = 0; i < xv.size(); ++i) xv[i] *= i % 2 ? -1.0 : 1.0;
  expect_gradient_matches_fd({x}, {xv}, f);
}

TEST(Composite, SpecialFunctionsAndStableForms) {
  // The unary ops of a typical density, each kept in its domain.
  std::mt19937_64 rng(14);
  Graph g;
  Tensor x = input(g, "x", DType::f64, {5});
  Tensor p = sigmoid(x);
  Tensor f = sum(lgamma(exp(x) + 1.0)) + sum(digamma(square(x) + 1.0)) + sum(erf(x)) +
             sum(erfc(x * 0.5)) + sum(log_ndtr(x * 2.0)) + sum(softplus(x) * log1p(square(x))) +
             sum(expm1(x * 0.3)) + sum(sqrt(exp(x) + 0.5)) + sum(logit(p * 0.9 + 0.05)) +
             sum(abs(x) * cos(x)) + sum(clip(x, -0.2, 0.4)) + sum(log_sigmoid(x * 3.0)) +
             sum(pow(exp(x), sin(x))) + sum(pow(abs(x) + 0.1, x)) + sum(1.0 / (square(x) + 2.0)) +
             sum(tanh(x) * x);
  Values xv = uniform(rng, 5, -1.5, 1.5);
  xv[0] = 0.1;  // clip's and abs's kinks avoided: none of the values sits on -0.2, 0.4 or 0
  expect_gradient_matches_fd({x}, {xv}, f);
}

TEST(Composite, LogNdtrGradientFarInTheLeftTail) {
  // d/dx log Phi(x) = phi(x) / Phi(x): at x = -30 both underflow in a naive ratio formed from
  // exp, but Phi(-30) ~ 5e-198 is still a double, so erfc gives the reference.
  Graph g;
  Tensor x = input(g, "x", DType::f64, {3});
  const Values xv{-30.0, -10.0, 3.0};
  const auto got = eval({x}, {xv}, grad(sum(log_ndtr(x)), {x}))[0];
  Values want;
  for (double v : xv) {
    const double phi = std::exp(-0.5 * v * v - kHalfLog2Pi);
    const double cdf = 0.5 * std::erfc(-v / std::sqrt(2.0));
    want.push_back(phi / cdf);
  }
  EXPECT_TRUE(close(got, want, 1e-12, 0, "phi/Phi"));
}

TEST(Composite, WhereSelectsEachBranchesGradient) {
  std::mt19937_64 rng(15);
  Graph g;
  Tensor x = input(g, "x", DType::f64, {6});
  Tensor y = input(g, "y", DType::f64, {});
  Tensor f = sum(where(greater(x, y), square(x) * y, exp(x - y)));
  Values xv = uniform(rng, 6, -1, 1);
  expect_gradient_matches_fd({x, y}, {xv, {0.05}}, f);
}

}  // namespace
}  // namespace stochos::autodiff::test
