// A diagonal-plus-low-rank inverse metric, nutpie's low-rank mass matrix (Note [nutpie low-rank
// adaptation], infer/nutpie_low_rank.hpp):
//   Sigma = S (I + U (Lambda - I) U^T) S,   S = diag(sqrt(diag)),
// with U's k columns orthonormal. Velocity, kinetic energy and momentum draws cost O(d k), and
// k = 0 is the diagonal metric.
#pragma once

#include <Eigen/Dense>

namespace stochos::infer {

class LowRankMetric {
 public:
  LowRankMetric() = default;
  // diag: S^2, the scaling's variances; vecs: U, d x k with orthonormal columns; vals: Lambda's
  // k positive eigenvalues.
  LowRankMetric(Eigen::VectorXd diag, Eigen::MatrixXd vecs, Eigen::VectorXd vals);

  const Eigen::VectorXd& diag() const { return diag_; }
  const Eigen::MatrixXd& vecs() const { return vecs_; }
  const Eigen::VectorXd& vals() const { return vals_; }
  Eigen::Index rank() const { return vals_.size(); }
  // Sigma p: the velocity dK/dp.
  Eigen::VectorXd velocity(const Eigen::VectorXd& p) const;
  // 0.5 p^T Sigma p.
  double kinetic(const Eigen::VectorXd& p) const;
  // A momentum with covariance M = Sigma^-1 from standard normals z:
  // S^-1 (I + U (Lambda^-1/2 - I) U^T) z.
  Eigen::VectorXd momentum(const Eigen::VectorXd& z) const;
  // Sigma's diagonal (what CSVs and reports show) and Sigma itself (for tests and reports).
  Eigen::VectorXd diagonal() const;
  Eigen::MatrixXd matrix() const;

 private:
  Eigen::VectorXd diag_, scale_;  // scale_ = sqrt(diag_)
  Eigen::MatrixXd vecs_;
  Eigen::VectorXd vals_, vals_m1_, vals_rsqrt_m1_;  // Lambda - 1, Lambda^-1/2 - 1
};

}  // namespace stochos::infer
