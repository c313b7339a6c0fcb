// The draws' correlation condition number (infer/draws_correlation.hpp): that of a known
// correlated Gaussian, and none where a metric other than the diagonal ran or the draws are too
// few or too wide to measure.
#include <gtest/gtest.h>

#include <boost/random/normal_distribution.hpp>

#include "infer/draws_correlation.hpp"
#include "infer/rng.hpp"

namespace stochos::infer {
namespace {

// Two chains of n draws of (x, y, c): x and y correlated at rho, on scales 1 and 100, c constant.
Trace correlated(double rho, Eigen::Index n) {
  Trace t;
  t.markov = true;
  Rng rng = chain_rng(9, 0);
  boost::random::normal_distribution<double> normal(0.0, 1.0);
  for (int c = 0; c < 2; ++c) {
    ChainTrace ct;
    ct.draws.resize(n, 3);
    for (Eigen::Index i = 0; i < n; ++i) {
      const double a = normal(rng), b = normal(rng);
      ct.draws(i, 0) = a;
      ct.draws(i, 1) = 100 * (rho * a + std::sqrt(1 - rho * rho) * b);
      ct.draws(i, 2) = 7;
    }
    ct.inverse_metric = Eigen::VectorXd::Ones(3);
    t.chains.push_back(ct);
  }
  return t;
}

TEST(DrawsCorrelation, IsTheConditionNumberOfTheCorrelationMatrix) {
  // Eigenvalues 1 + rho and 1 - rho: 199 for rho = 0.99, 3 for rho = 0.5, whatever the scales.
  EXPECT_NEAR(draws_correlation_condition(correlated(0.99, 5000)), 199, 20);
  EXPECT_NEAR(draws_correlation_condition(correlated(0.5, 5000)), 3, 0.3);
}

TEST(DrawsCorrelation, SaysNothingWhereTheMetricWasNotDiagonalOrTheDrawsTooFew) {
  Trace dense = correlated(0.99, 500);
  dense.chains[1].inverse_metric_dense = Eigen::MatrixXd::Identity(3, 3);
  EXPECT_EQ(draws_correlation_condition(dense), 0);
  Trace low_rank = correlated(0.99, 500);
  low_rank.chains[0].inverse_metric_low_rank = LowRankMetric(
      Eigen::VectorXd::Ones(3), Eigen::MatrixXd::Identity(3, 1), Eigen::VectorXd::Constant(1, 5.0));
  EXPECT_EQ(draws_correlation_condition(low_rank), 0);
  EXPECT_EQ(draws_correlation_condition(correlated(0.99, 1)), 0);
  Trace wide;
  ChainTrace c;
  c.draws = Eigen::MatrixXd::Random(1000, kMaxCorrelationDim + 1);
  wide.chains.push_back(c);
  EXPECT_EQ(draws_correlation_condition(wide), 0);
}

}  // namespace
}  // namespace stochos::infer
