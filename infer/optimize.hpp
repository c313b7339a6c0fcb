// MAP: the mode of the log density by L-BFGS (CmdStan's `optimize algorithm=lbfgs`), from
// Stan's random start or a given point. The density is the caller's, compiled with
// CompileOptions::jacobian = OptimizeOptions::jacobian: without the Jacobian (Stan's default)
// the mode is the constrained density's, with it the mode on the unconstrained space (what
// Laplace approximates).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "infer/lbfgs.hpp"
#include "infer/trace.hpp"
#include "model/log_density.hpp"

namespace stochos::infer {

struct OptimizeOptions {
  LbfgsOptions lbfgs = {};
  bool jacobian = false;  // what the caller compiles the density with (optimize cannot tell)
  std::uint64_t seed = 0;
  // A packed unconstrained start; unset: Stan's uniform(-2, 2) on every coordinate, up to 100
  // draws until log p and its gradient are finite.
  std::optional<std::vector<double>> init = std::nullopt;
};

// Trace: method "lbfgs", point = the mode, one chain with one row (the mode) and the statistic
// lp__ (log p there), figures iterations, grad_evals, converged (0/1) and log_density,
// message = why L-BFGS stopped. An iteration cap is not an error (converged 0).
// Throws InputError when there is no free variable or init has the wrong length, RuntimeError
// when no start has a finite log density and gradient (naming the variables whose gradient is
// not finite) or when the density grows without bound (naming the variable that ran away).
Trace optimize(const model::LogDensity& density, const OptimizeOptions& options);

}  // namespace stochos::infer
