// Every transform: backward(forward(x)) = x on the support, backward lands in the support, and
// log|J| equals the log-determinant of the numerical Jacobian of backward (central differences).
#include <gtest/gtest.h>

#include <Eigen/Dense>
#include <cmath>
#include <functional>
#include <memory>
#include <string>

#include "backends/registry.hpp"
#include "stochos/error.hpp"
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
  // The constrained elements the Jacobian is taken of, when not the first ones (a correlation
  // Cholesky factor's strictly-lower values: the rest follow from them).
  std::vector<std::size_t> rows = {};
};

// A correlation matrix's Cholesky factor, row-major, and packings of its triangles (row by row).
Values corr_cholesky(const Eigen::MatrixXd& c) {
  const Eigen::MatrixXd l = c.llt().matrixL();
  Values out;
  for (Eigen::Index i = 0; i < l.rows(); ++i)
    for (Eigen::Index j = 0; j < l.cols(); ++j) out.push_back(l(i, j));
  return out;
}
Values packed_upper(const Eigen::MatrixXd& c) {
  Values out;
  for (Eigen::Index i = 0; i < c.rows(); ++i)
    for (Eigen::Index j = i + 1; j < c.cols(); ++j) out.push_back(c(i, j));
  return out;
}
Eigen::MatrixXd corr3() {
  Eigen::MatrixXd c(3, 3);
  c << 1, 0.3, -0.2, 0.3, 1, 0.5, -0.2, 0.5, 1;
  return c;
}
Eigen::MatrixXd corr4() {
  Eigen::MatrixXd c(4, 4);
  c << 1, 0.6, -0.3, 0.1, 0.6, 1, -0.4, 0.2, -0.3, -0.4, 1, 0.7, 0.1, 0.2, 0.7, 1;
  return c;
}

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
      {"cholesky_corr3",
       [](Graph&) { return cholesky_corr_transform(); },
       {3, 3},
       corr_cholesky(corr3()),
       true,
       {3, 6, 7}},
      {"cholesky_corr4",
       [](Graph&) { return cholesky_corr_transform(); },
       {4, 4},
       corr_cholesky(corr4()),
       true,
       {4, 8, 9, 12, 13, 14}},
      {"corr_packed3",
       [](Graph&) { return corr_packed_transform(); },
       {3},
       packed_upper(corr3()),
       true},
      {"corr_packed4",
       [](Graph&) { return corr_packed_transform(); },
       {6},
       packed_upper(corr4()),
       true},
      // (0,0), (1,0), (1,1), (2,0), (2,1), (2,2) of a covariance factor.
      {"cholesky_cov_packed",
       [](Graph&) { return cholesky_cov_packed_transform(); },
       {6},
       {1.5, -0.4, 0.8, 2.0, 0.3, 0.05},
       true},
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
    for (Eigen::Index i = 0; i < n; ++i) {
      const auto r =
          c.rows.empty() ? static_cast<std::size_t>(i) : c.rows.at(static_cast<std::size_t>(i));
      jac(i, j) = (a[r] - b[r]) / (2 * h);
    }
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
  EXPECT_EQ(value_name("chol", *cholesky_cov_packed_transform()), "chol_cholesky-cov-packed__");
  EXPECT_EQ(value_name("L", *cholesky_corr_transform()), "L_cholesky_corr__");
  EXPECT_EQ(cholesky_corr_transform()->unconstrained_shape({4, 4}), (Shape{6}));
  EXPECT_EQ(corr_packed_transform()->unconstrained_shape({6}), (Shape{6}));
}

// Sizes that pack no triangle are refused with the transform's name.
TEST(TransformNames, CholeskyTransformsRefuseShapesThatPackNoTriangle) {
  EXPECT_THROW(corr_packed_transform()->unconstrained_shape({4}), InputError);
  EXPECT_THROW(cholesky_cov_packed_transform()->unconstrained_shape({5}), InputError);
  EXPECT_THROW(cholesky_corr_transform()->unconstrained_shape({3, 4}), InputError);
  try {
    corr_packed_transform()->unconstrained_shape({2});
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("corr_packed: 2 values"), std::string::npos) << e.what();
  }
}

// Equal y give the same correlation matrix whichever way it is reached: C = L L^T from
// cholesky_corr is the matrix whose packed upper triangle corr_packed gives, and both are valid
// (unit diagonal, positive definite) far out too.
TEST(TransformNames, CorrelationTransformsAgreeAndStayValid) {
  const backends::Backend& engine = testing::test_backend();
  for (double scale : {0.7, 12.0}) {
    Graph g;
    Tensor y = graph::input(g, "y", DType::f64, {6});
    const Values y0 = {scale, -scale, 0.5 * scale, 0.2, -0.9 * scale, scale};
    const auto v = testing::evaluate(
        engine, {y}, {y0},
        {cholesky_corr_transform()->backward(y), corr_packed_transform()->backward(y)});
    Eigen::Matrix4d l;
    for (int i = 0; i < 16; ++i) l(i / 4, i % 4) = v[0][static_cast<std::size_t>(i)];
    const Eigen::Matrix4d c = l * l.transpose();
    EXPECT_NEAR((c.diagonal() - Eigen::Vector4d::Ones()).norm(), 0, 1e-14) << scale;
    EXPECT_GT(l.diagonal().minCoeff(), 0) << scale;
    const Values packed = packed_upper(c);
    for (std::size_t i = 0; i < packed.size(); ++i) EXPECT_NEAR(v[1][i], packed[i], 1e-14) << i;
  }
}

}  // namespace
}  // namespace stochos::transforms
