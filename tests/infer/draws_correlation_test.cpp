// The draws' correlation condition number (infer/draws_correlation.hpp): that of a known
// correlated Gaussian, and none where the options ran a metric other than the diagonal, a
// kernel without one, or the draws are too few or too wide to measure.
#include <gtest/gtest.h>

#include <boost/random/normal_distribution.hpp>

#include "infer/draws_correlation.hpp"
#include "infer/rng.hpp"

namespace stochos::infer {
namespace {

// Two chains of n draws of (x, y, c): x and y correlated at rho, on scales 1 and 100, c constant.
Trace correlated(double rho, Eigen::Index n) {
  Trace t;
  t.method = "nuts";
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
  EXPECT_NEAR(draws_correlation_condition(correlated(0.99, 5000), {}), 199, 20);
  EXPECT_NEAR(draws_correlation_condition(correlated(0.5, 5000), {.adapt = "nutpie"}), 3, 0.3);
}

TEST(DrawsCorrelation, SaysNothingWhereNoDiagonalMetricRanOrTheDrawsAreTooFew) {
  const Trace t = correlated(0.99, 500);
  EXPECT_GT(draws_correlation_condition(t, {}), 100);
  EXPECT_EQ(draws_correlation_condition(t, {.dense_metric = true}), 0);
  EXPECT_EQ(draws_correlation_condition(t, {.adapt = "nutpie-lowrank"}), 0);
  Trace compound = t;
  compound.method = "compound";
  EXPECT_EQ(draws_correlation_condition(compound, {}), 0);
  EXPECT_EQ(draws_correlation_condition(correlated(0.99, 1), {}), 0);
  Trace wide;
  wide.method = "nuts";
  ChainTrace c;
  c.draws = Eigen::MatrixXd::Random(1000, kMaxCorrelationDim + 1);
  wide.chains.push_back(c);
  EXPECT_EQ(draws_correlation_condition(wide, {}), 0);
}

// The default's automatic metric decides per chain: only the chains that stayed diagonal count,
// and none when every chain turned dense.
TEST(DrawsCorrelation, CountsOnlyTheChainsWhoseMetricStayedDiagonal) {
  Trace t = correlated(0.99, 500);
  t.chains[0].draws = correlated(0.0, 500).chains[0].draws;  // uncorrelated
  EXPECT_LT(draws_correlation_condition(t, {}), 50);         // pooled with the correlated one
  t.chains[1].inverse_metric_dense = Eigen::MatrixXd::Identity(3, 3);
  EXPECT_LT(draws_correlation_condition(t, {}), 3);
  t.chains[0].inverse_metric_dense = Eigen::MatrixXd::Identity(3, 3);
  EXPECT_EQ(draws_correlation_condition(t, {}), 0);
}

}  // namespace
}  // namespace stochos::infer
