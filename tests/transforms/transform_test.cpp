// Every transform: backward(forward(x)) = x on the support, backward lands in the support, and
// log|J| equals the log-determinant of the numerical Jacobian of backward (central differences).
#include <gtest/gtest.h>

#include <Eigen/Dense>
#include <cmath>
#include <functional>
#include <memory>
#include <string>

#include "backends/registry.hpp"
#include "support/evaluate.hpp"
#include "transforms/transform.hpp"

namespace stochos::transforms {
namespace {

using graph::DType;
using graph::Graph;
using graph::Shape;
using graph::Tensor;
using testing::Values;

struct Case {
  std::string name;
  std::function<std::unique_ptr<Transform>(Graph&)> make;
  Shape shape;  // constrained
  Values x;     // a point of the support
  bool vector;  // log|J| is one number (summed over the last axis)
};

std::vector<Case> cases() {
  return {
      {"log", [](Graph&) { return log_transform(); }, {3}, {0.2, 1.0, 7.5}, false},
      {"logodds", [](Graph&) { return logodds_transform(); }, {3}, {0.01, 0.5, 0.93}, false},
      {"interval",
       [](Graph& g) {
         return interval_transform(graph::constant(g, -2.0), graph::constant(g, 3.0));
       },
       {3},
       {-1.9, 0.0, 2.5},
       false},
      {"lowerbound",
       [](Graph& g) { return lower_bound_transform(graph::constant(g, 1.5)); },
       {2},
       {1.6, 4.0},
       false},
      {"upperbound",
       [](Graph& g) { return upper_bound_transform(graph::constant(g, -1.0)); },
       {2},
       {-3.0, -1.01},
       false},
      {"simplex", [](Graph&) { return simplex_transform(); }, {4}, {0.1, 0.2, 0.3, 0.4}, true},
      {"ordered", [](Graph&) { return ordered_transform(); }, {4}, {-1.0, 0.5, 0.6, 3.0}, true},
  };
}

class TransformTest : public ::testing::TestWithParam<Case> {
 protected:
  const backends::Backend& engine = testing::test_backend();
};

TEST_P(TransformTest, RoundTripsThroughTheUnconstrainedSpace) {
  const Case& c = GetParam();
  Graph g;
  const auto t = c.make(g);
  Tensor x = graph::input(g, "x", DType::f64, c.shape);
  Tensor y = t->forward(x);
  EXPECT_EQ(y.shape(), t->unconstrained_shape(c.shape));
  Tensor back = t->backward(y);
  const auto v = testing::evaluate(engine, {x}, {c.x}, {back});
  for (std::size_t i = 0; i < c.x.size(); ++i) EXPECT_NEAR(v[0][i], c.x[i], 1e-13) << i;
}

// log|J| of backward at y = forward(x), against the determinant of the central-difference
// Jacobian of backward. For the simplex, whose K parts have K - 1 degrees of freedom, the
// Jacobian is that of the first K - 1 parts.
TEST_P(TransformTest, LogJacobianMatchesTheNumericalDeterminant) {
  const Case& c = GetParam();
  Graph g;
  const auto t = c.make(g);
  const Shape ushape = t->unconstrained_shape(c.shape);
  Tensor xin = graph::input(g, "x", DType::f64, c.shape);
  Tensor yin = graph::input(g, "y", DType::f64, ushape);
  const Values y0 = testing::evaluate(engine, {xin}, {c.x}, {t->forward(xin)})[0];
  Tensor back = t->backward(yin);
  Tensor lj = graph::sum(t->log_jac_det(yin));
  const auto at = [&](const Values& y) { return testing::evaluate(engine, {yin}, {y}, {back})[0]; };
  const auto n = static_cast<Eigen::Index>(y0.size());
  Eigen::MatrixXd jac = Eigen::MatrixXd::Zero(n, n);
  const double h = 1e-6;
  for (Eigen::Index j = 0; j < n; ++j) {
    Values up = y0, down = y0;
    up[static_cast<std::size_t>(j)] += h;
    down[static_cast<std::size_t>(j)] -= h;
    const Values a = at(up), b = at(down);
    for (Eigen::Index i = 0; i < n; ++i)
      jac(i, j) = (a[static_cast<std::size_t>(i)] - b[static_cast<std::size_t>(i)]) / (2 * h);
  }
  double want = 0;
  if (c.vector) {
    want = std::log(std::abs(jac.determinant()));
  } else {
    for (Eigen::Index i = 0; i < n; ++i) want += std::log(std::abs(jac(i, i)));
    EXPECT_LT((jac - Eigen::MatrixXd(jac.diagonal().asDiagonal())).norm(), 1e-9);
  }
  const double got = testing::evaluate(engine, {yin}, {y0}, {lj})[0][0];
  EXPECT_NEAR(got, want, 1e-7 * std::max(1.0, std::abs(want)));
}

TEST_P(TransformTest, BackwardLandsInTheSupportFarOut) {
  const Case& c = GetParam();
  Graph g;
  const auto t = c.make(g);
  const Shape ushape = t->unconstrained_shape(c.shape);
  Tensor yin = graph::input(g, "y", DType::f64, ushape);
  Values y(static_cast<std::size_t>(graph::numel(ushape)));
  for (double scale : {-30.0, 30.0}) {
    for (std::size_t i = 0; i < y.size(); ++i) y[i] = scale * (i % 2 ? 1.0 : 0.5);
    const auto v = testing::evaluate(engine, {yin}, {y}, {t->backward(yin), t->log_jac_det(yin)});
    for (double x : v[0]) EXPECT_TRUE(std::isfinite(x)) << scale;
    for (double l : v[1]) EXPECT_FALSE(std::isnan(l)) << scale;
  }
}

INSTANTIATE_TEST_SUITE_P(All, TransformTest, ::testing::ValuesIn(cases()),
                         [](const auto& info) { return info.param.name; });

TEST(TransformNames, ValueNamesFollowPyMC) {
  EXPECT_EQ(value_name("tau", *log_transform()), "tau_log__");
  EXPECT_EQ(value_name("p", *logodds_transform()), "p_logodds__");
  EXPECT_EQ(value_name("w", *simplex_transform()), "w_simplex__");
  EXPECT_EQ(simplex_transform()->unconstrained_shape({2, 5}), (Shape{2, 4}));
}

}  // namespace
}  // namespace stochos::transforms
