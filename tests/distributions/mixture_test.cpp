// Mixture through the model layer: the log density against log sum_k w_k p_k(x) computed with
// Boost.Math in long double (continuous and discrete components, a list or one distribution with
// the components on its last axis, the same as NormalMixture), gradients against central
// differences, a free mixture of positive components under its log transform, draws against
// the mixture's moments and CDF, and the errors of bad arguments.
#include <gtest/gtest.h>

#include <boost/math/distributions/gamma.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/poisson.hpp>
#include <boost/math/distributions/students_t.hpp>
#include <cmath>

#include "goodness_of_fit.hpp"
#include "series_support.hpp"
#include "stochos/error.hpp"
#include "support/evaluate.hpp"

namespace stochos::distributions::testing {
namespace {

namespace bm = boost::math;
using graph::Shape;
using Real = long double;

class Mixtures : public ::testing::Test {};

Real normal_pdf(Real x, Real mu, Real sigma) {
  return bm::pdf(bm::normal_distribution<Real>(mu, sigma), x);
}
// StudentT(nu, mu, sigma) by the standard t's density.
Real t_pdf(Real x, Real nu, Real mu, Real sigma) {
  return bm::pdf(bm::students_t_distribution<Real>(nu), (x - mu) / sigma) / sigma;
}

TEST_F(Mixtures, AListOfComponentsIsTheLogOfTheWeightedSum) {
  const std::vector<double> xs = {-40.0, -2.5, 0.0, 0.7, 3.0, 25.0};
  const Distribution d =
      Mixture(Arg({0.2, 0.5, 0.3}), {Normal(-1, 0.5), StudentT(3, 1, 2), Normal(2, 1)});
  for (double x : xs) {
    const Real want = std::log(0.2L * normal_pdf(x, -1, 0.5L) + 0.5L * t_pdf(x, 3, 1, 2) +
                               0.3L * normal_pdf(x, 2, 1));
    EXPECT_NEAR(observed_logp(d, {x}, {1}), static_cast<double>(want),
                1e-12 * std::max(1.0L, std::abs(want)))
        << "x = " << x;
  }
}

TEST_F(Mixtures, ComponentsOnTheLastAxisEqualTheListAndNormalMixture) {
  const std::vector<double> xs = {-1.2, 0.3, 4.5, 2.0};
  const Arg w({0.35, 0.65}), mu({0.0, 3.0}), sigma({1.0, 0.5});
  Real want = 0;
  for (double x : xs)
    want += std::log(0.35L * normal_pdf(x, 0, 1) + 0.65L * normal_pdf(x, 3, 0.5L));
  const double tol = 1e-12 * std::abs(static_cast<double>(want));
  EXPECT_NEAR(observed_logp(Mixture(w, Normal(mu, sigma)), xs, {4}), static_cast<double>(want),
              tol);
  EXPECT_NEAR(observed_logp(Mixture(w, {Normal(0, 1), Normal(3, 0.5)}), xs, {4}),
              static_cast<double>(want), tol);
  EXPECT_NEAR(observed_logp(NormalMixture(w, mu, sigma), xs, {4}), static_cast<double>(want), tol);
}

TEST_F(Mixtures, DiscreteComponentsMixTheirMasses) {
  const std::vector<double> ks = {0, 1, 4, 9, 30};
  const Distribution d = Mixture(Arg({0.4, 0.6}), {Poisson(1.5), Poisson(8)});
  for (double k : ks) {
    const Real want = std::log(0.4L * bm::pdf(bm::poisson_distribution<Real>(1.5L), k) +
                               0.6L * bm::pdf(bm::poisson_distribution<Real>(8), k));
    EXPECT_NEAR(observed_logp(d, {k}, {1}), static_cast<double>(want),
                1e-12 * std::max(1.0L, std::abs(want)))
        << "k = " << k;
  }
  EXPECT_NE(observe_error(d, 1.5).find("outside the support of Mixture"), std::string::npos);
}

TEST_F(Mixtures, GradientsMatchCentralDifferences) {
  // Free weights (a Dirichlet), means and scales; data observed.
  model::Model m;
  const auto w = m.rv("w", Dirichlet(Arg({2.0, 2.0})));
  const auto mu = m.rv("mu", Normal(0, 5), {.shape = Shape{2}});
  const auto sigma = m.rv("sigma", HalfNormal(2), {.shape = Shape{2}});
  const auto comp = [&](std::int64_t k) {
    return Normal(graph::index(mu, k), graph::index(sigma, k));
  };
  m.observe("y", Mixture(w, {comp(0), comp(1)}), {-1.0, 0.2, 2.5, 3.1}, {4});
  expect_gradient_matches_differences(m, {0.3, -0.5, 2.0, std::log(0.8), std::log(1.3)});
}

TEST_F(Mixtures, AFreeMixtureOfPositiveComponentsIsLogTransformed) {
  model::Model m;
  m.rv("x", Mixture(Arg({0.3, 0.7}), {Exponential(1), Gamma(3, 2)}));
  const auto layout = m.layout();
  ASSERT_EQ(layout.vars.size(), 1u);
  EXPECT_EQ(layout.vars[0].transform, "log");
  EXPECT_EQ(layout.vars[0].value_name, "x_log__");
  // log p(e^y) + y at y = log 0.8.
  const double y = std::log(0.8);
  const Real x = 0.8L;
  const Real want =
      std::log(0.3L * std::exp(-x) + 0.7L * bm::pdf(bm::gamma_distribution<Real>(3, 0.5L), x)) +
      std::log(x);
  const auto d = m.compile({.backend = stochos::testing::test_backend_name()});
  auto ws = d.make_workspace();
  double g = 0;
  EXPECT_NEAR(d(*ws, &y, &g), static_cast<double>(want), 1e-13);
  expect_gradient_matches_differences(m, {y});
}

TEST_F(Mixtures, DrawsFollowTheMixture) {
  // 0.3 N(-2, 1) + 0.7 N(3, 0.5): mean 1.5, variance sum w (s^2 + m^2) - mean^2 = 5.725.
  for (const Distribution& d :
       {Mixture(Arg({0.3, 0.7}), {Normal(-2, 1), Normal(3, 0.5)}),
        Mixture(Arg({0.3, 0.7}), Normal(Arg({-2.0, 3.0}), Arg({1.0, 0.5})))}) {
    const auto draws = draw_values(d, {1}, 20000, 3);
    const std::vector<double> x = column(draws, 0);
    const Moments mo = moments(x);
    EXPECT_NEAR(mo.mean, 1.5, 5 * std::sqrt(5.725 / 20000));
    EXPECT_NEAR(mo.variance, 5.725, 5 * mo.variance_se);
    const auto ks = ks_test(x, [](double z) {
      return 0.3 * bm::cdf(bm::normal_distribution<>(-2, 1), z) +
             0.7 * bm::cdf(bm::normal_distribution<>(3, 0.5), z);
    });
    EXPECT_GT(ks.p_value, 1e-3) << ks.statistic;
  }
}

TEST_F(Mixtures, BadArgumentsAreInputErrorsNamingThem) {
  const auto err = [](const Distribution& d) { return observe_error(d, 0.5); };
  EXPECT_EQ(err(Mixture(Arg({0.5, 0.6}), {Normal(0, 1), Normal(1, 1)})),
            "variable 'obs': Mixture needs w summing to 1");
  EXPECT_EQ(err(Mixture(Arg({1.5, -0.5}), {Normal(0, 1), Normal(1, 1)})),
            "variable 'obs': Mixture needs w >= 0 (fails at element 1)");
  EXPECT_EQ(err(Mixture(Arg({0.5, 0.5}), {Normal(0, 1), Normal(1, -1)})),
            "variable 'obs': Mixture needs comp_dists[1] (Normal): sigma > 0");
  EXPECT_EQ(err(Mixture(Arg({0.5, 0.5}), {Normal(0, 1), Exponential(1)})),
            "variable 'obs': Mixture: components must have one support (Normal and Exponential "
            "do not)");
  EXPECT_EQ(err(Mixture(Arg({0.5, 0.5}), {Normal(0, 1), MvNormal(Arg({0.0}), Arg({1.0}, {1, 1}))})),
            "variable 'obs': Mixture: component 1 (MvNormal) is multivariate; Stochos mixes "
            "univariate components");
  EXPECT_EQ(err(Mixture(Arg({0.2, 0.3, 0.5}), Normal(Arg({0.0, 1.0}), 1))),
            "variable 'obs': Mixture: the component distribution needs its 3 components on its "
            "parameters' last axis (its shape is [2])");
  EXPECT_EQ(err(Mixture(0.5, {Normal(0, 1)})),
            "variable 'obs': Mixture: w needs the weights on its last axis");
  EXPECT_EQ(err(make("Mixture", {{"w", Arg({0.5, 0.5})}, {"comp_dists", 1.0}})),
            "variable 'obs': Mixture: parameter 'comp_dists' takes a distribution, not a value");
  EXPECT_EQ(err(make("Mixture", {{"w", Normal(0, 1)}, {"comp_dists", Normal(0, 1)}})),
            "variable 'obs': Mixture: parameter 'w' takes a value, not a distribution");
  EXPECT_EQ(observe_error(Mixture(Arg({0.5, 0.5}), {Exponential(1), Gamma(2, 1)}), -1.0),
            "observed variable 'obs': value -1 is outside the support of Mixture");
}

}  // namespace
}  // namespace stochos::distributions::testing
