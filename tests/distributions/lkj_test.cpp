// LKJCorr and LKJCholeskyCov, whose values are packed matrices (so not records): the LKJ
// normaliser against r ~ 2 Beta(eta, eta) - 1 for n = 2 (Boost.Math), against Joe's (2006)
// closed form for eta = 1 and against a numerical integral for n = 3; LKJCholeskyCov against its
// change of variables with a numerical Jacobian; gradients through the default transforms
// against central differences; draws against the marginal of the correlations and sd_dist; the
// errors a bad model gets.
#include <gtest/gtest.h>

#include <Eigen/Dense>
#include <algorithm>
#include <boost/math/distributions/beta.hpp>
#include <boost/math/distributions/exponential.hpp>
#include <boost/math/quadrature/gauss_kronrod.hpp>
#include <cmath>
#include <numbers>

#include "goodness_of_fit.hpp"
#include "model/model.hpp"
#include "model_logp.hpp"
#include "stochos/error.hpp"
#include "support/evaluate.hpp"

namespace stochos::distributions::testing {
namespace {

using LD = long double;
namespace bm = boost::math;
constexpr LD kPi = std::numbers::pi_v<LD>;

class Lkj : public ::testing::Test {};

// Packed strict upper triangle (row by row) -> the correlation matrix, and its log determinant.
Eigen::Matrix<LD, Eigen::Dynamic, Eigen::Dynamic> corr_matrix(const std::vector<double>& r, int n) {
  Eigen::Matrix<LD, Eigen::Dynamic, Eigen::Dynamic> c(n, n);
  std::size_t k = 0;
  for (int i = 0; i < n; ++i) {
    c(i, i) = 1;
    for (int j = i + 1; j < n; ++j) c(i, j) = c(j, i) = r[k++];
  }
  return c;
}
LD log_det(const std::vector<double>& r, int n) {
  return std::log(corr_matrix(r, n).determinant());
}

// LKJ's normaliser for eta = 1, Joe (2006) as PyMC writes it: an expression in pi and gamma
// functions of integers, derived apart from the partial-correlation product the code uses.
LD joe_log_normaliser_eta1(int n) {
  LD r = 0;
  for (int k = 1; k <= (n - 1) / 2; ++k) r += std::lgamma(2.0L * k);
  if (n % 2 == 1)
    r += 0.25L * (n * n - 1) * std::log(kPi) - 0.25L * (n - 1) * (n - 1) * std::log(2.0L) -
         (n - 1) * std::lgamma(static_cast<LD>((n + 1) / 2));
  else
    r += 0.25L * n * (n - 2) * std::log(kPi) + 0.25L * (3 * n * n - 4 * n) * std::log(2.0L) +
         n * std::lgamma(n / 2.0L) - (n - 1) * std::lgamma(static_cast<LD>(n));
  return -r;
}

// LKJ 2009, eq. 16: log c_n(eta), the published closed form for any eta.
LD lkj_log_normaliser(LD eta, int n) {
  LD r = 0;
  for (int k = 1; k < n; ++k) {
    const LD a = eta + (n - k - 1) / 2.0L;
    r += (2 * eta - 2 + n - k) * (n - k) * std::log(2.0L) +
         (n - k) * (2 * std::lgamma(a) - std::lgamma(2 * a));
  }
  return -r;
}

TEST_F(Lkj, TwoByTwoIsAScaledBeta) {
  for (double eta : {0.5, 1.0, 2.5, 40.0}) {
    const bm::beta_distribution<LD> b(eta, eta);
    for (double r : {-0.999, -0.6, 0.0, 0.3, 0.95}) {
      const double want = static_cast<double>(std::log(bm::pdf(b, (r + 1) / 2.0L) / 2));
      EXPECT_NEAR(observed_logp(LKJCorr(2, eta), {r}), want, 1e-12 * std::max(1.0, std::abs(want)))
          << "eta " << eta << " r " << r;
    }
  }
}

TEST_F(Lkj, UniformCorrelationsMatchJoesClosedForm) {
  // eta = 1: the uniform density on the correlation matrices, 1 / their volume (pi^2 / 2 for
  // n = 3, Rousseeuw and Molenberghs 1994).
  EXPECT_NEAR(observed_logp(LKJCorr(3, 1.0), {0.2, -0.1, 0.4}),
              static_cast<double>(-std::log(kPi * kPi / 2)), 1e-13);
  for (int n = 3; n <= 7; ++n) {
    std::vector<double> r(static_cast<std::size_t>(n * (n - 1) / 2), 0.0);
    r[0] = 0.3;
    const double want = static_cast<double>(joe_log_normaliser_eta1(n));
    EXPECT_NEAR(observed_logp(LKJCorr(n, 1.0), r), want, 1e-12 * std::abs(want)) << n;
  }
}

// The n = 3 normaliser for eta = 2.5 as the integral of det(C)^(eta - 1) over the correlation
// matrices: r12 and r13 over (-1, 1), r23 over the interval that keeps C positive definite.
TEST_F(Lkj, ThreeByThreeMatchesANumericalIntegral) {
  const double eta = 2.5;
  using bm::quadrature::gauss_kronrod;
  const auto inner = [&](double r12, double r13) {
    const double s = std::sqrt((1 - r12 * r12) * (1 - r13 * r13)), c = r12 * r13;
    return gauss_kronrod<double, 31>::integrate(
        [&](double r23) {
          const double det = s * s - (r23 - c) * (r23 - c);
          return det > 0 ? std::pow(det, eta - 1) : 0.0;
        },
        c - s, c + s, 10, 1e-12);
  };
  const double volume = gauss_kronrod<double, 31>::integrate(
      [&](double r12) {
        return gauss_kronrod<double, 31>::integrate([&](double r13) { return inner(r12, r13); },
                                                    -1.0, 1.0, 10, 1e-12);
      },
      -1.0, 1.0, 10, 1e-12);
  const std::vector<double> r = {0.35, -0.2, 0.5};
  const double want = -std::log(volume) + (eta - 1) * static_cast<double>(log_det(r, 3));
  EXPECT_NEAR(observed_logp(LKJCorr(3, eta), r), want, 1e-9);
  // And the published closed form agrees with the integral.
  EXPECT_NEAR(static_cast<double>(lkj_log_normaliser(eta, 3)), -std::log(volume), 1e-9);
}

// LKJCholeskyCov's density by its definition: sd ~ sd_dist and C ~ LKJ(eta) are the standard
// deviations and correlations of L L^T, so p(L) = LKJ(C) prod p_sd(sd_i) |d(sd, C) / dL|, the
// Jacobian of the map from L's n(n+1)/2 values to (sd, C's upper triangle) taken numerically in
// long double.
std::vector<LD> sd_and_corr(const std::vector<LD>& packed, int n) {
  Eigen::Matrix<LD, Eigen::Dynamic, Eigen::Dynamic> l =
      Eigen::Matrix<LD, Eigen::Dynamic, Eigen::Dynamic>::Zero(n, n);
  std::size_t k = 0;
  for (int i = 0; i < n; ++i)
    for (int j = 0; j <= i; ++j) l(i, j) = packed[k++];
  const auto cov = l * l.transpose();
  std::vector<LD> out;
  for (int i = 0; i < n; ++i) out.push_back(std::sqrt(cov(i, i)));
  for (int i = 0; i < n; ++i)
    for (int j = i + 1; j < n; ++j) out.push_back(cov(i, j) / (out[i] * out[j]));
  return out;
}

LD cholesky_cov_reference(const std::vector<double>& packed, int n, LD eta, LD lam) {
  const std::vector<LD> x(packed.begin(), packed.end());
  const auto m = static_cast<Eigen::Index>(x.size());
  Eigen::Matrix<LD, Eigen::Dynamic, Eigen::Dynamic> jac(m, m);
  const LD h = 1e-7L;
  for (Eigen::Index j = 0; j < m; ++j) {
    std::vector<LD> up = x, down = x;
    up[static_cast<std::size_t>(j)] += h;
    down[static_cast<std::size_t>(j)] -= h;
    const auto a = sd_and_corr(up, n), b = sd_and_corr(down, n);
    for (Eigen::Index i = 0; i < m; ++i)
      jac(i, j) = (a[static_cast<std::size_t>(i)] - b[static_cast<std::size_t>(i)]) / (2 * h);
  }
  const std::vector<LD> v = sd_and_corr(x, n);
  std::vector<double> r;
  for (std::size_t i = static_cast<std::size_t>(n); i < v.size(); ++i)
    r.push_back(static_cast<double>(v[i]));
  LD lp = lkj_log_normaliser(eta, n) + (eta - 1) * log_det(r, n) +
          std::log(std::abs(jac.partialPivLu().determinant()));
  const bm::exponential_distribution<LD> e(lam);
  for (int i = 0; i < n; ++i) lp += std::log(bm::pdf(e, v[static_cast<std::size_t>(i)]));
  return lp;
}

TEST_F(Lkj, CholeskyCovMatchesItsChangeOfVariables) {
  struct Case {
    int n;
    double eta, lam;
    std::vector<double> packed;  // (0,0), (1,0), (1,1), (2,0), ...
  };
  const std::vector<Case> cases = {
      {2, 2.0, 1.0, {1.3, -0.7, 0.9}},
      {3, 0.7, 1.5, {0.8, 0.3, 1.1, -0.5, 0.4, 0.6}},
      {4, 3.0, 0.5, {2.0, 0.1, 1.5, -0.3, 0.2, 0.9, 0.4, -0.6, 0.3, 1.2}},
  };
  for (const Case& c : cases) {
    const double want = static_cast<double>(cholesky_cov_reference(c.packed, c.n, c.eta, c.lam));
    EXPECT_NEAR(observed_logp(LKJCholeskyCov(c.eta, c.n, Exponential(c.lam)), c.packed), want,
                1e-8 * std::max(1.0, std::abs(want)))
        << "n = " << c.n;
  }
  // One sd_dist per row: sd_dist=Exponential([1, 2]).
  const std::vector<double> packed = {1.3, -0.7, 0.9};
  const auto v = sd_and_corr({1.3L, -0.7L, 0.9L}, 2);
  const double shift = static_cast<double>(std::log(2.0L) - 2 * v[1] + v[1]);  // lam 2 vs 1 on sd_1
  EXPECT_NEAR(observed_logp(LKJCholeskyCov(2.0, 2, Exponential(Arg({1.0, 2.0}, {2}))), packed),
              static_cast<double>(cholesky_cov_reference(packed, 2, 2.0L, 1.0L)) + shift, 1e-8);
}

// The model's log density of unconstrained values (Jacobians included) against central
// differences: the densities and the transforms differentiated together.
void expect_gradient(model::Model& m, std::vector<double> theta) {
  const auto d = m.compile({.backend = stochos::testing::test_backend_name()});
  ASSERT_EQ(d.dim(), static_cast<std::int64_t>(theta.size()));
  auto ws = d.make_workspace();
  std::vector<double> g(theta.size());
  ASSERT_TRUE(std::isfinite(d(*ws, theta.data(), g.data())));
  for (std::size_t i = 0; i < theta.size(); ++i)
    EXPECT_NEAR(g[i], central_difference(d, *ws, theta, i, 1e-6),
                1e-6 * std::max(1.0, std::abs(g[i])))
        << i;
}

TEST_F(Lkj, GradientsMatchCentralDifferences) {
  {
    model::Model m;  // eta free too
    const graph::Tensor eta = m.rv("eta", Gamma(2.0, 1.0));
    m.rv("corr", LKJCorr(4, eta));
    expect_gradient(m, {0.4, 0.3, -0.8, 1.1, 0.2, -0.4, 0.6});
  }
  {
    model::Model m;
    m.rv("chol", LKJCholeskyCov(1.5, 3, HalfNormal(2.0)));
    expect_gradient(m, {0.2, 0.5, -0.3, 1.2, -0.7, 0.1});
  }
}

TEST_F(Lkj, FreeVariablesTakeTheirDefaultTransforms) {
  model::Model m;
  m.rv("corr", LKJCorr(3, 2.0));
  m.rv("chol", LKJCholeskyCov(2.0, 3, Exponential(1.0)));
  const auto& v = m.free_vars();
  EXPECT_EQ(v[0].value_name, "corr_corr_packed__");
  EXPECT_EQ(v[0].shape, (graph::Shape{3}));
  EXPECT_EQ(v[1].value_name, "chol_cholesky-cov-packed__");
  EXPECT_EQ(v[1].shape, (graph::Shape{6}));
  // The support points: the identity, whose unconstrained values are all 0.
  EXPECT_EQ(m.initial_point(), std::vector<double>(9, 0.0));
}

// The off-diagonal correlations of LKJ(eta) in n dimensions are each 2 Beta(a, a) - 1 with a =
// eta - 1 + n/2 (LKJ 2009, section 3.2), so mean 0 and variance 1 / (2a + 1) = 1 / (2 eta + n -
// 1). Checked apart from that paper: n = 2 is the density itself; for eta = 1, n = 3 the
// matrices with a given r12 form an ellipse in (r13, r23) of area pi sqrt(1 - r12^2), the
// density of 2 Beta(3/2, 3/2) - 1.
void expect_lkj_marginals(const std::vector<std::vector<double>>& corr, int n, double eta) {
  const double a = eta - 1 + n / 2.0;
  const bm::beta_distribution<double> b(a, a);
  const auto cdf = [&](double r) { return bm::cdf(b, std::clamp((r + 1) / 2, 0.0, 1.0)); };
  for (const auto& r : corr) {
    const Moments mo = moments(r);
    const double var = 1 / (2 * eta + n - 1), count = static_cast<double>(r.size());
    EXPECT_NEAR(mo.mean, 0, 5 * std::sqrt(var / count));
    EXPECT_NEAR(mo.variance, var, 5 * mo.variance_se);
    EXPECT_GT(ks_test(r, cdf).p_value, 1e-3);
  }
}

TEST_F(Lkj, CorrDrawsFollowTheMarginals) {
  for (const auto& [n, eta] : std::vector<std::pair<int, double>>{{3, 2.0}, {4, 0.8}, {2, 1.0}}) {
    const std::size_t m = static_cast<std::size_t>(n * (n - 1) / 2), draws = 20000;
    std::vector<std::vector<double>> corr(m, std::vector<double>(draws));
    Rng rng(99 + static_cast<std::uint64_t>(n));
    std::vector<double> out(m);
    for (std::size_t d = 0; d < draws; ++d) {
      family("LKJCorr").draw_event(rng, {{"n", {static_cast<double>(n)}}, {"eta", {eta}}}, out);
      for (std::size_t k = 0; k < m; ++k) corr[k][d] = out[k];
      // Every draw is a correlation matrix.
      ASSERT_EQ(corr_matrix(out, n).llt().info(), Eigen::Success);
    }
    SCOPED_TRACE("n = " + std::to_string(n));
    expect_lkj_marginals(corr, n, eta);
  }
}

TEST_F(Lkj, CholeskyCovDrawsHaveSdDistAndLkjCorrelations) {
  const int n = 3;
  const double eta = 2.0, lam = 1.5;
  const Distribution d = LKJCholeskyCov(eta, n, Exponential(lam));
  graph::Graph g;
  const Params p = d.resolve(g, graph::DType::f64);
  const NumericDist nd = numeric_dist(d.family(), p, values);
  const std::size_t draws = 20000;
  std::vector<double> out(6 * draws);
  Rng rng(7);
  d.family().draw_value(rng, nd, {static_cast<std::int64_t>(draws), 6}, out);
  std::vector<std::vector<double>> sd(n, std::vector<double>(draws)), corr(3, sd[0]);
  for (std::size_t k = 0; k < draws; ++k) {
    std::vector<LD> packed(out.begin() + static_cast<std::ptrdiff_t>(6 * k),
                           out.begin() + static_cast<std::ptrdiff_t>(6 * k + 6));
    ASSERT_GT(packed[0], 0);
    ASSERT_GT(packed[2], 0);
    ASSERT_GT(packed[5], 0);
    const auto v = sd_and_corr(packed, n);
    for (int i = 0; i < n; ++i) sd[i][k] = static_cast<double>(v[i]);
    for (int i = 0; i < 3; ++i) corr[i][k] = static_cast<double>(v[n + i]);
  }
  const bm::exponential_distribution<double> e(lam);
  for (const auto& s : sd)
    EXPECT_GT(ks_test(s, [&](double x) { return x > 0 ? bm::cdf(e, x) : 0.0; }).p_value, 1e-3);
  expect_lkj_marginals(corr, n, eta);
}

TEST_F(Lkj, ErrorsNameTheProblem) {
  const auto error = [](const std::function<void(model::Model&)>& build) -> std::string {
    model::Model m;
    try {
      build(m);
    } catch (const InputError& e) {
      return e.what();
    }
    return "";
  };
  const auto has = [](const std::string& e, const std::string& part) {
    return e.find(part) != std::string::npos;
  };
  EXPECT_PRED2(has, error([](auto& m) { m.rv("c", LKJCorr(2.5, 1.0)); }), "n must be a whole");
  EXPECT_PRED2(has, error([](auto& m) { m.rv("c", LKJCorr(1, 1.0)); }), "from 2");
  EXPECT_PRED2(has, error([](auto& m) { m.rv("c", LKJCorr(3, -1.0)); }),
               "variable 'c': LKJCorr needs eta > 0");
  EXPECT_PRED2(has, error([](auto& m) { m.rv("c", LKJCholeskyCov(1.0, 2, Normal(0, 1))); }),
               "sd_dist must be a continuous distribution of positive values");
  EXPECT_PRED2(has, error([](auto& m) { m.rv("c", LKJCholeskyCov(1.0, 2, Exponential(-1.0))); }),
               "sd_dist (Exponential): lam > 0");
  EXPECT_PRED2(has, error([](auto& m) {
                 m.rv("c", LKJCholeskyCov(1.0, 2, Exponential(Arg({1.0, 2.0, 3.0}, {3}))));
               }),
               "sd_dist of shape [3]");
  EXPECT_PRED2(has, error([](auto& m) {
                 m.rv("c", make("LKJCholeskyCov", {{"eta", 1}, {"n", 2}}));
               }),
               "missing parameter 'sd_dist'");
  // Observed values outside the support: a correlation above 1, a matrix that is not positive
  // definite, a factor with a negative diagonal.
  for (const auto& [d, x] : std::vector<std::pair<Distribution, std::vector<double>>>{
           {LKJCorr(2, 1.0), {1.2}},
           {LKJCorr(3, 1.0), {0.9, 0.9, -0.9}},
           {LKJCholeskyCov(1.0, 2, Exponential(1.0)), {1.0, 0.5, -0.3}}}) {
    const std::string e =
        error([&](auto& m) { m.observe("obs", d, x, {static_cast<std::int64_t>(x.size())}); });
    EXPECT_PRED2(has, e, "outside the support of " + d.family().name);
  }
  EXPECT_PRED2(has, error([](auto& m) {
                 m.observe("obs", LKJCorr(3, 1.0), {0.1, 0.2}, {2});
               }),
               "data of shape [2]");
}

}  // namespace
}  // namespace stochos::distributions::testing
