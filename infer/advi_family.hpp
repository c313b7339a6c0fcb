// Note [the Gaussian families]: ADVI (Kucukelbir et al. 2017, Stan's stan/variational) fits a
// Gaussian q on the unconstrained space, either mean-field, N(mu, diag(exp(omega))^2), or
// full-rank, N(mu, L L') with L lower-triangular. Draws are the reparameterisation
// zeta = mu + S eta, eta ~ N(0, I) (S = diag(exp(omega)) or L), so the ELBO's gradient with
// respect to q's parameters is E[grad log p(zeta)] for mu and E[grad log p(zeta) eta'] (times
// exp(omega), or its lower triangle) for the scale, plus the entropy's gradient. The parameters
// live in one flat vector, mu first, then omega or the rows of L's lower triangle, so that Stan's
// element-wise step-size sequence (infer/advi_step_size.hpp) treats both families alike.
#pragma once

#include <Eigen/Dense>
#include <string>

namespace stochos::infer {

class GaussianApproximation {
 public:
  enum class Family { meanfield, fullrank };

  // Stan's start: mean mu, unit scale (omega = 0, or L = I).
  GaussianApproximation(Family family, const Eigen::VectorXd& mu);

  Family family() const { return family_; }
  const char* name() const { return family_ == Family::meanfield ? "meanfield" : "fullrank"; }
  Eigen::Index dim() const { return dim_; }

  // The flat parameter vector: [mu, omega] or [mu, L(0,0), L(1,0), L(1,1), L(2,0), ...].
  const Eigen::VectorXd& params() const { return params_; }
  Eigen::VectorXd& params() { return params_; }

  Eigen::VectorXd mean() const { return params_.head(dim_); }
  Eigen::MatrixXd cholesky_factor() const;  // S: diag(exp(omega)), or L
  Eigen::MatrixXd covariance() const;       // S S'

  // The entropy of q, 0.5 n (1 + log 2 pi) + log |det S|.
  double entropy() const;
  // zeta = mu + S eta.
  void transform(const Eigen::VectorXd& eta, Eigen::VectorXd& zeta) const;
  // Adds one draw's gradient of log p(mu + S eta) with respect to the parameters, given
  // grad_logp = grad log p at zeta.
  void add_draw_gradient(Eigen::Ref<const Eigen::VectorXd> eta,
                         Eigen::Ref<const Eigen::VectorXd> grad_logp, Eigen::VectorXd& acc) const;
  // Adds the entropy's gradient: 1 for each omega, 1 / L(i, i) for L's diagonal.
  void add_entropy_gradient(Eigen::VectorXd& grad) const;

 private:
  Family family_;
  Eigen::Index dim_;
  Eigen::VectorXd params_;
};

// The family of a method's name ("meanfield" or "fullrank"); InputError for another.
GaussianApproximation::Family advi_family(const std::string& method);

}  // namespace stochos::infer
