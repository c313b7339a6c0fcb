// Predictive draws: prior and posterior predictive moments against closed forms (5 standard
// errors, the variance's from the fourth moment of a normal), dependencies through transforms
// (a bound that is itself a variable), deterministics recomputed per draw, reproducibility, and
// bad points.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <numbers>
#include <vector>

#include "model/model.hpp"
#include "model/predictive.hpp"
#include "stochos/error.hpp"

namespace stochos::model {
namespace {

using namespace distributions;

// Runs with the test programs' own configuration (tests/support/main.cpp).
class Predictive : public ::testing::Test {};

// Column j of the draws.
std::vector<double> column(const PredictiveDraws& p, std::int64_t j) {
  std::vector<double> c;
  for (std::int64_t d = 0; d < p.draws(); ++d)
    c.push_back(p.values[static_cast<std::size_t>(d * p.size + j)]);
  return c;
}
double mean(const std::vector<double>& x) {
  double s = 0;
  for (double v : x) s += v;
  return s / static_cast<double>(x.size());
}
double covariance(const std::vector<double>& x, const std::vector<double>& y) {
  const double mx = mean(x), my = mean(y);
  double s = 0;
  for (std::size_t i = 0; i < x.size(); ++i) s += (x[i] - mx) * (y[i] - my);
  return s / static_cast<double>(x.size() - 1);
}
// The sample mean and variance of normal draws within 5 standard errors of (mu, var).
void expect_normal_moments(const std::vector<double>& x, double mu, double var) {
  const double n = static_cast<double>(x.size());
  EXPECT_NEAR(mean(x), mu, 5 * std::sqrt(var / n));
  EXPECT_NEAR(covariance(x, x), var, 5 * var * std::sqrt(2 / (n - 1)));
}

constexpr std::int64_t kDraws = 20000;

TEST_F(Predictive, PriorOfAHierarchicalNormalHasItsMarginalMomentsAndCovariance) {
  Model m;
  const Tensor mu = m.rv("mu", Normal(1, 2));
  m.deterministic("twice", mu * 2.0);
  m.observe("y", Normal(mu, 1), {0, 0, 0}, {3});
  const PredictiveDraws p = prior_predictive(m, kDraws, 7);
  ASSERT_EQ(p.draws(), kDraws);
  EXPECT_EQ(p.column_names(), (std::vector<std::string>{"mu", "twice", "y[0]", "y[1]", "y[2]"}));
  const auto mus = column(p, 0), twice = column(p, 1), y0 = column(p, 2), y2 = column(p, 4);
  expect_normal_moments(mus, 1, 4);
  expect_normal_moments(y0, 1, 5);  // y = mu + e: variance 4 + 1
  expect_normal_moments(y2, 1, 5);
  // cov(y0, y2) = var(mu) = 4; its standard error sqrt((var0 var2 + cov^2) / n).
  EXPECT_NEAR(covariance(y0, y2), 4, 5 * std::sqrt((25.0 + 16.0) / kDraws));
  for (std::size_t i = 0; i < mus.size(); ++i) EXPECT_DOUBLE_EQ(twice[i], 2 * mus[i]);
}

TEST_F(Predictive, ADrawReachesLaterVariablesThroughItsTransform) {
  // sigma ~ HalfNormal(1) is sampled as log(sigma); x ~ Normal(0, sigma) has variance
  // E[sigma^2] = 1, and u ~ Uniform(0, sigma) (an interval transform whose bound is sigma) has
  // mean E[sigma] / 2 = sqrt(2 / pi) / 2 and never leaves (0, sigma).
  Model m;
  const Tensor sigma = m.rv("sigma", HalfNormal(1));
  m.rv("x", Normal(0, sigma));
  m.rv("u", Uniform(0, sigma));
  const PredictiveDraws p = prior_predictive(m, kDraws, 11);
  const auto s = column(p, 0), x = column(p, 1), u = column(p, 2);
  EXPECT_NEAR(mean(x), 0, 5 * std::sqrt(1.0 / kDraws));
  // E[x^4] = 3 E[sigma^4] = 9, so var(x^2) = 8.
  double x2 = 0;
  for (double v : x) x2 += v * v;
  EXPECT_NEAR(x2 / kDraws, 1, 5 * std::sqrt(8.0 / kDraws));
  const double eu = std::sqrt(2 / std::numbers::pi) / 2;
  // var(u) = E[sigma^2] / 3 - eu^2.
  EXPECT_NEAR(mean(u), eu, 5 * std::sqrt((1.0 / 3 - eu * eu) / kDraws));
  for (std::size_t i = 0; i < u.size(); ++i) {
    ASSERT_GT(u[i], 0);
    ASSERT_LT(u[i], s[i]) << "draw " << i;
  }
}

TEST_F(Predictive, AnOrderedVariableIsDrawnFromThePriorRestrictedToOrderedVectors) {
  // Normal(0, 1, shape=2) under `ordered` has density 2 phi(a) phi(b) on a < b: the larger of two
  // standard normals, mean 1/sqrt(pi) and variance 1 - 1/pi.
  Model m;
  m.rv("mu", Normal(0, 1), {.shape = Shape{2}, .transform = "ordered"});
  const PredictiveDraws p = prior_predictive(m, kDraws, 13);
  const auto lo = column(p, 0), hi = column(p, 1);
  for (std::size_t i = 0; i < lo.size(); ++i) ASSERT_LT(lo[i], hi[i]) << "draw " << i;
  const double var = 1 - 1 / std::numbers::pi;
  EXPECT_NEAR(mean(hi), 1 / std::sqrt(std::numbers::pi), 5 * std::sqrt(var / kDraws));
  EXPECT_NEAR(mean(lo), -1 / std::sqrt(std::numbers::pi), 5 * std::sqrt(var / kDraws));
}

TEST_F(Predictive, MultivariateFamiliesDrawWholeVectors) {
  Model m;
  m.rv("w", Dirichlet({2.0, 3.0, 5.0}));
  const PredictiveDraws p = prior_predictive(m, 4000, 3);
  ASSERT_EQ(p.size, 3);
  for (std::int64_t d = 0; d < p.draws(); ++d) {
    double s = 0;
    for (std::int64_t k = 0; k < 3; ++k) s += p.values[static_cast<std::size_t>(d * 3 + k)];
    ASSERT_NEAR(s, 1, 1e-12);
  }
  // Dirichlet(2, 3, 5): E[w_0] = 0.2, var = 0.2 * 0.8 / 11.
  EXPECT_NEAR(mean(column(p, 0)), 0.2, 5 * std::sqrt(0.16 / 11 / 4000));
}

TEST_F(Predictive, PosteriorDrawsTheObservedVariablesAtEachPoint) {
  Model m;
  const Tensor mu = m.rv("mu", Normal(0, 10));
  const Tensor sigma = m.rv("sigma", HalfNormal(5));
  m.observe("y", Normal(mu, sigma), {1, 2}, {2});
  // Two points, each repeated: y ~ Normal(3, 0.5) at the first, Normal(-1, 2) at the second.
  std::vector<std::vector<std::vector<double>>> points;
  for (int k = 0; k < kDraws; ++k) points.push_back({{3.0}, {0.5}});
  for (int k = 0; k < kDraws; ++k) points.push_back({{-1.0}, {2.0}});
  const PredictiveDraws p = posterior_predictive(m, points, 5);
  ASSERT_EQ(p.draws(), 2 * kDraws);
  EXPECT_EQ(p.column_names(), (std::vector<std::string>{"y[0]", "y[1]"}));
  const auto y = column(p, 1);
  expect_normal_moments(std::vector<double>(y.begin(), y.begin() + kDraws), 3, 0.25);
  expect_normal_moments(std::vector<double>(y.begin() + kDraws, y.end()), -1, 4);
}

TEST_F(Predictive, ADiscreteVariableIsDrawnAsIntegersAndReachesThoseAfterIt) {
  // k ~ Poisson(4), y ~ Normal(k, 0.1): k whole, with Poisson(4)'s mean and variance; y follows k.
  Model m;
  const Tensor k = m.rv("k", Poisson(4.0));
  m.observe("y", Normal(graph::cast(k, graph::DType::f64), 0.1), {1.0}, {});
  const PredictiveDraws p = prior_predictive(m, kDraws, 7);
  const auto kk = column(p, 0), y = column(p, 1);
  double mean = 0, var = 0, gap = 0;
  for (std::size_t i = 0; i < kk.size(); ++i) {
    ASSERT_EQ(kk[i], std::round(kk[i]));
    ASSERT_GE(kk[i], 0);
    mean += kk[i] / kDraws;
    gap = std::max(gap, std::abs(y[i] - kk[i]));
  }
  for (double v : kk) var += (v - mean) * (v - mean) / (kDraws - 1);
  EXPECT_NEAR(mean, 4, 5 * std::sqrt(4.0 / kDraws));
  EXPECT_NEAR(var, 4, 0.1 * 4);
  EXPECT_LT(gap, 0.6);  // six sd of y given k
  // At a posterior point k = 7, y is drawn around 7.
  const PredictiveDraws post = posterior_predictive(m, {{{7.0}}}, 8);
  EXPECT_NEAR(post.values[0], 7, 0.6);
}

TEST_F(Predictive, TheSameSeedGivesTheSameDraws) {
  Model m;
  const Tensor mu = m.rv("mu", Normal(0, 1));
  m.observe("y", Poisson(graph::exp(mu)), {1, 2, 3}, {3});
  const auto a = prior_predictive(m, 50, 9), b = prior_predictive(m, 50, 9),
             c = prior_predictive(m, 50, 10);
  EXPECT_EQ(a.values, b.values);
  EXPECT_NE(a.values, c.values);
}

TEST_F(Predictive, APointWithTheWrongNumberOfValuesNamesTheVariable) {
  Model m;
  m.rv("theta", Normal(0, 1), {.shape = Shape{3}});
  m.observe("y", Normal(0, 1), {1}, {1});
  try {
    posterior_predictive(m, {{{1.0, 2.0}}}, 1);
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "'theta' needs 3 values (shape [3]), got 2");
  }
  EXPECT_THROW(posterior_predictive(m, {{}}, 1), InputError);
}

}  // namespace
}  // namespace stochos::model
