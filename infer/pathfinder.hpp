// Pathfinder (Zhang, Carpenter, Gelman & Vehtari 2022), as CmdStan's `pathfinder` runs it:
// each path follows L-BFGS from a random initial point, fits at every iterate the normal
// approximation its history implies (infer/lbfgs_normal.hpp), estimates each one's ELBO by
// Monte Carlo and keeps the best; multi-path Pathfinder pools the paths' draws and resamples
// them by Pareto-smoothed importance weights (infer/psis.hpp). Paths run in parallel, each
// with its own random stream, so the draws do not depend on the number of threads.
#pragma once

#include <Eigen/Dense>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "infer/lbfgs.hpp"
#include "infer/rng.hpp"
#include "infer/trace.hpp"
#include "model/log_density.hpp"

namespace stochos::infer {

// CmdStan's defaults.
struct PathfinderOptions {
  int num_paths = 4;
  int num_draws = 1000;       // per path
  int num_psis_draws = 1000;  // after resampling the pooled draws (multi-path)
  int num_elbo_draws = 25;    // per ELBO estimate
  int history_size = 5;
  int max_lbfgs_iters = 1000;
  double init_alpha = 1e-3;
  double tol_obj = 1e-12, tol_rel_obj = 1e4, tol_grad = 1e-8, tol_rel_grad = 1e7, tol_param = 1e-8;
  bool psis_resample = true;  // false: every path's draws, not resampled
  std::uint64_t seed = 0;
  int cores = 0;           // 0: min(paths, hardware threads)
  double init_radius = 2;  // uniform(-r, r) on the unconstrained space; 0: start at `init`
  std::optional<std::vector<double>> init = std::nullopt;  // a packed unconstrained point
};

// One path's outcome on a log density f (log p), from x0, drawing from `rng`.
struct PathResult {
  bool ok = false;
  std::string note;  // why the path failed, or what L-BFGS said when it stopped early
  // The best approximation (the highest ELBO): its mean, its covariance's diagonal, its ELBO,
  // the L-BFGS iteration it belongs to.
  Eigen::VectorXd mean, variance;
  double elbo = 0;
  int best_iteration = 0;
  // num_draws draws from it (one per row), log q and log p at each (log p -infinity where f is
  // not finite).
  Eigen::MatrixXd draws;
  Eigen::VectorXd lp_approx, lp;
  int lbfgs_iterations = 0;
  long grad_evals = 0;  // f's evaluations: L-BFGS's and the draws'
  std::string lbfgs_message;
};

PathResult pathfinder_path(const Objective& f, const Eigen::VectorXd& x0,
                           const PathfinderOptions& o, Rng& rng);

// A path the pooled approximation used (the NUTS initialiser starts a chain at `mean` with
// `variance` as its first inverse metric).
struct PathSummary {
  int path = 0;
  Eigen::VectorXd mean, variance;
  double elbo = 0;
  int lbfgs_iterations = 0;
  long grad_evals = 0;
};

struct PathfinderResult {
  // method "pathfinder", stat_names {lp_approx__, lp__}, one chain of the final draws; figures
  // pareto_k, elbo (the best path's), grad_evals, paths (used), paths_failed, lbfgs_iterations,
  // seconds; point: the best path's mean; message: the notes, joined.
  Trace trace;
  std::vector<PathSummary> paths;  // the paths that succeeded, in order
  std::vector<std::string> notes;  // dropped paths, early stops, a large k-hat
  double pareto_k = 0;
};

// Throws InputError for bad options, RuntimeError when every path fails (naming why).
PathfinderResult pathfinder(const model::LogDensity& density, const PathfinderOptions& o);

}  // namespace stochos::infer
