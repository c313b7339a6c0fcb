// nutpie's low-rank metric (Note [nutpie low-rank adaptation]): its algebra against the dense
// matrix it stands for, the estimate from exact Gaussian draws, the adaptation's metric after
// warm-up on a correlated Gaussian, and NUTS's draws with it.
#include <gtest/gtest.h>

#include <boost/random/normal_distribution.hpp>
#include <cmath>

#include "diagnostics/diagnostics.hpp"
#include "infer/hamiltonian.hpp"
#include "infer/metric_accuracy.hpp"
#include "infer/nutpie_adaptation.hpp"
#include "infer/nutpie_low_rank.hpp"
#include "infer/sample.hpp"
#include "model/model.hpp"

namespace stochos::infer {
namespace {

using test::worst_ratio;

using namespace distributions;
using model::Model;

Eigen::MatrixXd standard_normals(Eigen::Index rows, Eigen::Index cols, Rng& rng) {
  boost::random::normal_distribution<double> normal(0.0, 1.0);
  Eigen::MatrixXd z(rows, cols);
  for (Eigen::Index j = 0; j < cols; ++j)
    for (Eigen::Index i = 0; i < rows; ++i) z(i, j) = normal(rng);
  return z;
}

// A metric of dimension d and rank 3 with eigenvalues on both sides of 1.
LowRankMetric example_metric(Eigen::Index d, Rng& rng) {
  const Eigen::VectorXd diag = standard_normals(d, 1, rng).col(0).array().exp();
  const Eigen::MatrixXd u =
      Eigen::HouseholderQR<Eigen::MatrixXd>(standard_normals(d, 3, rng)).householderQ() *
      Eigen::MatrixXd::Identity(d, 3);
  return LowRankMetric(diag, u, (Eigen::VectorXd(3) << 40.0, 0.05, 3.0).finished());
}

// A 20-dimensional Gaussian of unequal scales with three strong directions (variances 50, 20 and
// 0.02 along them, in the scaled space) that no diagonal can follow.
Eigen::MatrixXd correlated_covariance() {
  const Eigen::Index d = 20;
  Rng rng = chain_rng(5, 0);
  const Eigen::MatrixXd u =
      Eigen::HouseholderQR<Eigen::MatrixXd>(standard_normals(d, 3, rng)).householderQ() *
      Eigen::MatrixXd::Identity(d, 3);
  const Eigen::VectorXd lambda = (Eigen::VectorXd(3) << 50.0, 20.0, 0.02).finished();
  Eigen::VectorXd s(d);
  for (Eigen::Index i = 0; i < d; ++i) s[i] = std::pow(10.0, -1.0 + 2.0 * i / (d - 1.0));
  const Eigen::MatrixXd inner = Eigen::MatrixXd::Identity(d, d) +
                                u * (lambda.array() - 1).matrix().asDiagonal() * u.transpose();
  return s.asDiagonal() * inner * s.asDiagonal();
}

TEST(LowRankMetric, VelocityKineticAndDiagonalAreThoseOfTheDenseMatrix) {
  Rng rng = chain_rng(1, 0);
  const LowRankMetric m = example_metric(7, rng);
  const Eigen::MatrixXd sigma = m.matrix();
  // The matrix itself: S (I + U (Lambda - I) U^T) S, built independently.
  const Eigen::VectorXd s = m.diag().cwiseSqrt();
  Eigen::MatrixXd expected = Eigen::MatrixXd::Identity(7, 7);
  for (Eigen::Index k = 0; k < 3; ++k)
    expected += (m.vals()[k] - 1) * m.vecs().col(k) * m.vecs().col(k).transpose();
  expected = s.asDiagonal() * expected * s.asDiagonal();
  EXPECT_LT((sigma - expected).norm(), 1e-12 * expected.norm());
  EXPECT_LT((m.diagonal() - expected.diagonal()).norm(), 1e-12 * expected.norm());
  for (int t = 0; t < 5; ++t) {
    const Eigen::VectorXd p = standard_normals(7, 1, rng).col(0);
    EXPECT_LT((m.velocity(p) - expected * p).norm(), 1e-12 * (expected * p).norm());
    EXPECT_NEAR(m.kinetic(p), 0.5 * p.dot(expected * p), 1e-12 * p.dot(expected * p));
  }
}

TEST(LowRankMetric, TheHamiltonianAgreesWithItsDenseForm) {
  Model model;
  model.rv("x", Normal(0, Arg(std::vector<double>(7, 1.0), {7})));
  const auto d = model.compile();
  auto ws = d.make_workspace();
  Hamiltonian low(d, *ws), dense(d, *ws);
  Rng rng = chain_rng(2, 0);
  const LowRankMetric m = example_metric(7, rng);
  low.set_inverse_metric_low_rank(m);
  dense.set_inverse_metric_dense(m.matrix());
  EXPECT_EQ(low.form(), Hamiltonian::Form::low_rank);
  EXPECT_LT((low.inverse_metric_diagonal() - dense.inverse_metric_diagonal()).norm(), 1e-12);
  const Eigen::VectorXd p = standard_normals(7, 1, rng).col(0);
  EXPECT_LT((low.velocity(p) - dense.velocity(p)).norm(), 1e-12 * dense.velocity(p).norm());
  EXPECT_NEAR(low.kinetic(p), dense.kinetic(p), 1e-12 * dense.kinetic(p));
  // Rank 0 is the diagonal metric.
  low.set_inverse_metric_low_rank(LowRankMetric(m.diag(), Eigen::MatrixXd(7, 0), {}));
  EXPECT_EQ(low.form(), Hamiltonian::Form::diagonal);
}

TEST(LowRankMetric, MomentaHaveCovarianceTheMetric) {
  Model model;
  model.rv("x", Normal(0, Arg(std::vector<double>(7, 1.0), {7})));
  const auto d = model.compile();
  auto ws = d.make_workspace();
  Hamiltonian h(d, *ws);
  Rng rng = chain_rng(3, 0);
  const LowRankMetric m = example_metric(7, rng);
  h.set_inverse_metric_low_rank(m);
  const Eigen::MatrixXd metric = m.matrix().inverse();
  // Exactly: the map from standard normals, A, has A A^T = M.
  Eigen::MatrixXd a(7, 7);
  for (Eigen::Index j = 0; j < 7; ++j) a.col(j) = m.momentum(Eigen::VectorXd::Unit(7, j));
  EXPECT_LT((a * a.transpose() - metric).norm(), 1e-9 * metric.norm());
  // And by sampling: each entry of the sample covariance within 5 standard errors of M's.
  const int n = 20000;
  PhasePoint z;
  Eigen::MatrixXd draws(7, n);
  for (int i = 0; i < n; ++i) {
    h.sample_momentum(z, rng);
    draws.col(i) = z.p;
  }
  const Eigen::MatrixXd cov = draws * draws.transpose() / n;
  for (Eigen::Index i = 0; i < 7; ++i)
    for (Eigen::Index j = 0; j < 7; ++j) {
      const double se = std::sqrt((metric(i, i) * metric(j, j) + metric(i, j) * metric(i, j)) / n);
      EXPECT_NEAR(cov(i, j), metric(i, j), 5 * se) << i << " " << j;
    }
}

TEST(NutpieLowRank, SpdMeanIsTheGeometricMean) {
  // nuts-rs's own case: diagonals, where the mean is sqrt(a / b).
  const Eigen::MatrixXd a = Eigen::Vector3d(1, 4, 8).asDiagonal();
  const Eigen::MatrixXd b = Eigen::Vector3d(1, 1, 0.5).asDiagonal();
  const Eigen::MatrixXd expected = Eigen::Vector3d(1, 2, 4).asDiagonal();
  EXPECT_LT((spd_mean(a, b) - expected).norm(), 1e-12);
  // In general the mean X solves X b X = a.
  Rng rng = chain_rng(4, 0);
  const Eigen::MatrixXd ra = standard_normals(5, 8, rng), rb = standard_normals(5, 8, rng);
  const Eigen::MatrixXd c = ra * ra.transpose(), g = rb * rb.transpose();
  const Eigen::MatrixXd x = spd_mean(c, g);
  EXPECT_LT((x * g * x - c).norm(), 1e-9 * c.norm());
}

// From exact draws of a Gaussian and their scores, the estimate is the covariance up to the
// eigenvalues it leaves at 1, those within [1/2, 2] (the cutoff): off by at most a factor of 2 in
// any direction, where the diagonal alone is off by more than 10.
TEST(NutpieLowRank, EstimatesACorrelatedCovarianceFromDrawsAndScores) {
  const Eigen::MatrixXd cov = correlated_covariance();
  const Eigen::Index d = cov.rows(), n = 100;
  Rng rng = chain_rng(6, 0);
  const Eigen::MatrixXd draws =
      Eigen::LLT<Eigen::MatrixXd>(cov).matrixL() * standard_normals(d, n, rng);
  const Eigen::MatrixXd grads = -cov.llt().solve(draws);
  const auto m = estimate_low_rank_metric(draws, grads);
  ASSERT_TRUE(m.has_value());
  EXPECT_GE(m->rank(), 3);
  EXPECT_LT(worst_ratio(m->matrix(), cov), 2.0 * 1.01);
  const LowRankMetric diagonal_only(m->diag(), Eigen::MatrixXd(d, 0), {});
  EXPECT_GT(worst_ratio(diagonal_only.matrix(), cov), 10.0);
  // Too few draws to scale every coordinate: no estimate.
  EXPECT_FALSE(estimate_low_rank_metric(draws.leftCols(1), grads.leftCols(1)).has_value());
}

// The low-rank adaptation's schedule: the metric changes at each switch (every 10 draws in the
// first 30% of warm-up, every 80 after) and 20 draws after its last change, never in the final
// 15%; from exact draws of two coordinates correlated at 0.99 it finds their covariance.
TEST(NutpieLowRank, ChangesTheMetricOnItsScheduleAndFindsTheCorrelation) {
  NutpieMetricAdaptation a(2, 1000, true);
  Eigen::Matrix2d cov;
  cov << 1, 0.99, 0.99, 1;
  const Eigen::Matrix2d l = cov.llt().matrixL();
  Rng rng = chain_rng(8, 0);
  std::vector<long> changed;
  for (long i = 0; i < 1000; ++i) {
    const Eigen::VectorXd q = l * standard_normals(2, 1, rng).col(0);
    if (a.learn(q, -cov.llt().solve(q), false)) changed.push_back(i);
  }
  ASSERT_GE(changed.size(), 3u);
  EXPECT_EQ(std::vector<long>(changed.begin(), changed.begin() + 3),
            (std::vector<long>{9, 19, 29}));
  EXPECT_LT(changed.back(), a.final_window_start());
  for (std::size_t i = 1; i < changed.size(); ++i) EXPECT_LE(changed[i] - changed[i - 1], 20) << i;
  // Both directions are off the diagonal metric by more than 2 (variances 1.99 and 0.01 against
  // the diagonal's 0.14), and for a Gaussian the mean of draws and scores is its covariance.
  EXPECT_EQ(a.metric_low_rank().rank(), 2);
  EXPECT_LT(worst_ratio(a.metric_low_rank().matrix(), cov), 1.05);
}

// The adaptation in NUTS's warm-up finds the same structure from the chain's own draws, and the
// chains then sample the Gaussian: every mean within 5 MCSE, every sd within 5 of its standard
// errors (from the bulk ESS), and no step at the maximum tree depth.
TEST(NutpieLowRank, AdaptsToAndSamplesACorrelatedGaussian) {
  const Eigen::MatrixXd cov = correlated_covariance();
  const Eigen::Index d = cov.rows();
  Model model;
  std::vector<double> flat(cov.data(), cov.data() + cov.size());
  model.rv("x", MvNormal(Arg(std::vector<double>(static_cast<std::size_t>(d), 0.0), {d}),
                         Arg(flat, {d, d})));
  const auto density = model.compile();
  const auto r = sample(
      density, {.chains = 4, .draws = 1000, .tune = 400, .seed = 7, .adapt = "nutpie-lowrank"});
  for (const auto& c : r.chains) {
    ASSERT_GE(c.inverse_metric_low_rank.rank(), 3) << c.chain;
    EXPECT_LT(worst_ratio(c.inverse_metric_low_rank.matrix(), cov), 2.0 * 1.1) << c.chain;
  }
  const int depth = r.stat_index("treedepth__");
  for (const auto& c : r.chains) EXPECT_LT(c.stats.col(depth).maxCoeff(), 10) << c.chain;
  for (Eigen::Index j = 0; j < d; ++j) {
    diagnostics::Chains x;
    double sum = 0, sum2 = 0, n = 0;
    for (const auto& c : r.chains) {
      x.emplace_back(c.draws.col(j).data(), c.draws.col(j).data() + c.draws.rows());
      sum += c.draws.col(j).sum();
      sum2 += c.draws.col(j).squaredNorm();
      n += static_cast<double>(c.draws.rows());
    }
    const double mean = sum / n, sd = std::sqrt(sum2 / n - mean * mean);
    EXPECT_NEAR(mean, 0.0, 5 * diagnostics::mcse_mean(x)) << j;
    EXPECT_NEAR(sd, std::sqrt(cov(j, j)), 5 * diagnostics::mcse_sd(x)) << j;
  }
}

}  // namespace
}  // namespace stochos::infer
