// Categorical and OrderedLogistic, whose parameters are vectors of categories (so not records):
// log masses against closed forms in long double, far tails included; gradients against
// central differences; draws by chi-squared; PyMC's support points (the mode); errors.
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

class Categories : public ::testing::Test {};

LD sigmoid(LD x) {
  return 1 / (1 + std::exp(-x));
}

// P(y = k) of OrderedLogistic(eta, c): sigmoid(c_k - eta) - sigmoid(c_(k-1) - eta), each
// difference taken between the two smaller tails so that it keeps its digits.
std::vector<LD> ordered_probabilities(LD eta, const std::vector<double>& c) {
  std::vector<LD> p;
  for (std::size_t k = 0; k <= c.size(); ++k) {
    const LD a = k < c.size() ? c[k] - eta : INFINITY, b = k > 0 ? c[k - 1] - eta : -INFINITY;
    p.push_back(b >= 0 ? sigmoid(-b) - sigmoid(-a) : sigmoid(a) - sigmoid(b));
  }
  return p;
}

TEST_F(Categories, LogMassesMatchClosedForms) {
  struct Case {
    std::string what;
    Distribution d;
    std::vector<double> xs;
    std::vector<LD> probabilities;  // of categories 0..K-1
  };
  const LD e800 = std::exp(-800.0L);
  const LD softmax_total = std::exp(1.0L) + std::exp(-2.0L) + std::exp(0.5L);
  const std::vector<Case> cases = {
      {"p", Categorical(vec({0.2, 0.5, 0.3})), {0, 1, 2}, {0.2L, 0.5L, 0.3L}},
      {"logit_p",
       make("Categorical", {{"logit_p", vec({1, -2, 0.5})}}),
       {0, 1, 2},
       {std::exp(1.0L) / softmax_total, std::exp(-2.0L) / softmax_total,
        std::exp(0.5L) / softmax_total}},
      {"extreme logits",
       make("Categorical", {{"logit_p", vec({800, 0, -800})}}),
       {0, 1, 2},
       {1 / (1 + e800 + e800 * e800), e800 / (1 + e800 + e800 * e800),
        e800 * e800 / (1 + e800 + e800 * e800)}},
      {"ordered",
       OrderedLogistic(0.3, vec({-1, 0.5, 2})),
       {0, 1, 2, 3},
       ordered_probabilities(0.3L, {-1, 0.5, 2})},
      // Probabilities of 1e-22 as differences of numbers near 1, and the reverse.
      {"ordered, eta far below",
       OrderedLogistic(-50, vec({0, 1})),
       {0, 1, 2},
       ordered_probabilities(-50, {0, 1})},
      {"ordered, eta far above",
       OrderedLogistic(50, vec({0, 1})),
       {0, 1, 2},
       ordered_probabilities(50, {0, 1})},
  };
  for (const Case& c : cases)
    for (double x : c.xs) {
      const double want =
          static_cast<double>(std::log(c.probabilities[static_cast<std::size_t>(x)]));
      EXPECT_NEAR(observed_logp(c.d, {x}), want, 1e-13 * std::max(1.0, std::abs(want)))
          << c.what << " at " << x;
    }
}

TEST_F(Categories, BatchedParametersPairWithTheirValues) {
  // Row i of p (or eta_i) with value i.
  const Distribution rows = Categorical(Arg({0.2, 0.8, 0.6, 0.4}, {2, 2}));
  EXPECT_NEAR(observed_logp(rows, {1, 0}), std::log(0.8) + std::log(0.6), 1e-14);
  const auto o0 = ordered_probabilities(0, {-1, 1}), o2 = ordered_probabilities(2, {-1, 1});
  EXPECT_NEAR(observed_logp(OrderedLogistic(vec({0, 2}), vec({-1, 1})), {0, 2}),
              static_cast<double>(std::log(o0[0]) + std::log(o2[2])), 1e-14);
}

// d log p / d theta at theta against central differences, for a model whose parameters are
// functions of the free vector theta (Flat, no transform) observing xs.
void expect_gradient(const std::function<Distribution(graph::Tensor)>& dist,
                     std::vector<double> theta, const std::vector<double>& xs) {
  model::Model m;
  const auto n = static_cast<std::int64_t>(theta.size());
  const graph::Tensor t = m.rv("theta", Flat(), {.shape = graph::Shape{n}});
  m.observe("x", dist(t), xs, {static_cast<std::int64_t>(xs.size())});
  const auto d = m.compile({.backend = stochos::testing::test_backend_name()});
  auto ws = d.make_workspace();
  std::vector<double> g(theta.size());
  ASSERT_TRUE(std::isfinite(d(*ws, theta.data(), g.data())));
  for (std::size_t i = 0; i < theta.size(); ++i)
    EXPECT_NEAR(g[i], central_difference(d, *ws, theta, i, 1e-6), 1e-6) << i;
}

