#include "infer/advi.hpp"

#include <algorithm>
#include <boost/circular_buffer.hpp>
#include <chrono>
#include <cmath>
#include <limits>
#include <numeric>
#include <sstream>

#include "infer/advi_estimates.hpp"
#include "infer/advi_eta.hpp"
#include "infer/advi_step_size.hpp"
#include "infer/initial_point.hpp"
#include "infer/psis.hpp"
#include "model/model.hpp"
#include "stochos/error.hpp"

namespace stochos::infer {

namespace {

constexpr double kLowest = std::numeric_limits<double>::lowest();

std::string number(double x) {
  std::ostringstream s;
  s << x;
  return s.str();
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

void check_options(const model::LogDensity& density, const AdviOptions& o) {
  advi_family(o.method);
  const auto at_least_one = [](const char* name, int v) {
    if (v < 1)
      throw InputError(std::string(name) + " must be at least 1, got " + std::to_string(v));
  };
  at_least_one("iter", o.iter);
  at_least_one("grad_samples", o.grad_samples);
  at_least_one("elbo_samples", o.elbo_samples);
  at_least_one("eval_elbo", o.eval_elbo);
  at_least_one("output_samples", o.output_samples);
  if (o.adapt) at_least_one("adapt_iter", o.adapt_iter);
  if (!(o.eta > 0) || !std::isfinite(o.eta))
    throw InputError("eta must be positive and finite, got " + number(o.eta));
  if (!(o.tol_rel_obj > 0) || !std::isfinite(o.tol_rel_obj))
    throw InputError("tol_rel_obj must be positive and finite, got " + number(o.tol_rel_obj));
  if (o.cores < 0)
    throw InputError("cores must be 0 (all) or more, got " + std::to_string(o.cores));
  if (!(o.init_radius >= 0) || !std::isfinite(o.init_radius))
    throw InputError("init_radius must be 0 or more, got " + number(o.init_radius));
  if (density.dim() == 0)
    throw InputError("nothing to approximate: the model has no free variables");
  model::refuse_discrete(density.layout(), "ADVI");
  if (o.init) {
    if (static_cast<std::int64_t>(o.init->size()) != density.dim())
      throw InputError("the initial point has " + std::to_string(o.init->size()) +
                       " values; the model has " + std::to_string(density.dim()));
    for (double v : *o.init)
      if (!std::isfinite(v)) throw InputError("the initial point has a non-finite value");
  }
  model::check_fits_in_memory("keeping the ADVI draws (draws, unconstrained values)",
                              {o.output_samples, density.dim()}, graph::DType::f64);
  // Every gradient and ELBO draw has a random stream of its own (a Mersenne Twister's 313 words).
  model::check_fits_in_memory("the ADVI draws' random streams (grad_samples + elbo_samples, state)",
                              {std::int64_t{o.grad_samples} + o.elbo_samples, 313},
                              graph::DType::f64);
}

// The approximation's initial mean: Stan's uniform(-2, 2) on the unconstrained space until the
// log density and gradient are finite (100 tries), or the given point (one).
Eigen::VectorXd initial_mean(const model::LogDensity& density, const AdviOptions& o,
                             long& evaluations) {
  auto ws = density.make_workspace();
  const Objective f = [&](const Eigen::VectorXd& x, Eigen::VectorXd& grad) {
    grad.resize(x.size());
    return density(*ws, x.data(), grad.data());
  };
  Rng rng = chain_rng(o.seed, 0);
  const Start start =
      find_initial_point(f, density.layout(), o.init ? 0 : o.init_radius, o.init, rng);
  evaluations += start.tries;
  if (!start) throw RuntimeError("ADVI: " + start.failure);
  return start.x;
}

// Stan's adapt_eta: each eta of the search (infer/advi_eta.hpp) for adapt_iter iterations from
// the initial approximation, judged by the ELBO it reaches.
double adapt_eta(const GaussianApproximation& q0, AdviEstimates& est, const AdviOptions& o) {
  const std::optional<double> init = est.elbo(q0);
  if (!init)
    throw RuntimeError(
        "ADVI: cannot compute the ELBO at the initial approximation (" +
        std::to_string(o.elbo_samples) +
        " of its draws had a non-finite log density); the model may be severely ill-conditioned "
        "or misspecified");
  EtaSearch search(*init, o.adapt_iter);
  Eigen::VectorXd g;
  for (;;) {
    GaussianApproximation q = q0;
    AdviStepSize step(search.eta());
    // Non-finite parameters have diverged for good: their ELBO fails below.
    for (int it = 0; it < o.adapt_iter && q.params().allFinite(); ++it) {
      // A gradient that cannot be estimated moves nothing; a smaller eta may do better.
      if (!est.gradient(q, g)) g = Eigen::VectorXd::Zero(q.params().size());
      step.step(q.params(), g);
    }
    const double elbo = est.elbo(q).value_or(-std::numeric_limits<double>::infinity());
    if (o.on_eta) o.on_eta(search.eta(), elbo);
    if (const std::optional<double> chosen = search.record(elbo)) return *chosen;
  }
}

// Yao et al. (2018)'s diagnostic of the fit: PSIS's k-hat of the draws' log p - log q (log_g
// lacks q's constant, which the normalised weights do not see). Above 0.7 the approximation is
// a poor stand-in for the posterior. +infinity when no draw has a finite log density.
double pareto_k(const Eigen::VectorXd& log_ratios) {
  for (double r : log_ratios)
    if (std::isfinite(r)) return psis(log_ratios).pareto_k;
  return std::numeric_limits<double>::infinity();
}

// Stan's relative change of the ELBO, |(previous - current) / current|.
double relative_change(double current, double previous) {
  return std::abs((previous - current) / current);
}

// Stan's median of the recent relative changes: the upper one of an even count.
double upper_median(const boost::circular_buffer<double>& cb) {
  std::vector<double> v(cb.begin(), cb.end());
  const auto mid = v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2);
  std::nth_element(v.begin(), mid, v.end());
  return *mid;
}

std::string join(const std::vector<std::string>& parts) {
  std::string s;
  for (const auto& p : parts) s += (s.empty() ? "" : "; ") + p;
  return s;
}

// Stan's stochastic_gradient_ascent: at most o.iter iterations; every eval_elbo, the ELBO and
// the mean and median of its last max(0.1 iter / eval_elbo, 2) relative changes, stopping when
// either is below tol_rel_obj.
void ascend(GaussianApproximation& q, double eta, AdviEstimates& est, const AdviOptions& o,
            AdviFit& fit) {
  AdviStepSize step(eta);
  Eigen::VectorXd g;
  double elbo = 0, elbo_best = kLowest;
  const int window = static_cast<int>(std::max(0.1 * o.iter / o.eval_elbo, 2.0));
  boost::circular_buffer<double> changes(static_cast<std::size_t>(window));
  std::vector<std::string> notes;
  bool evaluated = false;
  for (int k = 1;; ++k) {
    if (!est.gradient(q, g))
      throw RuntimeError("ADVI: the ELBO's gradient cannot be estimated at iteration " +
                         std::to_string(k) + " (" + std::to_string(10 * o.grad_samples) +
                         " draws had a non-finite log density or gradient); the model may be "
                         "severely ill-conditioned or misspecified");
    step.step(q.params(), g);
    if (!q.params().allFinite())
      throw RuntimeError("ADVI diverged at iteration " + std::to_string(k) +
                         ": the approximation's parameters are no longer finite (eta = " +
                         number(eta) + "); try a smaller eta");
    bool stop = false;
    evaluated = false;
    if (k % o.eval_elbo == 0) {
      const double previous = elbo;
      const std::optional<double> e = est.elbo(q);
      if (!e)
        throw RuntimeError("ADVI: the ELBO cannot be estimated at iteration " + std::to_string(k) +
                           " (" + std::to_string(o.elbo_samples) +
                           " draws had a non-finite log density); the model may be severely "
                           "ill-conditioned or misspecified");
      elbo = *e;
      evaluated = true;
      elbo_best = std::max(elbo_best, elbo);
      changes.push_back(relative_change(elbo, previous));
      const double mean = std::accumulate(changes.begin(), changes.end(), 0.0) /
                          static_cast<double>(changes.size());
      const double median = upper_median(changes);
      notes.clear();
      if (mean < o.tol_rel_obj) notes.push_back("MEAN ELBO CONVERGED");
      if (median < o.tol_rel_obj) notes.push_back("MEDIAN ELBO CONVERGED");
      stop = fit.converged = !notes.empty();
      if (k > 10 * o.eval_elbo && (median > 0.5 || mean > 0.5))
        notes.push_back("MAY BE DIVERGING... INSPECT ELBO");
      if (o.on_elbo) {
        std::string line;
        for (const auto& n : notes) line += (line.empty() ? "" : "   ") + n;
        o.on_elbo({k, elbo, mean, median, line});
      }
      if (stop && relative_change(elbo, elbo_best) > 0.05)
        notes.push_back(
            "the ELBO at a previous iteration is larger than the ELBO upon convergence: this "
            "approximation may not have converged to a good optimum");
    }
    if (k == o.iter && !stop) {
      notes.push_back("the maximum number of iterations (" + std::to_string(o.iter) +
                      ") is reached: the algorithm may not have converged");
      stop = true;
    }
    if (stop) {
      fit.iterations = k;
      break;
    }
  }
  // The figure reports the final approximation's ELBO, estimated once more when the ascent did
  // not end on an evaluation (Stan reports none then).
  if (!evaluated) {
    const std::optional<double> e = est.elbo(q);
    if (!e)
      throw RuntimeError("ADVI: the ELBO cannot be estimated at the final approximation (" +
                         std::to_string(o.elbo_samples) + " draws had a non-finite log density)");
    elbo = *e;
  }
  fit.elbo = elbo;
  fit.message = join(notes);
}

AdviFit fit_with(const model::LogDensity& density, const AdviOptions& o, AdviEstimates& est,
                 long& evaluations) {
  const Eigen::VectorXd mu0 = initial_mean(density, o, evaluations);
  const GaussianApproximation q0(advi_family(o.method), mu0);
  AdviFit fit(q0);
  const auto t0 = std::chrono::steady_clock::now();
  fit.eta = o.adapt ? adapt_eta(q0, est, o) : o.eta;
  fit.adapt_seconds = seconds_since(t0);
  const auto t1 = std::chrono::steady_clock::now();
  GaussianApproximation q = q0;
  ascend(q, fit.eta, est, o, fit);
  fit.ascent_seconds = seconds_since(t1);
  fit.approximation = q;
  fit.grad_evals = evaluations + est.evaluations();
  return fit;
}

}  // namespace

AdviFit advi_fit(const model::LogDensity& density, const AdviOptions& o) {
  check_options(density, o);
  AdviEstimates est(density, o.grad_samples, o.elbo_samples, o.seed, o.cores);
  long evaluations = 0;
  return fit_with(density, o, est, evaluations);
}

Trace advi(const model::LogDensity& density, const AdviOptions& o) {
  check_options(density, o);
  AdviEstimates est(density, o.grad_samples, o.elbo_samples, o.seed, o.cores);
  long evaluations = 0;
  const AdviFit fit = fit_with(density, o, est, evaluations);
  const auto t0 = std::chrono::steady_clock::now();

  ChainTrace chain;
  Eigen::VectorXd log_p, log_g;
  Rng rng = chain_rng(o.seed, 1);
  est.draw(fit.approximation, o.output_samples, rng, chain.draws, log_p, log_g);
  chain.stats.resize(o.output_samples, 3);
  chain.stats.col(0).setZero();
  chain.stats.col(1) = log_p;
  chain.stats.col(2) = log_g;
  chain.gradient_evaluations = evaluations + est.evaluations();
  // CmdStan's timing lines: adaptation as warm-up, the ascent and the draws as sampling.
  chain.warmup_seconds = fit.adapt_seconds;
  chain.sampling_seconds = fit.ascent_seconds + seconds_since(t0);

  Trace t;
  t.method = fit.approximation.name();
  t.stat_names = {"lp__", "log_p__", "log_g__"};
  t.point = fit.approximation.mean();
  t.chains.push_back(std::move(chain));
  t.figures = {{"elbo", fit.elbo},
               {"eta", fit.eta},
               {"iterations", fit.iterations},
               {"grad_evals", static_cast<double>(t.chains[0].gradient_evaluations)},
               {"converged", fit.converged ? 1.0 : 0.0},
               {"pareto_k", pareto_k(log_p - log_g)}};
  t.message = fit.message;
  return t;
}

}  // namespace stochos::infer
