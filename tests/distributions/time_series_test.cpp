// GaussianRandomWalk and AR through the model layer: the log density of observed series against
// sums of Normal log densities computed independently (Boost.Math, long double), gradients
// against central differences, draws against the moments that define them (a walk's variance
// grows by sigma^2 a step; AR(1) started stationary keeps sigma^2 / (1 - rho^2) and lag-one
// correlation rho), and the errors of bad arguments.
#include <gtest/gtest.h>

#include <boost/math/distributions/normal.hpp>
#include <cmath>

#include "goodness_of_fit.hpp"
#include "series_support.hpp"
#include "stochos/error.hpp"

namespace stochos::distributions::testing {
namespace {

using graph::Shape;
using Real = long double;

Real normal_lpdf(Real x, Real mu, Real sigma) {
  return std::log(boost::math::pdf(boost::math::normal_distribution<Real>(mu, sigma), x));
}

class TimeSeries : public ::testing::Test {};

TEST_F(TimeSeries, RandomWalkIsItsInitialValueAndNormalIncrements) {
  const std::vector<double> x = {0.5, 1.0, 0.2, 0.4, -1.25, 3.0};
  Real want = normal_lpdf(x[0], 1, 2);
  for (std::size_t t = 1; t < x.size(); ++t) want += normal_lpdf(x[t] - x[t - 1], 0.3L, 0.7L);
  const double got = observed_logp(GaussianRandomWalk(0.3, 0.7, Normal(1, 2)), x, {6});
  EXPECT_NEAR(got, static_cast<double>(want), 1e-12 * std::abs(static_cast<double>(want)));
}

TEST_F(TimeSeries, RandomWalkDefaultsToPyMCsInitialNormal0_100) {
  const std::vector<double> x = {20.0, 21.0, 20.5};
  const Real want =
      normal_lpdf(20, 0, 100) + normal_lpdf(1, 0, 1) + normal_lpdf(-0.5, 0, 1);  // mu 0, sigma 1
  EXPECT_NEAR(observed_logp(GaussianRandomWalk(), x, {3}), static_cast<double>(want), 1e-12 * 10);
}

TEST_F(TimeSeries, RandomWalkBroadcastsDriftOverTimeAndInitialValuesOverSeries) {
  // Two series of four points; a drift per step (shape [3]); one initial distribution per series.
  const std::vector<double> x = {0.1, 0.4, 0.2, 0.9, -2.0, -1.5, -1.0, -1.2};
  const std::vector<double> mu = {0.1, -0.2, 0.3}, init_mu = {0, -2};
  Real want = 0;
  for (int b = 0; b < 2; ++b) {
    const double* s = x.data() + 4 * b;
    want += normal_lpdf(s[0], init_mu[static_cast<std::size_t>(b)], 0.5L);
    for (int t = 1; t < 4; ++t) want += normal_lpdf(s[t] - s[t - 1], mu[t - 1], 0.4L);
  }
  const Distribution d =
      GaussianRandomWalk(Arg(mu, {3}), 0.4, Normal(Arg(init_mu, {2}), 0.5), std::nullopt);
  EXPECT_NEAR(observed_logp(d, x, {2, 4}), static_cast<double>(want), 1e-12 * 20);
}

TEST_F(TimeSeries, ARIsItsInitialValuesAndLinearNormalInnovations) {
  // Order 2 with a constant: rho = [c, rho1, rho2].
  const std::vector<double> x = {0.5, 1.0, 0.2, 0.4, -1.0, 0.7};
  const Real c = 0.3, r1 = 0.5, r2 = -0.2, sigma = 0.7;
  Real want = normal_lpdf(x[0], 0, 3) + normal_lpdf(x[1], 0, 3);
  for (std::size_t t = 2; t < x.size(); ++t)
    want += normal_lpdf(x[t], c + r1 * x[t - 1] + r2 * x[t - 2], sigma);
  const Distribution d =
      AR(Arg({0.3, 0.5, -0.2}), 0.7, {.constant = true, .init_dist = Normal(0, 3), .ar_order = 2});
  EXPECT_NEAR(observed_logp(d, x, {6}), static_cast<double>(want),
              1e-12 * std::abs(static_cast<double>(want)));
  // tau = 1 / sigma^2 is the same density; a scalar rho is order 1.
  const Distribution by_tau = make("AR", {{"rho", Arg({0.3, 0.5, -0.2})},
                                          {"tau", 1 / (0.7 * 0.7)},
                                          {"constant", 1},
                                          {"init_dist", Normal(0, 3)}});
  EXPECT_NEAR(observed_logp(by_tau, x, {6}), static_cast<double>(want),
              1e-12 * std::abs(static_cast<double>(want)));
  Real ar1 = normal_lpdf(x[0], 0, 100);  // PyMC's default init_dist
  for (std::size_t t = 1; t < x.size(); ++t) ar1 += normal_lpdf(x[t], 0.8L * x[t - 1], 1);
  EXPECT_NEAR(observed_logp(AR(0.8), x, {6}), static_cast<double>(ar1),
              1e-12 * std::abs(static_cast<double>(ar1)));
}

TEST_F(TimeSeries, ARSeriesInABatchHaveTheirOwnSigma) {
  const std::vector<double> x = {0.5, 1.0, 0.2, -0.3, 0.4, 0.1};
  const std::vector<double> sigma = {0.5, 2.0};
  Real want = 0;
  for (int b = 0; b < 2; ++b) {
    const double* s = x.data() + 3 * b;
    want += normal_lpdf(s[0], 0, 1);
    for (int t = 1; t < 3; ++t)
      want += normal_lpdf(s[t], 0.6L * s[t - 1], sigma[static_cast<std::size_t>(b)]);
  }
  const Distribution d = AR(Arg({0.6}), Arg(sigma, {2}), {.init_dist = Normal(0, 1)});
  EXPECT_NEAR(observed_logp(d, x, {2, 3}), static_cast<double>(want), 1e-12 * 10);
}

TEST_F(TimeSeries, GradientsMatchCentralDifferences) {
  {
    // Free drift and scale, and a free walk of 5 points.
    model::Model m;
    const auto mu = m.rv("mu", Normal(0, 1));
    const auto sigma = m.rv("sigma", HalfNormal(1));
    m.rv("x", GaussianRandomWalk(mu, sigma, Normal(1, 2)), {.shape = Shape{5}});
    expect_gradient_matches_differences(m, {0.2, std::log(0.6), 0.5, 1.1, 0.3, -0.2, 0.4});
  }
  {
    model::Model m;
    const auto rho = m.rv("rho", Normal(0, 0.5), {.shape = Shape{3}});
    const auto sigma = m.rv("sigma", HalfNormal(1));
    m.rv("x", AR(rho, sigma, {.constant = true, .init_dist = Normal(0, 2)}), {.shape = Shape{6}});
    expect_gradient_matches_differences(
        m, {0.1, 0.4, -0.3, std::log(0.8), 0.5, 1.1, 0.3, -0.2, 0.4, 0.9});
  }
}

TEST_F(TimeSeries, RandomWalkDrawsSpreadLinearlyInTime) {
  // x[t] = x0 + t mu + sum of t Normal(0, sigma): mean 1 + 0.3 t, variance 4 + 0.49 t.
  const auto draws = draw_values(GaussianRandomWalk(0.3, 0.7, Normal(1, 2)), {6}, 20000, 7);
  const double n = 20000;
  for (std::size_t t : {0u, 2u, 5u}) {
    const Moments mo = moments(column(draws, t));
    const double mean = 1 + 0.3 * static_cast<double>(t), var = 4 + 0.49 * static_cast<double>(t);
    EXPECT_NEAR(mo.mean, mean, 5 * std::sqrt(var / n)) << "t = " << t;
    EXPECT_NEAR(mo.variance, var, 5 * mo.variance_se) << "t = " << t;
  }
  // The increments are N(0.3, 0.7), independent of the start: KS on one of them.
  std::vector<double> inc;
  for (const auto& v : draws) inc.push_back(v[4] - v[3]);
  const auto ks = ks_test(inc, [](double z) {
    return boost::math::cdf(boost::math::normal_distribution<>(0.3, 0.7), z);
  });
  EXPECT_GT(ks.p_value, 1e-3) << ks.statistic;
}

TEST_F(TimeSeries, StationaryAR1DrawsKeepTheirVarianceAndCorrelation) {
  // rho 0.8, sigma 0.6: the stationary variance 0.36 / 0.36 = 1, started there by init_dist.
  const double rho = 0.8, var = 0.36 / (1 - rho * rho);
  const auto draws =
      draw_values(AR(rho, 0.6, {.init_dist = Normal(0, std::sqrt(var))}), {40}, 20000, 11);
  const double n = 20000;
  for (std::size_t t : {0u, 10u, 39u}) {
    const Moments mo = moments(column(draws, t));
    EXPECT_NEAR(mo.mean, 0, 5 * std::sqrt(var / n)) << "t = " << t;
    EXPECT_NEAR(mo.variance, var, 5 * mo.variance_se) << "t = " << t;
  }
  // Lag-one covariance rho * var (the product's standard error is about sqrt((1 + rho^2)) var).
  double cov = 0;
  for (const auto& v : draws) cov += v[38] * v[39] / n;
  EXPECT_NEAR(cov, rho * var, 5 * std::sqrt((1 + rho * rho) / n) * var);
}

std::string observe_error(const Distribution& d, std::vector<double> x) {
  model::Model m;
  try {
    const auto n = static_cast<std::int64_t>(x.size());
    m.observe("obs", d, std::move(x), {n});
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST_F(TimeSeries, BadArgumentsAreInputErrorsNamingThem) {
  const std::vector<double> x = {0.1, 0.2, 0.3};
  EXPECT_EQ(observe_error(GaussianRandomWalk(0, -1), x),
            "variable 'obs': GaussianRandomWalk needs sigma > 0");
  EXPECT_EQ(observe_error(GaussianRandomWalk(0, 1, Normal(0, -2)), x),
            "variable 'obs': GaussianRandomWalk needs init_dist (Normal): sigma > 0");
  EXPECT_EQ(observe_error(make("GaussianRandomWalk", {{"mu", Normal(0, 1)}}), x),
            "variable 'obs': GaussianRandomWalk: parameter 'mu' takes a value, not a distribution");
  EXPECT_EQ(observe_error(make("GaussianRandomWalk", {{"init_dist", 3.0}}), x),
            "variable 'obs': GaussianRandomWalk: parameter 'init_dist' takes a distribution, not a "
            "value");
  EXPECT_EQ(
      observe_error(
          make("GaussianRandomWalk", {{"init_dist", std::vector<Distribution>{Normal(0, 1)}}}), x),
      "variable 'obs': GaussianRandomWalk: parameter 'init_dist' takes one distribution, not "
      "a list");
  EXPECT_EQ(observe_error(GaussianRandomWalk(0, 1, Exponential(1)), x),
            "variable 'obs': GaussianRandomWalk: init_dist must be a continuous distribution on "
            "the real line (Exponential is not)");
  EXPECT_EQ(observe_error(GaussianRandomWalk(0, 1, make("Normal", {{"sigmaa", 1}})), x),
            "variable 'obs': GaussianRandomWalk: init_dist: Normal has no parameter 'sigmaa'; did "
            "you mean 'sigma'?; its parameters: mu, sigma, tau");
  EXPECT_EQ(observe_error(GaussianRandomWalk(0, 1, std::nullopt, 5), x),
            "observed variable 'obs': data of shape [3] but parameters of shape [6]");
  EXPECT_EQ(observe_error(AR(Arg({0.5, 0.2, 0.1}), 1), x),
            "variable 'obs': AR: a series of 3 values is too short for order 3");
  EXPECT_EQ(observe_error(AR(Arg({0.5}), 1, {.ar_order = 2}), x),
            "variable 'obs': AR: ar_order=2 but rho has 1 coefficient");
  EXPECT_EQ(observe_error(make("AR", {{"rho", 0.5}, {"sigma", 1}, {"tau", 1}}), x),
            "variable 'obs': AR: give sigma or tau, not both");
  // A NaN is a missing entry; a random walk's cannot be imputed entry by entry.
  EXPECT_EQ(observe_error(GaussianRandomWalk(0, 1), {0.1, NAN, 0.3}),
            "observed variable 'obs' has missing entries, which need a family whose draws are "
            "scalars, one per entry; GaussianRandomWalk is multivariate");
}

}  // namespace
}  // namespace stochos::distributions::testing
