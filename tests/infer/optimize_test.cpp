// MAP by L-BFGS (infer/optimize) against the closed-form modes of conjugate models, with and
// without the Jacobian, and its failures: no free variable, no finite start, an improper
// density that runs away.
#include "infer/optimize.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "model/model.hpp"
#include "stochos/error.hpp"

namespace stochos::infer {
namespace {

using namespace distributions;
using model::Model;

// Runs with the test programs' own configuration (tests/support/main.cpp).
class Optimize : public ::testing::Test {};

// Stan's default tolerances stop within about 1e-5 of a mode of scale 1 (the relative gradient
// test, 1e7 epsilon); `tight` leaves only |grad| < 1e-10, which rounding in log p may stop
// short of (the line search then fails), about 1e-9 from the mode.
Trace map(const Model& m, bool jacobian, std::uint64_t seed = 1, bool tight = false) {
  OptimizeOptions o{.jacobian = jacobian, .seed = seed};
  if (tight) {
    o.lbfgs.tol_obj = o.lbfgs.tol_rel_obj = o.lbfgs.tol_rel_grad = o.lbfgs.tol_param = 0;
    o.lbfgs.tol_grad = 1e-10;
  }
  return optimize(m.compile({.jacobian = jacobian}), o);
}

// The constrained value of free variable 0, element 0, at the trace's point.
double constrained(const Model& m, const Trace& t) {
  const auto values = m.compile_values();
  auto ws = values.make_workspace();
  std::vector<double> out(static_cast<std::size_t>(values.size()));
  values(*ws, t.point.data(), out.data());
  return out[0];
}

double figure(const Trace& t, const std::string& name) {
  for (const auto& [n, v] : t.figures)
    if (n == name) return v;
  ADD_FAILURE() << "no figure " << name;
  return NAN;
}

TEST_F(Optimize, NormalMeanWithKnownSigma) {
  // mu ~ N(1, 10), y_i ~ N(mu, 2): the mode is the posterior mean.
  const std::vector<double> y = {1.2, 0.4, 2.9, 1.8, 0.7, 2.2};
  Model m;
  Tensor mu = m.rv("mu", Normal(1, 10));
  m.observe("y", Normal(mu, 2), y, {6});
  double sum = 0;
  for (double v : y) sum += v;
  const double mode = (1.0 / 100 + sum / 4) / (1.0 / 100 + 6.0 / 4);
  const Trace t = map(m, false);
  EXPECT_EQ(t.method, "lbfgs");
  EXPECT_NEAR(t.point[0], mode, 1e-6);
  EXPECT_EQ(figure(t, "converged"), 1.0);
  EXPECT_GT(figure(t, "iterations"), 0);
  EXPECT_GE(figure(t, "grad_evals"), figure(t, "iterations"));
  EXPECT_EQ(t.message.rfind("Convergence detected", 0), 0u) << t.message;
  // The trace: one chain, one row (the mode), lp__ = log p there = the log_density figure.
  ASSERT_EQ(t.chains.size(), 1u);
  ASSERT_EQ(t.chains[0].draws.rows(), 1);
  EXPECT_EQ(Eigen::VectorXd(t.chains[0].draws.row(0).transpose()), t.point);
  ASSERT_EQ(t.stat_names, std::vector<std::string>{"lp__"});
  const auto d = m.compile({.jacobian = false});
  auto ws = d.make_workspace();
  Eigen::VectorXd g(1);
  EXPECT_DOUBLE_EQ(t.chains[0].stats(0, 0), d(*ws, t.point.data(), g.data()));
  EXPECT_EQ(t.chains[0].stats(0, 0), figure(t, "log_density"));
}

TEST_F(Optimize, BetaBinomialModeWithAndWithoutTheJacobian) {
  // p ~ Beta(3, 4), k = 7 of n = 20: without the Jacobian the mode of the Beta(10, 17)
  // posterior, (a + k - 1) / (a + b + n - 2); with it the mode on the logit scale, which is
  // (a + k) / (a + b + n).
  const double a = 3, b = 4, n = 20, k = 7;
  Model m;
  Tensor p = m.rv("p", Beta(a, b));
  m.observe("k", Binomial(n, p), {k}, {1});
  EXPECT_NEAR(constrained(m, map(m, false)), (a + k - 1) / (a + b + n - 2), 1e-5);
  EXPECT_NEAR(constrained(m, map(m, true)), (a + k) / (a + b + n), 1e-5);
  EXPECT_NEAR(constrained(m, map(m, false, 1, true)), (a + k - 1) / (a + b + n - 2), 1e-8);
  EXPECT_NEAR(constrained(m, map(m, true, 1, true)), (a + k) / (a + b + n), 1e-8);
}

TEST_F(Optimize, GammaPoissonModeWithAndWithoutTheJacobian) {
  // lam ~ Gamma(2, 0.5), counts summing to K over n: posterior Gamma(2 + K, 0.5 + n), mode
  // (1 + K) / (0.5 + n); on the log scale (2 + K) / (0.5 + n).
  const std::vector<double> counts = {3, 0, 5, 2, 4};
  Model m;
  Tensor lam = m.rv("lam", Gamma(2, 0.5));
  m.observe("y", Poisson(lam), counts, {5});
  EXPECT_NEAR(constrained(m, map(m, false)), (1.0 + 14) / 5.5, 1e-5);
  EXPECT_NEAR(constrained(m, map(m, true)), (2.0 + 14) / 5.5, 1e-5);
  EXPECT_NEAR(constrained(m, map(m, false, 1, true)), (1.0 + 14) / 5.5, 1e-8);
  EXPECT_NEAR(constrained(m, map(m, true, 1, true)), (2.0 + 14) / 5.5, 1e-8);
}

TEST_F(Optimize, CorrelatedGaussianFromAGivenStart) {
  // x ~ MvNormal(mu, Sigma) with correlation 0.95 and scales 10 and 0.1: the mode is mu.
  const double s1 = 10, s2 = 0.1, r = 0.95;
  Model m;
  m.rv("x",
       MvNormal(Arg({3.0, -2.0}, {2}), Arg({s1 * s1, r * s1 * s2, r * s1 * s2, s2 * s2}, {2, 2})));
  const Trace t = optimize(m.compile({.jacobian = false}), {.init = std::vector<double>{-20, 5}});
  EXPECT_NEAR(t.point[0], 3, 1e-5);
  EXPECT_NEAR(t.point[1], -2, 1e-6);
  EXPECT_EQ(figure(t, "converged"), 1.0);
}

TEST_F(Optimize, SameSeedSameStartAndMode) {
  Model m;
  Tensor lam = m.rv("lam", Gamma(2, 0.5));
  m.observe("y", Poisson(lam), {3, 0, 5}, {3});
  const Trace a = map(m, false, 7), b = map(m, false, 7);
  EXPECT_EQ(a.point, b.point);
  EXPECT_EQ(figure(a, "grad_evals"), figure(b, "grad_evals"));
}

TEST_F(Optimize, TheIterationCapIsNotAnError) {
  Model m;
  m.rv("x", MvNormal(Arg({3.0, -2.0}, {2}), Arg({100, 0.9, 0.9, 0.01}, {2, 2})));
  OptimizeOptions o{.init = std::vector<double>{-20, 5}};
  o.lbfgs.max_iterations = 2;
  const Trace t = optimize(m.compile({.jacobian = false}), o);
  EXPECT_EQ(figure(t, "converged"), 0.0);
  EXPECT_EQ(figure(t, "iterations"), 2.0);
  EXPECT_EQ(t.message, "Maximum number of iterations hit, may not be at an optima");
}

TEST_F(Optimize, ALinearlyGrowingFlatModelDivergesNamingTheVariable) {
  // mu ~ Flat with a potential mu: log p = mu grows without bound.
  Model m;
  m.rv("a", Normal(0, 1));
  Tensor mu = m.rv("mu", Flat());
  m.potential("growth", mu);
  try {
    map(m, false);
    FAIL() << "no error";
  } catch (const RuntimeError& e) {
    const std::string what = e.what();
    EXPECT_EQ(what.rfind("optimization diverged", 0), 0u) << what;
    EXPECT_NE(what.find("mu ran away to +inf"), std::string::npos) << what;
  }
}

TEST_F(Optimize, ExponentialGrowthDivergesNamingTheElement) {
  // x[1] ~ Flat with a potential exp(-x[1]): log p grows without bound as x[1] -> -inf.
  Model m;
  Tensor x = m.rv("x", Flat(), {.shape = graph::Shape{3}});
  m.potential("growth", graph::exp(-graph::index(x, 1)) - graph::sum(graph::square(x)) * 0.0);
  m.observe("y", Normal(graph::index(x, 0) + graph::index(x, 2), 1), {0.5}, {1});
  try {
    map(m, false);
    FAIL() << "no error";
  } catch (const RuntimeError& e) {
    EXPECT_NE(std::string(e.what()).find("x[1] ran away to -inf"), std::string::npos) << e.what();
  }
}

TEST_F(Optimize, Float32StopsAtItsPrecisionAsConverged) {
  // Stan's float64 tolerances are out of a float32 density's reach: its line search fails near
  // the mode, which counts as convergence there. Regression with an intercept, a slope and a
  // scale over 50 points, several starts.
  Model m(DType::f32);
  std::vector<double> x, y;
  for (int i = 0; i < 50; ++i) {
    x.push_back(std::sin(0.7 * i));
    y.push_back(1.5 + 2.0 * x.back() + 0.3 * std::cos(1.3 * i));
  }
  Tensor a = m.rv("a", Normal(0, 10));
  Tensor b = m.rv("b", Normal(0, 10));
  Tensor s = m.rv("s", HalfNormal(5));
  Tensor xs = graph::constant(m.graph(), {50}, x, DType::f32);
  m.observe("y", Normal(a + b * xs, s), y, {50});
  Model m64;
  Tensor a64 = m64.rv("a", Normal(0, 10));
  Tensor b64 = m64.rv("b", Normal(0, 10));
  Tensor s64 = m64.rv("s", HalfNormal(5));
  m64.observe("y", Normal(a64 + b64 * graph::constant(m64.graph(), {50}, x), s64), y, {50});
  const Trace want = map(m64, false, 1, true);
  for (std::uint64_t seed = 1; seed <= 4; ++seed) {
    const Trace t = map(m, false, seed);
    EXPECT_EQ(figure(t, "converged"), 1.0) << seed << ": " << t.message;
    EXPECT_LT((t.point - want.point).cwiseAbs().maxCoeff(), 2e-3) << seed;
  }
}

TEST_F(Optimize, NoFreeVariablesIsAnInputError) {
  Model m;
  m.observe("y", Normal(0, 1), {0.5}, {1});
  EXPECT_THROW(map(m, false), InputError);
}

TEST_F(Optimize, ANonFiniteStartNamesTheVariables) {
  // sigma untransformed and started at -1: the likelihood's gradient is not finite there.
  Model m;
  Tensor mu = m.rv("mu", Normal(0, 1));
  Tensor sigma = m.rv("sigma", HalfNormal(1), {.transform = "none"});
  m.observe("y", Normal(mu, sigma), {0.5, 1.5}, {2});
  try {
    optimize(m.compile({.jacobian = false}), {.init = std::vector<double>{0.0, 0.0}});
    FAIL() << "no error";
  } catch (const RuntimeError& e) {
    EXPECT_NE(std::string(e.what()).find("sigma"), std::string::npos) << e.what();
  }
  EXPECT_THROW(optimize(m.compile({.jacobian = false}), {.init = std::vector<double>{0.0}}),
               InputError);
}

TEST_F(Optimize, AFunnelWithoutAModeSaysWhichScaleRunsToItsEdge) {
  // The centred eight schools without the Jacobian: log p grows like -8 log tau as tau -> 0 with
  // every theta at mu. No mode; L-BFGS stops (tiny steps, or a failed line search) with tau far
  // out on its log axis and the gradient still pointing out.
  Model m;
  Tensor mu = m.rv("mu", Normal(0, 5));
  Tensor tau = m.rv("tau", HalfCauchy(5));
  Tensor theta = m.rv("theta", Normal(mu, tau), {.shape = Shape{8}});
  m.observe("y", Normal(theta, Arg(std::vector<double>{15, 10, 16, 11, 9, 11, 10, 18}, {8})),
            {28, 8, -3, 7, -1, 1, 18, 12}, {8});
  const Trace t = optimize(m.compile({.jacobian = false}), {.seed = 1});
  EXPECT_EQ(t.figures[2].first, "converged");
  EXPECT_EQ(t.figures[2].second, 0.0);
  EXPECT_NE(t.message.find("tau_log__ runs towards the edge of its support"), std::string::npos)
      << t.message;
  EXPECT_LT(t.point[1], -15);
}

TEST_F(Optimize, AModeAtTheEdgeOfTheSupportIsStillAMode) {
  // Exponential(1) alone: without the Jacobian the density e^-x is largest at x = 0, a finite
  // supremum that log x -> -inf approaches with a vanishing slope. Stan reports it converged.
  Model m;
  m.rv("x", Exponential(1));
  const Trace t = optimize(m.compile({.jacobian = false}), {.seed = 2});
  EXPECT_EQ(t.figure("converged"), 1.0) << t.message;
  EXPECT_EQ(t.message.find("no mode"), std::string::npos) << t.message;
  EXPECT_LT(std::exp(t.point[0]), 1e-6);
}

}  // namespace
}  // namespace stochos::infer
