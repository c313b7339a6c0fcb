// Pathfinder: on Gaussian targets the best approximation along the L-BFGS path is the target
// itself (mean, covariance, and so log p - log q constant at every draw); multi-path Pathfinder
// on a model: small k-hat on a Gaussian, the same draws on 1 and 2 threads, and the failures.
#include "infer/pathfinder.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <numbers>
#include <string>
#include <tuple>
#include <vector>

#include "model/model.hpp"
#include "stochos/error.hpp"

namespace stochos::infer {
namespace {

using namespace distributions;
using Eigen::MatrixXd;
using Eigen::VectorXd;
using model::Model;

// The normalised log density of N(mu, cov).
Objective gaussian(const VectorXd& mu, const MatrixXd& cov) {
  const MatrixXd prec = cov.inverse();
  const double log_det = std::log(cov.determinant());
  const double n = static_cast<double>(mu.size());
  return [=](const VectorXd& x, VectorXd& g) {
    const VectorXd d = x - mu;
    g = -prec * d;
    return -0.5 * d.dot(prec * d) - 0.5 * log_det - 0.5 * n * std::log(2 * std::numbers::pi);
  };
}

// The draws' mean within 5 standard errors and their variances within 5 of theirs (normal
// draws: the variance estimate's sd is var sqrt(2 / S)).
void expect_moments(const MatrixXd& draws, const VectorXd& mu, const MatrixXd& cov) {
  const double S = static_cast<double>(draws.rows());
  const VectorXd mean = draws.colwise().mean();
  const MatrixXd centred = draws.rowwise() - mean.transpose();
  const MatrixXd sample_cov = centred.transpose() * centred / (S - 1);
  for (Eigen::Index i = 0; i < mu.size(); ++i) {
    EXPECT_NEAR(mean[i], mu[i], 5 * std::sqrt(cov(i, i) / S)) << i;
    EXPECT_NEAR(sample_cov(i, i), cov(i, i), 5 * cov(i, i) * std::sqrt(2 / S)) << i;
  }
}

// One path on N(mu, cov) from x0: the approximation is exact (q = p: log p - log q is p's
// log normalising constant, 0, at every draw, and so is the ELBO).
void expect_exact(const VectorXd& mu, const MatrixXd& cov, const VectorXd& x0) {
  PathfinderOptions o;
  Rng rng = chain_rng(7, 0);
  const PathResult r = pathfinder_path(gaussian(mu, cov), x0, o, rng);
  ASSERT_TRUE(r.ok) << r.note;
  EXPECT_LT((r.mean - mu).cwiseAbs().maxCoeff(), 1e-8);
  EXPECT_LT((r.variance - cov.diagonal()).cwiseAbs().maxCoeff(), 1e-8);
  EXPECT_LT((r.lp - r.lp_approx).cwiseAbs().maxCoeff(), 1e-8);
  EXPECT_NEAR(r.elbo, 0, 1e-8);
  EXPECT_EQ(r.draws.rows(), 1000);
  expect_moments(r.draws, mu, cov);
}

TEST(Pathfinder, ExactOnAOneDimensionalGaussian) {
  // One pair gives alpha = s / y, the exact inverse Hessian.
  expect_exact(VectorXd::Constant(1, -3.0), MatrixXd::Constant(1, 1, 6.25),
               VectorXd::Constant(1, 1.0));
}

TEST(Pathfinder, ExactOnAnIsotropicGaussian) {
  // y = s / sigma^2 for every pair: the first diagonal update is already exact.
  const VectorXd mu(Eigen::Vector4d(1, -2, 0.5, 4));
  expect_exact(mu, 2.25 * MatrixXd::Identity(4, 4), Eigen::Vector4d(-1, 1.5, 0.3, 0));
}

// x ~ N(mu, diag(sd^2)), three independent coordinates.
void diagonal_gaussian(Model& m) {
  m.rv("x", Normal(Arg({1.0, -2.0, 0.5}, {3}), Arg({1.0, 2.0, 0.5}, {3})));
}

// x ~ N(mu, cov), correlated.
MatrixXd correlated_cov() {
  MatrixXd cov(3, 3);
  cov << 2.0, 0.9, -0.4, 0.9, 1.0, 0.2, -0.4, 0.2, 0.5;
  return cov;
}
void correlated_gaussian(Model& m) {
  const MatrixXd cov = correlated_cov();
  m.rv("x", MvNormal(Arg({3.0, 0.0, -1.0}, {3}),
                     Arg(std::vector<double>(cov.data(), cov.data() + 9), {3, 3})));
}

// x ~ N(mu, 1.5^2 I): every path's approximation is exact.
void isotropic_gaussian(Model& m) {
  m.rv("x", Normal(Arg({1.0, -2.0, 0.5}, {3}), 1.5));
}

TEST(Pathfinder, MultiPathDrawsHaveTheMomentsOfDiagonalAndCorrelatedGaussians) {
  // Single paths are not exact here (an L-BFGS history is not conjugate, and the noisy ELBO
  // may pick an early iterate); the importance-resampled pool corrects them.
  const std::vector<std::tuple<void (*)(Model&), VectorXd, MatrixXd>> cases = {
      {diagonal_gaussian, Eigen::Vector3d(1, -2, 0.5),
       MatrixXd(Eigen::Vector3d(1, 4, 0.25).asDiagonal())},
      {correlated_gaussian, Eigen::Vector3d(3, 0, -1), correlated_cov()}};
  for (const auto& [build, mu, cov] : cases) {
    Model m;
    build(m);
    const PathfinderResult r = pathfinder(m.compile(), {.seed = 5});
    ASSERT_EQ(r.trace.chains.size(), 1u);
    EXPECT_EQ(r.trace.chains[0].draws.rows(), 1000);
    EXPECT_EQ(r.paths.size(), 4u);
    expect_moments(r.trace.chains[0].draws, mu, cov);
  }
}

TEST(Pathfinder, MultiPathOnAnIsotropicGaussianHasSmallKhat) {
  Model m;
  isotropic_gaussian(m);
  const PathfinderResult r = pathfinder(m.compile(), {.seed = 9});
  EXPECT_LT(r.pareto_k, 0.5);
  ASSERT_EQ(r.paths.size(), 4u);
  for (const PathSummary& p : r.paths) {
    EXPECT_LT((p.mean - Eigen::Vector3d(1, -2, 0.5)).cwiseAbs().maxCoeff(), 1e-8) << p.path;
    EXPECT_LT((p.variance.array() - 2.25).abs().maxCoeff(), 1e-8) << p.path;
    EXPECT_NEAR(p.elbo, 0, 1e-8) << p.path;
  }
  expect_moments(r.trace.chains[0].draws, Eigen::Vector3d(1, -2, 0.5),
                 2.25 * MatrixXd::Identity(3, 3));
  for (const auto& note : r.notes) EXPECT_EQ(note.find("k-hat"), std::string::npos) << note;
}

TEST(Pathfinder, ImportanceResamplingCorrectsASkewedTarget) {
  // lambda ~ Gamma(3, 2), mean 1.5, approximated on log lambda by normals: the pooled draws
  // overstate the mean (by 0.16 to 0.46 over seeds 0-11), the resampled ones do not (within
  // 0.055; an iid standard error is 0.027).
  Model m;
  m.rv("lambda", Gamma(3.0, 2.0));
  const model::LogDensity d = m.compile();
  for (std::uint64_t seed = 0; seed < 4; ++seed) {
    const auto mean_lambda = [&](bool resample) {
      const PathfinderResult r = pathfinder(d, {.psis_resample = resample, .seed = seed});
      return r.trace.chains[0].draws.col(0).array().exp().mean();
    };
    EXPECT_GT(mean_lambda(false), 1.6) << seed;
    EXPECT_NEAR(mean_lambda(true), 1.5, 0.1) << seed;
  }
}

TEST(Pathfinder, TraceIsCmdStansPathfinderOutput) {
  Model m;
  correlated_gaussian(m);
  const model::LogDensity d = m.compile();
  const PathfinderResult r = pathfinder(d, {.num_psis_draws = 300, .seed = 2});
  const Trace& t = r.trace;
  EXPECT_EQ(t.method, "pathfinder");
  EXPECT_EQ(t.stat_names, (std::vector<std::string>{"lp_approx__", "lp__"}));
  std::vector<std::string> figures;
  for (const auto& [name, value] : t.figures) figures.push_back(name);
  EXPECT_EQ(figures, (std::vector<std::string>{"pareto_k", "elbo", "grad_evals", "paths",
                                               "paths_failed", "lbfgs_iterations", "seconds"}));
  EXPECT_EQ(t.figures[0].second, r.pareto_k);
  EXPECT_EQ(t.figures[3].second, 4);
  EXPECT_EQ(t.figures[4].second, 0);
  ASSERT_EQ(t.chains.size(), 1u);
  const ChainTrace& c = t.chains[0];
  ASSERT_EQ(c.draws.rows(), 300);
  ASSERT_EQ(c.stats.rows(), 300);
  ASSERT_EQ(c.draws.cols(), 3);
  // lp__ is the model's log density at the draw; lp_approx__ the approximation's, finite.
  auto ws = d.make_workspace();
  std::vector<double> g(3);
  for (Eigen::Index i = 0; i < c.draws.rows(); i += 37) {
    const VectorXd x = c.draws.row(i).transpose();
    EXPECT_DOUBLE_EQ(c.stats(i, 1), d(*ws, x.data(), g.data())) << i;
    EXPECT_TRUE(std::isfinite(c.stats(i, 0))) << i;
  }
  EXPECT_EQ(c.gradient_evaluations, static_cast<long>(t.figures[2].second));
  long per_path = 0;
  for (const auto& p : r.paths) per_path += p.grad_evals;
  EXPECT_EQ(c.gradient_evaluations, per_path);
  // The point estimate is the best path's mean.
  double best = -1e300;
  VectorXd best_mean;
  for (const auto& p : r.paths)
    if (p.elbo > best) {
      best = p.elbo;
      best_mean = p.mean;
    }
  EXPECT_EQ(t.point, best_mean);
  EXPECT_EQ(t.figures[1].second, best);
}

TEST(Pathfinder, OnePathOrNoResamplingKeepsEveryDraw) {
  Model m;
  diagonal_gaussian(m);
  const model::LogDensity d = m.compile();
  // One path: its num_draws draws as they are, as CmdStan's single-path output.
  const PathfinderResult one = pathfinder(d, {.num_paths = 1, .num_draws = 250, .seed = 3});
  EXPECT_EQ(one.trace.chains[0].draws.rows(), 250);
  ASSERT_EQ(one.paths.size(), 1u);
  // Fewer draws than the ELBO's: the best approximation's first ELBO draws; too few for k-hat.
  const PathfinderResult few = pathfinder(d, {.num_paths = 1, .num_draws = 10, .seed = 3});
  EXPECT_EQ(few.trace.chains[0].draws.rows(), 10);
  EXPECT_TRUE(std::isinf(few.pareto_k));
  ASSERT_EQ(few.notes.size(), 1u);
  EXPECT_NE(few.notes[0].find("10 draws are too few to fit a tail"), std::string::npos);
  EXPECT_EQ(MatrixXd(few.trace.chains[0].draws), MatrixXd(one.trace.chains[0].draws.topRows(10)));
  // No resampling: every path's draws, pooled in path order.
  const PathfinderResult all =
      pathfinder(d, {.num_paths = 3, .num_draws = 200, .psis_resample = false, .seed = 3});
  EXPECT_EQ(all.trace.chains[0].draws.rows(), 600);
  // Path 1 of either run is the same path (its stream depends on the seed and its number).
  EXPECT_EQ(MatrixXd(all.trace.chains[0].draws.topRows(200)),
            MatrixXd(one.trace.chains[0].draws.topRows(200)));
}

TEST(Pathfinder, SameDrawsOnOneAndTwoThreads) {
  Model m;
  correlated_gaussian(m);
  const model::LogDensity d = m.compile();
  const PathfinderResult a = pathfinder(d, {.seed = 42, .cores = 1});
  const PathfinderResult b = pathfinder(d, {.seed = 42, .cores = 2});
  EXPECT_EQ(a.trace.chains[0].draws, b.trace.chains[0].draws);
  EXPECT_EQ(a.trace.chains[0].stats, b.trace.chains[0].stats);
  EXPECT_EQ(a.pareto_k, b.pareto_k);
  const PathfinderResult c = pathfinder(d, {.seed = 43, .cores = 2});
  EXPECT_NE(a.trace.chains[0].draws, c.trace.chains[0].draws);
}

// The InputError or RuntimeError message of f.
template <class E, class F>
std::string error_of(F f) {
  try {
    f();
  } catch (const E& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(Pathfinder, NowhereFiniteDensityFailsClearly) {
  // sigma = -(s^2 + 1) < 0 whatever s: log p is -infinity everywhere.
  Model m;
  Tensor s = m.rv("s", Normal(0, 1));
  m.observe("y", Normal(0, -(s * s + 1.0)), {0.5}, {1});
  const std::string msg = error_of<RuntimeError>([&] { pathfinder(m.compile(), {.seed = 1}); });
  EXPECT_NE(msg.find("pathfinder: every path failed: no initial point with a finite log density"),
            std::string::npos)
      << msg;
  EXPECT_NE(msg.find("after 100 tries"), std::string::npos) << msg;
}

TEST(Pathfinder, APathThatCannotMoveIsDropped) {
  // Finite only at the start: the first line search finds nowhere to go.
  const Objective f = [](const VectorXd& x, VectorXd& g) {
    g = VectorXd::Constant(1, -2 * (x[0] - 1));
    return x[0] == 0.25 ? -(x[0] - 1) * (x[0] - 1) : -std::numeric_limits<double>::infinity();
  };
  Rng rng = chain_rng(1, 0);
  const PathResult r = pathfinder_path(f, VectorXd::Constant(1, 0.25), {}, rng);
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.note.find("L-BFGS failed at once"), std::string::npos) << r.note;
}

TEST(Pathfinder, APathWithoutAFiniteElboIsDropped) {
  // N(0, 1) cut to (-0.05, 0.05): L-BFGS finds the mode, and every approximation (N(0, 1))
  // puts draws where log p is -infinity.
  const Objective f = [](const VectorXd& x, VectorXd& g) {
    g = -x;
    return std::abs(x[0]) < 0.05 ? -0.5 * x[0] * x[0] : -std::numeric_limits<double>::infinity();
  };
  Rng rng = chain_rng(1, 0);
  const PathResult r = pathfinder_path(f, VectorXd::Constant(1, 0.04), {}, rng);
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.note.find("has a finite ELBO"), std::string::npos) << r.note;
}

TEST(Pathfinder, BadOptionsAreInputErrors) {
  Model m;
  diagonal_gaussian(m);
  const model::LogDensity d = m.compile();
  EXPECT_NE(error_of<InputError>([&] {
              pathfinder(d, {.num_paths = 0});
            }).find("num_paths must be at least 1, got 0"),
            std::string::npos);
  EXPECT_THROW(pathfinder(d, {.num_draws = 0}), InputError);
  EXPECT_THROW(pathfinder(d, {.num_elbo_draws = 0}), InputError);
  EXPECT_THROW(pathfinder(d, {.history_size = 0}), InputError);
  EXPECT_THROW(pathfinder(d, {.init_alpha = 0}), InputError);
  EXPECT_THROW(pathfinder(d, {.tol_grad = -1}), InputError);
  EXPECT_NE(error_of<InputError>([&] {
              pathfinder(d, {.init = std::vector<double>{1, 2}});
            }).find("the initial point has 2 values; the model has 3"),
            std::string::npos);
  // Draws that cannot be held are refused before any path runs.
  EXPECT_THROW(pathfinder(d, {.num_paths = 1024, .num_draws = 2000000000}), InputError);
  Model empty;
  empty.observe("y", Normal(0, 1), {0.5}, {1});
  EXPECT_THROW(pathfinder(empty.compile(), {}), InputError);
}

}  // namespace
}  // namespace stochos::infer
