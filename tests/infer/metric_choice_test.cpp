// The automatic metric of Stan's windows (Note [automatic metric], infer/metric_choice.hpp): the
// window test, the switch in the window schedule, and NUTS with it: dense on a strongly correlated
// Gaussian (the adapted inverse metric close to the covariance), and on independent coordinates
// the diagonal with the very draws of --metric diag. (The centred eight schools keeps the
// diagonal too: tests/infer/nuts_test.cpp.)
#include <gtest/gtest.h>

#include <boost/random/normal_distribution.hpp>
#include <cmath>

#include "infer/adaptation.hpp"
#include "infer/draws_correlation.hpp"
#include "infer/metric_accuracy.hpp"
#include "infer/metric_choice.hpp"
#include "infer/sample.hpp"
#include "model/model.hpp"
#include "stochos/error.hpp"

namespace stochos::infer {
namespace {

using test::worst_ratio;

using namespace distributions;
using model::Model;

// d coordinates with pairwise correlation rho and standard deviations 10^(-1 ... 1): the
// correlation matrix's condition number is (1 + (d - 1) rho) / (1 - rho).
Eigen::MatrixXd equicorrelated(Eigen::Index d, double rho) {
  Eigen::MatrixXd corr = Eigen::MatrixXd::Constant(d, d, rho);
  corr.diagonal().setOnes();
  Eigen::VectorXd s(d);
  for (Eigen::Index i = 0; i < d; ++i) s[i] = std::pow(10.0, -1.0 + 2.0 * i / (d - 1.0));
  return s.asDiagonal() * corr * s.asDiagonal();
}

// The pooled draws are merged window by window: the same moments as adding every draw.
TEST(MetricChoice, MergedWindowsHaveThePooledDrawsMoments) {
  Rng rng = chain_rng(5, 0);
  boost::random::normal_distribution<double> normal(0.0, 1.0);
  VarianceEstimator all(3, true), pooled(3, true), window(3, true);
  for (int w = 0; w < 3; ++w) {
    for (int k = 0; k < 5 + 7 * w; ++k) {
      const Eigen::VectorXd q =
          (Eigen::VectorXd(3) << normal(rng) + w, 2 * normal(rng), normal(rng) - w).finished();
      all.add(q);
      window.add(q);
    }
    pooled.merge(window);
    window.restart();
  }
  ASSERT_EQ(pooled.count(), all.count());
  EXPECT_LT((pooled.covariance() - all.covariance()).cwiseAbs().maxCoeff(), 1e-12);
  EXPECT_LT((pooled.variance() - all.variance()).cwiseAbs().maxCoeff(), 1e-12);
}

TEST(MetricChoice, ParsesTheThreeNames) {
  EXPECT_EQ(parse_metric_kind("diag"), MetricKind::diag);
  EXPECT_EQ(parse_metric_kind("dense"), MetricKind::dense);
  EXPECT_EQ(parse_metric_kind("auto"), MetricKind::automatic);
  EXPECT_THROW(parse_metric_kind("unit"), InputError);
}

TEST(MetricChoice, AWindowCallsForDenseWhenItAndThePooledDrawsAreIllConditioned) {
  // Condition numbers (1 + 9 rho) / (1 - rho): 991 at 0.99, 181 at 0.95.
  const Eigen::MatrixXd strong = equicorrelated(10, 0.99), mild = equicorrelated(10, 0.95);
  EXPECT_NEAR(covariance_correlation_condition(strong), 991, 1e-6);
  EXPECT_TRUE(window_calls_for_dense({strong, 20}, {strong, 40}));
  // Between the warning's 100 and 500 the diagonal stays.
  EXPECT_FALSE(window_calls_for_dense({mild, 20}, {mild, 40}));
  // A window correlated where the warm-up as a whole is not (a funnel's neck), and the reverse.
  EXPECT_FALSE(window_calls_for_dense({strong, 20}, {mild, 40}));
  EXPECT_FALSE(window_calls_for_dense({mild, 20}, {strong, 40}));
  // Too few draws per coordinate to tell correlation from noise.
  EXPECT_FALSE(window_calls_for_dense({strong, 19}, {strong, 40}));
  EXPECT_FALSE(window_calls_for_dense({strong, 20}, {strong, 39}));
  // A constant coordinate is left out; one coordinate has no correlation.
  Eigen::MatrixXd with_constant = Eigen::MatrixXd::Zero(11, 11);
  with_constant.topLeftCorner(10, 10) = strong;
  EXPECT_NEAR(covariance_correlation_condition(with_constant), 991, 1e-6);
  const Eigen::MatrixXd one = Eigen::MatrixXd::Ones(1, 1);
  EXPECT_FALSE(window_calls_for_dense({one, 100}, {one, 100}));
  // Too wide to watch.
  const Eigen::Index wide = kMaxCorrelationDim + 1;
  const Eigen::MatrixXd wide_strong = equicorrelated(wide, 0.99);
  EXPECT_FALSE(window_calls_for_dense({wide_strong, 10 * wide}, {wide_strong, 10 * wide}));
}

// Exact draws of a correlated Gaussian through the window schedule: the first window with 2 draws
// per coordinate and 4 pooled (the second, of 50 draws, 75 pooled, for 10 coordinates) turns the
// metric dense, and the later windows' estimate is the covariance; the diagonal never turns.
TEST(MetricChoice, TheScheduleTurnsDenseAfterTheFirstWindowLongEnoughToJudge) {
  const Eigen::MatrixXd cov = equicorrelated(10, 0.99);
  const Eigen::MatrixXd l = cov.llt().matrixL();
  Rng rng = chain_rng(3, 0);
  boost::random::normal_distribution<double> normal(0.0, 1.0);
  MetricAdaptation automatic(10, 1000, MetricKind::automatic), diag(10, 1000, MetricKind::diag);
  std::vector<bool> dense_after;  // after each window, windows of 25, 50, 100, 200, 500 draws
  for (long it = 0; it < 1000; ++it) {
    Eigen::VectorXd z(10);
    for (Eigen::Index i = 0; i < 10; ++i) z[i] = normal(rng);
    const Eigen::VectorXd q = l * z;
    diag.learn(q);
    if (automatic.learn(q)) dense_after.push_back(automatic.dense());
  }
  EXPECT_EQ(dense_after, (std::vector<bool>{false, true, true, true, true}));
  EXPECT_FALSE(diag.dense());
  EXPECT_LT(worst_ratio(automatic.metric_dense(), cov), 1.5);
}

// A Gaussian whose coordinates are correlated at 0.99 (condition number 991): the default picks
// a dense metric whose inverse approximates the covariance, and NUTS never needs the maximum
// tree depth; --metric diag keeps the diagonal.
TEST(MetricChoice, NutsPicksADenseMetricForACorrelatedGaussian) {
  const Eigen::MatrixXd cov = equicorrelated(10, 0.99);
  Model model;
  std::vector<double> flat(cov.data(), cov.data() + cov.size());
  model.rv("x", MvNormal(Arg(std::vector<double>(10, 0.0), {10}), Arg(flat, {10, 10})));
  const auto density = model.compile();
  const auto r = sample(density, {.chains = 4, .draws = 500, .tune = 1000, .seed = 7});
  const int depth = r.stat_index("treedepth__");
  for (const auto& c : r.chains) {
    ASSERT_EQ(c.inverse_metric_dense.rows(), 10) << c.chain;
    EXPECT_LT(worst_ratio(c.inverse_metric_dense, cov), 2.0) << c.chain;
    EXPECT_LT(c.stats.col(depth).maxCoeff(), 10) << c.chain;
  }
  EXPECT_EQ(draws_correlation_condition(r, {}), 0);  // no warning: the metric follows it
  const auto d =
      sample(density, {.chains = 1, .draws = 100, .tune = 1000, .seed = 7, .metric = "diag"});
  EXPECT_EQ(d.chains[0].inverse_metric_dense.size(), 0);
  EXPECT_GT(draws_correlation_condition(d, {.metric = "diag"}), 100);
}

// Independent coordinates of very different scales: the default stays diagonal, and its draws
// are those of --metric diag bit for bit.
TEST(MetricChoice, IndependentCoordinatesKeepTheDiagonalAndItsDraws) {
  Model model;
  model.rv("x", Normal(0, Arg({0.01, 1.0, 100.0, 3.0, 0.5, 20.0}, {6})));
  const auto density = model.compile();
  const SampleOptions o = {.chains = 2, .draws = 300, .tune = 1000, .seed = 5};
  SampleOptions diag = o;
  diag.metric = "diag";
  const auto a = sample(density, o), b = sample(density, diag);
  for (std::size_t c = 0; c < 2; ++c) {
    EXPECT_EQ(a.chains[c].inverse_metric_dense.size(), 0);
    EXPECT_TRUE(a.chains[c].draws == b.chains[c].draws) << c;
    EXPECT_TRUE(a.chains[c].inverse_metric == b.chains[c].inverse_metric) << c;
  }
}

}  // namespace
}  // namespace stochos::infer
