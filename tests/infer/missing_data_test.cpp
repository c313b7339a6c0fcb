// NUTS on a model with missing data (Note [missing data] in model/missing.cpp): the imputed
// entries are drawn from the posterior predictive distribution, and the missing entries leave
// the posterior of the parameters as the observed entries alone make it.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "diagnostics/diagnostics.hpp"
#include "infer/sample.hpp"
#include "model/model.hpp"
#include "traced.hpp"

namespace stochos::infer {
namespace {

using namespace distributions;
using model::Model;

class MissingDataSampling : public ::testing::Test {};

using test::traced;

void expect_normal(const diagnostics::Chains& c, double mean, double sd) {
  EXPECT_NEAR(diagnostics::mean(c), mean, 5 * diagnostics::mcse_mean(c));
  EXPECT_NEAR(diagnostics::sd(c), sd, 0.1 * sd);
  EXPECT_LT(diagnostics::rhat(c), 1.01);
}

TEST_F(MissingDataSampling, ImputedEntriesFollowThePosteriorPredictive) {
  // mu ~ N(0, 1), y_i ~ N(mu, 1) with 4 of 6 entries observed: mu | y ~ N(sum y / 5, 1/sqrt 5),
  // and each missing entry ~ N(sum y / 5, sqrt(1 + 1/5)).
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const std::vector<double> y = {0.8, nan, 1.6, 0.3, nan, 1.1};
  Model m;
  Tensor mu = m.rv("mu", Normal(0, 1));
  m.observe("y", Normal(mu, 1), y, {6});
  ASSERT_EQ(m.layout().dim, 3);
  const auto r = sample(m.compile(), {.chains = 4, .draws = 1000, .tune = 500, .seed = 11});
  const double mean = (0.8 + 1.6 + 0.3 + 1.1) / 5;
  expect_normal(traced(m, r, 0), mean, 1 / std::sqrt(5.0));
  expect_normal(traced(m, r, 1), mean, std::sqrt(1.2));  // y_unobserved[0]
  expect_normal(traced(m, r, 2), mean, std::sqrt(1.2));  // y_unobserved[1]
  // The full variable y (traced after the free variables) carries them at positions 1 and 4.
  const auto y1 = traced(m, r, 3 + 1), u0 = traced(m, r, 1);
  EXPECT_EQ(y1, u0);
  EXPECT_EQ(traced(m, r, 3 + 2)[0][0], 1.6);
}

TEST_F(MissingDataSampling, KnownMeanImputesTheLikelihoodItself) {
  // No parameter to learn: the missing entries are draws of Normal(2, 0.5) itself.
  const double nan = std::numeric_limits<double>::quiet_NaN();
  Model m;
  m.observe("y", Normal(2.0, 0.5), {1.7, nan, 2.4}, {3});
  const auto r = sample(m.compile(), {.chains = 4, .draws = 1000, .tune = 500, .seed = 12});
  expect_normal(traced(m, r, 0), 2.0, 0.5);
}

}  // namespace
}  // namespace stochos::infer
