// ADVI's adaptive step-size sequence (Kucukelbir et al. 2017, eq. 10; Stan's
// stan/variational/advi.hpp): at iteration k the parameters move by
//   rho_k = eta k^(-1/2 + eps) / (tau + sqrt(s_k)),  s_k = alpha g_k^2 + (1 - alpha) s_{k-1},
// element-wise, with alpha 0.1, tau 1 and s_1 = g_1^2. The paper's eps (1e-16) changes nothing in
// double precision, so k^(-1/2) is computed, as Stan does.
#pragma once

#include <Eigen/Dense>

namespace stochos::infer {

class AdviStepSize {
 public:
  explicit AdviStepSize(double eta) : eta_(eta) {}

  // Moves params along the gradient estimate g by this iteration's step.
  void step(Eigen::VectorXd& params, const Eigen::VectorXd& g);
  int iteration() const { return k_; }

 private:
  static constexpr double kAlpha = 0.1, kTau = 1.0;
  double eta_;
  int k_ = 0;
  Eigen::VectorXd s_;
};

}  // namespace stochos::infer
