#include "infer/optimize.hpp"

#include <chrono>
#include <cmath>
#include <limits>
#include <string>

#include "infer/initial_point.hpp"
#include "infer/packed_names.hpp"
#include "infer/rng.hpp"
#include "stochos/error.hpp"

namespace stochos::infer {

namespace {

// The slope (d log p / d unconstrained coordinate, outwards) that still counts as climbing.
constexpr double kEdgeSlope = 0.01;

// The coordinates that moved furthest from the start (within half the largest move; five at
// most), with their directions: "mu ran away to +inf", "x, y ran away to +inf".
std::string runaway(const model::Layout& layout, const Eigen::VectorXd& start,
                    const Eigen::VectorXd& end) {
  const Eigen::VectorXd moved = (end - start).cwiseAbs();
  const double largest = moved.maxCoeff();
  std::string up, down;
  int named = 0;
  for (Eigen::Index i = 0; i < moved.size() && named < 5; ++i) {
    if (!(moved[i] >= 0.5 * largest)) continue;
    std::string& list = end[i] > start[i] ? up : down;
    list += (list.empty() ? "" : ", ") + packed_name(layout, i);
    ++named;
  }
  std::string out;
  if (!up.empty()) out = up + " ran away to +inf";
  if (!down.empty()) out += (out.empty() ? "" : "; ") + down + " ran away to -inf";
  return out;
}

}  // namespace

Trace optimize(const model::LogDensity& density, const OptimizeOptions& options) {
  if (density.dim() == 0) throw InputError("optimize: the model has no free variables");
  model::refuse_discrete(density.layout(), "optimize");
  if (options.init && static_cast<std::int64_t>(options.init->size()) != density.dim())
    throw InputError("optimize: the initial point has " + std::to_string(options.init->size()) +
                     " values; the model has " + std::to_string(density.dim()) + " unconstrained");
  auto ws = density.make_workspace();
  const Objective f = [&](const Eigen::VectorXd& x, Eigen::VectorXd& grad) {
    grad.resize(x.size());
    return density(*ws, x.data(), grad.data());
  };
  // The given point, or Stan's uniform(-2, 2).
  Rng rng = chain_rng(options.seed, 0);
  const Start start =
      find_initial_point(f, density.layout(), options.init ? 0 : 2, options.init, rng);
  if (!start) throw RuntimeError("optimize: " + start.failure);
  const Eigen::VectorXd x0 = start.x;
  const auto t0 = std::chrono::steady_clock::now();
  LbfgsResult r = lbfgs_maximize(f, x0, options.lbfgs);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (r.diverged)
    throw RuntimeError(
        "optimization diverged: the log density grows without bound (an improper "
        "posterior?); " +
        runaway(density.layout(), x0, r.x));

  // Stan's tolerances are for float64. A float32 log density is rounded to about 1e-7 of |log p|,
  // so its line search fails once the predicted gain is below that, typically at a relative
  // gradient of 1e-8 to 1e-6; a failure that close to a mode (100 epsilon of the density's type)
  // is convergence at that precision, not an error.
  const bool f32 = density.floatx() == graph::DType::f32;
  const double eps =
      f32 ? std::numeric_limits<float>::epsilon() : std::numeric_limits<double>::epsilon();
  if (!r.converged && !r.diverged && r.reason.rfind("Line search failed", 0) == 0 &&
      r.rel_grad < 100 * eps) {
    r.converged = true;
    r.reason = std::string(
                   "Convergence detected: relative gradient magnitude is at the "
                   "precision of ") +
               (f32 ? "float32" : "float64") + " (no line search can improve log p further)";
  }

  // A transformed variable far out on its unconstrained axis (its constrained value within e^-15
  // of a bound) whose log density still climbs at a rate that does not vanish is not at a mode:
  // the density grows without bound towards that bound, as a hierarchical scale's does without
  // the Jacobian (the centred eight schools: -8 log tau, a slope of 8 on tau's log axis). L-BFGS
  // stops there on a failed line search or on tiny steps. A density with a finite supremum at
  // the bound (an Exponential prior's mode at 0) flattens there instead: its slope on the
  // unconstrained axis falls like the constrained value, 1e-6 or less, and it is a mode at the
  // edge, as Stan reports it.
  if (!r.diverged) {
    std::string edge;
    for (const model::VarSlot& v : density.layout().vars)
      for (std::int64_t k = 0; k < v.size && !v.transform.empty(); ++k) {
        const auto i = static_cast<Eigen::Index>(v.offset + k);
        if (std::fabs(r.x[i]) > 15 && r.x[i] * r.grad[i] > kEdgeSlope) {
          edge += (edge.empty() ? "" : ", ") + packed_name(density.layout(), i);
          break;
        }
      }
    if (!edge.empty()) {
      r.converged = false;
      r.reason += "; but the log density still grows as " + edge +
                  " runs towards the edge of its support: the density has no mode (a funnel, as "
                  "in a centred hierarchical model?)";
    }
  }

  Trace t;
  t.method = "lbfgs";
  t.stat_names = {"lp__"};
  t.point = r.x;
  ChainTrace chain;
  chain.draws = r.x.transpose();
  chain.stats = Eigen::MatrixXd::Constant(1, 1, r.value);
  chain.gradient_evaluations = r.grad_evals;
  chain.sampling_seconds = seconds;
  t.chains.push_back(std::move(chain));
  t.figures = {{"iterations", r.iterations},
               {"grad_evals", static_cast<double>(r.grad_evals)},
               {"converged", r.converged ? 1.0 : 0.0},
               {"log_density", r.value}};
  t.message = r.reason;
  return t;
}

}  // namespace stochos::infer
