// Second derivatives by differentiating the emitted gradient graph again (MAP/Laplace needs
// Hessians): against closed forms and against finite differences of the gradient.
#include <cmath>

#include "check.hpp"

namespace stochos::autodiff::test {
namespace {

using namespace stochos::graph;

constexpr double kHalfLog2Pi = 0.91893853320467274178;

// The Hessian of scalar f with respect to x (any shape), one row per element of x, each row
// flattened: row i is the gradient of (df/dx)_i.
std::vector<Tensor> hessian_rows(const Tensor& f, const Tensor& x) {
  const Tensor gflat = reshape(grad(f, {x})[0], {x.size()});
  std::vector<Tensor> rows;
  for (std::int64_t i = 0; i < x.size(); ++i)
    rows.push_back(reshape(grad(index(gflat, i), {x})[0], {x.size()}));
  return rows;
}

// Checks the Hessian of f in inputs[k] against central differences of its gradient.
void expect_hessian_matches_fd(const std::vector<Tensor>& inputs, const std::vector<Values>& values,
                               const Tensor& f, std::size_t k) {
  const Tensor& x = inputs[k];
  const Tensor gflat = reshape(grad(f, {x})[0], {x.size()});
  const std::vector<Values> got = eval(inputs, values, hessian_rows(f, x));
  const std::vector<Values> want = fd_jacobian(inputs, values, gflat, k);
  // want[j][i] = d g_i / d x_j; the Hessian is symmetric, so row i of got is want[.][i].
  for (std::size_t i = 0; i < got.size(); ++i) {
    Values column(want.size());
    for (std::size_t j = 0; j < want.size(); ++j) column[j] = want[j][i];
    EXPECT_TRUE(close(got[i], column, kFdRtol, kFdAtol, "H row " + std::to_string(i)));
  }
}

TEST(Hessian, SecondAndThirdDerivativeOfACube) {
  // x*x*x and pow(x, 3) (a constant exponent, negative bases included): 3x^2, 6x, 6.
  Graph g;
  Tensor x = input(g, "x", DType::f64, {5});
  const Values xv{-2.0, -0.5, 0.0, 1.3, 4.0};
  for (const Tensor& f : {sum(x * x * x), sum(pow(x, 3.0))}) {
    const Tensor d1 = grad(f, {x})[0];
    const Tensor d2 = grad(sum(d1), {x})[0];  // f is separable: the Hessian's diagonal
    const Tensor d3 = grad(sum(d2), {x})[0];
    const auto got = eval({x}, {xv}, {d1, d2, d3});
    Values w1, w2;
    for (double v : xv) {
      w1.push_back(3 * v * v);
      w2.push_back(6 * v);
    }
    EXPECT_TRUE(close(got[0], w1, 1e-15, 0, "f'"));
    EXPECT_TRUE(close(got[1], w2, 1e-15, 0, "f''"));
    EXPECT_TRUE(close(got[2], Values(5, 6.0), 1e-15, 0, "f'''"));
  }
}

TEST(Hessian, LogSumExpIsSoftmaxCovariance) {
  // d^2/dx^2 logsumexp(x) = diag(p) - p p^T with p = softmax(x).
  Graph g;
  Tensor x = input(g, "x", DType::f64, {4});
  const Values xv{0.3, -1.2, 2.0, 0.0};
  const auto got = eval({x}, {xv}, hessian_rows(logsumexp(x), x));
  double z = 0;
  for (double v : xv) z += std::exp(v);
  for (std::size_t i = 0; i < 4; ++i) {
    Values want(4);
    for (std::size_t j = 0; j < 4; ++j) {
      const double pi = std::exp(xv[i]) / z, pj = std::exp(xv[j]) / z;
      want[j] = (i == j ? pi : 0.0) - pi * pj;
    }
    EXPECT_TRUE(close(got[i], want, 1e-13, 1e-16, "row " + std::to_string(i)));
  }
}

TEST(Hessian, LogisticRegressionClosedForm) {
  // lp = sum(y log s(X b) + (1-y) log s(-X b)) - |b|^2 / 2 has Hessian -X^T diag(p(1-p)) X - I.
  std::mt19937_64 rng(21);
  const std::int64_t n = 6, d = 3;
  Graph g;
  const Values xmv = uniform(rng, n * d, -1.5, 1.5);
  Tensor xm = constant(g, {n, d}, xmv);
  Tensor y = constant(g, {n}, {1, 0, 0, 1, 1, 0});
  Tensor beta = input(g, "beta", DType::f64, {d});
  Tensor eta = matmul(xm, beta);
  Tensor lp = sum(y * log_sigmoid(eta) + (1.0 - y) * log_sigmoid(-eta)) - 0.5 * sum(square(beta));
  const Values bv = uniform(rng, d, -1, 1);
  const auto got = eval({beta}, {bv}, hessian_rows(lp, beta));
  std::vector<double> w(n);
  for (std::int64_t i = 0; i < n; ++i) {
    double e = 0;
    for (std::int64_t k = 0; k < d; ++k) e += xmv[static_cast<std::size_t>(i * d + k)] * bv[k];
    const double p = 1 / (1 + std::exp(-e));
    w[static_cast<std::size_t>(i)] = p * (1 - p);
  }
  for (std::int64_t a = 0; a < d; ++a) {
    Values want(d);
    for (std::int64_t b = 0; b < d; ++b) {
      double h = a == b ? -1.0 : 0.0;
      for (std::int64_t i = 0; i < n; ++i)
        h -= xmv[static_cast<std::size_t>(i * d + a)] * w[static_cast<std::size_t>(i)] *
             xmv[static_cast<std::size_t>(i * d + b)];
      want[static_cast<std::size_t>(b)] = h;
    }
    EXPECT_TRUE(close(got[static_cast<std::size_t>(a)], want, 1e-13, 1e-15, "row"));
  }
  expect_hessian_matches_fd({beta}, {bv}, lp, 0);
}

TEST(Hessian, NormalLogDensityWithBroadcastScales) {
  std::mt19937_64 rng(22);
  Graph g;
  Tensor y = constant(g, {4, 3}, uniform(rng, 12, -2, 2));
  Tensor mu = input(g, "mu", DType::f64, {3});
  Tensor log_sigma = input(g, "log_sigma", DType::f64, {4, 1});
  Tensor sigma = exp(log_sigma);
  Tensor lp = sum(-0.5 * square((y - mu) / sigma) - log(sigma) - kHalfLog2Pi) - sum(softplus(mu));
  const std::vector<Values> v{uniform(rng, 3, -1, 1), uniform(rng, 4, -0.5, 0.5)};
  expect_hessian_matches_fd({mu, log_sigma}, v, lp, 0);
  expect_hessian_matches_fd({mu, log_sigma}, v, lp, 1);
}

TEST(Hessian, HierarchicalModelWithGatherAndSpecialFunctions) {
  // A gamma-Poisson flavoured density: lgamma, digamma on the gradient path, gather by county.
  std::mt19937_64 rng(23);
  Graph g;
  Tensor county = constant(g, {6}, {0, 1, 1, 2, 0, 2}, DType::i64);
  Tensor counts = constant(g, {6}, {3, 0, 5, 1, 2, 7});
  Tensor theta = input(g, "theta", DType::f64, {3});
  Tensor rate = exp(gather(theta, county));
  Tensor lp = sum(counts * log(rate) - rate - lgamma(counts + 1.0)) + sum(lgamma(exp(theta))) +
              sum(log_ndtr(theta)) + sum(erf(theta * 0.5) * sqrt(exp(theta) + 1.0));
  expect_hessian_matches_fd({theta}, {uniform(rng, 3, -1, 1)}, lp, 0);
}

TEST(Hessian, ThroughCholeskyAndTriangularSolves) {
  // The multivariate normal density in its covariance: every linear-algebra rule differentiated
  // a second time.
  std::mt19937_64 rng(24);
  const std::int64_t n = 3;
  Graph g;
  Tensor a = input(g, "A", DType::f64, {n, n});
  Tensor y = constant(g, {n}, uniform(rng, n, -1, 1));
  Tensor l = cholesky(0.5 * (a + transpose(a)));
  Tensor z = solve_triangular(l, y, true, false);
  Tensor u = solve_triangular(transpose(l), z, false, false);
  Tensor lp = -0.5 * sum(square(z)) - 0.5 * logdet_from_cholesky(l) + 0.1 * sum(u);
  const Values m = uniform(rng, n * n, -0.5, 0.5);
  Values av(static_cast<std::size_t>(n * n));
  for (std::int64_t i = 0; i < n; ++i)
    for (std::int64_t j = 0; j < n; ++j)
      av[static_cast<std::size_t>(i * n + j)] =
          (i == j ? 2.0 : 0.0) + m[static_cast<std::size_t>(i * n + j)];
  expect_hessian_matches_fd({a}, {av}, lp, 0);
}

TEST(Hessian, MatmulWithEveryTransposeFlag) {
  std::mt19937_64 rng(25);
  for (int ta = 0; ta < 2; ++ta)
    for (int tb = 0; tb < 2; ++tb) {
      SCOPED_TRACE("transpose_a=" + std::to_string(ta) + " transpose_b=" + std::to_string(tb));
      Graph g;
      Tensor a = input(g, "A", DType::f64, ta ? Shape{3, 2} : Shape{2, 3});
      Tensor b = input(g, "B", DType::f64, tb ? Shape{2, 3} : Shape{3, 2});
      Tensor f = sum(sin(matmul(a, b, ta != 0, tb != 0)));
      const std::vector<Values> v{uniform(rng, 6, -1, 1), uniform(rng, 6, -1, 1)};
      expect_hessian_matches_fd({a, b}, v, f, 0);
      expect_hessian_matches_fd({a, b}, v, f, 1);
    }
}

TEST(Hessian, PowWithBothArgumentsVarying) {
  std::mt19937_64 rng(26);
  Graph g;
  Tensor a = input(g, "a", DType::f64, {3});
  Tensor b = input(g, "b", DType::f64, {3});
  Tensor f = sum(pow(a, b)) + sum(pow(b, 2.0) * a);
  const std::vector<Values> v{uniform(rng, 3, 0.5, 2.0), uniform(rng, 3, -1.5, 1.5)};
  expect_hessian_matches_fd({a, b}, v, f, 0);
  expect_hessian_matches_fd({a, b}, v, f, 1);
}

TEST(Hessian, ShapeAndReductionOps) {
  std::mt19937_64 rng(27);
  Graph g;
  Tensor x = input(g, "x", DType::f64, {2, 3});
  Tensor c = concat({reshape(transpose(x), {6}), slice(reshape(x, {6}), 0, 4, std::nullopt, -3)});
  Tensor f = sum(exp(cumsum(c) * 0.3)) + sum(square(prod(x, 1))) + sum(logsumexp(x * 2.0, 0)) +
             sum(square(max(x, 1))) + sum(cos(diag(x)));
  Values xv = uniform(rng, 6, 0.5, 1.5);
  xv[1] = -xv[1];
  expect_hessian_matches_fd({x}, {xv}, f, 0);
}

TEST(Hessian, HessianVectorProductByVjp) {
  // H v as the vjp of the gradient with cotangent v equals the Hessian rows dotted with v.
  std::mt19937_64 rng(28);
  Graph g;
  Tensor x = input(g, "x", DType::f64, {4});
  Tensor v = input(g, "v", DType::f64, {4});
  Tensor f = logsumexp(x * x) + sum(sigmoid(x) * tanh(x));
  const Tensor gx = grad(f, {x})[0];
  const Tensor hv = vjp(gx, v, {x})[0];
  const std::vector<Values> vals{uniform(rng, 4, -1, 1), uniform(rng, 4, -1, 1)};
  const Values got = eval({x, v}, vals, {hv})[0];
  const auto rows = eval({x, v}, vals, hessian_rows(f, x));
  Values want(4, 0.0);
  for (std::size_t i = 0; i < 4; ++i)
    for (std::size_t j = 0; j < 4; ++j) want[i] += rows[i][j] * vals[1][j];
  EXPECT_TRUE(close(got, want, 1e-13, 1e-15, "Hv"));
  expect_hessian_matches_fd({x, v}, vals, f, 0);
}

TEST(Hessian, LogNdtrSecondDerivativeInTheLeftTail) {
  // With lambda = phi/Phi: (log Phi)'' = -lambda (x + lambda). At x = -30, x + lambda ~ 0.033
  // cancels three digits in the reference and in the graph alike, so the check is to 1e-9.
  Graph g;
  Tensor x = input(g, "x", DType::f64, {3});
  const Tensor d1 = grad(sum(log_ndtr(x)), {x})[0];
  const Tensor d2 = grad(sum(d1), {x})[0];
  const Values xv{-30.0, -5.0, 1.0};
  const auto got = eval({x}, {xv}, {d2})[0];
  Values want;
  for (double v : xv) {
    const double lambda =
        std::exp(-0.5 * v * v - kHalfLog2Pi) / (0.5 * std::erfc(-v / std::sqrt(2.0)));
    want.push_back(-lambda * (v + lambda));
  }
  EXPECT_TRUE(close(got, want, 1e-9, 0, "(log Phi)''"));
}

}  // namespace
}  // namespace stochos::autodiff::test
