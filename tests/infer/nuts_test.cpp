// NUTS against known posteriors: independent normals of very different scales (exact), eight
// schools non-centred (Stan's reference: 4 x 10 000 draws, ../shared/validation), divergences of
// the centred eight schools, the same draws for the same seed whatever the thread count, and a
// clear error when no initial point works.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "infer/adaptation.hpp"
#include "infer/nutpie_adaptation.hpp"
#include "infer/sample.hpp"
#include "model/model.hpp"
#include "stochos/error.hpp"

namespace stochos::infer {
namespace {

using namespace distributions;
using model::Model;

// Runs with the test programs' own configuration (tests/support/main.cpp).
class Nuts : public ::testing::Test {};

// Pooled mean and sd of column j over every chain.
std::pair<double, double> moments(const Trace& r, Eigen::Index j, double (*f)(double) = nullptr) {
  double s = 0, s2 = 0, n = 0;
  for (const auto& c : r.chains)
    for (Eigen::Index i = 0; i < c.draws.rows(); ++i) {
      const double x = f ? f(c.draws(i, j)) : c.draws(i, j);
      s += x;
      s2 += x * x;
      n += 1;
    }
  const double m = s / n;
  return {m, std::sqrt(s2 / n - m * m)};
}

// The sum of a statistic over every chain's draws.
double total(const Trace& r, const std::string& stat) {
  const int k = r.stat_index(stat);
  EXPECT_GE(k, 0) << stat;
  double sum = 0;
  for (const auto& c : r.chains) sum += c.stats.col(k).sum();
  return sum;
}

int divergences(const Trace& r) {
  return static_cast<int>(total(r, "divergent__"));
}

// Independent N(0, scales[j]^2): 4000 draws with an ESS of at least ~1000 each, so the mean
// within 5 standard errors, the sd within 10%; no divergences.
void expect_normals(const Trace& r, const std::vector<double>& scales) {
  for (Eigen::Index j = 0; j < static_cast<Eigen::Index>(scales.size()); ++j) {
    const auto [mean, sd] = moments(r, j);
    const double s = scales[static_cast<std::size_t>(j)];
    EXPECT_NEAR(mean, 0.0, 5 * s / std::sqrt(1000.0)) << j;
    EXPECT_NEAR(sd, s, 0.1 * s) << j;
  }
  EXPECT_EQ(divergences(r), 0);
}

TEST_F(Nuts, IndependentNormalsOfVeryDifferentScales) {
  Model m;
  const std::vector<double> scales = {0.01, 1, 100, 3};
  m.rv("x", Normal(0, Arg(scales, {4})));
  const auto d = m.compile();
  const auto r = sample(d, {.chains = 4, .draws = 1000, .tune = 1000, .seed = 11});
  expect_normals(r, scales);
  // The adapted metric has learnt the scales (the variances, to within a factor of 2).
  for (Eigen::Index j = 0; j < 4; ++j) {
    const double v = r.chains[0].inverse_metric[j], s = scales[static_cast<std::size_t>(j)];
    EXPECT_GT(v, 0.5 * s * s) << j;
    EXPECT_LT(v, 2.0 * s * s) << j;
  }
}

const std::vector<double> kY = {28, 8, -3, 7, -1, 1, 18, 12};
const std::vector<double> kSigma = {15, 10, 16, 11, 9, 11, 10, 18};

TEST_F(Nuts, EightSchoolsNonCentredAgreesWithStan) {
  Model m;
  Tensor mu = m.rv("mu", Normal(0, 5));
  Tensor tau = m.rv("tau", HalfCauchy(5));
  Tensor z = m.rv("theta_z", Normal(0, 1), {.shape = Shape{8}});
  m.observe("y", Normal(mu + tau * z, Arg(kSigma, {8})), kY, {8});
  const auto d = m.compile();
  const auto r = sample(d, {.chains = 4, .draws = 2000, .tune = 1000, .seed = 2026});
  // Stan (rstan 2.21, 40 000 draws): mu 4.3815 (sd 3.2790), tau 3.6326 (sd 3.2410). Our 8000
  // draws have an ESS of at least ~2000 for mu and ~1000 for tau: 5 standard errors.
  const auto [mu_mean, mu_sd] = moments(r, 0);
  const auto [tau_mean, tau_sd] = moments(r, 1, [](double y) { return std::exp(y); });
  EXPECT_NEAR(mu_mean, 4.3815, 5 * 3.2790 / std::sqrt(2000.0));
  EXPECT_NEAR(mu_sd, 3.2790, 0.1 * 3.2790);
  EXPECT_NEAR(tau_mean, 3.6326, 5 * 3.2410 / std::sqrt(1000.0));
  EXPECT_NEAR(tau_sd, 3.2410, 0.1 * 3.2410);
  // theta_z[0]: 0.3186 (sd 0.9854).
  const auto [z0_mean, z0_sd] = moments(r, 2);
  EXPECT_NEAR(z0_mean, 0.3186, 5 * 0.9854 / std::sqrt(2000.0));
  EXPECT_NEAR(z0_sd, 0.9854, 0.1 * 0.9854);
  EXPECT_LE(divergences(r), 4);  // Stan saw none in 40 000
  for (const auto& c : r.chains) {
    EXPECT_GT(c.step_size, 0.05);
    EXPECT_GT(c.gradient_evaluations, 3000);
  }
}

TEST_F(Nuts, CentredEightSchoolsReportsDivergences) {
  Model m;
  Tensor mu = m.rv("mu", Normal(0, 5));
  Tensor tau = m.rv("tau", HalfCauchy(5));
  Tensor theta = m.rv("theta", Normal(mu, tau), {.shape = Shape{8}});
  m.observe("y", Normal(theta, Arg(kSigma, {8})), kY, {8});
  const auto r = sample(m.compile(), {.chains = 2, .draws = 1000, .tune = 1000, .seed = 5});
  EXPECT_GT(divergences(r), 0);
  // The funnel's neck looks correlated within a window, not over the warm-up: the default
  // metric stays diagonal (Note [automatic metric]).
  for (const auto& c : r.chains) EXPECT_EQ(c.inverse_metric_dense.size(), 0) << c.chain;
}

TEST_F(Nuts, SameSeedSameDrawsWhateverTheThreadCount) {
  Model m;
  m.rv("a", Normal(1, 2), {.shape = Shape{3}});
  m.rv("s", HalfNormal(1));
  const auto d = m.compile();
  const auto one = sample(d, {.chains = 3, .draws = 200, .tune = 200, .seed = 9, .cores = 1});
  const auto three = sample(d, {.chains = 3, .draws = 200, .tune = 200, .seed = 9, .cores = 3});
  for (std::size_t c = 0; c < 3; ++c) {
    EXPECT_EQ(one.chains[c].draws, three.chains[c].draws) << c;
    EXPECT_EQ(one.chains[c].stats, three.chains[c].stats) << c;
  }
  const auto other = sample(d, {.chains = 1, .draws = 200, .tune = 200, .seed = 10});
  EXPECT_NE(other.chains[0].draws, one.chains[0].draws);
  // Chains differ from each other.
  EXPECT_NE(one.chains[0].draws, one.chains[1].draws);
}

TEST_F(Nuts, NoFiniteStartIsAnErrorNamingTheVariables) {
  Model m;
  Tensor x = m.rv("x", Normal(0, 1));
  // sigma = x - 5 is negative on all of uniform(-2, 2): log p is -inf at every try.
  m.observe("y", Normal(0, x - 5.0), {1.0}, {1});
  try {
    sample(m.compile(), {.chains = 1, .draws = 10, .tune = 10, .seed = 1});
    FAIL() << "no error";
  } catch (const RuntimeError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("no initial point"), std::string::npos) << msg;
    EXPECT_NE(msg.find("chain 0"), std::string::npos) << msg;
  }
}

TEST_F(Nuts, StaticHmcWithTheSameAdaptation) {
  Model m;
  const std::vector<double> scales = {0.5, 2, 10};
  m.rv("x", Normal(1, Arg(scales, {3})));
  // An integration time of 2 pi (Stan's default) is a whole period of a whitened Gaussian: the
  // trajectory comes back to where it started. A quarter period decorrelates instead.
  const auto r = sample(
      m.compile(),
      {.chains = 4, .draws = 1000, .tune = 1000, .seed = 8, .sampler = "hmc", .hmc_time = 1.5});
  for (Eigen::Index j = 0; j < 3; ++j) {
    const auto [mean, sd] = moments(r, j);
    const double s = scales[static_cast<std::size_t>(j)];
    EXPECT_NEAR(mean, 1.0, 5 * s / std::sqrt(1000.0)) << j;
    EXPECT_NEAR(sd, s, 0.1 * s) << j;
  }
  EXPECT_GT(total(r, "accept_stat__") / 4000, 0.6);  // adapted towards 0.8
  // Stan's static engine reports the integration time, not a tree depth.
  EXPECT_EQ(r.method, "hmc");
  EXPECT_EQ(r.stat_index("treedepth__"), -1);
  const int t = r.stat_index("int_time__"), eps = r.stat_index("stepsize__"),
            n = r.stat_index("n_leapfrog__");
  const auto& c0 = r.chains[0].stats;
  EXPECT_NEAR(c0(0, t), c0(0, eps) * c0(0, n), 1e-12);
  EXPECT_LE(c0(0, t), 1.5 + 1e-12);
  EXPECT_THROW(sample(m.compile(), {.chains = 1, .sampler = "gibbs"}), InputError);
}

TEST(MetricAdaptation, StansWindowScheduleFor1000WarmupIterations) {
  // Windows end at iterations 99, 149, 249, 449 and 949 (75 + 25, then doubling, the last
  // stretched to the final 50-iteration buffer).
  MetricAdaptation a(1, 1000, MetricKind::diag);
  std::vector<int> ends;
  Eigen::VectorXd q(1);
  for (int i = 0; i < 1000; ++i) {
    q[0] = i;
    if (a.learn(q)) ends.push_back(i);
  }
  EXPECT_EQ(ends, (std::vector<int>{99, 149, 249, 449, 949}));
}

// nutpie's adaptation (Note [nutpie adaptation]) on the same posterior, with its 400-iteration
// warm-up: the same moments, and a metric that is the variances from draws and gradients.
TEST_F(Nuts, NutpieAdaptationLearnsTheScalesFromDrawsAndGradients) {
  Model m;
  const std::vector<double> scales = {0.01, 1, 100, 3};
  m.rv("x", Normal(0, Arg(scales, {4})));
  const auto d = m.compile();
  const auto r =
      sample(d, {.chains = 4, .draws = 1000, .tune = 400, .seed = 11, .adapt = "nutpie"});
  expect_normals(r, scales);
  // For a normal, Var(q) / Var(grad) = s^4: its square root is the variance, nearly exactly.
  for (const auto& c : r.chains)
    for (Eigen::Index j = 0; j < 4; ++j) {
      const double v = c.inverse_metric[j], s = scales[static_cast<std::size_t>(j)];
      EXPECT_GT(v, 0.7 * s * s) << j;
      EXPECT_LT(v, 1.4 * s * s) << j;
    }
}

TEST(NutpieMetricAdaptation, StartsFromTheGradientAndSwitchesOnItsSchedule) {
  const Eigen::VectorXd g = (Eigen::VectorXd(3) << 2.0, -0.5, 0.0).finished();
  const Eigen::VectorXd init = NutpieMetricAdaptation::initial(g);
  EXPECT_DOUBLE_EQ(init[0], 0.5);
  EXPECT_DOUBLE_EQ(init[1], 2.0);
  EXPECT_EQ(init[2], 1e20);  // no gradient: the upper limit
  // 1000 warm-up draws: the metric changes from the third draw to the last before the final
  // 15% (draw 850), and never after.
  NutpieMetricAdaptation a(1, 1000);
  EXPECT_EQ(a.final_window_start(), 850);
  Eigen::VectorXd q(1), grad(1);
  std::vector<long> changed;
  for (long i = 0; i < 1000; ++i) {
    q[0] = static_cast<double>(i % 7);
    grad[0] = -q[0] / 4;  // a normal of variance 4
    if (a.learn(q, grad, false)) changed.push_back(i);
  }
  ASSERT_FALSE(changed.empty());
  EXPECT_EQ(changed.front(), 2);
  EXPECT_EQ(changed.back(), 849);
  EXPECT_NEAR(a.metric_diag()[0], 4.0, 1e-9);
  // Divergent draws are left out.
  NutpieMetricAdaptation b(1, 100);
  q[0] = 1e6;
  grad[0] = 1;
  EXPECT_FALSE(b.learn(q, grad, true));
}

TEST(StepSizeAdaptation, ConvergesToTheTargetAcceptance) {
  // A toy acceptance curve exp(-eps): dual averaging settles where it equals 0.8.
  StepSizeAdaptation s({.delta = 0.8, .gamma = 0.05, .kappa = 0.75, .t0 = 10});
  s.set_mu(std::log(10.0));
  double eps = 1;
  for (int i = 0; i < 2000; ++i) eps = s.learn(std::exp(-eps));
  EXPECT_NEAR(s.final_step_size(), -std::log(0.8), 0.01);
}

}  // namespace
}  // namespace stochos::infer
