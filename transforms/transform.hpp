// Transforms between a variable's support and the unconstrained space the samplers move in
// (SPEC.md §4): forward (constrained -> unconstrained), backward (unconstrained -> constrained)
// and the log-Jacobian of backward, all as graph operations, so every engine runs them and
// autodiff differentiates them.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "graph/tensor.hpp"

namespace stochos::transforms {

using graph::Shape;
using graph::Tensor;

class Transform {
 public:
  virtual ~Transform() = default;
  // PyMC's name, which also makes the unconstrained variable's name: tau -> tau_log__.
  virtual std::string name() const = 0;
  // The shape of the unconstrained value of a constrained value of `shape` (one fewer element
  // on the last axis for a simplex, say).
  virtual Shape unconstrained_shape(const Shape& shape) const { return shape; }
  virtual Tensor forward(const Tensor& x) const = 0;
  virtual Tensor backward(const Tensor& y) const = 0;
  // log |det d backward(y) / dy|, elementwise for elementwise transforms (the shape of
  // backward(y)); summed over the last axis for vector transforms. The model sums it.
  virtual Tensor log_jac_det(const Tensor& y) const = 0;
};

// The name of the unconstrained variable: PyMC's `<name>_<transform>__`.
std::string value_name(const std::string& name, const Transform& t);

// Positive reals: x = exp(y), log|J| = y.
std::unique_ptr<Transform> log_transform();
// (0, 1): x = sigmoid(y), log|J| = log_sigmoid(y) + log_sigmoid(-y).
std::unique_ptr<Transform> logodds_transform();
// (lower, upper), bounds that may depend on other variables: x = lower + (upper - lower) *
// sigmoid(y). A lower bound alone: x = lower + exp(y); an upper bound alone: x = upper - exp(y).
std::unique_ptr<Transform> interval_transform(Tensor lower, Tensor upper);
std::unique_ptr<Transform> lower_bound_transform(Tensor lower);
std::unique_ptr<Transform> upper_bound_transform(Tensor upper);
// Along the last axis (log|J| summed over it): the simplex of K parts from K - 1 values
// (PyMC's), and increasing vectors.
std::unique_ptr<Transform> simplex_transform();
std::unique_ptr<Transform> ordered_transform();
// The LKJ distributions' (transforms/cholesky.cpp), each from n(n-1)/2 values y (the canonical
// partial correlations' atanh) or n(n+1)/2:
//   cholesky_corr:       an [n, n] correlation Cholesky factor (Stan's cholesky_corr; PyMC's name)
//   corr_packed:         LKJCorr's packed correlations (Stan's corr_matrix, in PyMC's layout)
//   cholesky-cov-packed: LKJCholeskyCov's packed covariance factor, its diagonal exp(y) (PyMC's)
std::unique_ptr<Transform> cholesky_corr_transform();
std::unique_ptr<Transform> corr_packed_transform();
std::unique_ptr<Transform> cholesky_cov_packed_transform();

// The names transform= takes (transforms/by_name.cpp), "none" among them.
const std::vector<std::string>& names();
// The transform a name stands for; null for "none". `interval` takes the distribution's bounds
// (an InputError without them); an unknown name is an InputError listing the names.
std::unique_ptr<Transform> by_name(const std::string& name, const std::optional<Tensor>& lower = {},
                                   const std::optional<Tensor>& upper = {});

}  // namespace stochos::transforms
