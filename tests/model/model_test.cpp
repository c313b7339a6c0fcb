// The model layer: the packed log density of a model built with the C++ API against closed forms,
// its gradient against central differences, the layout's names, initial points, data
// containers, parameter and support checks, float32, threads and per-call backends.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <numbers>
#include <string>
#include <thread>

#include "model/model.hpp"
#include "model/point.hpp"
#include "stochos/error.hpp"

namespace stochos::model {
namespace {

using namespace distributions;

// Runs with the test programs' own configuration (tests/support/main.cpp).
class ModelTest : public ::testing::Test {};

const double kHalfLog2Pi = 0.5 * std::log(2 * std::numbers::pi);
double normal_lpdf(double x, double mu, double s) {
  return -0.5 * std::pow((x - mu) / s, 2) - std::log(s) - kHalfLog2Pi;
}
double half_cauchy_lpdf(double x, double b) {
  return std::log(2 / std::numbers::pi) - std::log(b) - std::log1p(std::pow(x / b, 2));
}

const std::vector<double> kY = {28, 8, -3, 7, -1, 1, 18, 12};
const std::vector<double> kSigma = {15, 10, 16, 11, 9, 11, 10, 18};

// Eight schools, non-centred, as SPEC.md §1.2 writes it.
void build_eight_schools(Model& m) {
  Tensor mu = m.rv("mu", Normal(0, 5));
  Tensor tau = m.rv("tau", HalfCauchy(5));
  Tensor z = m.rv("theta_z", Normal(0, 1), {.shape = Shape{8}});
  Tensor theta = m.deterministic("theta", mu + tau * z);
  m.observe("y", Normal(theta, Arg(kSigma, {8})), kY, {8});
}

// log p over (mu, log tau, theta_z) with the log-Jacobian, by hand.
double eight_schools_by_hand(const std::vector<double>& t) {
  const double mu = t[0], tau = std::exp(t[1]);
  double lp = normal_lpdf(mu, 0, 5) + half_cauchy_lpdf(tau, 5) + t[1];
  for (int j = 0; j < 8; ++j) {
    lp += normal_lpdf(t[2 + j], 0, 1);
    lp += normal_lpdf(kY[j], mu + tau * t[2 + j], kSigma[j]);
  }
  return lp;
}

std::vector<double> point(std::int64_t n, double scale) {
  std::vector<double> t(static_cast<std::size_t>(n));
  for (std::size_t i = 0; i < t.size(); ++i)
    t[i] = scale * std::sin(1.3 * static_cast<double>(i) + 0.4);
  return t;
}

TEST_F(ModelTest, EightSchoolsLogDensityMatchesTheClosedForm) {
  Model m;
  build_eight_schools(m);
  const LogDensity d = m.compile();
  ASSERT_EQ(d.dim(), 10);
  auto ws = d.make_workspace();
  std::vector<double> grad(10);
  for (double scale : {0.0, 0.7, 1.9}) {
    const auto t = point(10, scale);
    EXPECT_NEAR(d(*ws, t.data(), grad.data()), eight_schools_by_hand(t), 1e-11) << scale;
  }
  // Its value at theta = 0, pinned so that a change anywhere on the way to the engine shows.
  const std::vector<double> zero(10, 0.0);
  EXPECT_NEAR(d(*ws, zero.data(), grad.data()), -43.4356372771, 1e-9);
}

TEST_F(ModelTest, GradientMatchesCentralDifferences) {
  Model m;
  build_eight_schools(m);
  const LogDensity d = m.compile();
  auto ws = d.make_workspace();
  auto t = point(10, 1.1);
  std::vector<double> grad(10), scratch(10);
  d(*ws, t.data(), grad.data());
  for (std::size_t i = 0; i < t.size(); ++i) {
    const double h = 1e-6, x = t[i];
    t[i] = x + h;
    const double up = d(*ws, t.data(), scratch.data());
    t[i] = x - h;
    const double down = d(*ws, t.data(), scratch.data());
    t[i] = x;
    EXPECT_NEAR(grad[i], (up - down) / (2 * h), 1e-6 * std::max(1.0, std::abs(grad[i]))) << i;
  }
}

TEST_F(ModelTest, LayoutUsesPyMCNames) {
  Model m;
  build_eight_schools(m);
  const Layout l = m.layout();
  ASSERT_EQ(l.vars.size(), 3u);
  EXPECT_EQ(l.vars[1].name, "tau");
  EXPECT_EQ(l.vars[1].value_name, "tau_log__");
  EXPECT_EQ(l.vars[1].transform, "log");
  EXPECT_EQ(l.vars[2].value_name, "theta_z");
  EXPECT_EQ(l.vars[2].offset, 2);
  EXPECT_EQ(l.vars[2].shape, Shape{8});
  EXPECT_EQ(l.find("tau_log__").offset, 1);
}

TEST_F(ModelTest, WithoutTheJacobianTheLogJacobianTermsAreGone) {
  Model m;
  build_eight_schools(m);
  const LogDensity with = m.compile(), without = m.compile({.jacobian = false});
  auto a = with.make_workspace(), b = without.make_workspace();
  const auto t = point(10, 0.8);
  std::vector<double> g1(10), g2(10);
  const double diff = with(*a, t.data(), g1.data()) - without(*b, t.data(), g2.data());
  EXPECT_NEAR(diff, t[1], 1e-12);  // log|d exp(y)/dy| = y for tau_log__
  EXPECT_NEAR(g1[1] - g2[1], 1.0, 1e-12);
}

TEST_F(ModelTest, InitialPointIsEachSupportPointTransformed) {
  Model m;
  Tensor a = m.rv("a", Normal(3, 1));
  m.rv("b", Normal(a, 1));  // starts where a starts
  m.rv("s", HalfNormal(2.0));
  m.rv("u", Uniform(0, 10), {.shape = Shape{2}});
  const auto p = m.initial_point();
  ASSERT_EQ(p.size(), 5u);
  EXPECT_DOUBLE_EQ(p[0], 3);
  EXPECT_DOUBLE_EQ(p[1], 3);
  EXPECT_NEAR(p[2], std::log(2.0), 1e-15);
  EXPECT_NEAR(p[3], 0.0, 1e-15);  // the interval's midpoint
  EXPECT_NEAR(p[4], 0.0, 1e-15);
}

TEST_F(ModelTest, UniformWithBoundsFromOtherVariables) {
  Model m;
  Tensor lo = m.rv("lo", Normal(0, 1));
  Tensor width = m.rv("width", Exponential(1));
  m.rv("x", Uniform(lo, lo + width));
  const LogDensity d = m.compile();
  auto ws = d.make_workspace();
  const std::vector<double> t = {0.3, -0.2, 0.9};  // lo, width_log__, x_interval__
  std::vector<double> g(3);
  const double w = std::exp(t[1]);
  const double sig = 1 / (1 + std::exp(-t[2]));
  const double want = normal_lpdf(0.3, 0, 1) + (-w + t[1]) + (-std::log(w)) +
                      (std::log(w) + std::log(sig) + std::log(1 - sig));
  EXPECT_NEAR(d(*ws, t.data(), g.data()), want, 1e-12);
}

TEST_F(ModelTest, DataContainersAreReplacedWithoutRebuilding) {
  Model m;
  Tensor x = m.data("x", {1, 2, 3}, {3});
  Tensor mu = m.rv("mu", Normal(0, 10));
  m.observe("y", Normal(mu, 1), x);
  LogDensity d = m.compile();
  auto ws = d.make_workspace();
  const std::vector<double> t = {0.5};
  std::vector<double> g(1);
  auto want = [&](std::vector<double> xs) {
    double lp = normal_lpdf(0.5, 0, 10);
    for (double v : xs) lp += normal_lpdf(v, 0.5, 1);
    return lp;
  };
  EXPECT_NEAR(d(*ws, t.data(), g.data()), want({1, 2, 3}), 1e-12);
  d.set_data("x", {-1, 0, 4});
  EXPECT_NEAR(d(*ws, t.data(), g.data()), want({-1, 0, 4}), 1e-12);
  EXPECT_THROW(d.set_data("x", {1, 2}), InputError);
  EXPECT_THROW(d.set_data("nope", {1}), InputError);
}

TEST_F(ModelTest, ParametersThatDependOnFreeVariablesGiveMinusInfinity) {
  Model m;
  Tensor s = m.rv("s", Normal(1, 1));  // can be negative
  m.observe("y", Normal(0, s), {0.5}, {1});
  const LogDensity d = m.compile();
  auto ws = d.make_workspace();
  std::vector<double> g(1);
  const std::vector<double> good = {2.0}, bad = {-0.5};
  EXPECT_TRUE(std::isfinite(d(*ws, good.data(), g.data())));
  EXPECT_EQ(d(*ws, bad.data(), g.data()), -std::numeric_limits<double>::infinity());
}

// The message of the InputError f throws.
template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST_F(ModelTest, BadModelsAreInputErrorsNamingTheVariable) {
  Model m;
  m.rv("mu", Normal(0, 1));
  EXPECT_NE(error_of([&] { m.rv("mu", Normal(0, 1)); }).find("'mu' is used twice"),
            std::string::npos);
  std::string e = error_of([&] { m.rv("s", Normal(0, -2)); });
  EXPECT_NE(e.find("variable 's'"), std::string::npos) << e;
  EXPECT_NE(e.find("sigma > 0"), std::string::npos) << e;
  e = error_of([&] { m.observe("y", HalfNormal(1), {1, -2, 3}, {3}); });
  EXPECT_NE(e.find("'y'"), std::string::npos) << e;
  EXPECT_NE(e.find("-2 at index 1"), std::string::npos) << e;
  EXPECT_NE(e.find("HalfNormal"), std::string::npos) << e;
  e = error_of([&] { m.rv("n", make("Normal", {{"mu", 0}, {"sd", 1}})); });
  EXPECT_NE(e.find("no parameter 'sd'"), std::string::npos) << e;
  e = error_of([&] { m.rv("t", make("Normal", {{"sigma", 1}, {"tau", 1}})); });
  EXPECT_NE(e.find("not both"), std::string::npos) << e;
  e = error_of([&] { make("Normall", {}); });
  EXPECT_NE(e.find("did you mean 'Normal'"), std::string::npos) << e;
  e = error_of([&] { m.observe("z", Normal(Arg({1, 2, 3}, {3}), 1), {1, 2}, {2}); });
  EXPECT_NE(e.find("'z'"), std::string::npos) << e;
  e = error_of([&] { m.compile({.backend = "nope"}); });
  EXPECT_NE(e.find("'nope'"), std::string::npos) << e;
}

TEST_F(ModelTest, ObserveTakesAShapeThatAgreesWithItsData) {
  // PyMC's shape= beside observed=: the same term as without it; a disagreement names both.
  Model with, without;
  const Tensor a = with.rv("mu", Normal(0, 1));
  const Tensor b = without.rv("mu", Normal(0, 1));
  with.observe("y", GaussianRandomWalk(a, 1), {0.5, 1, 2, 1.5}, {4}, {.shape = Shape{4}});
  without.observe("y", GaussianRandomWalk(b, 1), {0.5, 1, 2, 1.5}, {4});
  const Tensor x = with.data("x", {1, 2, 3}, {3});
  with.observe("z", Normal(a, 2), x, {.shape = Shape{3}});
  without.observe("z", Normal(b, 2), {1, 2, 3}, {3});
  const auto dw = with.compile(), dn = without.compile();
  auto ww = dw.make_workspace(), wn = dn.make_workspace();
  for (double mu : {-1.0, 0.3}) {
    double g1 = 0, g2 = 0;
    EXPECT_DOUBLE_EQ(dw(*ww, &mu, &g1), dn(*wn, &mu, &g2));
  }
  EXPECT_EQ(error_of([&] {
              with.observe("w", GaussianRandomWalk(a, 1), {1, 2, 3}, {3}, {.shape = Shape{4}});
            }),
            "observed variable 'w': shape= [4] but its data have shape [3]");
  EXPECT_EQ(error_of([&] {
              with.observe("v", Normal(a, 1), x, {.shape = Shape{1, 3}});
            }),
            "observed variable 'v': shape= [1, 3] but its data have shape [3]");
}

TEST_F(ModelTest, SizesThatCannotBeHeldAreInputErrorsBeforeAnyAllocation) {
  Model m;
  EXPECT_EQ(
      error_of([&] { m.rv("x", Normal(0, 1), {.shape = Shape{100000000000000}}); }),
      "variable 'x': shape [100000000000000] needs 800000000000000 bytes (728 TiB), more than "
      "this machine's memory");
  EXPECT_EQ(error_of([&] {
              m.rv("o", Normal(0, 1), {.shape = Shape{4294967296, 4294967296}});
            }),
            "variable 'o': shape [4294967296, 4294967296] needs more than 2^64 bytes, more than "
            "this machine's memory");
  EXPECT_EQ(error_of([&] {
              m.rv("n", Normal(0, 1), {.shape = Shape{3, -2}});
            }),
            "variable 'n': shape [3, -2] has a negative dimension");
  EXPECT_EQ(
      error_of([&] { m.data("d", {}, Shape{100000000000000}); }),
      "data 'd': shape [100000000000000] needs 800000000000000 bytes (728 TiB), more than this "
      "machine's memory");
  EXPECT_EQ(error_of([&] {
              m.observe("y", Normal(0, 1), std::vector<double>{}, Shape{100000000000000});
            }),
            "observed variable 'y': shape [100000000000000] needs 800000000000000 bytes (728 TiB), "
            "more than this machine's memory");
  // A zero-sized dimension makes an empty value, whatever the others.
  EXPECT_NO_THROW(check_fits_in_memory("e", Shape{0, std::int64_t{1} << 62}, DType::f64));
  EXPECT_NO_THROW(m.rv("fine", Normal(0, 1), {.shape = Shape{1000}}));
}

TEST_F(ModelTest, TauIsAPrecision) {
  Model m;
  Tensor x = m.rv("x", make("Normal", {{"mu", 1}, {"tau", 4}}));
  (void)x;
  const LogDensity d = m.compile();
  auto ws = d.make_workspace();
  const std::vector<double> t = {0.2};
  std::vector<double> g(1);
  EXPECT_NEAR(d(*ws, t.data(), g.data()), normal_lpdf(0.2, 1, 0.5), 1e-14);
}

TEST_F(ModelTest, Float32ModelsAgreeWithFloat64) {
  Model m64(DType::f64), m32(DType::f32);
  build_eight_schools(m64);
  build_eight_schools(m32);
  const LogDensity d64 = m64.compile(), d32 = m32.compile();
  auto a = d64.make_workspace(), b = d32.make_workspace();
  const auto t = point(10, 0.9);
  std::vector<double> g64(10), g32(10);
  const double l64 = d64(*a, t.data(), g64.data()), l32 = d32(*b, t.data(), g32.data());
  EXPECT_NEAR(l32, l64, 2e-5 * std::abs(l64));
  for (int i = 0; i < 10; ++i) EXPECT_NEAR(g32[i], g64[i], 1e-4 * std::max(1.0, std::abs(g64[i])));
}

TEST_F(ModelTest, OneCompiledDensityServesSeveralThreads) {
  Model m;
  build_eight_schools(m);
  const LogDensity d = m.compile();
  std::vector<double> results(4);
  std::vector<std::thread> threads;
  for (int k = 0; k < 4; ++k)
    threads.emplace_back([&, k] {
      auto ws = d.make_workspace();
      const auto t = point(10, 0.3 * k);
      std::vector<double> g(10);
      double lp = 0;
      for (int rep = 0; rep < 2000; ++rep) lp = d(*ws, t.data(), g.data());
      results[static_cast<std::size_t>(k)] = lp;
    });
  for (auto& t : threads) t.join();
  for (int k = 0; k < 4; ++k)
    EXPECT_NEAR(results[static_cast<std::size_t>(k)], eight_schools_by_hand(point(10, 0.3 * k)),
                1e-11);
}

TEST_F(ModelTest, ValuesGiveConstrainedVariablesAndDeterministics) {
  for (DType floatx : {DType::f64, DType::f32}) {
    Model m(floatx);
    build_eight_schools(m);
    const ValueFunction f = m.compile_values();
    ASSERT_EQ(f.variables().size(), 4u);  // mu, tau, theta_z, theta
    EXPECT_EQ(f.size(), 1 + 1 + 8 + 8);
    EXPECT_TRUE(f.variables()[3].deterministic);
    const auto names = f.column_names();
    EXPECT_EQ(names[0], "mu");
    EXPECT_EQ(names[2], "theta_z[0]");
    EXPECT_EQ(names[17], "theta[7]");
    auto ws = f.make_workspace();
    const auto t = point(10, 0.6);
    std::vector<double> out(18);
    f(*ws, t.data(), out.data());
    const double tol = floatx == DType::f64 ? 1e-14 : 1e-5;
    EXPECT_NEAR(out[0], t[0], tol);
    EXPECT_NEAR(out[1], std::exp(t[1]), tol * 10);
    for (int j = 0; j < 8; ++j) {
      EXPECT_NEAR(out[2 + j], t[2 + j], tol);
      EXPECT_NEAR(out[10 + j], t[0] + std::exp(t[1]) * t[2 + j], tol * 10);
    }
  }
}

TEST_F(ModelTest, PointsOnTheConstrainedSpace) {
  Model m;
  build_eight_schools(m);
  std::vector<std::vector<double>> values = {{1.0}, {2.0}, std::vector<double>(8, 0.0)};
  const auto theta = unconstrain(m, values);
  ASSERT_EQ(theta.size(), 10u);
  EXPECT_NEAR(theta[1], std::log(2.0), 1e-15);
  const PointResult r = evaluate_point(m, theta, /*jacobian=*/false);
  ASSERT_EQ(r.terms.size(), 4u);  // mu, tau, theta_z, y
  EXPECT_NEAR(r.terms[0].second, normal_lpdf(1, 0, 5), 1e-13);
  EXPECT_NEAR(r.terms[1].second, half_cauchy_lpdf(2, 5), 1e-13);
  double y = 0;
  for (int j = 0; j < 8; ++j) y += normal_lpdf(kY[j], 1.0, kSigma[j]);
  EXPECT_NEAR(r.terms[3].second, y, 1e-12);
  EXPECT_NEAR(r.logp, r.terms[0].second + r.terms[1].second + r.terms[2].second + y, 1e-12);
  // d/dtau log HalfCauchy(tau | 5) = -(2 tau / 25) / (1 + tau^2 / 25); theta_z = 0 leaves y flat in
  // tau.
  EXPECT_EQ(r.grad[1].first, "tau");
  EXPECT_NEAR(r.grad[1].second[0], -(4.0 / 25) / (1 + 4.0 / 25), 1e-13);
  const PointResult u = evaluate_point(m, theta, /*jacobian=*/true);
  EXPECT_EQ(u.grad[1].first, "tau_log__");
  EXPECT_NEAR(u.grad[1].second[0], 2 * r.grad[1].second[0] + 1, 1e-13);
  EXPECT_NEAR(u.logp, r.logp + std::log(2.0), 1e-12);
  values[1] = {-1.0};
  EXPECT_NE(error_of([&] { unconstrain(m, values); }).find("outside the support of HalfCauchy"),
            std::string::npos);
  values[1] = {1.0, 2.0};
  EXPECT_NE(error_of([&] { unconstrain(m, values); }).find("needs 1 values"), std::string::npos);
}

// Where one variable bounds another (b ~ Uniform(0, 1 - a)), the constrained gradient holds b
// fixed while a moves: log p(a, b) = log N(a | 0, 1) - log(1 - a) + log N(b | 0.2, 1), so
// d/da = -a + 1 / (1 - a) and d/db = -(b - 0.2), not the chain rule through b's transform.
TEST_F(ModelTest, ConstrainedGradientsHoldABoundedVariableFixed) {
  Model m;
  auto a = m.rv("a", Uniform(0, 1));
  auto b = m.rv("b", Uniform(0, 1 - a));
  m.potential("extra", -0.5 * graph::square(b - 0.2) - 0.5 * graph::square(a));
  const auto theta = unconstrain(m, {{0.3}, {0.5}});
  const PointResult r = evaluate_point(m, theta, /*jacobian=*/false);
  EXPECT_NEAR(r.grad[0].second[0], -0.3 + 1 / 0.7, 1e-12);
  EXPECT_NEAR(r.grad[1].second[0], -(0.5 - 0.2), 1e-12);
}

// A discrete variable's slot reaches the engine as the int64 its input is (not float64 bytes).
TEST_F(ModelTest, PointsWithDiscreteVariables) {
  Model m;
  m.rv("k", Poisson(2.0));
  m.rv("s", DiscreteUniform(0, 10), {.shape = Shape{2}});
  const PointResult r = evaluate_point(m, {3.0, 4.0, 7.0}, /*jacobian=*/false);
  ASSERT_EQ(r.terms.size(), 2u);
  EXPECT_NEAR(r.terms[0].second, 3 * std::log(2.0) - 2.0 - std::log(6.0), 1e-13);
  EXPECT_NEAR(r.terms[1].second, -2 * std::log(11.0), 1e-13);
}

TEST_F(ModelTest, TransformsCanBeChosenByName) {
  Model m;
  m.rv("a", Normal(0, 2), {.shape = Shape{3}, .transform = "ordered"});
  m.rv("s", HalfNormal(1), {.transform = "none"});
  const Layout l = m.layout();
  EXPECT_EQ(l.vars[0].value_name, "a_ordered__");
  EXPECT_EQ(l.vars[1].value_name, "s");
  const LogDensity d = m.compile();
  auto ws = d.make_workspace();
  std::vector<double> g(4);
  // a = (0.5, 0.5 + e^0, 1.5 + e^-1) from y = (0.5, 0, -1); s = -1 is outside HalfNormal's support.
  const std::vector<double> inside = {0.5, 0.0, -1.0, 0.7}, outside = {0.5, 0.0, -1.0, -1.0};
  const double a[3] = {0.5, 1.5, 1.5 + std::exp(-1.0)};
  double want = 0 + (-1.0);  // log|J| of ordered: sum of y[1:]
  for (double x : a) want += normal_lpdf(x, 0, 2);
  want += std::log(2.0) + normal_lpdf(0.7, 0, 1);
  EXPECT_NEAR(d(*ws, inside.data(), g.data()), want, 1e-12);
  EXPECT_EQ(d(*ws, outside.data(), g.data()), -std::numeric_limits<double>::infinity());
  EXPECT_NE(
      error_of([&] { m.rv("b", Normal(0, 1), {.transform = "logg"}); }).find("did you mean 'log'"),
      std::string::npos);
}

}  // namespace
}  // namespace stochos::model
