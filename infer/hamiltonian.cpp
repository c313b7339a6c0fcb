#include "infer/hamiltonian.hpp"

#include <boost/random/normal_distribution.hpp>
#include <cmath>
#include <limits>
#include <utility>

namespace stochos::infer {

Hamiltonian::Hamiltonian(const model::LogDensity& density, model::DensityWorkspace& ws)
    : density_(density), ws_(ws), dim_(density.dim()), inv_diag_(Eigen::VectorXd::Ones(dim_)) {}

Hamiltonian::Hamiltonian(const model::LogDensity& density, model::DensityWorkspace& ws,
                         std::vector<std::int64_t> block, Eigen::VectorXd& state)
    : density_(density),
      ws_(ws),
      dim_(static_cast<Eigen::Index>(block.size())),
      block_(std::move(block)),
      state_(&state),
      grad_(Eigen::VectorXd::Zero(density.dim())),
      inv_diag_(Eigen::VectorXd::Ones(dim_)) {}

void Hamiltonian::set_inverse_metric_diag(const Eigen::VectorXd& inv) {
  form_ = Form::diagonal;
  inv_diag_ = inv;
}

void Hamiltonian::set_inverse_metric_low_rank(LowRankMetric inv) {
  if (inv.rank() == 0) return set_inverse_metric_diag(inv.diag());
  form_ = Form::low_rank;
  inv_low_rank_ = std::move(inv);
}

Eigen::VectorXd Hamiltonian::inverse_metric_diagonal() const {
  switch (form_) {
    case Form::diagonal:
      return inv_diag_;
    case Form::dense:
      return inv_dense_.diagonal();
    case Form::low_rank:
      return inv_low_rank_.diagonal();
  }
  return inv_diag_;
}

void Hamiltonian::set_inverse_metric_dense(const Eigen::MatrixXd& inv) {
  form_ = Form::dense;
  inv_dense_ = inv;
  // Momenta are drawn from N(0, M) with M = inv^-1: p = L^-T z for inv = L L^T.
  metric_chol_ = inv.llt().matrixL();
}

void Hamiltonian::evaluate(PhasePoint& z) {
  if (state_) {
    for (Eigen::Index i = 0; i < dim_; ++i) (*state_)[block_[static_cast<std::size_t>(i)]] = z.q[i];
    z.logp = density_(ws_, state_->data(), grad_.data());
    for (Eigen::Index i = 0; i < dim_; ++i)
      z.grad_logp[i] = grad_[block_[static_cast<std::size_t>(i)]];
  } else {
    z.logp = density_(ws_, z.q.data(), z.grad_logp.data());
  }
  ++n_grad_;
  // A NaN log density is no density: the trajectory treats it as infinitely unlikely.
  if (std::isnan(z.logp)) z.logp = -std::numeric_limits<double>::infinity();
}

double Hamiltonian::kinetic(const Eigen::VectorXd& p) const {
  switch (form_) {
    case Form::diagonal:
      return 0.5 * p.dot(inv_diag_.cwiseProduct(p));
    case Form::dense:
      return 0.5 * p.dot(inv_dense_ * p);
    case Form::low_rank:
      return inv_low_rank_.kinetic(p);
  }
  return 0;
}

Eigen::VectorXd Hamiltonian::velocity(const Eigen::VectorXd& p) const {
  switch (form_) {
    case Form::diagonal:
      return inv_diag_.cwiseProduct(p);
    case Form::dense:
      return inv_dense_ * p;
    case Form::low_rank:
      return inv_low_rank_.velocity(p);
  }
  return p;
}

void Hamiltonian::sample_momentum(PhasePoint& z, Rng& rng) const {
  boost::random::normal_distribution<double> normal(0.0, 1.0);
  Eigen::VectorXd u(dim_);
  for (Eigen::Index i = 0; i < dim_; ++i) u[i] = normal(rng);
  switch (form_) {
    case Form::diagonal:
      z.p = u.cwiseQuotient(inv_diag_.cwiseSqrt());
      break;
    case Form::dense:
      z.p = metric_chol_.transpose().triangularView<Eigen::Upper>().solve(u);
      break;
    case Form::low_rank:
      z.p = inv_low_rank_.momentum(u);
      break;
  }
}

void Hamiltonian::leapfrog(PhasePoint& z, double eps) {
  z.p += 0.5 * eps * z.grad_logp;
  z.q += eps * velocity(z.p);
  evaluate(z);
  z.p += 0.5 * eps * z.grad_logp;
}

}  // namespace stochos::infer
