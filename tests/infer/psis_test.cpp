// Pareto-smoothed importance sampling: the generalised Pareto fit, k-hat on importance ratios
// whose tails are known in closed form, and reference numbers from ArviZ 0.22's psislw
// (its algorithm transcribed to Python's standard library and run on the same inputs).
#include "infer/psis.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/math/distributions/normal.hpp>
#include <boost/random/normal_distribution.hpp>
#include <boost/random/uniform_01.hpp>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "stochos/error.hpp"

namespace stochos::infer {
namespace {

// log N(z; 0, sd) - log N(z; 0, 1): the log ratio of a N(0, sd) target to a N(0, 1) proposal.
double log_ratio(double z, double sd) {
  return -0.5 * (z / sd) * (z / sd) - std::log(sd) + 0.5 * z * z;
}

// S draws from the N(0, 1) proposal and their log ratios to a N(0, sd) target.
Eigen::VectorXd normal_log_ratios(int S, double sd, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  boost::random::normal_distribution<double> normal;
  Eigen::VectorXd lr(S);
  for (int i = 0; i < S; ++i) lr[i] = log_ratio(normal(rng), sd);
  return lr;
}

TEST(Psis, TailLengthIsLooAndArvizs) {
  EXPECT_EQ(psis_tail_length(1000), 95);  // ceil(3 sqrt(1000)) = ceil(94.87)
  EXPECT_EQ(psis_tail_length(100), 20);   // 0.2 S = 20 < 3 sqrt(S) = 30
  EXPECT_EQ(psis_tail_length(4000), 190);
}

TEST(Psis, GpdFitRecoversShapeAndScaleOfALargeSample) {
  // 20000 draws by the inverse CDF: the standard error of k-hat is about (1 + k) / sqrt(n),
  // 0.011 here; the prior's pull towards 0.5 is nil at k = 0.5.
  for (const GpdFit truth : {GpdFit{0.5, 2.0}, GpdFit{0.2, 0.5}, GpdFit{-0.3, 1.0}}) {
    std::mt19937_64 rng(11);
    boost::random::uniform_01<double> u;
    Eigen::VectorXd x(20000);
    for (Eigen::Index i = 0; i < x.size(); ++i) x[i] = gpd_quantile(u(rng), truth);
    std::sort(x.data(), x.data() + x.size());
    const GpdFit fit = gpd_fit(x);
    EXPECT_NEAR(fit.k, truth.k, 0.04) << "k " << truth.k;
    EXPECT_NEAR(fit.sigma, truth.sigma, 0.05 * truth.sigma) << "k " << truth.k;
  }
}

TEST(Psis, GpdFitMatchesArvizOnExactQuantiles) {
  // ArviZ's _gpdfit on the 400 quantiles (i + 0.5) / 400 of GPD(shape, sigma = 2).
  const std::vector<std::pair<double, GpdFit>> cases = {
      {-0.25, {-0.22426368778092967, 1.983764433464377}},
      {0.3, {0.30761602819304196, 1.992170523086042}},
      {0.7, {0.6944650382850559, 1.998401407337875}}};
  for (const auto& [shape, expected] : cases) {
    Eigen::VectorXd x(400);
    for (int i = 0; i < 400; ++i) x[i] = gpd_quantile((i + 0.5) / 400, {shape, 2.0});
    const GpdFit fit = gpd_fit(x);
    EXPECT_NEAR(fit.k, expected.k, 1e-10) << "shape " << shape;
    EXPECT_NEAR(fit.sigma, expected.sigma, 1e-10) << "shape " << shape;
  }
}

TEST(Psis, MatchesArvizPsislw) {
  // Log ratios of a N(0.2, sd) target to a N(0, 1) proposal at the normal quantiles
  // ((37 i mod 1000) + 0.5) / 1000: a shuffled order, and no ties.
  const int S = 1000;
  const boost::math::normal_distribution<> std_normal;
  struct Case {
    double sd, k;
    std::vector<std::pair<int, double>> lw;
  };
  const std::vector<Case> cases = {{1.5,
                                    0.5065723542551752,
                                    {{0, -4.487472586343753},
                                     {1, -6.584894710183493},
                                     {2, -6.857013931010735},
                                     {27, -4.007053031837665}}},
                                   {0.8,
                                    -1.5746719578062742,
                                    {{0, -10.78942510740331},
                                     {1, -8.163855107852314},
                                     {2, -7.752534250667978},
                                     {830, -6.629077104358172}}}};
  for (const Case& c : cases) {
    Eigen::VectorXd lr(S);
    for (int i = 0; i < S; ++i) {
      const double z = boost::math::quantile(std_normal, ((i * 37) % S + 0.5) / S);
      lr[i] = -0.5 * ((z - 0.2) / c.sd) * ((z - 0.2) / c.sd) - std::log(c.sd) + 0.5 * z * z;
    }
    const PsisResult r = psis(lr);
    EXPECT_NEAR(r.pareto_k, c.k, 1e-8) << "sd " << c.sd;
    for (const auto& [i, v] : c.lw)
      EXPECT_NEAR(r.log_weights[i], v, 1e-9) << "sd " << c.sd << " [" << i << "]";
  }
}

TEST(Psis, KhatIsSmallForAWideProposal) {
  // A N(0, 1) proposal for a N(0, 0.8) target: the ratios are bounded, the tail short (k < 0).
  const PsisResult r = psis(normal_log_ratios(4000, 0.8, 21));
  EXPECT_LT(r.pareto_k, 0.5);
  EXPECT_NEAR(r.log_weights.array().exp().sum(), 1.0, 1e-12);
}

TEST(Psis, KhatIsLargeForANarrowProposal) {
  // A N(0, 1) proposal for a N(0, 3) target: the ratios exp(z^2 (1 - 1/9) / 2) have a Pareto
  // tail of shape 1 - 1/sd^2 = 0.89.
  const PsisResult r = psis(normal_log_ratios(4000, 3.0, 22));
  EXPECT_GT(r.pareto_k, 0.7);
  EXPECT_NEAR(r.log_weights.array().exp().sum(), 1.0, 1e-12);
}

TEST(Psis, SmoothingTouchesOnlyTheTailAndCapsIt) {
  const Eigen::VectorXd lr = normal_log_ratios(1000, 2.0, 23);
  const PsisResult r = psis(lr);
  // Below the tail (the 95 largest of 1000) the weights are the ratios, normalised: one shift.
  std::vector<double> sorted(lr.data(), lr.data() + lr.size());
  std::sort(sorted.begin(), sorted.end());
  const double cutoff = sorted[1000 - 95 - 1];
  Eigen::Index lowest = 0;
  lr.minCoeff(&lowest);
  const double shift = r.log_weights[lowest] - lr[lowest];
  int body = 0;
  for (Eigen::Index i = 0; i < lr.size(); ++i)
    if (lr[i] <= cutoff) {
      ++body;
      EXPECT_NEAR(r.log_weights[i] - lr[i], shift, 1e-9) << i;
    }
  EXPECT_EQ(body, 1000 - 95);
  // No smoothed weight exceeds the largest raw one.
  EXPECT_LE((r.log_weights.array() - shift).maxCoeff(), lr.maxCoeff() + 1e-9);
}

TEST(Psis, ZeroDensityDrawsGetZeroWeight) {
  Eigen::VectorXd lr = normal_log_ratios(200, 0.9, 24);
  lr[3] = -std::numeric_limits<double>::infinity();
  lr[7] = std::numeric_limits<double>::quiet_NaN();
  const PsisResult r = psis(lr);
  EXPECT_EQ(std::exp(r.log_weights[3]), 0.0);
  EXPECT_EQ(std::exp(r.log_weights[7]), 0.0);
  EXPECT_NEAR(r.log_weights.array().exp().sum(), 1.0, 1e-12);
}

TEST(Psis, TooFewDrawsForATailReportInfiniteK) {
  Eigen::VectorXd lr(10);
  lr << 0.1, -0.3, 0.5, 0.2, -1.0, 0.0, 0.4, -0.2, 0.3, 0.6;
  const PsisResult r = psis(lr);  // a tail of 2 cannot be fitted
  EXPECT_TRUE(std::isinf(r.pareto_k));
  // Unsmoothed: the weights are the normalised ratios.
  EXPECT_NEAR(r.log_weights[2] - r.log_weights[0], 0.4, 1e-12);
  EXPECT_NEAR(r.log_weights.array().exp().sum(), 1.0, 1e-12);
}

TEST(Psis, NoFiniteRatioIsAnError) {
  const Eigen::VectorXd lr =
      Eigen::VectorXd::Constant(50, -std::numeric_limits<double>::infinity());
  EXPECT_THROW(psis(lr), RuntimeError);
  EXPECT_THROW(psis(Eigen::VectorXd()), RuntimeError);
}

}  // namespace
}  // namespace stochos::infer
