// Multivariate families through the model layer: MvNormal (cov, chol or tau; one vector or a
// batch) and Dirichlet (sampled through the simplex transform), against closed forms; their
// checks and their draws.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <numbers>
#include <string>

#include "model/model.hpp"
#include "stochos/error.hpp"

namespace stochos::model {
namespace {

using namespace distributions;

// Runs with the test programs' own configuration (tests/support/main.cpp).
class Multivariate : public ::testing::Test {};

// log N(x | mu, cov) for 2 x 2 cov, by the explicit inverse and determinant.
double mvn2(const double* x, const double* mu, const double* c) {
  const double det = c[0] * c[3] - c[1] * c[2];
  const double d0 = x[0] - mu[0], d1 = x[1] - mu[1];
  const double quad = (c[3] * d0 * d0 - (c[1] + c[2]) * d0 * d1 + c[0] * d1 * d1) / det;
  return -0.5 * quad - 0.5 * std::log(det) - std::log(2 * std::numbers::pi);
}

const double kCov[4] = {2.0, 0.5, 0.5, 1.0};
const double kMu[2] = {0.1, 0.2};

// The observed variable's term, evaluated through a compiled model with one dummy free variable.
double observed_logp(const Distribution& d, const std::vector<double>& data, Shape shape) {
  Model m;
  m.rv("dummy", Normal(0, 1));
  m.observe("x", d, data, std::move(shape));
  const LogDensity ld = m.compile({.jacobian = false});
  auto ws = ld.make_workspace();
  const double zero = 0, dummy = -0.5 * std::log(2 * std::numbers::pi);
  double g = 0;
  return ld(*ws, &zero, &g) - dummy;
}

TEST_F(Multivariate, MvNormalAgreesWithTheClosedFormForCovCholAndTau) {
  const std::vector<double> x = {0.3, -0.7};
  const double want = mvn2(x.data(), kMu, kCov);
  const Arg mu({0.1, 0.2}, {2});
  const Arg cov({2.0, 0.5, 0.5, 1.0}, {2, 2});
  const double l11 = std::sqrt(2.0), l21 = 0.5 / l11, l22 = std::sqrt(1.0 - l21 * l21);
  const Arg chol({l11, 0, l21, l22}, {2, 2});
  const double det = 2.0 - 0.25;
  const Arg tau({1.0 / det, -0.5 / det, -0.5 / det, 2.0 / det}, {2, 2});
  EXPECT_NEAR(observed_logp(MvNormal(mu, cov), x, {2}), want, 1e-13);
  EXPECT_NEAR(observed_logp(make("MvNormal", {{"mu", mu}, {"chol", chol}}), x, {2}), want, 1e-13);
  EXPECT_NEAR(observed_logp(make("MvNormal", {{"mu", mu}, {"tau", tau}}), x, {2}), want, 1e-13);
}

TEST_F(Multivariate, MvNormalOfABatchIsTheSumOverRows) {
  const std::vector<double> rows = {0.3, -0.7, 1.5, 0.0, -2.0, 0.4};
  double want = 0;
  for (int r = 0; r < 3; ++r) want += mvn2(rows.data() + 2 * r, kMu, kCov);
  const Distribution d = MvNormal(Arg({0.1, 0.2}, {2}), Arg({2.0, 0.5, 0.5, 1.0}, {2, 2}));
  EXPECT_NEAR(observed_logp(d, rows, {3, 2}), want, 1e-12);
}

TEST_F(Multivariate, MvNormalGradientOfAFreeMeanMatchesDifferences) {
  Model m;
  Tensor mu = m.rv("mu", Normal(0, 3), {.shape = Shape{2}});
  m.observe("x", MvNormal(mu, Arg({2.0, 0.5, 0.5, 1.0}, {2, 2})), {0.3, -0.7, 1.5, 0.0}, {2, 2});
  const LogDensity d = m.compile();
  auto ws = d.make_workspace();
  std::vector<double> t = {0.4, -0.1}, g(2), scratch(2);
  d(*ws, t.data(), g.data());
  for (std::size_t i = 0; i < 2; ++i) {
    const double h = 1e-6, v = t[i];
    t[i] = v + h;
    const double up = d(*ws, t.data(), scratch.data());
    t[i] = v - h;
    const double down = d(*ws, t.data(), scratch.data());
    t[i] = v;
    EXPECT_NEAR(g[i], (up - down) / (2 * h), 1e-7) << i;
  }
}

TEST_F(Multivariate, ANonPositiveDefiniteCovarianceIsAnInputError) {
  Model m;
  try {
    m.observe("x", MvNormal(Arg({0, 0}, {2}), Arg({1.0, 2.0, 2.0, 1.0}, {2, 2})), {0, 0}, {2});
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("positive definite"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("'x'"), std::string::npos) << e.what();
  }
}

TEST_F(Multivariate, DirichletThroughTheSimplexTransform) {
  Model m;
  m.rv("w", Dirichlet(Arg({2.0, 3.0, 5.0}, {3})));
  const Layout l = m.layout();
  ASSERT_EQ(l.dim, 2);
  EXPECT_EQ(l.vars[0].value_name, "w_simplex__");
  // The initial point is the mean a / sum(a), mapped to the two log-ratios.
  const auto p = m.initial_point();
  const double lx[3] = {std::log(0.2), std::log(0.3), std::log(0.5)};
  const double shift = (lx[0] + lx[1] + lx[2]) / 3;
  EXPECT_NEAR(p[0], lx[0] - shift, 1e-14);
  EXPECT_NEAR(p[1], lx[1] - shift, 1e-14);
  // Without the Jacobian, log p at that point is the Dirichlet density of the mean.
  const LogDensity d = m.compile({.jacobian = false});
  auto ws = d.make_workspace();
  std::vector<double> g(2);
  const double want = std::lgamma(10.0) - std::lgamma(2.0) - std::lgamma(3.0) - std::lgamma(5.0) +
                      1 * lx[0] + 2 * lx[1] + 4 * lx[2];
  EXPECT_NEAR(d(*ws, p.data(), g.data()), want, 1e-12);
}

TEST_F(Multivariate, DirichletDataOffTheSimplexIsAnInputError) {
  Model m;
  EXPECT_THROW(m.observe("x", Dirichlet(Arg({1.0, 1.0}, {2})), {0.5, 0.6}, {2}), InputError);
  EXPECT_NO_THROW(m.observe("y", Dirichlet(Arg({1.0, 1.0}, {2})), {0.25, 0.75}, {2}));
}

TEST_F(Multivariate, DrawsHaveTheRightMoments) {
  Rng rng(42);
  const int n = 20000;
  // Dirichlet(2, 3, 5): mean a / 10, variance a_k (10 - a_k) / (10^2 * 11).
  const NumericParams a = {{"a", {2, 3, 5}}};
  double mean[3] = {0, 0, 0}, sq[3] = {0, 0, 0};
  std::vector<double> out(3);
  for (int i = 0; i < n; ++i) {
    family("Dirichlet").draw_event(rng, a, out);
    for (int k = 0; k < 3; ++k) {
      mean[k] += out[static_cast<std::size_t>(k)] / n;
      sq[k] += out[static_cast<std::size_t>(k)] * out[static_cast<std::size_t>(k)] / n;
    }
  }
  const double alpha[3] = {2, 3, 5};
  for (int k = 0; k < 3; ++k) {
    const double var = alpha[k] * (10 - alpha[k]) / (100.0 * 11.0);
    EXPECT_NEAR(mean[k], alpha[k] / 10, 5 * std::sqrt(var / n)) << k;  // five standard errors
    EXPECT_NEAR(sq[k] - mean[k] * mean[k], var, 0.05 * var) << k;
  }
  // MvNormal: the sample covariance of 20000 draws is within a few percent of cov.
  const double l11 = std::sqrt(2.0), l21 = 0.5 / l11, l22 = std::sqrt(1.0 - l21 * l21);
  const NumericParams p = {{"mu", {0.1, 0.2}}, {"chol", {l11, 0, l21, l22}}};
  double s00 = 0, s01 = 0, s11 = 0, m0 = 0, m1 = 0;
  std::vector<double> v(2);
  for (int i = 0; i < n; ++i) {
    family("MvNormal").draw_event(rng, p, v);
    m0 += v[0] / n;
    m1 += v[1] / n;
    s00 += v[0] * v[0] / n;
    s01 += v[0] * v[1] / n;
    s11 += v[1] * v[1] / n;
  }
  EXPECT_NEAR(m0, 0.1, 5 * std::sqrt(2.0 / n));
  EXPECT_NEAR(m1, 0.2, 5 * std::sqrt(1.0 / n));
  EXPECT_NEAR(s00 - m0 * m0, 2.0, 0.08);
  EXPECT_NEAR(s01 - m0 * m1, 0.5, 0.05);
  EXPECT_NEAR(s11 - m1 * m1, 1.0, 0.04);
}

}  // namespace
}  // namespace stochos::model
