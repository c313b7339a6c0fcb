// Stan's initialisation, shared by every method: uniform(-radius, radius) on the unconstrained
// space around `centre` (the origin when none), retried up to 100 times until the log density
// and its gradient are finite; with radius 0, `centre` itself, once.
#pragma once

#include <Eigen/Dense>
#include <optional>
#include <string>
#include <vector>

#include "infer/lbfgs.hpp"
#include "infer/rng.hpp"
#include "model/log_density.hpp"

namespace stochos::infer {

struct Start {
  Eigen::VectorXd x, grad;  // the point and the gradient of log p there
  double logp = 0;
  int tries = 0;        // evaluations spent
  std::string failure;  // empty when found; else what failed (the variables whose gradient is
                        // not finite at the last try)
  explicit operator bool() const { return failure.empty(); }
};

// The start, or one whose `failure` says why there is none. `centre`, when given, has
// layout.dim values.
Start find_initial_point(const Objective& f, const model::Layout& layout, double radius,
                         const std::optional<std::vector<double>>& centre, Rng& rng);

// The same, throwing RuntimeError(failure) when there is none.
Start initial_point(const Objective& f, const model::Layout& layout, double radius,
                    const std::optional<std::vector<double>>& centre, Rng& rng);

}  // namespace stochos::infer
