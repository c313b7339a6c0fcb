#include "infer/advi_family.hpp"

#include <cmath>
#include <numbers>

#include "stochos/error.hpp"

namespace stochos::infer {

namespace {

// L(i, j), j <= i, in the packed rows of the lower triangle after the mean.
Eigen::Index packed(Eigen::Index dim, Eigen::Index i, Eigen::Index j) {
  return dim + i * (i + 1) / 2 + j;
}

}  // namespace

GaussianApproximation::GaussianApproximation(Family family, const Eigen::VectorXd& mu)
    : family_(family), dim_(mu.size()) {
  const Eigen::Index scale = family == Family::meanfield ? dim_ : dim_ * (dim_ + 1) / 2;
  params_ = Eigen::VectorXd::Zero(dim_ + scale);
  params_.head(dim_) = mu;
  if (family == Family::fullrank)
    for (Eigen::Index i = 0; i < dim_; ++i) params_[packed(dim_, i, i)] = 1.0;
}

Eigen::MatrixXd GaussianApproximation::cholesky_factor() const {
  if (family_ == Family::meanfield) return params_.tail(dim_).array().exp().matrix().asDiagonal();
  Eigen::MatrixXd l = Eigen::MatrixXd::Zero(dim_, dim_);
  for (Eigen::Index i = 0; i < dim_; ++i)
    for (Eigen::Index j = 0; j <= i; ++j) l(i, j) = params_[packed(dim_, i, j)];
  return l;
}

Eigen::MatrixXd GaussianApproximation::covariance() const {
  const Eigen::MatrixXd s = cholesky_factor();
  return s * s.transpose();
}

double GaussianApproximation::entropy() const {
  double log_det = 0;
  if (family_ == Family::meanfield) {
    log_det = params_.tail(dim_).sum();
  } else {
    // Stan skips a zero diagonal entry; here it gives -inf, which the ELBO's checks refuse,
    // rather than the entropy of some other distribution.
    for (Eigen::Index i = 0; i < dim_; ++i)
      log_det += std::log(std::abs(params_[packed(dim_, i, i)]));
  }
  return 0.5 * static_cast<double>(dim_) * (1.0 + std::log(2 * std::numbers::pi)) + log_det;
}

void GaussianApproximation::transform(const Eigen::VectorXd& eta, Eigen::VectorXd& zeta) const {
  zeta.resize(dim_);
  if (family_ == Family::meanfield) {
    zeta = params_.head(dim_).array() + params_.tail(dim_).array().exp() * eta.array();
    return;
  }
  for (Eigen::Index i = 0; i < dim_; ++i) {
    double z = params_[i];
    for (Eigen::Index j = 0; j <= i; ++j) z += params_[packed(dim_, i, j)] * eta[j];
    zeta[i] = z;
  }
}

void GaussianApproximation::add_draw_gradient(Eigen::Ref<const Eigen::VectorXd> eta,
                                              Eigen::Ref<const Eigen::VectorXd> grad_logp,
                                              Eigen::VectorXd& acc) const {
  acc.head(dim_) += grad_logp;
  if (family_ == Family::meanfield) {
    // d zeta_i / d omega_i = exp(omega_i) eta_i.
    acc.tail(dim_).array() += grad_logp.array() * eta.array() * params_.tail(dim_).array().exp();
    return;
  }
  for (Eigen::Index i = 0; i < dim_; ++i)
    for (Eigen::Index j = 0; j <= i; ++j) acc[packed(dim_, i, j)] += grad_logp[i] * eta[j];
}

void GaussianApproximation::add_entropy_gradient(Eigen::VectorXd& grad) const {
  if (family_ == Family::meanfield) {
    grad.tail(dim_).array() += 1.0;
    return;
  }
  for (Eigen::Index i = 0; i < dim_; ++i)
    grad[packed(dim_, i, i)] += 1.0 / params_[packed(dim_, i, i)];
}

GaussianApproximation::Family advi_family(const std::string& method) {
  if (method == "meanfield") return GaussianApproximation::Family::meanfield;
  if (method == "fullrank") return GaussianApproximation::Family::fullrank;
  throw InputError("unknown ADVI method '" + method + "' (valid: meanfield, fullrank)");
}

}  // namespace stochos::infer
