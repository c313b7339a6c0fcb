#include "infer/sample.hpp"

#include <algorithm>
#include <atomic>
#include <boost/random/uniform_real_distribution.hpp>
#include <chrono>
#include <cmath>
#include <exception>
#include <mutex>
#include <random>
#include <thread>

#include "infer/adaptation.hpp"
#include "infer/hmc.hpp"
#include "model/model.hpp"
#include "stochos/error.hpp"

namespace stochos::infer {

namespace {

constexpr int kInitTries = 100;

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// The variables (by unconstrained name) whose gradient is not finite at z.
std::string bad_variables(const model::Layout& layout, const PhasePoint& z) {
  std::string names;
  for (const auto& v : layout.vars) {
    bool bad = false;
    for (std::int64_t k = 0; k < v.size; ++k)
      bad = bad || !std::isfinite(z.grad_logp[static_cast<Eigen::Index>(v.offset + k)]);
    if (bad) names += (names.empty() ? "" : ", ") + v.value_name;
  }
  return names.empty() ? "(every gradient is finite; log p itself is not)" : names;
}

// A starting point with a finite log density and gradient: Stan's uniform(-2, 2) on the
// unconstrained space (or around `init`), up to 100 tries.
PhasePoint initial_point(Hamiltonian& h, const model::Layout& layout, const SampleOptions& o,
                         Rng& rng) {
  const Eigen::Index n = h.dim();
  PhasePoint z;
  z.q = Eigen::VectorXd::Zero(n);
  z.p = Eigen::VectorXd::Zero(n);
  z.grad_logp = Eigen::VectorXd::Zero(n);
  boost::random::uniform_real_distribution<double> u(-o.init_radius, o.init_radius);
  for (int attempt = 0; attempt < kInitTries; ++attempt) {
    for (Eigen::Index i = 0; i < n; ++i) {
      const double centre = o.init ? (*o.init)[static_cast<std::size_t>(i)] : 0.0;
      z.q[i] = centre + (o.init_radius > 0 ? u(rng) : 0.0);
    }
    h.evaluate(z);
    if (std::isfinite(z.logp) && z.grad_logp.allFinite()) return z;
    if (o.init_radius <= 0) break;  // a fixed start has one chance
  }
  throw RuntimeError("no initial point with a finite log density and gradient after " +
                     std::to_string(o.init_radius > 0 ? kInitTries : 1) +
                     " tries; at the last one, not finite: " + bad_variables(layout, z));
}

}  // namespace

ChainResult run_chain(const model::LogDensity& density, const SampleOptions& o, int chain) {
  auto ws = density.make_workspace();
  Hamiltonian h(density, *ws);
  Rng rng = chain_rng(o.seed, chain);
  const Eigen::Index n = h.dim();
  ChainResult r;
  r.chain = chain;

  const auto t_warm = std::chrono::steady_clock::now();
  PhasePoint z = initial_point(h, density.layout(), o, rng);
  Nuts nuts(h, {.max_depth = o.max_depth, .max_energy_error = 1000});
  StaticHmc hmc(h, o.hmc_time);
  const bool use_hmc = o.algorithm == "hmc";
  const auto transition = [&](PhasePoint& p, double e) {
    return use_hmc ? hmc.transition(p, e, rng) : nuts.transition(p, e, rng);
  };

  double eps = 1.0;
  StepSizeAdaptation step({.delta = o.target_accept, .gamma = 0.05, .kappa = 0.75, .t0 = 10});
  step.set_mu(std::log(10 * eps));
  step.restart();
  MetricAdaptation metric(n, o.tune, o.dense_metric);
  eps = initial_step_size(h, z, eps, rng);

  int divergences = 0;
  if (o.keep_warmup) r.warmup_draws.resize(o.tune, n);
  const auto stopped = [&] { return o.stop && o.stop->load(std::memory_order_relaxed); };
  for (int it = 0; it < o.tune; ++it) {
    if (stopped()) {
      r.interrupted = true;
      break;
    }
    const Transition t = transition(z, eps);
    if (o.keep_warmup && o.on_draw) o.on_draw(chain, true, t, z.q);
    divergences += t.divergent;
    if (o.keep_warmup) {
      r.warmup_draws.row(it) = z.q.transpose();
      r.warmup_stats.push_back(t);
    }
    r.warmup_iterations = it + 1;
    eps = step.learn(t.accept_stat);
    if (metric.learn(z.q)) {
      if (o.dense_metric)
        h.set_inverse_metric_dense(metric.metric_dense());
      else
        h.set_inverse_metric_diag(metric.metric_diag());
      eps = initial_step_size(h, z, eps, rng);
      step.set_mu(std::log(10 * eps));
      step.restart();
    }
    if (o.progress) o.progress(chain, it + 1, divergences);
  }
  if (r.interrupted && o.keep_warmup)
    r.warmup_draws.conservativeResize(static_cast<Eigen::Index>(r.warmup_stats.size()), n);
  if (o.tune > 0) eps = step.final_step_size();
  r.warmup_seconds = seconds_since(t_warm);
  if (o.on_adapted && !r.interrupted)
    o.on_adapted(
        chain, eps,
        h.dense() ? Eigen::VectorXd(h.inverse_metric_dense().diagonal()) : h.inverse_metric_diag());

  const auto t_sample = std::chrono::steady_clock::now();
  r.draws.resize(o.draws, n);
  r.stats.reserve(static_cast<std::size_t>(o.draws));
  divergences = 0;
  for (int it = 0; it < o.draws && !r.interrupted; ++it) {
    if (stopped()) {
      r.interrupted = true;
      r.draws.conservativeResize(it, n);
      break;
    }
    r.stats.push_back(transition(z, eps));
    r.draws.row(it) = z.q.transpose();
    if (o.on_draw) o.on_draw(chain, false, r.stats.back(), z.q);
    divergences += r.stats.back().divergent;
    if (o.progress) o.progress(chain, o.tune + it + 1, divergences);
  }
  if (r.interrupted && static_cast<Eigen::Index>(r.stats.size()) < r.draws.rows())
    r.draws.conservativeResize(static_cast<Eigen::Index>(r.stats.size()), n);
  r.sampling_seconds = seconds_since(t_sample);
  r.step_size = eps;
  if (h.dense()) {
    r.inverse_metric_dense = h.inverse_metric_dense();
    r.inverse_metric = r.inverse_metric_dense.diagonal();
  } else {
    r.inverse_metric = h.inverse_metric_diag();
  }
  r.gradient_evaluations = h.gradient_evaluations();
  return r;
}

std::vector<ChainResult> sample(const model::LogDensity& density, const SampleOptions& o) {
  if (o.chains < 1) throw InputError("chains must be at least 1, got " + std::to_string(o.chains));
  if (o.draws < 0 || o.tune < 0) throw InputError("draws and tune must be 0 or more");
  if (o.target_accept <= 0 || o.target_accept >= 1)
    throw InputError("target_accept must be in (0, 1), got " + std::to_string(o.target_accept));
  if (density.dim() == 0) throw InputError("nothing to sample: the model has no free variables");
  if (o.algorithm != "nuts" && o.algorithm != "hmc")
    throw InputError("unknown sampler '" + o.algorithm + "' (valid: nuts, hmc)");
  if (o.init && static_cast<std::int64_t>(o.init->size()) != density.dim())
    throw InputError("the initial point has " + std::to_string(o.init->size()) +
                     " values; the model has " + std::to_string(density.dim()));
  // Every chain keeps its draws in memory (and the CSVs stream them): refuse up front what
  // cannot be held, rather than fail in a chain's thread.
  model::check_fits_in_memory(
      "keeping the draws (chains, draws, unconstrained values)",
      {o.chains, std::int64_t{o.draws} + (o.keep_warmup ? o.tune : 0), density.dim()},
      graph::DType::f64);
  const int hw = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const int cores = std::max(1, std::min(o.chains, o.cores > 0 ? o.cores : hw));

  std::vector<ChainResult> results(static_cast<std::size_t>(o.chains));
  std::vector<std::exception_ptr> errors(static_cast<std::size_t>(o.chains));
  std::atomic<int> next{0};
  auto worker = [&] {
    for (int c = next++; c < o.chains; c = next++) {
      if (o.stop && o.stop->load()) {  // stopped before this chain's turn came
        ChainResult& r = results[static_cast<std::size_t>(c)];
        r.chain = c;
        r.interrupted = true;
        r.started = false;
        continue;
      }
      try {
        results[static_cast<std::size_t>(c)] = run_chain(density, o, c);
      } catch (...) {
        errors[static_cast<std::size_t>(c)] = std::current_exception();
      }
    }
  };
  std::vector<std::thread> threads;
  for (int t = 1; t < cores; ++t) threads.emplace_back(worker);
  worker();
  for (auto& t : threads) t.join();
  for (int c = 0; c < o.chains; ++c)
    if (errors[static_cast<std::size_t>(c)]) {
      try {
        std::rethrow_exception(errors[static_cast<std::size_t>(c)]);
      } catch (const RuntimeError& e) {
        throw RuntimeError("chain " + std::to_string(c) + ": " + e.what());
      }
    }
  return results;
}

}  // namespace stochos::infer
