// Discrete free variables and compound steps (infer/compound.hpp): PyMC's assignment and its
// overrides, posteriors known exactly by summing over the discrete unknowns (a switch point, a
// Beta-Bernoulli with latent memberships), and simulation-based calibration of every discrete
// step method.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "calibrate.hpp"
#include "diagnostics/diagnostics.hpp"
#include "infer/compound.hpp"
#include "infer/sample.hpp"
#include "model/model.hpp"
#include "stochos/error.hpp"
#include "traced.hpp"

namespace stochos::infer {
namespace {

using namespace distributions;
using graph::DType;
using graph::Shape;
using model::Model;
using Steps = std::vector<std::pair<std::string, std::string>>;

Trace run(const Model& m, const Steps& steps, std::uint64_t seed, int draws = 2000) {
  return sample(m.compile(), {.chains = 4,
                              .draws = draws,
                              .tune = 500,
                              .seed = seed,
                              .compound = plan_compound(m, steps, "nuts")});
}

// Mean within 5 MCSE and sd within 10% of the exact values; R-hat below 1.01.
void expect_matches(const diagnostics::Chains& c, double mean, double sd, const std::string& what) {
  EXPECT_NEAR(diagnostics::mean(c), mean, 5 * diagnostics::mcse_mean(c)) << what;
  EXPECT_NEAR(diagnostics::sd(c), sd, 0.1 * sd) << what;
  EXPECT_LT(diagnostics::rhat(c), 1.01) << what;
}

// --- assignment ---------------------------------------------------------------------------

// mu continuous, z Bernoulli[3], c Categorical over 3, k Poisson.
void mixed(Model& m) {
  Tensor mu = m.rv("mu", Normal(0, 1));
  m.rv("z", Bernoulli(0.3), {.shape = Shape{3}});
  m.rv("c", Categorical({0.2, 0.5, 0.3}));
  Tensor k = m.rv("k", Poisson(3.0));
  m.observe("y", Normal(mu + graph::cast(k, DType::f64), 1), {2.5, 3.5}, {2});
}

TEST(CompoundPlan, FollowsPyMCsRule) {
  Model m;
  mixed(m);
  const auto plan = plan_compound(m, {}, "nuts");
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->describe(),
            "binary_gibbs: [z], categorical_gibbs: [c], metropolis: [k], nuts: [mu]");
  EXPECT_EQ(plan->stat_names,
            (std::vector<std::string>{"lp__", "accept__", "accepted__", "scaling__",
                                      "accept_stat__", "stepsize__", "treedepth__", "n_leapfrog__",
                                      "divergent__", "energy__"}));
  EXPECT_EQ(plan->steps[1].first, 0);
  EXPECT_EQ(plan->steps[1].categories, 3);
}

TEST(CompoundPlan, OverridesApplyAndSharedStatisticsAreNamedByVariable) {
  Model m;
  mixed(m);
  const auto plan = plan_compound(
      m, {{"z", "metropolis"}, {"mu", "Slice"}, {"c", "CategoricalGibbsMetropolis"}}, "nuts");
  EXPECT_EQ(plan->describe(),
            "metropolis: [z], categorical_gibbs: [c], metropolis: [k], slice: [mu]");
  EXPECT_EQ(plan->stat_names, (std::vector<std::string>{
                                  "lp__", "accept_z__", "accepted_z__", "scaling_z__", "accept_k__",
                                  "accepted_k__", "scaling_k__", "nstep_out__", "nstep_in__"}));
}

TEST(CompoundPlan, NothingToPlanForAContinuousModelWithoutOverrides) {
  Model m;
  m.rv("mu", Normal(0, 1));
  EXPECT_EQ(plan_compound(m, {}, "nuts"), nullptr);
  EXPECT_NE(plan_compound(m, {{"mu", "metropolis"}}, "nuts"), nullptr);
}

TEST(CompoundPlan, OverridesThatDoNotFitAreInputErrors) {
  Model m;
  mixed(m);
  const auto error = [&](const Steps& s) {
    try {
      plan_compound(m, s, "nuts");
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("(no error)");
  };
  EXPECT_EQ(error({{"nope", "metropolis"}}),
            "--step nope=metropolis: no free variable 'nope' (free variables: mu, z, c, k)");
  EXPECT_NE(error({{"k", "gibbs"}}).find("unknown step method 'gibbs'"), std::string::npos);
  EXPECT_NE(error({{"k", "binary_gibbs"}}).find("needs a 0/1 variable"), std::string::npos);
  EXPECT_NE(error({{"k", "categorical_gibbs"}}).find("finitely many values"), std::string::npos);
  EXPECT_NE(error({{"k", "nuts"}}).find("'k' is discrete"), std::string::npos);
  EXPECT_NE(error({{"mu", "binary_gibbs"}}).find("'mu' is continuous"), std::string::npos);
  EXPECT_NE(error({{"k", "slice"}, {"k", "metropolis"}}).find("given twice"), std::string::npos);
  EXPECT_THROW(parse_step("k"), InputError);
  EXPECT_EQ(parse_step("k=slice"), std::make_pair(std::string("k"), std::string("slice")));
}

TEST(CompoundPlan, SamplingADiscreteModelNeedsThePlan) {
  Model m;
  mixed(m);
  EXPECT_THROW(sample(m.compile(), {.chains = 1, .draws = 10, .tune = 10}), InputError);
}

// --- exact posteriors ---------------------------------------------------------------------

// 40 yearly counts, rate 3 then 1 after year 14.
const std::vector<double> kCounts = {3, 2, 4, 3, 5, 1, 3, 2, 4, 3, 2, 5, 3, 2, 4, 1, 0, 1, 2, 1,
                                     0, 1, 1, 0, 2, 1, 0, 1, 1, 2, 0, 1, 0, 1, 1, 0, 2, 1, 0, 1};

// s ~ DiscreteUniform(0, T-1), early and late ~ Exponential(1), y[t] ~ Poisson(s >= t ? early :
// late).
void switch_point(Model& m) {
  const auto T = static_cast<std::int64_t>(kCounts.size());
  Tensor s = m.rv("s", DiscreteUniform(0, static_cast<double>(T - 1)));
  Tensor early = m.rv("early", Exponential(1));
  Tensor late = m.rv("late", Exponential(1));
  std::vector<double> t(static_cast<std::size_t>(T));
  for (std::size_t i = 0; i < t.size(); ++i) t[i] = static_cast<double>(i);
  const Tensor years = graph::constant(m.graph(), Shape{T}, t, DType::i64);
  m.observe("y", Poisson(graph::where(graph::greater_equal(s, years), early, late)), kCounts, {T});
}

// p(s | y): the rates integrate out, Gamma(S + 1) / (n + 1)^(S + 1) for each segment.
std::pair<double, double> exact_switch_point() {
  std::vector<double> lp;
  for (std::size_t s = 0; s < kCounts.size(); ++s) {
    double s1 = 0, s2 = 0;
    for (std::size_t t = 0; t < kCounts.size(); ++t) (t <= s ? s1 : s2) += kCounts[t];
    const double n1 = static_cast<double>(s + 1), n2 = static_cast<double>(kCounts.size()) - n1;
    lp.push_back(std::lgamma(s1 + 1) - (s1 + 1) * std::log(n1 + 1) + std::lgamma(s2 + 1) -
                 (s2 + 1) * std::log(n2 + 1));
  }
  double top = *std::max_element(lp.begin(), lp.end()), z = 0, m1 = 0, m2 = 0;
  for (std::size_t s = 0; s < lp.size(); ++s) {
    const double w = std::exp(lp[s] - top), x = static_cast<double>(s);
    z += w;
    m1 += w * x;
    m2 += w * x * x;
  }
  m1 /= z;
  return {m1, std::sqrt(m2 / z - m1 * m1)};
}

TEST(DiscreteExact, SwitchPointByMetropolisCategoricalGibbsAndSlice) {
  const auto [mean, sd] = exact_switch_point();
  for (const Steps& steps : {Steps{}, Steps{{"s", "categorical_gibbs"}}, Steps{{"s", "slice"}}}) {
    const std::string what = steps.empty() ? "metropolis" : steps[0].second;
    Model m;
    switch_point(m);
    // Draws by how fast each mixes on this posterior: Gibbs draws the year exactly.
    const Trace r = run(m, steps, 11, what == "metropolis" ? 4000 : what == "slice" ? 2000 : 1000);
    expect_matches(test::traced(m, r, 0), mean, sd, what);
    // The draws are whole years.
    for (const auto& chain : r.chains)
      for (Eigen::Index i = 0; i < chain.draws.rows(); ++i)
        ASSERT_EQ(chain.draws(i, 0), std::round(chain.draws(i, 0)));
  }
}

// theta ~ Beta(2, 2), z[i] ~ Bernoulli(theta) for 8 latent memberships, y[i] ~ N(2 z[i], 1).
// Near 1, halfway between the two means: memberships stay uncertain, and a step method that
// gets its acceptance wrong shows.
const std::vector<double> kY = {1.3, 0.7, 1.25, 0.75, 1.3, 0.7, 1.2, 0.8};

void beta_bernoulli(Model& m) {
  Tensor theta = m.rv("theta", Beta(2, 2));
  Tensor z = m.rv("z", Bernoulli(theta), {.shape = Shape{8}});
  m.observe("y", Normal(2.0 * graph::cast(z, DType::f64), 1), kY, {8});
}

TEST(DiscreteExact, BetaBernoulliWithLatentMembershipsByEveryDiscreteMethod) {
  // Summing over the 256 memberships: p(z | y) ∝ B(2 + k, 10 - k) prod N(y_i | 2 z_i, 1).
  double z_total = 0, m1 = 0, m2 = 0, z0 = 0;
  for (int bits = 0; bits < 256; ++bits) {
    double lw = 0;
    int k = 0;
    for (int i = 0; i < 8; ++i) {
      const int zi = (bits >> i) & 1;
      k += zi;
      lw += -0.5 * (kY[static_cast<std::size_t>(i)] - 2 * zi) *
            (kY[static_cast<std::size_t>(i)] - 2 * zi);
    }
    const double a = 2 + k, b = 2 + 8 - k;
    lw += std::lgamma(a) + std::lgamma(b) - std::lgamma(a + b);
    const double w = std::exp(lw);
    z_total += w;
    m1 += w * a / (a + b);
    m2 += w * a * (a + 1) / ((a + b) * (a + b + 1));
    z0 += w * (bits & 1);
  }
  m1 /= z_total;
  const double sd = std::sqrt(m2 / z_total - m1 * m1), p0 = z0 / z_total;
  for (const Steps& steps :
       {Steps{}, Steps{{"z", "categorical_gibbs"}}, Steps{{"z", "metropolis"}}}) {
    const std::string what = steps.empty() ? "binary_gibbs" : steps[0].second;
    Model m;
    beta_bernoulli(m);
    const Trace r = run(m, steps, 12, what == "metropolis" ? 6000 : 2000);
    expect_matches(test::traced(m, r, 0), m1, sd, what);
    const auto z = test::traced(m, r, 1);
    EXPECT_NEAR(diagnostics::mean(z), p0, 5 * diagnostics::mcse_mean(z)) << what;
  }
}

TEST(DiscreteExact, EachMethodAloneDrawsTheConditionals) {
  // z[i] ~ Bernoulli(0.5), y[i] ~ N(2 z[i], 1): independently, p(z[i] = 1 | y) =
  // sigmoid(2 y[i] - 2). No continuous variable: the discrete step is the whole chain.
  for (const Steps& steps : {Steps{}, Steps{{"z", "categorical_gibbs"}}, Steps{{"z", "metropolis"}},
                             Steps{{"z", "slice"}}}) {
    const std::string what = steps.empty() ? "binary_gibbs" : steps[0].second;
    Model m;
    Tensor z = m.rv("z", Bernoulli(0.5), {.shape = Shape{8}});
    m.observe("y", Normal(2.0 * graph::cast(z, DType::f64), 1), kY, {8});
    const Trace r = run(m, steps, 13);
    for (std::size_t i = 0; i < kY.size(); ++i) {
      const auto c = test::traced(m, r, i);
      const double p = 1 / (1 + std::exp(2 - 2 * kY[i]));
      EXPECT_NEAR(diagnostics::mean(c), p, 5 * diagnostics::mcse_mean(c)) << what << " z" << i;
    }
  }
}

TEST(DiscreteExact, SameDrawsWhateverTheThreadCount) {
  Model m;
  beta_bernoulli(m);
  const auto plan = plan_compound(m, {}, "nuts");
  const auto d = m.compile();
  const Trace one = sample(d, {.chains = 3, .draws = 50, .tune = 50, .cores = 1, .compound = plan});
  const Trace two = sample(d, {.chains = 3, .draws = 50, .tune = 50, .cores = 2, .compound = plan});
  for (std::size_t c = 0; c < 3; ++c) EXPECT_EQ(one.chains[c].draws, two.chains[c].draws);
}

// --- calibration ----------------------------------------------------------------------------

// theta ~ Beta(2, 2), five latent z ~ Bernoulli(theta), y ~ N(2 z, 1): returns theta.
double latent_memberships(Model& m, std::mt19937_64& rng) {
  const double a = std::gamma_distribution<double>(2, 1)(rng);
  const double theta = a / (a + std::gamma_distribution<double>(2, 1)(rng));
  std::vector<double> y(5);
  for (double& v : y)
    v = std::normal_distribution<double>(std::bernoulli_distribution(theta)(rng) ? 2 : 0, 1)(rng);
  Tensor t = m.rv("theta", Beta(2, 2));
  Tensor z = m.rv("z", Bernoulli(t), {.shape = Shape{5}});
  m.observe("y", Normal(2.0 * graph::cast(z, DType::f64), 1), y, {5});
  return theta;
}

// sigma ~ HalfNormal(1), four latent classes c ~ Categorical(0.2, 0.5, 0.3) with means -2, 0, 2,
// y ~ N(mean[c], sigma): returns sigma.
double latent_categories(Model& m, std::mt19937_64& rng) {
  const double sigma = std::abs(std::normal_distribution<double>(0, 1)(rng));
  const double means[] = {-2, 0, 2};
  std::discrete_distribution<int> pick({0.2, 0.5, 0.3});
  std::vector<double> y(4);
  for (double& v : y) v = std::normal_distribution<double>(means[pick(rng)], sigma)(rng);
  Tensor s = m.rv("sigma", HalfNormal(1));
  Tensor c = m.rv("c", Categorical({0.2, 0.5, 0.3}), {.shape = Shape{4}});
  const Tensor mean = graph::gather(graph::constant(m.graph(), Shape{3}, {-2, 0, 2}), c);
  m.observe("y", Normal(mean, s), y, {4});
  return sigma;
}

// lambda ~ Gamma(3, 1), one latent count k ~ Poisson(lambda), two y ~ N(k, 0.7): returns lambda.
double latent_count(Model& m, std::mt19937_64& rng) {
  const double lambda = std::gamma_distribution<double>(3, 1)(rng);
  const auto k = static_cast<double>(std::poisson_distribution<int>(lambda)(rng));
  std::vector<double> y(2);
  for (double& v : y) v = std::normal_distribution<double>(k, 0.7)(rng);
  Tensor l = m.rv("lambda", Gamma(3, 1));
  Tensor kk = m.rv("k", Poisson(l));
  m.observe("y", Normal(graph::cast(kk, DType::f64), 0.7), y, {2});
  return lambda;
}

TEST(DiscreteCalibration, BinaryGibbs) {
  test::calibrate(latent_memberships, 200, 700);
}

TEST(DiscreteCalibration, CategoricalGibbs) {
  test::calibrate(latent_categories, 200, 800);
}

TEST(DiscreteCalibration, MetropolisOnACount) {
  test::calibrate(latent_count, 200, 900, "nuts", 20);
}

// The slice on integers (Note [discrete slice]) on an unbounded count.
TEST(DiscreteCalibration, SliceOnACount) {
  test::calibrate(latent_count, 200, 900, "nuts", 20, {{"k", "slice"}});
}

TEST(DiscreteCalibration, MetropolisOnMemberships) {
  test::calibrate(latent_memberships, 200, 1000, "nuts", 20, {{"z", "metropolis"}});
}

}  // namespace
}  // namespace stochos::infer
