// The Euclidean Hamiltonian with a diagonal, dense or diagonal-plus-low-rank metric over the
// packed unconstrained vector, and the leapfrog integrator (Stan's diag_e / dense_e and
// expl_leapfrog; nutpie's low-rank mass matrix).
#pragma once

#include <Eigen/Dense>
#include <cstdint>
#include <vector>

#include "infer/low_rank_metric.hpp"
#include "infer/rng.hpp"
#include "model/log_density.hpp"

namespace stochos::infer {

// A point of phase space: position, momentum, potential V = -log p and its gradient.
struct PhasePoint {
  Eigen::VectorXd q, p, grad_logp;  // grad_logp = -dV/dq
  double logp = 0;
};

class Hamiltonian {
 public:
  Hamiltonian(const model::LogDensity& density, model::DensityWorkspace& ws);
  // Over a block of the packed vector only (a compound step's): positions are the coordinates
  // `block` of `state`, the others held at state's values; evaluate() writes the position into
  // state. The caller owns state and keeps it alive.
  Hamiltonian(const model::LogDensity& density, model::DensityWorkspace& ws,
              std::vector<std::int64_t> block, Eigen::VectorXd& state);

  // The inverse metric: a diagonal (a vector), dense (a matrix, with its Cholesky factor for
  // drawing momenta) or a diagonal plus a low-rank correction (one of rank 0 is the diagonal).
  enum class Form { diagonal, dense, low_rank };
  void set_inverse_metric_diag(const Eigen::VectorXd& inv);
  void set_inverse_metric_dense(const Eigen::MatrixXd& inv);
  void set_inverse_metric_low_rank(LowRankMetric inv);
  Form form() const { return form_; }
  bool dense() const { return form_ == Form::dense; }
  const Eigen::VectorXd& inverse_metric_diag() const { return inv_diag_; }
  const Eigen::MatrixXd& inverse_metric_dense() const { return inv_dense_; }
  const LowRankMetric& inverse_metric_low_rank() const { return inv_low_rank_; }
  // The inverse metric's diagonal, whatever its form (what CSVs and reports show).
  Eigen::VectorXd inverse_metric_diagonal() const;

  // log p and its gradient at z.q; counts gradient evaluations.
  void evaluate(PhasePoint& z);
  double kinetic(const Eigen::VectorXd& p) const;
  double energy(const PhasePoint& z) const { return -z.logp + kinetic(z.p); }
  // dK/dp: the velocity M^-1 p ("p sharp" in Stan).
  Eigen::VectorXd velocity(const Eigen::VectorXd& p) const;
  // p ~ N(0, M).
  void sample_momentum(PhasePoint& z, Rng& rng) const;
  // One leapfrog step of size eps (negative: backwards in time).
  void leapfrog(PhasePoint& z, double eps);

  long gradient_evaluations() const { return n_grad_; }
  Eigen::Index dim() const { return dim_; }

 private:
  const model::LogDensity& density_;
  model::DensityWorkspace& ws_;
  Eigen::Index dim_;
  std::vector<std::int64_t> block_;   // empty: the whole packed vector
  Eigen::VectorXd* state_ = nullptr;  // the whole vector, when over a block
  Eigen::VectorXd grad_;              // the whole gradient, when over a block
  Form form_ = Form::diagonal;
  Eigen::VectorXd inv_diag_;
  LowRankMetric inv_low_rank_;
  Eigen::MatrixXd inv_dense_, metric_chol_;  // metric_chol_: Cholesky of M = inv_dense_^-1
  long n_grad_ = 0;
};

}  // namespace stochos::infer
