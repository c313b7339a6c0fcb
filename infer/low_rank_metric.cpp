#include "infer/low_rank_metric.hpp"

#include <utility>

namespace stochos::infer {

LowRankMetric::LowRankMetric(Eigen::VectorXd diag, Eigen::MatrixXd vecs, Eigen::VectorXd vals)
    : diag_(std::move(diag)),
      scale_(diag_.cwiseSqrt()),
      vecs_(std::move(vecs)),
      vals_(std::move(vals)),
      vals_m1_(vals_.array() - 1.0),
      vals_rsqrt_m1_(vals_.array().rsqrt() - 1.0) {}

Eigen::VectorXd LowRankMetric::velocity(const Eigen::VectorXd& p) const {
  Eigen::VectorXd x = scale_.cwiseProduct(p);
  if (rank() > 0) {
    const Eigen::VectorXd c = vecs_.transpose() * x;
    x.noalias() += vecs_ * vals_m1_.cwiseProduct(c);
  }
  return scale_.cwiseProduct(x);
}

double LowRankMetric::kinetic(const Eigen::VectorXd& p) const {
  // p^T S (I + U (Lambda - I) U^T) S p = |x|^2 + sum_k (lambda_k - 1) (u_k . x)^2, x = S p.
  const Eigen::VectorXd x = scale_.cwiseProduct(p);
  double k = x.squaredNorm();
  if (rank() > 0) {
    const Eigen::VectorXd c = vecs_.transpose() * x;
    k += vals_m1_.dot(c.cwiseAbs2());
  }
  return 0.5 * k;
}

Eigen::VectorXd LowRankMetric::momentum(const Eigen::VectorXd& z) const {
  // (I + U (Lambda^-1/2 - I) U^T)^2 = I + U (Lambda^-1 - I) U^T as U^T U = I, so the momentum's
  // covariance is S^-1 (I + U (Lambda^-1 - I) U^T) S^-1 = Sigma^-1.
  Eigen::VectorXd x = z;
  if (rank() > 0) {
    const Eigen::VectorXd c = vecs_.transpose() * z;
    x.noalias() += vecs_ * vals_rsqrt_m1_.cwiseProduct(c);
  }
  return x.cwiseQuotient(scale_);
}

Eigen::VectorXd LowRankMetric::diagonal() const {
  Eigen::VectorXd inner = Eigen::VectorXd::Ones(diag_.size());
  if (rank() > 0) inner.noalias() += vecs_.cwiseAbs2() * vals_m1_;
  return diag_.cwiseProduct(inner);
}

Eigen::MatrixXd LowRankMetric::matrix() const {
  Eigen::MatrixXd inner = Eigen::MatrixXd::Identity(diag_.size(), diag_.size());
  if (rank() > 0) inner.noalias() += vecs_ * vals_m1_.asDiagonal() * vecs_.transpose();
  return scale_.asDiagonal() * inner * scale_.asDiagonal();
}

}  // namespace stochos::infer
