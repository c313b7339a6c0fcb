// ADVI, Stan's algorithm (stan/variational/advi.hpp; Kucukelbir et al. 2017): a Gaussian
// approximation on the unconstrained space (Note [the Gaussian families]) fitted by stochastic
// gradient ascent on the ELBO with Stan's adaptive step-size sequence, eta chosen by Stan's
// adaptation stage, and Stan's convergence tests on the ELBO's relative change.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "infer/advi_family.hpp"
#include "infer/trace.hpp"
#include "model/log_density.hpp"

namespace stochos::infer {

// One ELBO evaluation of the gradient ascent, as Stan's table prints it.
struct AdviElboReport {
  int iteration;
  double elbo, delta_mean, delta_median;
  std::string notes;  // "MEAN ELBO CONVERGED", "MAY BE DIVERGING... INSPECT ELBO", or empty
};

// CmdStan's defaults (`variational`).
struct AdviOptions {
  std::string method = "meanfield";  // or "fullrank"
  int iter = 10000;                  // the most gradient-ascent iterations
  int grad_samples = 1;              // draws per gradient estimate
  int elbo_samples = 100;            // draws per ELBO estimate
  double eta = 1.0;                  // the step-size scale, when not adapted
  bool adapt = true;                 // choose eta from (100, 10, 1, 0.1, 0.01)
  int adapt_iter = 50;               // iterations per eta tried
  double tol_rel_obj = 0.01;         // convergence: the relative ELBO change's mean or median
  int eval_elbo = 100;               // iterations between ELBO estimates
  int output_samples = 1000;         // draws of the approximation returned
  std::uint64_t seed = 0;
  int cores = 0;  // threads for the ELBO's (and the gradient's) draws; 0: the hardware's
  // The mean's start: uniform(-r, r) on the unconstrained space (Stan's r = 2) until the log
  // density and gradient are finite, or exactly `init` (a packed unconstrained point).
  double init_radius = 2;
  std::optional<std::vector<double>> init = std::nullopt;
  // Called after each eta tried in adaptation (its ELBO, -inf when it failed) and after each
  // ELBO evaluation of the gradient ascent.
  std::function<void(double eta, double elbo)> on_eta = nullptr;
  std::function<void(const AdviElboReport&)> on_elbo = nullptr;
};

// The fitted approximation and how the fit went.
struct AdviFit {
  explicit AdviFit(GaussianApproximation q) : approximation(std::move(q)) {}
  GaussianApproximation approximation;
  double eta = 0;          // the step-size scale used (adapted or given)
  double elbo = 0;         // the last ELBO estimate
  int iterations = 0;      // gradient-ascent iterations (adaptation's not counted)
  long grad_evals = 0;     // evaluations of the log density and its gradient, all told
  bool converged = false;  // stopped on the mean or median rule, not the iteration cap
  std::string message;     // Stan's: "MEAN ELBO CONVERGED", ...
  double adapt_seconds = 0, ascent_seconds = 0;
};

// Fits the approximation. InputError for bad options or a model with no free variables;
// RuntimeError when no initial point has a finite log density, when no eta adapts, or when the
// ELBO or its gradient cannot be estimated (every draw's log density not finite) or the
// approximation's parameters stop being finite during the ascent.
AdviFit advi_fit(const model::LogDensity& density, const AdviOptions& o);

// advi_fit, then output_samples draws of the approximation (Note [the trace]): method "meanfield"
// or "fullrank", point = the approximation's mean, one chain of draws with CmdStan's variational
// columns lp__ (0), log_p__ (the model's log density at the draw) and log_g__ (the
// approximation's, less its constant), figures elbo, eta, iterations, grad_evals, converged and
// pareto_k (PSIS's k-hat of the draws' log_p__ - log_g__, Yao et al. 2018: above 0.7 the
// approximation is not to be trusted).
Trace advi(const model::LogDensity& density, const AdviOptions& o);

}  // namespace stochos::infer
