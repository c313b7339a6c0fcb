// The Hessian of the packed log density (model/hessian): closed forms, with and without a
// transform's log-Jacobian, central differences of the compiled gradient, float32, threads.
#include "model/hessian.hpp"

#include <gtest/gtest.h>

#include <Eigen/Dense>
#include <cmath>
#include <thread>

#include "model/model.hpp"
#include "stochos/error.hpp"

namespace stochos::model {
namespace {

using namespace distributions;
using Eigen::MatrixXd;
using Eigen::VectorXd;

// Runs with the test programs' own configuration (tests/support/main.cpp).
class HessianTest : public ::testing::Test {};

MatrixXd hessian_at(const Hessian& h, const VectorXd& theta, double* logp = nullptr) {
  auto ws = h.make_workspace();
  MatrixXd out(h.dim(), h.dim());
  const double lp = h(*ws, theta.data(), out.data());
  if (logp) *logp = lp;
  return out;
}

// Central differences of the compiled gradient: column j is (g(t + e_j) - g(t - e_j)) / 2e.
MatrixXd fd_hessian(const LogDensity& d, const VectorXd& theta, double e = 1e-5) {
  auto ws = d.make_workspace();
  const Eigen::Index n = d.dim();
  MatrixXd out(n, n);
  VectorXd gp(n), gm(n);
  for (Eigen::Index j = 0; j < n; ++j) {
    VectorXd tp = theta, tm = theta;
    tp[j] += e;
    tm[j] -= e;
    d(*ws, tp.data(), gp.data());
    d(*ws, tm.data(), gm.data());
    out.col(j) = (gp - gm) / (2 * e);
  }
  return out;
}

TEST_F(HessianTest, NormalMeanIsConstantCurvature) {
  // mu ~ N(1, 2), y_i ~ N(mu, 3), five of them: d2/dmu2 = -1/4 - 5/9 everywhere.
  Model m;
  Tensor mu = m.rv("mu", Normal(1, 2));
  m.observe("y", Normal(mu, 3), {0.3, 1.1, -0.4, 2.2, 0.9}, {5});
  const Hessian h = compile_hessian(m);
  ASSERT_EQ(h.dim(), 1);
  for (double x : {-3.0, 0.0, 0.7, 12.0})
    EXPECT_NEAR(hessian_at(h, VectorXd::Constant(1, x))(0, 0), -0.25 - 5.0 / 9, 1e-14);
}

TEST_F(HessianTest, TwoCoupledNormals) {
  // x ~ N(0, 1), y ~ N(x, 0.5): H = [[-1 - 4, 4], [4, -4]], with log p matching the density's.
  Model m;
  Tensor x = m.rv("x", Normal(0, 1));
  m.rv("y", Normal(x, 0.5));
  const Hessian h = compile_hessian(m);
  const VectorXd t = Eigen::Vector2d(0.4, -1.3);
  double lp = 0;
  const MatrixXd got = hessian_at(h, t, &lp);
  MatrixXd want(2, 2);
  want << -5, 4, 4, -4;
  EXPECT_LT((got - want).cwiseAbs().maxCoeff(), 1e-13) << got;
  const LogDensity d = m.compile();
  auto ws = d.make_workspace();
  VectorXd g(2);
  EXPECT_NEAR(lp, d(*ws, t.data(), g.data()), 1e-13);
}

TEST_F(HessianTest, LogoddsBetaWithAndWithoutTheJacobian) {
  // theta ~ Beta(a, b) on u = logit(theta): log p'' = -(a + b - 2) p (1 - p) without the
  // log-Jacobian log p + log(1 - p), -(a + b) p (1 - p) with it.
  const double a = 3.5, b = 2.0;
  Model m;
  m.rv("theta", Beta(a, b));
  const Hessian with = compile_hessian(m, {.jacobian = true});
  const Hessian without = compile_hessian(m, {.jacobian = false});
  for (double u : {-2.0, 0.0, 0.8, 3.0}) {
    const double p = 1 / (1 + std::exp(-u));
    const VectorXd t = VectorXd::Constant(1, u);
    EXPECT_NEAR(hessian_at(with, t)(0, 0), -(a + b) * p * (1 - p), 1e-13) << u;
    EXPECT_NEAR(hessian_at(without, t)(0, 0), -(a + b - 2) * p * (1 - p), 1e-13) << u;
  }
}

TEST_F(HessianTest, GammaPoissonOnTheLogScale) {
  // lam ~ Gamma(a, b), counts k_i ~ Poisson(lam), lam = exp(u), with the Jacobian u:
  // log p = (a + K) u - (b + n) exp(u) + const, so log p'' = -(b + n) exp(u).
  const double a = 2, b = 0.5;
  const std::vector<double> k = {3, 0, 5, 2};
  Model m;
  Tensor lam = m.rv("lam", Gamma(a, b));
  m.observe("k", Poisson(lam), k, {4});
  const Hessian h = compile_hessian(m);
  for (double u : {-1.0, 0.5, 2.0})
    EXPECT_NEAR(hessian_at(h, VectorXd::Constant(1, u))(0, 0), -(b + 4) * std::exp(u),
                1e-12 * (b + 4) * std::exp(u));
}

TEST_F(HessianTest, EightSchoolsMatchesCentralDifferencesOfTheGradient) {
  const std::vector<double> y = {28, 8, -3, 7, -1, 1, 18, 12};
  const std::vector<double> sigma = {15, 10, 16, 11, 9, 11, 10, 18};
  Model m;
  Tensor mu = m.rv("mu", Normal(0, 5));
  Tensor tau = m.rv("tau", HalfCauchy(5));
  Tensor z = m.rv("theta_z", Normal(0, 1), {.shape = Shape{8}});
  m.observe("y", Normal(mu + tau * z, Arg(sigma, {8})), y, {8});
  for (bool jacobian : {true, false}) {
    const Hessian h = compile_hessian(m, {.jacobian = jacobian});
    const LogDensity d = m.compile({.jacobian = jacobian});
    VectorXd t(10);
    for (Eigen::Index i = 0; i < 10; ++i) t[i] = std::sin(1.3 * static_cast<double>(i) + 0.4);
    const MatrixXd got = hessian_at(h, t), want = fd_hessian(d, t);
    EXPECT_LT((got - want).cwiseAbs().maxCoeff(), 1e-6 * (1 + want.cwiseAbs().maxCoeff()))
        << "jacobian " << jacobian << "\n"
        << got << "\n\n"
        << want;
    EXPECT_EQ(got, got.transpose());
  }
}

TEST_F(HessianTest, ProductIsTheHessianTimesTheVector) {
  Model m;
  Tensor mu = m.rv("mu", Normal(0, 1), {.shape = Shape{3}});
  Tensor s = m.rv("s", HalfNormal(1));
  m.observe("y", Normal(mu, s), {0.5, -1.0, 2.0}, {3});
  const Hessian h = compile_hessian(m);
  const VectorXd t = Eigen::Vector4d(0.1, -0.2, 0.3, -0.4), v = Eigen::Vector4d(1, -2, 0.5, 3);
  auto ws = h.make_workspace();
  VectorXd hv(4);
  h.product(*ws, t.data(), v.data(), hv.data());
  EXPECT_LT((hv - hessian_at(h, t) * v).cwiseAbs().maxCoeff(), 1e-12);
}

TEST_F(HessianTest, Float32AgreesWithFloat64) {
  Model m64(DType::f64), m32(DType::f32);
  for (Model* m : {&m64, &m32}) {
    Tensor mu = m->rv("mu", Normal(0, 1));
    Tensor s = m->rv("s", HalfNormal(2));
    m->observe("y", Normal(mu, s), {0.5, -1.0, 2.0}, {3});
  }
  const VectorXd t = Eigen::Vector2d(0.3, 0.2);
  const MatrixXd h64 = hessian_at(compile_hessian(m64), t);
  const MatrixXd h32 = hessian_at(compile_hessian(m32), t);
  EXPECT_LT((h64 - h32).cwiseAbs().maxCoeff(), 1e-4 * h64.cwiseAbs().maxCoeff());
}

TEST_F(HessianTest, ThreadsWithTheirOwnWorkspacesAgree) {
  Model m;
  Tensor mu = m.rv("mu", Normal(0, 1), {.shape = Shape{4}});
  Tensor s = m.rv("s", HalfNormal(1));
  m.observe("y", Normal(mu, s), {0.5, -1.0, 2.0, 0.1}, {4});
  const Hessian h = compile_hessian(m);
  const VectorXd t = VectorXd::LinSpaced(5, -0.5, 0.5);
  const MatrixXd want = hessian_at(h, t);
  std::vector<MatrixXd> got(4);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < got.size(); ++i)
    threads.emplace_back([&, i] {
      for (int rep = 0; rep < 50; ++rep) got[i] = hessian_at(h, t);
    });
  for (auto& th : threads) th.join();
  for (const MatrixXd& g : got) EXPECT_EQ(g, want);
}

TEST_F(HessianTest, NoFreeVariablesIsAnInputError) {
  Model m;
  m.observe("y", Normal(0, 1), {0.5}, {1});
  EXPECT_THROW(compile_hessian(m), InputError);
}

}  // namespace
}  // namespace stochos::model
