// Names for the packed unconstrained vector's entries, for error messages that point at a
// variable (an optimizer that ran away, a Hessian that is not negative definite, a start whose
// gradient is not finite).
#pragma once

#include <Eigen/Dense>
#include <string>

#include "model/log_density.hpp"

namespace stochos::infer {

// The unconstrained name of packed entry i: "mu", "tau_log__", "theta_z[3]" (row-major, the
// variable's unconstrained shape).
std::string packed_name(const model::Layout& layout, Eigen::Index i);

// The variables (by unconstrained name, comma-separated) with a gradient entry that is not
// finite, or a sentence saying that every entry is finite.
std::string nonfinite_gradient_variables(const model::Layout& layout, const Eigen::VectorXd& grad);

}  // namespace stochos::infer
