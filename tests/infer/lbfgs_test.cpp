// L-BFGS (infer/lbfgs): optima of known functions, each of Stan's stop reasons, the strong Wolfe
// conditions at every accepted step, and the failures (a non-finite start, an unbounded
// objective).
#include "infer/lbfgs.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "stochos/error.hpp"

namespace stochos::infer {
namespace {

using Eigen::MatrixXd;
using Eigen::VectorXd;

// Only the gradient tolerance stops the run: the other tests never fire.
LbfgsOptions gradient_only(double tol_grad) {
  LbfgsOptions o;
  o.tol_obj = o.tol_rel_obj = o.tol_rel_grad = o.tol_param = 0;
  o.tol_grad = tol_grad;
  return o;
}

// log p = -(x - m)' A (x - m) / 2.
Objective quadratic(const MatrixXd& a, const VectorXd& m) {
  return [a, m](const VectorXd& x, VectorXd& g) {
    const VectorXd d = x - m;
    g = -a * d;
    return -0.5 * d.dot(a * d);
  };
}

// Rosenbrock's banana, negated: maximum 0 at (1, 1).
double rosenbrock(const VectorXd& x, VectorXd& g) {
  const double a = 1 - x[0], b = x[1] - x[0] * x[0];
  g.resize(2);
  g[0] = -(-2 * a - 400 * x[0] * b);
  g[1] = -(200 * b);
  return -(a * a + 100 * b * b);
}

TEST(Lbfgs, QuadraticWellScaled) {
  const MatrixXd a = VectorXd::LinSpaced(4, 1, 4).asDiagonal();
  const VectorXd m = VectorXd::LinSpaced(4, -1.5, 2.5);
  const auto r = lbfgs_maximize(quadratic(a, m), VectorXd::Zero(4), gradient_only(1e-10));
  EXPECT_TRUE(r.converged) << r.reason;
  EXPECT_LT((r.x - m).lpNorm<Eigen::Infinity>(), 1e-9);
  EXPECT_NEAR(r.value, 0, 1e-18);
}

TEST(Lbfgs, QuadraticBadlyScaledAndCorrelated) {
  // Eigenvalues 1e-3 and 1e3, rotated 30 degrees: condition number 1e6.
  const double c = std::cos(0.5236), s = std::sin(0.5236);
  MatrixXd rot(2, 2);
  rot << c, -s, s, c;
  const MatrixXd a = rot * VectorXd(Eigen::Vector2d(1e-3, 1e3)).asDiagonal() * rot.transpose();
  const VectorXd m = Eigen::Vector2d(3, -2);
  const auto r = lbfgs_maximize(quadratic(a, m), VectorXd::Zero(2), gradient_only(1e-12));
  EXPECT_TRUE(r.converged) << r.reason;
  EXPECT_LT((r.x - m).lpNorm<Eigen::Infinity>(), 1e-8);
}

TEST(Lbfgs, RosenbrockFromTheClassicStart) {
  const auto r = lbfgs_maximize(rosenbrock, Eigen::Vector2d(-1.2, 1), gradient_only(1e-10));
  EXPECT_TRUE(r.converged) << r.reason;
  EXPECT_NEAR(r.x[0], 1, 1e-6);
  EXPECT_NEAR(r.x[1], 1, 1e-6);
  EXPECT_LT(r.iterations, 100);
  EXPECT_GE(r.grad_evals, r.iterations);
}

TEST(Lbfgs, RosenbrockWithStansDefaultsStopsOnARelativeTest) {
  const auto r = lbfgs_maximize(rosenbrock, Eigen::Vector2d(-1.2, 1), LbfgsOptions{});
  EXPECT_TRUE(r.converged) << r.reason;
  EXPECT_NEAR(r.x[0], 1, 1e-3);
  EXPECT_NEAR(r.x[1], 1, 2e-3);
  EXPECT_EQ(r.reason.rfind("Convergence detected: relative", 0), 0u) << r.reason;
}

TEST(Lbfgs, StrongWolfeConditionsHoldAtEveryAcceptedStep) {
  std::vector<VectorXd> xs, gs;
  std::vector<double> fs;
  const auto record = [&](const LbfgsIterate& it) {
    EXPECT_EQ(it.iteration, static_cast<int>(xs.size()));
    xs.push_back(it.x);
    gs.push_back(it.grad);
    fs.push_back(it.value);
  };
  const auto r = lbfgs_maximize(rosenbrock, Eigen::Vector2d(-1.2, 1), gradient_only(1e-10), record);
  ASSERT_EQ(static_cast<int>(xs.size()), r.iterations + 1);
  for (std::size_t k = 1; k < xs.size(); ++k) {
    // Maximising f is minimising -f: sufficient increase and the strong curvature condition.
    const VectorXd s = xs[k] - xs[k - 1];
    const double slope0 = gs[k - 1].dot(s), slope1 = gs[k].dot(s);
    ASSERT_GT(slope0, 0) << "step " << k << " is not an ascent direction";
    EXPECT_GE(fs[k], fs[k - 1] + 1e-4 * slope0 - 1e-14 * std::fabs(fs[k - 1])) << "step " << k;
    EXPECT_LE(std::fabs(slope1), 0.9 * slope0 * (1 + 1e-12)) << "step " << k;
  }
}

TEST(Lbfgs, StopsOnTheGradientNorm) {
  const MatrixXd a = VectorXd::LinSpaced(3, 1, 3).asDiagonal();
  const auto r =
      lbfgs_maximize(quadratic(a, VectorXd::Ones(3)), VectorXd::Zero(3), gradient_only(1e-6));
  EXPECT_EQ(r.reason, "Convergence detected: gradient norm is below tolerance");
  EXPECT_LT(r.grad.norm(), 1e-6);
  EXPECT_TRUE(r.converged);
}

TEST(Lbfgs, StopsAtTheIterationCap) {
  LbfgsOptions o = gradient_only(1e-14);
  o.max_iterations = 3;
  const auto r = lbfgs_maximize(rosenbrock, Eigen::Vector2d(-1.2, 1), o);
  EXPECT_EQ(r.reason, "Maximum number of iterations hit, may not be at an optima");
  EXPECT_EQ(r.iterations, 3);
  EXPECT_FALSE(r.converged);
  EXPECT_FALSE(r.diverged);
}

TEST(Lbfgs, StopsOnTheAbsoluteObjectiveChange) {
  LbfgsOptions o = gradient_only(0);
  o.tol_obj = 1e-3;
  const auto r = lbfgs_maximize(rosenbrock, Eigen::Vector2d(-1.2, 1), o);
  EXPECT_EQ(r.reason,
            "Convergence detected: absolute change in objective function was below tolerance");
  EXPECT_TRUE(r.converged);
}

TEST(Lbfgs, StopsOnTheRelativeObjectiveChange) {
  // A maximum of -1000: the relative change falls below 1e12 epsilon long before the absolute.
  LbfgsOptions o = gradient_only(0);
  o.tol_rel_obj = 1e12;
  const auto f = [](const VectorXd& x, VectorXd& g) {
    g = -2 * (x.array() - 5).matrix();
    return -1000 - (x.array() - 5).square().sum();
  };
  const auto r = lbfgs_maximize(f, VectorXd::Zero(3), o);
  EXPECT_EQ(r.reason,
            "Convergence detected: relative change in objective function was below tolerance");
}

TEST(Lbfgs, StopsOnTheRelativeGradient) {
  LbfgsOptions o = gradient_only(0);
  o.tol_rel_grad = 1e7;
  const auto r = lbfgs_maximize(rosenbrock, Eigen::Vector2d(-1.2, 1), o);
  EXPECT_EQ(r.reason, "Convergence detected: relative gradient magnitude is below tolerance");
}

TEST(Lbfgs, StopsOnTheParameterChange) {
  LbfgsOptions o = gradient_only(0);
  o.tol_param = 1e-3;
  const auto r = lbfgs_maximize(rosenbrock, Eigen::Vector2d(-1.2, 1), o);
  EXPECT_EQ(r.reason, "Convergence detected: absolute parameter change was below tolerance");
}

TEST(Lbfgs, ALineSearchThatFindsNothingFinite) {
  // Finite only at the start: every trial step fails, with a reset of the history too.
  const VectorXd x0 = Eigen::Vector2d(0.5, 0.5);
  const auto f = [&](const VectorXd& x, VectorXd& g) {
    g = VectorXd::Ones(2);
    return x == x0 ? 0.0 : -INFINITY;
  };
  const auto r = lbfgs_maximize(f, x0, LbfgsOptions{});
  EXPECT_EQ(r.reason,
            "Line search failed to achieve a sufficient decrease, no more progress can be made");
  EXPECT_FALSE(r.converged);
  EXPECT_FALSE(r.diverged);
  EXPECT_EQ(r.x, x0);
}

TEST(Lbfgs, ANonFiniteStartThrows) {
  const MatrixXd a = MatrixXd::Identity(2, 2);
  EXPECT_THROW(lbfgs_maximize(quadratic(a, VectorXd::Zero(2)), Eigen::Vector2d(NAN, 0), {}),
               RuntimeError);
  const auto nan_grad = [](const VectorXd&, VectorXd& g) {
    g = Eigen::Vector2d(NAN, 1);
    return 0.0;
  };
  EXPECT_THROW(lbfgs_maximize(nan_grad, VectorXd::Zero(2), {}), RuntimeError);
  const auto inf_value = [](const VectorXd&, VectorXd& g) {
    g = VectorXd::Zero(2);
    return -INFINITY;
  };
  EXPECT_THROW(lbfgs_maximize(inf_value, VectorXd::Zero(2), {}), RuntimeError);
}

TEST(Lbfgs, ALinearObjectiveDiverges) {
  // log p = x0 + 2 x1 grows without bound: the run ends as diverged, x far out.
  const auto f = [](const VectorXd& x, VectorXd& g) {
    g = Eigen::Vector2d(1, 2);
    return x[0] + 2 * x[1];
  };
  const auto r = lbfgs_maximize(f, VectorXd::Zero(2), LbfgsOptions{});
  EXPECT_TRUE(r.diverged);
  EXPECT_FALSE(r.converged);
  EXPECT_GT(r.x.lpNorm<Eigen::Infinity>(), 1e100);
  EXPECT_NE(r.reason.find("without bound"), std::string::npos) << r.reason;
}

TEST(Lbfgs, AnExponentialObjectiveDiverges) {
  // log p = exp(x) overflows: the run stops once log p is beyond 1e300, not on a NaN.
  const auto f = [](const VectorXd& x, VectorXd& g) {
    g = x.array().exp();
    return x.array().exp().sum();
  };
  const auto r = lbfgs_maximize(f, VectorXd::Zero(1), LbfgsOptions{});
  EXPECT_TRUE(r.diverged) << r.reason;
  EXPECT_GT(r.value, 1e300);
}

TEST(Lbfgs, AFlatObjectiveStopsAtOnce) {
  const auto f = [](const VectorXd& x, VectorXd& g) {
    g = VectorXd::Zero(x.size());
    return 0.0;
  };
  const auto r = lbfgs_maximize(f, Eigen::Vector2d(0.3, -0.7), LbfgsOptions{});
  EXPECT_TRUE(r.converged) << r.reason;
  EXPECT_FALSE(r.diverged);
  EXPECT_EQ(r.x, Eigen::Vector2d(0.3, -0.7));
}

}  // namespace
}  // namespace stochos::infer
