// Pathfinder's normal approximation from an L-BFGS history, on synthetic paths: the compact
// inverse Hessian against the textbook recursive BFGS update (Nocedal & Wright eq. 6.17), the
// draws' factor against it, the exact inverse Hessian from conjugate pairs of a quadratic, and
// the diagonal update against a hand computation.
#include "infer/lbfgs_normal.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <random>

#include "stochos/error.hpp"

namespace stochos::infer {
namespace {

using Eigen::MatrixXd;
using Eigen::VectorXd;

// H0 = diag(alpha), then H <- (I - rho s y') H (I - rho y s') + rho s s' for each pair in order.
MatrixXd recursive_bfgs(const VectorXd& alpha, const MatrixXd& S, const MatrixXd& Y) {
  const Eigen::Index n = alpha.size();
  MatrixXd h = alpha.asDiagonal();
  for (Eigen::Index j = 0; j < S.cols(); ++j) {
    const double rho = 1 / S.col(j).dot(Y.col(j));
    const MatrixXd v = MatrixXd::Identity(n, n) - rho * Y.col(j) * S.col(j).transpose();
    h = v.transpose() * h * v + rho * S.col(j) * S.col(j).transpose();
  }
  return h;
}

// A random SPD matrix with eigenvalues spread over [0.2, 5].
MatrixXd random_spd(Eigen::Index n, std::mt19937_64& rng) {
  std::normal_distribution<double> z;
  MatrixXd g(n, n);
  for (Eigen::Index i = 0; i < g.size(); ++i) g.data()[i] = z(rng);
  const Eigen::HouseholderQR<MatrixXd> qr(g);
  const MatrixXd q = qr.householderQ();
  const VectorXd ev = VectorXd::LinSpaced(n, 0.2, 5.0);
  return q * ev.asDiagonal() * q.transpose();
}

// m pairs of a quadratic with Hessian A (y = A s), from random steps: not conjugate.
void random_pairs(const MatrixXd& a, Eigen::Index m, std::mt19937_64& rng, MatrixXd& S,
                  MatrixXd& Y) {
  std::normal_distribution<double> z;
  S.resize(a.rows(), m);
  for (Eigen::Index i = 0; i < S.size(); ++i) S.data()[i] = z(rng);
  Y = a * S;
}

// Checks one approximation against the recursive BFGS matrix: covariance, its diagonal, the
// factor the draws use, the log determinant, the mean and the log density of a draw.
void expect_matches_bfgs(Eigen::Index n, Eigen::Index m, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  const MatrixXd a = random_spd(n, rng);
  MatrixXd S, Y;
  random_pairs(a, m, rng, S, Y);
  VectorXd alpha = VectorXd::Ones(n);
  for (Eigen::Index j = 0; j < m; ++j)
    alpha = update_inverse_hessian_diagonal(alpha, S.col(j), Y.col(j));
  const VectorXd x = VectorXd::LinSpaced(n, -1, 1), grad = VectorXd::LinSpaced(n, 0.5, -0.3);
  const MatrixXd h = recursive_bfgs(alpha, S, Y);

  const LbfgsNormal q(x, grad, alpha, S, Y);
  EXPECT_LT((q.covariance() - h).cwiseAbs().maxCoeff(), 1e-10);
  EXPECT_LT((q.covariance_diagonal() - h.diagonal()).cwiseAbs().maxCoeff(), 1e-10);
  EXPECT_LT((q.mean() - (x + h * grad)).cwiseAbs().maxCoeff(), 1e-10);
  // The draws are mean + F u: F = transform(I) - mean, and F F' = H.
  const MatrixXd f = q.transform(MatrixXd::Identity(n, n)).colwise() - q.mean();
  EXPECT_LT((f * f.transpose() - h).cwiseAbs().maxCoeff(), 1e-10);
  const Eigen::LLT<MatrixXd> llt(h);
  const double log_det = 2 * MatrixXd(llt.matrixL()).diagonal().array().log().sum();
  EXPECT_NEAR(q.log_det_covariance(), log_det, 1e-10);
  // log q at a draw, against the multivariate normal density with covariance H.
  VectorXd u(n);
  std::normal_distribution<double> z;
  for (Eigen::Index i = 0; i < n; ++i) u[i] = z(rng);
  const VectorXd d = q.transform(u) - q.mean();
  const double want = -0.5 * d.dot(llt.solve(d)) - 0.5 * log_det -
                      0.5 * static_cast<double>(n) * std::log(2 * std::numbers::pi);
  EXPECT_NEAR(q.log_density(u.squaredNorm()), want, 1e-9);
}

TEST(LbfgsNormal, DenseFactorMatchesRecursiveBfgs) {
  expect_matches_bfgs(4, 2, 1);  // 2m >= n: H itself is factored
  expect_matches_bfgs(5, 5, 2);
}

TEST(LbfgsNormal, LowRankFactorMatchesRecursiveBfgs) {
  expect_matches_bfgs(9, 1, 3);  // 2m < n: a thin QR of the low-rank part
  expect_matches_bfgs(12, 4, 4);
  expect_matches_bfgs(40, 5, 5);
}

TEST(LbfgsNormal, ConjugatePairsOfAQuadraticGiveItsExactInverseHessian) {
  // Exact line searches on a quadratic make the steps A-conjugate (here A's eigenvectors, of
  // any lengths); after n of them BFGS holds A^-1 whatever it started from, and the mean is the
  // mode from any point.
  std::mt19937_64 rng(6);
  const Eigen::Index n = 3;
  const MatrixXd a = random_spd(n, rng);
  const Eigen::SelfAdjointEigenSolver<MatrixXd> eig(a);
  const MatrixXd S = eig.eigenvectors() * Eigen::Vector3d(0.7, -1.3, 2.1).asDiagonal();
  const MatrixXd Y = a * S;
  const VectorXd mode(Eigen::Vector3d(1, -2, 0.5));
  const VectorXd x(Eigen::Vector3d(-0.3, 0.4, 2));
  const VectorXd grad = -a * (x - mode);  // of log p = -(x - mode)' A (x - mode) / 2
  for (const VectorXd& alpha :
       {VectorXd(VectorXd::Ones(n)), VectorXd(Eigen::Vector3d(3, 0.1, 1))}) {
    const LbfgsNormal q(x, grad, alpha, S, Y);
    EXPECT_LT((q.covariance() - a.inverse()).cwiseAbs().maxCoeff(), 1e-12);
    EXPECT_LT((q.mean() - mode).cwiseAbs().maxCoeff(), 1e-12);
  }
}

TEST(LbfgsNormal, DiagonalUpdateMatchesHandComputation) {
  // alpha = (1, 1), s = (1, 1), y = (2, 4): y'alpha y = 20, s'y = 6, s'alpha^-1 s = 2, so
  // alpha_i = 6 / (20 + y_i^2 - 10 s_i^2) = (3/7, 3/13).
  const VectorXd alpha = update_inverse_hessian_diagonal(VectorXd::Ones(2), Eigen::Vector2d(1, 1),
                                                         Eigen::Vector2d(2, 4));
  EXPECT_NEAR(alpha[0], 3.0 / 7, 1e-15);
  EXPECT_NEAR(alpha[1], 3.0 / 13, 1e-15);
  // In one dimension it is the secant s / y.
  const VectorXd one = update_inverse_hessian_diagonal(
      VectorXd::Constant(1, 5.0), VectorXd::Constant(1, 0.5), VectorXd::Constant(1, 2.0));
  EXPECT_NEAR(one[0], 0.25, 1e-15);
}

TEST(LbfgsNormal, CurvatureTest) {
  EXPECT_TRUE(curvature_ok(Eigen::Vector2d(1, 0), Eigen::Vector2d(2, 1)));
  EXPECT_FALSE(curvature_ok(Eigen::Vector2d(1, 0), Eigen::Vector2d(-2, 1)));  // s'y < 0
  EXPECT_FALSE(curvature_ok(Eigen::Vector2d(1, 0), Eigen::Vector2d(0, 1)));   // s'y = 0
  EXPECT_FALSE(
      curvature_ok(Eigen::Vector2d(1e-7, 0), Eigen::Vector2d(1e-7, 1e3)));  // y'y / s'y = 1e20
}

TEST(LbfgsNormal, IndefiniteHistoryIsRefused) {
  // A pair with s'y < 0 (negative curvature) makes H indefinite.
  const MatrixXd S = Eigen::Vector2d(1, 0), Y = Eigen::Vector2d(-1, 0);
  EXPECT_THROW(LbfgsNormal(VectorXd::Zero(2), VectorXd::Zero(2), VectorXd::Ones(2), S, Y),
               RuntimeError);
}

}  // namespace
}  // namespace stochos::infer
