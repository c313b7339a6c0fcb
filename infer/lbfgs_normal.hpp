// Pathfinder's normal approximation at one point of an L-BFGS path (Zhang, Carpenter, Gelman &
// Vehtari 2022, Algorithms 2-4): N(x + H grad log p(x), H), H the inverse Hessian estimate that
// the last few L-BFGS pairs imply, in the compact form of Byrd, Nocedal & Schnabel (1994),
//
//   H = diag(alpha) + beta gamma beta',   beta = [diag(alpha) Y, S]                (n x 2m)
//   gamma = [ 0        -R^-1                      ]
//           [ -R^-T    R^-T (D + Y' diag(alpha) Y) R^-1 ]                        (2m x 2m)
//
// with S, Y the m pairs s = x_{k+1} - x_k, y = grad F(x_{k+1}) - grad F(x_k) of F = -log p
// (oldest first), R the upper triangle of S'Y and D its diagonal. alpha, a diagonal estimate
// of the inverse Hessian, is updated pair by pair (Gilbert & Lemaréchal 1989). Draws are
// x = mean + A u with A A' = H and u standard normal: a dense Cholesky factor when 2m >= n, a
// thin QR of the low-rank part otherwise (O(n m^2) per approximation, O(n m) per draw).
#pragma once

#include <Eigen/Dense>

namespace stochos::infer {

// Stan's curvature test for a pair: s'y > 0 and y'y / s'y <= 1e12. A pair that fails it would
// make H indefinite or nearly singular; Pathfinder leaves it out.
bool curvature_ok(const Eigen::VectorXd& s, const Eigen::VectorXd& y);

// The diagonal inverse Hessian estimate after the pair (s, y): Gilbert & Lemaréchal's update of
// the diagonal Hessian B = diag(1 / alpha) scaled by y'alpha y / y's (Zhang et al. eq. 4.2).
// Keeps alpha where the update is not finite and positive.
Eigen::VectorXd update_inverse_hessian_diagonal(const Eigen::VectorXd& alpha,
                                                const Eigen::VectorXd& s, const Eigen::VectorXd& y);

class LbfgsNormal {
 public:
  // The approximation at x, where grad log p is `grad`, from alpha and the pairs (the columns
  // of S and Y, at least one). Throws RuntimeError when H is not positive definite.
  LbfgsNormal(const Eigen::VectorXd& x, const Eigen::VectorXd& grad, const Eigen::VectorXd& alpha,
              const Eigen::MatrixXd& S, const Eigen::MatrixXd& Y);

  Eigen::Index dim() const { return mean_.size(); }
  const Eigen::VectorXd& mean() const { return mean_; }
  double log_det_covariance() const { return log_det_; }
  // mean + A u for each column u of `u` (n x draws).
  Eigen::MatrixXd transform(const Eigen::MatrixXd& u) const;
  // log q at the draw made from u, given u'u.
  double log_density(double u_squared_norm) const;
  Eigen::VectorXd covariance_diagonal() const;
  Eigen::MatrixXd covariance() const;  // dense n x n: for small n and tests

 private:
  Eigen::VectorXd alpha_, mean_;
  Eigen::MatrixXd beta_, gamma_;
  bool dense_ = true;
  Eigen::MatrixXd chol_;  // dense: H's Cholesky factor; low rank: that of I + R gamma R'
  Eigen::MatrixXd q_;     // low rank: the orthonormal basis of diag(alpha)^-1/2 beta
  double log_det_ = 0;
};

}  // namespace stochos::infer
