// NUTS against posteriors known in closed form (conjugate pairs), and simulation-based
// calibration (Talts et al. 2018) on two small models: the rank of the true parameter among
// posterior draws is uniform when sampler and model agree.
#include <gtest/gtest.h>

#include <boost/math/distributions/beta.hpp>
#include <boost/math/distributions/chi_squared.hpp>
#include <boost/math/distributions/gamma.hpp>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <random>

#include "calibrate.hpp"
#include "diagnostics/diagnostics.hpp"
#include "infer/sample.hpp"
#include "model/model.hpp"
#include "traced.hpp"

namespace stochos::infer {
namespace {

using namespace distributions;
using model::Model;

// Runs with the test programs' own configuration (tests/support/main.cpp).
class ExactPosterior : public ::testing::Test {};

// The constrained draws of free variable 0, element 0, by chain.
diagnostics::Chains draws_of(const Model& m, const Trace& r) {
  return test::traced(m, r, 0);
}

// Mean within 5 MCSE, sd within 10%, the 5% and 95% quantiles within 5 MCSE-like margins.
void expect_matches(const diagnostics::Chains& c, double mean, double sd, double q05, double q95) {
  const double mcse = diagnostics::mcse_mean(c);
  EXPECT_NEAR(diagnostics::mean(c), mean, 5 * mcse);
  EXPECT_NEAR(diagnostics::sd(c), sd, 0.1 * sd);
  EXPECT_NEAR(diagnostics::quantile(c, 0.05), q05, 0.1 * sd);
  EXPECT_NEAR(diagnostics::quantile(c, 0.95), q95, 0.1 * sd);
  EXPECT_LT(diagnostics::rhat(c), 1.01);
}

TEST_F(ExactPosterior, NormalMeanWithKnownVariance) {
  // mu ~ N(0, 10), y_i ~ N(mu, 2): posterior precision 1/100 + n/4, mean (sum y / 4) / precision.
  const std::vector<double> y = {1.2, 0.4, 2.9, 1.8, 0.7, 2.2};
  Model m;
  Tensor mu = m.rv("mu", Normal(0, 10));
  m.observe("y", Normal(mu, 2), y, {6});
  const auto r = sample(m.compile(), {.chains = 4, .draws = 1000, .tune = 500, .seed = 3});
  double sum = 0;
  for (double v : y) sum += v;
  const double prec = 1.0 / 100 + 6.0 / 4, mean = (sum / 4) / prec, sd = 1 / std::sqrt(prec);
  expect_matches(draws_of(m, r), mean, sd, mean - 1.6448536269514722 * sd,
                 mean + 1.6448536269514722 * sd);
}

TEST_F(ExactPosterior, BetaBernoulli) {
  // theta ~ Beta(2, 2), 7 successes in 10: posterior Beta(9, 5), sampled through logodds.
  const std::vector<double> y = {1, 1, 0, 1, 1, 1, 0, 1, 0, 1};
  Model m;
  Tensor theta = m.rv("theta", make("Beta", {{"", 2.0}, {"", 2.0}}));
  m.observe("y", make("Bernoulli", {{"p", theta}}), y, {10});
  const auto r = sample(m.compile(), {.chains = 4, .draws = 1000, .tune = 500, .seed = 4});
  const boost::math::beta_distribution<> post(9, 5);
  expect_matches(draws_of(m, r), boost::math::mean(post), boost::math::standard_deviation(post),
                 boost::math::quantile(post, 0.05), boost::math::quantile(post, 0.95));
}

TEST_F(ExactPosterior, GammaPoisson) {
  // lambda ~ Gamma(2, 1), counts summing to 17 over 5: posterior Gamma(19, 6).
  const std::vector<double> y = {3, 5, 2, 4, 3};
  Model m;
  Tensor lambda = m.rv("lambda", make("Gamma", {{"", 2.0}, {"", 1.0}}));
  m.observe("y", make("Poisson", {{"", lambda}}), y, {5});
  const auto r = sample(m.compile(), {.chains = 4, .draws = 1000, .tune = 500, .seed = 5});
  const boost::math::gamma_distribution<> post(19, 1.0 / 6);
  expect_matches(draws_of(m, r), boost::math::mean(post), boost::math::standard_deviation(post),
                 boost::math::quantile(post, 0.05), boost::math::quantile(post, 0.95));
}

// mu ~ N(0, 1), three y ~ N(mu, 0.5): returns the simulated mu.
double normal_mean(Model& m, std::mt19937_64& rng) {
  const double mu = std::normal_distribution<double>(0, 1)(rng);
  std::vector<double> y(3);
  for (double& v : y) v = std::normal_distribution<double>(mu, 0.5)(rng);
  Tensor t = m.rv("mu", Normal(0, 1));
  m.observe("y", Normal(t, 0.5), y, {3});
  return mu;
}

// sigma ~ HalfNormal(1), four y ~ N(0, sigma): returns the simulated sigma.
double log_scale(Model& m, std::mt19937_64& rng) {
  const double sigma = std::abs(std::normal_distribution<double>(0, 1)(rng));
  std::vector<double> y(4);
  for (double& v : y) v = std::normal_distribution<double>(0, sigma)(rng);
  Tensor s = m.rv("sigma", HalfNormal(1));
  m.observe("y", Normal(0, s), y, {4});
  return sigma;
}

TEST_F(ExactPosterior, CalibratedOnANormalMean) {
  test::calibrate(normal_mean, 200, 100);
}

TEST_F(ExactPosterior, CalibratedOnAScaleThroughTheLogTransform) {
  test::calibrate(log_scale, 200, 200);
}

// PyMC's step methods: Metropolis mixes more slowly, so its draws are thinned by 20.
TEST_F(ExactPosterior, MetropolisIsCalibrated) {
  test::calibrate(normal_mean, 200, 300, "metropolis", 20);
  test::calibrate(log_scale, 200, 400, "metropolis", 20);
}

TEST_F(ExactPosterior, SliceIsCalibrated) {
  test::calibrate(normal_mean, 200, 500, "slice");
  test::calibrate(log_scale, 200, 600, "slice");
}

}  // namespace
}  // namespace stochos::infer
