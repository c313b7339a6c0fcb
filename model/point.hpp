// Evaluating a model at one point, as `stochos logp` and `stochos check` do: the total log density,
// each variable's term, and the gradient — on the constrained space without the Jacobian
// (PyMC's model.logp(jacobian=False) and its gradient in the variables' own values), or on the
// unconstrained space with it (the samplers' density).
#pragma once

#include <string>
#include <vector>

#include "model/model.hpp"

namespace stochos::model {

struct PointResult {
  double logp = 0;
  std::vector<std::pair<std::string, double>> terms;  // per variable and potential, in order
  std::vector<std::pair<std::string, std::vector<double>>> grad;  // per free variable
};

// The packed unconstrained point of constrained values (one vector per free variable, row-major,
// in declaration order). InputError naming the variable when a value is outside its support or
// has the wrong number of elements.
std::vector<double> unconstrain(const Model& m, const std::vector<std::vector<double>>& values);

// Evaluates at the packed unconstrained point theta. jacobian: the gradient is with respect to the
// unconstrained values (named tau_log__) and the terms include the log-Jacobians; otherwise it is
// with respect to the constrained values (named tau), holding the others' constrained values fixed.
PointResult evaluate_point(const Model& m, const std::vector<double>& theta, bool jacobian,
                           const CompileOptions& o = {});

}  // namespace stochos::model
