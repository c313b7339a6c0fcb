// The benchmark densities written by hand with Eigen: the same log density and gradient as
// the graphs of models.hpp, over the same packed theta, computed the fastest straightforward way
// (data-only constants precomputed once, analytic gradients fused into the density pass,
// Eigen's vectorised kernels, no allocation per call). This is the practical limit the native
// engine is measured against.
#pragma once

#include <cstdint>
#include <vector>

#include <Eigen/Dense>

#include "bench/models.hpp"

namespace stochos::bench {

// Each functor returns log p at theta and writes the gradient to grad (dim() entries). Scratch
// buffers are members, so a call allocates nothing; use one object per thread.

class EightSchoolsHand {
 public:
  explicit EightSchoolsHand(const EightSchoolsData& data = {});
  double operator()(const double* theta, double* grad) const;
  std::int64_t dim() const { return j_ + 2; }

 private:
  std::int64_t j_;
  Eigen::ArrayXd y_, inv_var_;  // y and 1 / sigma^2
  double constant_;             // every term of log p that depends on no parameter
};

class LogisticHand {
 public:
  explicit LogisticHand(const LogisticData& data);
  double operator()(const double* theta, double* grad) const;
  std::int64_t dim() const { return d_ + 1; }

 private:
  std::int64_t n_, d_;
  Eigen::MatrixXd x_;  // column-major: X beta and X^T r both walk contiguous columns
  Eigen::ArrayXd y_;
  double constant_;
  mutable Eigen::VectorXd eta_, r_;
  mutable Eigen::ArrayXd e_;
};

class HierarchicalHand {
 public:
  explicit HierarchicalHand(const HierarchicalData& data);
  double operator()(const double* theta, double* grad) const;
  std::int64_t dim() const { return groups_ + 3; }

 private:
  std::int64_t groups_;
  std::vector<std::int64_t> g_;
  std::vector<double> y_;
  double constant_;
  mutable Eigen::ArrayXd a_, ga_;
};

// The recurrence forward, then its adjoint backward (the reverse scan by hand).
class GarchHand {
 public:
  explicit GarchHand(const GarchData& data);
  double operator()(const double* theta, double* grad) const;
  std::int64_t dim() const { return 4; }

 private:
  std::vector<double> y_;
  double sigma1_, constant_;
  mutable std::vector<double> s_;  // sigma2
};

}  // namespace stochos::bench
