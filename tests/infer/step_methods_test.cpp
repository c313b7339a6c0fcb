// PyMC's Metropolis and Slice as kernels of `sample`: exact posteriors (independent normals of
// different scales, a scale through the log transform), their statistics, the tuning during
// warm-up, and the same draws whatever the thread count.
#include <gtest/gtest.h>

#include <cmath>

#include "diagnostics/diagnostics.hpp"
#include "infer/sample.hpp"
#include "model/model.hpp"

namespace stochos::infer {
namespace {

using namespace distributions;
using model::Model;

class StepMethods : public ::testing::TestWithParam<std::string> {};

// Column j of the draws, by chain.
diagnostics::Chains column(const Trace& t, Eigen::Index j, double (*f)(double) = nullptr) {
  diagnostics::Chains c;
  for (const auto& chain : t.chains) {
    std::vector<double> x;
    for (Eigen::Index i = 0; i < chain.draws.rows(); ++i)
      x.push_back(f ? f(chain.draws(i, j)) : chain.draws(i, j));
    c.push_back(std::move(x));
  }
  return c;
}

// The mean within 5 Monte Carlo standard errors, the sd within 5 of its (ESS-based) standard
// errors, sd / sqrt(2 ESS), and the chains mixed.
void expect_matches(const diagnostics::Chains& c, double mean, double sd, const std::string& what) {
  const double ess = diagnostics::ess_bulk(c);
  EXPECT_GT(ess, 200) << what;
  EXPECT_NEAR(diagnostics::mean(c), mean, 5 * diagnostics::mcse_mean(c)) << what;
  EXPECT_NEAR(diagnostics::sd(c), sd, 5 * sd / std::sqrt(2 * ess)) << what;
  EXPECT_LT(diagnostics::rhat(c), 1.02) << what;
}

TEST_P(StepMethods, IndependentNormalsAndALogTransformedScale) {
  Model m;
  // Random-walk Metropolis with one isotropic scaling mixes slowly along the wide axis (an ESS
  // of 1 in 50 draws or so there): 4 x 10 000 draws, cheap at a gradient each.
  const std::vector<double> scales = {0.5, 2};
  m.rv("x", Normal(1, Arg(scales, {2})));
  m.rv("s", HalfNormal(2));
  const Trace t = sample(
      m.compile(), {.chains = 4, .draws = 10000, .tune = 1000, .seed = 21, .sampler = GetParam()});
  EXPECT_EQ(t.method, GetParam());
  expect_matches(column(t, 0), 1.0, scales[0], "x[0]");
  expect_matches(column(t, 1), 1.0, scales[1], "x[1]");
  // HalfNormal(2): mean 2 sqrt(2 / pi), sd 2 sqrt(1 - 2 / pi).
  expect_matches(column(t, 2, [](double y) { return std::exp(y); }), 2 * std::sqrt(2 / M_PI),
                 2 * std::sqrt(1 - 2 / M_PI), "s");
  // No Hamiltonian adaptation: no step size.
  EXPECT_EQ(t.chains[0].step_size, 0.0);
}

TEST_P(StepMethods, SameDrawsWhateverTheThreadCount) {
  Model m;
  m.rv("a", Normal(0, 1), {.shape = Shape{2}});
  const auto d = m.compile();
  const SampleOptions base{
      .chains = 2, .draws = 100, .tune = 100, .seed = 4, .cores = 1, .sampler = GetParam()};
  SampleOptions two = base;
  two.cores = 2;
  const Trace a = sample(d, base), b = sample(d, two);
  for (std::size_t c = 0; c < 2; ++c) {
    EXPECT_EQ(a.chains[c].draws, b.chains[c].draws);
    EXPECT_EQ(a.chains[c].stats, b.chains[c].stats);
  }
}

INSTANTIATE_TEST_SUITE_P(Kernels, StepMethods, ::testing::Values("metropolis", "slice"));

TEST(Metropolis, ScalingIsTunedTowardsAUsefulAcceptanceRate) {
  // A posterior 100 times narrower than the default scaling of 1: untuned, almost nothing would
  // be accepted.
  Model m;
  m.rv("x", Normal(0, 0.01), {.shape = Shape{3}});
  const Trace t = sample(
      m.compile(), {.chains = 1, .draws = 1000, .tune = 1000, .seed = 2, .sampler = "metropolis"});
  ASSERT_EQ(t.stat_names,
            (std::vector<std::string>{"lp__", "accept__", "accepted__", "scaling__"}));
  const auto& s = t.chains[0].stats;
  const double accepted = s.col(2).mean();
  EXPECT_GT(accepted, 0.15);
  EXPECT_LT(accepted, 0.8);
  EXPECT_LT(s(0, 3), 0.1);                 // the scaling shrank
  EXPECT_EQ(s(0, 3), s(s.rows() - 1, 3));  // and stays fixed after warm-up
  for (Eigen::Index i = 0; i < s.rows(); ++i) {
    EXPECT_TRUE(s(i, 2) == 0.0 || s(i, 2) == 1.0);
    EXPECT_GE(s(i, 1), 0.0);
    EXPECT_LE(s(i, 1), 1.0);
  }
}

TEST(Slice, ReportsItsSteps) {
  Model m;
  m.rv("x", Normal(0, 1));
  const Trace t =
      sample(m.compile(), {.chains = 1, .draws = 200, .tune = 200, .seed = 3, .sampler = "slice"});
  ASSERT_EQ(t.stat_names, (std::vector<std::string>{"lp__", "nstep_out__", "nstep_in__"}));
  const auto& s = t.chains[0].stats;
  EXPECT_GT(s.col(1).sum() + s.col(2).sum(), 0.0);
  for (Eigen::Index i = 0; i < s.rows(); ++i) EXPECT_GE(s(i, 1), 0.0);
}

}  // namespace
}  // namespace stochos::infer
