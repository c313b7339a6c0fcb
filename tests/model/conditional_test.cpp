// A discrete variable's conditional (model/conditional.hpp): the terms it keeps, whether it is
// elementwise, and its differences against the whole log density's.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "model/conditional.hpp"
#include "model/model.hpp"

namespace stochos::model {
namespace {

using namespace distributions;
using graph::DType;
using graph::Shape;

// log p(x) from the whole model.
double full(const Model& m, const std::vector<double>& x) {
  const LogDensity d = m.compile();
  auto ws = d.make_workspace();
  std::vector<double> g(x.size());
  return d(*ws, x.data(), g.data());
}

std::vector<double> conditional(const Conditional& c, const std::vector<double>& x) {
  auto ws = c.make_workspace();
  std::vector<double> out(static_cast<std::size_t>(c.outputs()));
  c(*ws, x.data(), out.data());
  return out;
}

// w ~ Beta(2, 2), z[i] ~ Bernoulli(w), y[i] ~ Normal(mu[z[i]], 1) with mu = (-1, 2), and an
// unrelated s ~ Normal(0, 1).
void memberships(Model& m) {
  const Tensor w = m.rv("w", Beta(2, 2));
  const Tensor z = m.rv("z", Bernoulli(w), {.shape = Shape{4}});
  m.rv("s", Normal(0, 1));
  const Tensor mu = graph::constant(m.graph(), Shape{2}, {-1.0, 2.0});
  m.observe("y", Normal(graph::gather(mu, z), 1), {0.3, 1.8, -1.2, 0.9}, {4});
}

TEST(Conditional, MembershipsAreElementwiseAndAgreeWithTheWholeDensity) {
  Model m;
  memberships(m);
  const Conditional c = compile_conditional(m, "z");
  EXPECT_TRUE(c.elementwise());
  EXPECT_EQ(c.terms(), (std::vector<std::string>{"z", "y"}));  // not w, not s
  // Packed: w_logodds__, z[0..3], s.
  std::vector<double> x = {0.4, 0, 1, 0, 1, 0.7};
  const auto base = conditional(c, x);
  for (std::size_t i = 0; i < 4; ++i) {
    std::vector<double> flipped = x;
    flipped[1 + i] = 1 - flipped[1 + i];
    const auto other = conditional(c, flipped);
    EXPECT_NEAR(other[i] - base[i], full(m, flipped) - full(m, x), 1e-12) << i;
  }
}

TEST(Conditional, AScalarOrAMixingUseIsOneSum) {
  // k ~ Poisson(3) read by every y; z read through a sum: neither is elementwise.
  Model m;
  const Tensor k = m.rv("k", Poisson(3.0));
  const Tensor z = m.rv("z", Bernoulli(0.5), {.shape = Shape{3}});
  m.observe("y", Normal(graph::cast(k, DType::f64), 1), {2.5, 3.5}, {2});
  m.potential("p", graph::sum(graph::cast(z, DType::f64)) * 0.5);
  const Conditional ck = compile_conditional(m, "k"), cz = compile_conditional(m, "z");
  EXPECT_FALSE(ck.elementwise());
  EXPECT_FALSE(cz.elementwise());
  EXPECT_EQ(cz.terms(), (std::vector<std::string>{"z", "p"}));
  const std::vector<double> a = {2, 0, 1, 1}, b = {5, 1, 1, 0};
  EXPECT_NEAR(conditional(ck, b)[0] - conditional(ck, a)[0], full(m, {5, 0, 1, 1}) - full(m, a),
              1e-12);
  EXPECT_NEAR(conditional(cz, b)[0] - conditional(cz, a)[0], full(m, {2, 1, 1, 0}) - full(m, a),
              1e-12);
  // Outside the support (a count below 0, a membership of 2): no density.
  EXPECT_EQ(conditional(ck, {-1, 0, 1, 1})[0], -std::numeric_limits<double>::infinity());
  EXPECT_EQ(conditional(cz, {2, 0, 2, 1})[0], -std::numeric_limits<double>::infinity());
}

}  // namespace
}  // namespace stochos::model
