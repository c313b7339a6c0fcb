// Laplace's approximation (infer/laplace): on a Gaussian target the draws have the target's
// mean and covariance and log_p__ - log_g__ is constant; a saddle point is refused naming the
// variables; the same seed gives the same draws; with optimize, a posterior's approximation.
#include "infer/laplace.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "infer/optimize.hpp"
#include "model/model.hpp"
#include "stochos/error.hpp"

namespace stochos::infer {
namespace {

using namespace distributions;
using Eigen::MatrixXd;
using Eigen::VectorXd;
using model::Model;

// Runs with the test programs' own configuration (tests/support/main.cpp).
class Laplace : public ::testing::Test {};

// x ~ MvNormal(mu, Sigma) in 3-D with correlations and unequal scales.
const VectorXd kMu = Eigen::Vector3d(1.0, -2.0, 0.5);
MatrixXd sigma() {
  MatrixXd s(3, 3);
  s << 4.0, 1.2, 0.3, 1.2, 1.0, 0.3, 0.3, 0.3, 0.25;
  return s;
}
void build_gaussian(Model& m) {
  const MatrixXd s = sigma();
  m.rv("x", MvNormal(Arg({kMu[0], kMu[1], kMu[2]}, {3}),
                     Arg(std::vector<double>(s.data(), s.data() + 9), {3, 3})));
}

TEST_F(Laplace, GaussianTargetMeanAndCovariance) {
  Model m;
  build_gaussian(m);
  const int draws = 20000;
  const Trace t = laplace(m.compile(), model::compile_hessian(m), kMu, draws, 11);
  EXPECT_EQ(t.method, "laplace");
  EXPECT_EQ(t.stat_names, (std::vector<std::string>{"log_p__", "log_g__"}));
  EXPECT_EQ(t.point, kMu);
  ASSERT_EQ(t.chains.size(), 1u);
  const MatrixXd& x = t.chains[0].draws;
  ASSERT_EQ(x.rows(), draws);
  const VectorXd mean = x.colwise().mean();
  const MatrixXd centred = x.rowwise() - mean.transpose();
  const MatrixXd cov = centred.transpose() * centred / (draws - 1);
  const MatrixXd s = sigma();
  for (int i = 0; i < 3; ++i) {
    // Mean within 4 standard errors; covariance entries within 4 of theirs,
    // sqrt((s_ij^2 + s_ii s_jj) / n).
    EXPECT_NEAR(mean[i], kMu[i], 4 * std::sqrt(s(i, i) / draws)) << i;
    for (int j = 0; j < 3; ++j)
      EXPECT_NEAR(cov(i, j), s(i, j),
                  4 * std::sqrt((s(i, j) * s(i, j) + s(i, i) * s(j, j)) / draws))
          << i << ", " << j;
  }
}

TEST_F(Laplace, OnAGaussianLogPMinusLogQIsTheModesLogDensity) {
  // log p is exactly quadratic: log_p__ - log_g__ = log p(mode) at every draw.
  Model m;
  build_gaussian(m);
  const auto density = m.compile();
  const Trace t = laplace(density, model::compile_hessian(m), kMu, 200, 3);
  const double at_mode = t.figures.at(0).second;
  auto ws = density.make_workspace();
  VectorXd g(3);
  EXPECT_NEAR(at_mode, density(*ws, kMu.data(), g.data()), 1e-12);
  const MatrixXd& st = t.chains[0].stats;
  for (Eigen::Index d = 0; d < st.rows(); ++d) {
    EXPECT_NEAR(st(d, 0) - st(d, 1), at_mode, 1e-9) << d;
    EXPECT_LE(st(d, 1), 0);
  }
}

TEST_F(Laplace, SameSeedSameDrawsWhateverTheThreadCount) {
  Model m;
  build_gaussian(m);
  const auto density = m.compile();
  const auto h = model::compile_hessian(m);
  // log p is evaluated on threads: one or two give the same trace.
  const Trace a = laplace(density, h, kMu, 50, 5, 1), b = laplace(density, h, kMu, 50, 5, 2),
              c = laplace(density, h, kMu, 50, 6);
  EXPECT_EQ(a.chains[0].draws, b.chains[0].draws);
  EXPECT_EQ(a.chains[0].stats, b.chains[0].stats);
  EXPECT_NE(a.chains[0].draws, c.chains[0].draws);
}

TEST_F(Laplace, ASaddlePointIsRefusedNamingTheVariables) {
  // log p = -x^2/2 - y^2/2 + 2 x y - z^2/2: curvature +1 along (1, 1, 0), so the origin is a
  // saddle; z is fine and not named.
  Model m;
  Tensor x = m.rv("x", Normal(0, 1));
  Tensor y = m.rv("y", Normal(0, 1));
  m.rv("z", Normal(0, 1));
  m.potential("coupling", 2.0 * x * y);
  try {
    laplace(m.compile(), model::compile_hessian(m), VectorXd::Zero(3), 10, 1);
    FAIL() << "no error";
  } catch (const RuntimeError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("not negative definite"), std::string::npos) << what;
    EXPECT_NE(what.find("1 direction, in x, y (curvature 1"), std::string::npos) << what;
  }
}

TEST_F(Laplace, AFlatDirectionIsRefusedNamingTheElement) {
  // mu[1] ~ Flat with no likelihood: zero curvature along it.
  Model m;
  Tensor mu = m.rv("mu", Flat(), {.shape = graph::Shape{3}});
  m.observe("y", Normal(graph::index(mu, 0) + graph::index(mu, 2), 1), {0.5, 1.0}, {2});
  m.potential("ridge", -0.5 * graph::square(graph::index(mu, 0) - graph::index(mu, 2)));
  try {
    laplace(m.compile(), model::compile_hessian(m), Eigen::Vector3d(0.375, 0, 0.375), 10, 1);
    FAIL() << "no error";
  } catch (const RuntimeError& e) {
    EXPECT_NE(std::string(e.what()).find("in mu[1] (curvature"), std::string::npos) << e.what();
  }
}

TEST_F(Laplace, BadArgumentsAreInputErrors) {
  Model m;
  build_gaussian(m);
  const auto density = m.compile();
  const auto h = model::compile_hessian(m);
  EXPECT_THROW(laplace(density, h, kMu, 0, 1), InputError);
  EXPECT_THROW(laplace(density, h, VectorXd::Zero(2), 10, 1), InputError);
}

TEST_F(Laplace, AfterOptimizeWithTheJacobianApproximatesABetaPosterior) {
  // p ~ Beta(3, 4), 30 of 100: posterior Beta(33, 74). On the logit scale with the Jacobian the
  // mode is logit(33/107) and the curvature -107 p (1 - p); the draws' p has about the
  // posterior's mean and sd.
  Model m;
  Tensor p = m.rv("p", Beta(3, 4));
  m.observe("k", Binomial(100, p), {30}, {1});
  const auto density = m.compile({.jacobian = true});
  const Trace mode = optimize(density, {.jacobian = true, .seed = 2});
  const double pm = 33.0 / 107;
  EXPECT_NEAR(mode.point[0], std::log(pm / (1 - pm)), 1e-4);
  const Trace t =
      laplace(density, model::compile_hessian(m, {.jacobian = true}), mode.point, 20000, 9);
  const VectorXd u = t.chains[0].draws.col(0);
  EXPECT_NEAR(std::sqrt((u.array() - u.mean()).square().mean()), 1 / std::sqrt(107 * pm * (1 - pm)),
              0.01);
  const Eigen::ArrayXd pd = 1 / (1 + (-u.array()).exp());
  const double mean = 33.0 / 107, sd = std::sqrt(33.0 * 74 / (107.0 * 107 * 108));
  EXPECT_NEAR(pd.mean(), mean, 0.1 * sd);
  EXPECT_NEAR(std::sqrt((pd - pd.mean()).square().mean()), sd, 0.05 * sd);
}

}  // namespace
}  // namespace stochos::infer