TEST_F(Categories, GradientsMatchCentralDifferences) {
  const std::vector<double> xs = {0, 2, 2, 1};
  expect_gradient(
      [](graph::Tensor t) {
        return make("Categorical", {{"logit_p", t}});
      },
      {0.5, -1, 2}, xs);
  // p normalised from theta, so that it sums to 1 at every perturbation.
  expect_gradient([](graph::Tensor t) { return Categorical(t / graph::sum(t)); }, {1, 2, 3}, xs);
  // eta then the cutpoints.
  expect_gradient(
      [](graph::Tensor t) {
        return OrderedLogistic(graph::index(t, 0), graph::slice(t, 0, 1, std::nullopt));
      },
      {0.3, -1, 0.5, 2}, {0, 1, 2, 3, 1});
}

TEST_F(Categories, DrawsFollowTheProbabilities) {
  const auto check = [](const Family& f, const NumericParams& params, std::vector<double> p) {
    Rng rng(2024);
    std::vector<double> x(20000), one(1);
    for (double& v : x) {
      f.draw_event(rng, params, one);
      v = one[0];
    }
    const auto c = chi_squared_test(x, [&](double k) {
      return k >= 0 && k < static_cast<double>(p.size()) ? p[static_cast<std::size_t>(k)] : 0.0;
    });
    EXPECT_GT(c.p_value, 1e-3) << f.name << ": chi-squared " << c.statistic;
  };
  check(family("Categorical"), {{"p", {0.2, 0.5, 0.3}}}, {0.2, 0.5, 0.3});
  const double t = std::exp(1.0) + std::exp(-2.0) + std::exp(0.5);
  check(family("Categorical"), {{"logit_p", {1, -2, 0.5}}},
        {std::exp(1.0) / t, std::exp(-2.0) / t, std::exp(0.5) / t});
  std::vector<double> op;
  for (LD v : ordered_probabilities(0.3L, {-1, 0.5, 2})) op.push_back(static_cast<double>(v));
  check(family("OrderedLogistic"), {{"eta", {0.3}}, {"cutpoints", {-1, 0.5, 2}}}, op);
}

TEST_F(Categories, SupportPointsAreTheMode) {
  const auto point = [](const Distribution& d) {
    graph::Graph g;
    return values(d.family().support_point(d.resolve(g, graph::DType::f64)));
  };
  EXPECT_EQ(point(Categorical(vec({0.2, 0.5, 0.3}))), std::vector<double>{1});
  EXPECT_EQ(point(Categorical(vec({0.4, 0.4, 0.2}))), std::vector<double>{0});  // the first
  EXPECT_EQ(point(make("Categorical", {{"logit_p", vec({0, 3, 3})}})), std::vector<double>{1});
  EXPECT_EQ(point(Categorical(Arg({0.2, 0.8, 0.6, 0.4}, {2, 2}))), (std::vector<double>{1, 0}));
  // P = 0.214, 0.336, 0.296, 0.154.
  EXPECT_EQ(point(OrderedLogistic(0.3, vec({-1, 0.5, 2}))), std::vector<double>{1});
}

TEST_F(Categories, ErrorsNameTheProblem) {
  const auto error = [](const Distribution& d, double x) {
    try {
      return observe_error(d, x);
    } catch (const InputError& e) {
      return std::string(e.what());
    }
  };
  const Distribution p3 = Categorical(vec({0.2, 0.5, 0.3}));
  for (double x : {3.0, -1.0, 0.5})
    EXPECT_NE(error(p3, x).find("outside the support of Categorical"), std::string::npos) << x;
  EXPECT_NE(error(OrderedLogistic(0, vec({0, 1})), 3).find("outside the support"),
            std::string::npos);
  EXPECT_NE(error(Categorical(vec({0.5, 0.6})), 0).find("p summing to 1"), std::string::npos);
  EXPECT_NE(error(Categorical(vec({-0.1, 1.1})), 0).find("0 <= p <= 1"), std::string::npos);
  EXPECT_NE(error(OrderedLogistic(0, vec({1, 0})), 0).find("increasing cutpoints"),
            std::string::npos);
  EXPECT_NE(error(Categorical(0.5), 0).find("last axis"), std::string::npos);
  EXPECT_NE(
      error(make("Categorical", {{"p", vec({1})}, {"logit_p", vec({0})}}), 0).find("exactly one"),
      std::string::npos);
  model::Model m;
  m.rv("k", p3);  // a free discrete variable, moved by categorical Gibbs
  EXPECT_TRUE(m.layout().vars[0].discrete);
}

}  // namespace
}  // namespace stochos::distributions::testing
