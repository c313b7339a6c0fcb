#include "infer/lbfgs_normal.hpp"

#include <cmath>
#include <numbers>

#include "stochos/error.hpp"

namespace stochos::infer {

using Eigen::MatrixXd;
using Eigen::VectorXd;

bool curvature_ok(const VectorXd& s, const VectorXd& y) {
  const double sy = s.dot(y);
  return sy > 0 && std::abs(y.squaredNorm() / sy) <= 1e12;
}

VectorXd update_inverse_hessian_diagonal(const VectorXd& alpha, const VectorXd& s,
                                         const VectorXd& y) {
  const double y_alpha_y = y.dot(alpha.cwiseProduct(y));
  const double s_inv_alpha_s = s.dot(s.cwiseQuotient(alpha));
  const VectorXd updated =
      s.dot(y) / (y_alpha_y / alpha.array() + y.array().square() -
                  (y_alpha_y / s_inv_alpha_s) * (s.array() / alpha.array()).square());
  if (!updated.allFinite() || (updated.array() <= 0).any()) return alpha;
  return updated;
}

LbfgsNormal::LbfgsNormal(const VectorXd& x, const VectorXd& grad, const VectorXd& alpha,
                         const MatrixXd& S, const MatrixXd& Y)
    : alpha_(alpha) {
  const Eigen::Index n = x.size(), m = S.cols();
  const MatrixXd sy = S.transpose() * Y;
  const MatrixXd r_inv = sy.triangularView<Eigen::Upper>().solve(MatrixXd::Identity(m, m));
  MatrixXd inner = Y.transpose() * alpha.asDiagonal() * Y;
  inner.diagonal() += sy.diagonal();
  beta_.resize(n, 2 * m);
  beta_ << alpha.asDiagonal() * Y, S;
  gamma_ = MatrixXd::Zero(2 * m, 2 * m);
  gamma_.topRightCorner(m, m) = -r_inv;
  gamma_.bottomLeftCorner(m, m) = -r_inv.transpose();
  gamma_.bottomRightCorner(m, m) = r_inv.transpose() * inner * r_inv;
  mean_ = x + alpha.cwiseProduct(grad) + beta_ * (gamma_ * (beta_.transpose() * grad));
  if (!mean_.allFinite() || !gamma_.allFinite())
    throw RuntimeError("the L-BFGS history gives no finite inverse Hessian");

  dense_ = 2 * m >= n;
  if (dense_) {
    MatrixXd h = covariance();
    const Eigen::LLT<MatrixXd> llt(h.selfadjointView<Eigen::Lower>());
    if (llt.info() != Eigen::Success)
      throw RuntimeError("the inverse Hessian estimate is not positive definite");
    chol_ = llt.matrixL();
    log_det_ = 2 * chol_.diagonal().array().log().sum();
  } else {
    // H = diag(alpha)^1/2 (I + W gamma W') diag(alpha)^1/2 with W = diag(alpha)^-1/2 beta = Q R:
    // I + Q (R gamma R') Q' has the factor (I - Q Q') + Q L Q', L L' = I + R gamma R'.
    const MatrixXd w = alpha.cwiseSqrt().cwiseInverse().asDiagonal() * beta_;
    const Eigen::HouseholderQR<MatrixXd> qr(w);
    q_ = qr.householderQ() * MatrixXd::Identity(n, 2 * m);
    const MatrixXd r = qr.matrixQR().topRows(2 * m).triangularView<Eigen::Upper>();
    MatrixXd core = r * gamma_ * r.transpose();
    core.diagonal().array() += 1;
    const Eigen::LLT<MatrixXd> llt(core.selfadjointView<Eigen::Lower>());
    if (llt.info() != Eigen::Success)
      throw RuntimeError("the inverse Hessian estimate is not positive definite");
    chol_ = llt.matrixL();
    log_det_ = alpha.array().log().sum() + 2 * chol_.diagonal().array().log().sum();
  }
  if (!std::isfinite(log_det_) || !chol_.allFinite())
    throw RuntimeError("the inverse Hessian estimate is not positive definite");
}

MatrixXd LbfgsNormal::transform(const MatrixXd& u) const {
  // No draws: Eigen's triangular product of an empty matrix reads through a null pointer.
  if (u.cols() == 0) return MatrixXd(dim(), 0);
  MatrixXd x;
  if (dense_) {
    x = chol_.triangularView<Eigen::Lower>() * u;
  } else {
    const MatrixXd qu = q_.transpose() * u;
    const MatrixXd lqu = chol_.triangularView<Eigen::Lower>() * qu;
    x = alpha_.cwiseSqrt().asDiagonal() * (u + q_ * (lqu - qu));
  }
  return x.colwise() + mean_;
}

double LbfgsNormal::log_density(double u_squared_norm) const {
  return -0.5 *
         (u_squared_norm + static_cast<double>(dim()) * std::log(2 * std::numbers::pi) + log_det_);
}

VectorXd LbfgsNormal::covariance_diagonal() const {
  return alpha_ + (beta_ * gamma_).cwiseProduct(beta_).rowwise().sum();
}

MatrixXd LbfgsNormal::covariance() const {
  MatrixXd h = beta_ * gamma_ * beta_.transpose();
  h.diagonal() += alpha_;
  return h;
}

}  // namespace stochos::infer
