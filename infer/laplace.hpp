// Laplace's approximation (CmdStan's `laplace` method): draws from the normal N(mode, (-H)^-1)
// on the unconstrained space, H the log density's Hessian at the mode from the graph's symbolic
// second derivatives (where CmdStan uses finite differences). With a mode and Hessian taken
// with the Jacobian (CmdStan's default for laplace) the draws approximate the posterior.
#pragma once

#include <Eigen/Dense>
#include <cstdint>

#include "infer/trace.hpp"
#include "model/hessian.hpp"
#include "model/log_density.hpp"

namespace stochos::infer {

// The column of the approximation's log density.
inline constexpr const char* kLaplaceApproxColumn = "log_g__";

// Trace: method "laplace", point = the mode, one chain of `draws` rows and the statistics
// log_p__ (the density's log p at the draw) and log_g__ (the normal approximation's unnormalised
// log density, (x - mode)' H (x - mode) / 2, 0 at the mode), as SPEC.md §1.3 names them after
// CmdStan 2.32's laplace CSV (CmdStan 2.33 renamed log_g__ to log_q__; kLaplaceApproxColumn);
// figure log_density (log p at the mode). density and hessian must be compiled alike (the same
// jacobian). Same seed, same draws, whatever `cores` (the threads log p is evaluated on; 0: the
// hardware's). InputError for draws < 1 or a mode of the wrong length;
// RuntimeError, naming the variables along the offending directions, when H is not finite or
// not negative definite (a saddle point, or not a mode at all).
Trace laplace(const model::LogDensity& density, const model::Hessian& hessian,
              const Eigen::VectorXd& mode, int draws, std::uint64_t seed, int cores = 0);

}  // namespace stochos::infer
