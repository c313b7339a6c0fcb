// Multinomial, whose values are vectors of counts (so not a record): the log mass against the
// closed form in long double (far tails included), a batch of n, the gradient in p against
// central differences, draws against the moments n p_k, n p_k (1 - p_k) and -n p_j p_k, PyMC's
// support point, and the errors a bad model gets.
#include <gtest/gtest.h>

#include <cmath>

#include "goodness_of_fit.hpp"
#include "model/model.hpp"
#include "model_logp.hpp"
#include "stochos/error.hpp"
#include "support/evaluate.hpp"

namespace stochos::distributions::testing {
namespace {

using LD = long double;

class MultinomialTest : public ::testing::Test {};

// log(n! / prod x_k! prod p_k^x_k), in long double.
double reference(const std::vector<double>& x, const std::vector<double>& p) {
  LD n = 0, r = 0;
  for (std::size_t k = 0; k < x.size(); ++k) {
    n += x[k];
    r += -std::lgamma(static_cast<LD>(x[k]) + 1) +
         (x[k] == 0 ? 0 : static_cast<LD>(x[k]) * std::log(static_cast<LD>(p[k])));
  }
  return static_cast<double>(r + std::lgamma(n + 1));
}

TEST_F(MultinomialTest, LogMassMatchesTheClosedForm) {
  const std::vector<std::pair<std::vector<double>, std::vector<std::vector<double>>>> cases = {
      {{0.2, 0.5, 0.3}, {{2, 5, 3}, {10, 0, 0}, {0, 0, 10}, {3, 3, 4}}},
      {{1e-12, 0.25, 0.75 - 1e-12}, {{0, 10, 30}, {5, 15, 20}}},  // far in a tail
      {{0.5, 0.5}, {{500, 500}, {1000, 0}}},
      {{1.0, 0.0}, {{7, 0}}},  // a category that cannot happen, not seen
  };
  for (const auto& [p, xs] : cases)
    for (const auto& x : xs) {
      double n = 0;
      for (double v : x) n += v;
      const double want = reference(x, p);
      EXPECT_NEAR(observed_logp(Multinomial(n, vec(p)), x), want,
                  1e-12 * std::max(1.0, std::abs(want)))
          << "p[0] " << p[0] << " x[0] " << x[0];
    }
}

TEST_F(MultinomialTest, ABatchOfTrialsPairsEachWithItsCounts) {
  model::Model m;
  m.rv("dummy", Normal(0, 1));
  m.observe("x", Multinomial(vec({4, 6}), vec({0.2, 0.5, 0.3})), {1, 2, 1, 0, 3, 3}, {2, 3});
  const auto c = m.compile({.backend = stochos::testing::test_backend_name(), .jacobian = false});
  auto ws = c.make_workspace();
  const double zero = 0;
  double g = 0;
  const double got = c(*ws, &zero, &g) + 0.5 * std::log(2 * M_PI);
  EXPECT_NEAR(got, reference({1, 2, 1}, {0.2, 0.5, 0.3}) + reference({0, 3, 3}, {0.2, 0.5, 0.3}),
              1e-12);
}

TEST_F(MultinomialTest, GradientInPMatchesCentralDifferences) {
  model::Model m;
  const graph::Tensor t = m.rv("theta", Flat(), {.shape = graph::Shape{3}});
  // p normalised from theta, so that it sums to 1 at every perturbation.
  m.observe("x", Multinomial(12, t / graph::sum(t)), {3, 7, 2}, {3});
  const auto d = m.compile({.backend = stochos::testing::test_backend_name()});
  auto ws = d.make_workspace();
  const std::vector<double> theta = {1.0, 2.5, 0.7};
  std::vector<double> g(3);
  ASSERT_TRUE(std::isfinite(d(*ws, theta.data(), g.data())));
  for (std::size_t i = 0; i < 3; ++i)
    EXPECT_NEAR(g[i], central_difference(d, *ws, theta, i, 1e-6), 1e-6) << i;
}

TEST_F(MultinomialTest, DrawsHaveTheMoments) {
  const std::vector<double> p = {0.2, 0.5, 0.3};
  const double n = 20;
  const std::size_t draws = 20000;
  std::vector<std::vector<double>> x(3, std::vector<double>(draws));
  std::vector<double> cross(draws), out(3);
  Rng rng(31);
  for (std::size_t d = 0; d < draws; ++d) {
    family("Multinomial").draw_event(rng, {{"n", {n}}, {"p", p}}, out);
    ASSERT_EQ(out[0] + out[1] + out[2], n);
    for (std::size_t k = 0; k < 3; ++k) {
      ASSERT_EQ(out[k], std::floor(out[k]));
      ASSERT_GE(out[k], 0);
      x[k][d] = out[k];
    }
  }
  for (std::size_t k = 0; k < 3; ++k) {
    const Moments mo = moments(x[k]);
    const double var = n * p[k] * (1 - p[k]);
    EXPECT_NEAR(mo.mean, n * p[k], 5 * std::sqrt(var / draws)) << k;
    EXPECT_NEAR(mo.variance, var, 5 * mo.variance_se) << k;
  }
  // Cov(x0, x1) = -n p0 p1, from the variance of their sum: n (p0 + p1)(1 - p0 - p1).
  for (std::size_t d = 0; d < draws; ++d) cross[d] = x[0][d] + x[1][d];
  const Moments s = moments(cross);
  EXPECT_NEAR(s.variance, n * 0.7 * 0.3, 5 * s.variance_se);
  const double cov = (s.variance - moments(x[0]).variance - moments(x[1]).variance) / 2;
  EXPECT_NEAR(cov, -n * p[0] * p[1], 0.25);
}

TEST_F(MultinomialTest, SupportPointIsWholeCountsSummingToN) {
  const auto point = [](const Distribution& d) {
    graph::Graph g;
    return values(d.family().support_point(d.resolve(g, graph::DType::f64)));
  };
  EXPECT_EQ(point(Multinomial(10, vec({0.2, 0.5, 0.3}))), (std::vector<double>{2, 5, 3}));
  // floor(7 p) = 2, 2, 2: the one left goes to the first most probable.
  EXPECT_EQ(point(Multinomial(7, vec({0.3, 0.4, 0.3}))), (std::vector<double>{2, 3, 2}));
  EXPECT_EQ(point(Multinomial(1, vec({0.5, 0.5, 0.0}))), (std::vector<double>{1, 0, 0}));
}

TEST_F(MultinomialTest, ErrorsNameTheProblem) {
  const Distribution d = Multinomial(5, vec({0.2, 0.5, 0.3}));
  const auto observe = [](const Distribution& dist, std::vector<double> x) -> std::string {
    model::Model m;
    try {
      const auto k = static_cast<std::int64_t>(x.size());
      m.observe("obs", dist, std::move(x), {k});
    } catch (const InputError& e) {
      return e.what();
    }
    return "";
  };
  for (const auto& x : std::vector<std::vector<double>>{{1, 1, 1}, {6, -1, 0}, {2.5, 2.5, 0}})
    EXPECT_NE(observe(d, x).find("outside the support of Multinomial"), std::string::npos) << x[0];
  EXPECT_EQ(observe(d, {1, 3, 1}), "");
  EXPECT_NE(observe(Multinomial(5, vec({0.5, 0.6})), {2, 3}).find("p summing to 1"),
            std::string::npos);
  EXPECT_NE(observe(Multinomial(5, vec({-0.1, 1.1})), {2, 3}).find("0 <= p <= 1"),
            std::string::npos);
  EXPECT_NE(observe(Multinomial(-2, vec({0.5, 0.5})), {0, 0}).find("n >= 0"), std::string::npos);
  EXPECT_NE(observe(Multinomial(2.5, vec({0.5, 0.5})), {1, 1}).find("n >= 0"), std::string::npos);
  EXPECT_NE(observe(Multinomial(5, 0.5), {5}).find("last axis"), std::string::npos);
  EXPECT_NE(observe(d, {1, 4}).find("data of shape [2]"), std::string::npos);
  model::Model m;
  EXPECT_THROW(m.rv("k", d), InputError);  // multivariate discrete: observed only
}

}  // namespace
}  // namespace stochos::distributions::testing
