// L-BFGS as Stan's optimizer runs it (stan/optimization/bfgs.hpp): maximises a log density by
// the limited-memory BFGS update (history of `history` pairs) with a line search that satisfies
// the strong Wolfe conditions, and stops on Stan's convergence tests. Shared by MAP
// (infer/optimize) and Pathfinder, which reads the path through on_iterate.
#pragma once

#include <Eigen/Dense>
#include <functional>
#include <limits>
#include <string>

namespace stochos::infer {

// Stan's defaults (CmdStan `optimize algorithm=lbfgs`).
struct LbfgsOptions {
  double init_alpha = 1e-3;   // the first line search's trial step length
  double tol_obj = 1e-12;     // |f_k - f_{k-1}|
  double tol_rel_obj = 1e4;   // |f_k - f_{k-1}| / max(|f_k|, |f_{k-1}|, 1), in units of epsilon
  double tol_grad = 1e-8;     // |g_k|
  double tol_rel_grad = 1e7;  // g' H^-1 g / max(|f_k|, 1), in units of epsilon
  double tol_param = 1e-8;    // |x_k - x_{k-1}|
  int history = 5;
  int max_iterations = 2000;
};

// The function maximised: returns f(x) (a log density) and writes its gradient. A non-finite
// value means x is outside the region where f is defined; the line search backs off.
using Objective = std::function<double(const Eigen::VectorXd& x, Eigen::VectorXd& grad)>;

// One accepted iterate (iteration 0 is the start).
struct LbfgsIterate {
  int iteration;
  const Eigen::VectorXd& x;
  double value;
  const Eigen::VectorXd& grad;
};

struct LbfgsResult {
  Eigen::VectorXd x, grad;  // the last accepted iterate
  double value = 0;
  int iterations = 0;
  long grad_evals = 0;
  bool converged = false;  // stopped on a convergence test (not the cap, a failure or divergence)
  bool diverged = false;   // f grew without bound (an improper density): x ran away
  // Stan's relative gradient g' H^-1 g / max(|f|, 1) at x (H^-1 the L-BFGS approximation), from
  // the last iteration that completed; NaN when none did. Tells a line search that failed for
  // want of precision in f (a float32 density) from one that failed far from a mode.
  double rel_grad = std::numeric_limits<double>::quiet_NaN();
  std::string reason;  // Stan's wording: "Convergence detected: relative gradient magnitude
                       // is below tolerance", "Maximum number of iterations hit", ...
};

// Maximises f from x0. Throws RuntimeError when f or its gradient is not finite at x0.
LbfgsResult lbfgs_maximize(const Objective& f, const Eigen::VectorXd& x0, const LbfgsOptions& o,
                           const std::function<void(const LbfgsIterate&)>& on_iterate = nullptr);

}  // namespace stochos::infer
