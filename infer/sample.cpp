#include "infer/sample.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>

#include "infer/adaptation.hpp"
#include "infer/initial_point.hpp"
#include "infer/parallel.hpp"
#include "model/model.hpp"
#include "stochos/error.hpp"

namespace stochos::infer {

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

ChainTrace run_chain(const model::LogDensity& density, const SampleOptions& o, int chain) {
  auto ws = density.make_workspace();
  Hamiltonian h(density, *ws);
  Rng rng = chain_rng(o.seed, chain);
  const Eigen::Index n = h.dim();
  const KernelSpec& spec = kernel(o.sampler);
  const auto nstats = static_cast<Eigen::Index>(spec.stat_names.size());
  ChainTrace r;
  r.chain = chain;

  const auto t_warm = std::chrono::steady_clock::now();
  const auto c = static_cast<std::size_t>(chain);
  if (c < o.chain_inverse_metrics.size()) h.set_inverse_metric_diag(o.chain_inverse_metrics[c]);
  // Stan's start (infer/initial_point.hpp), or the chain's own point when one is given.
  PhasePoint z;
  z.q = Eigen::VectorXd::Zero(n);
  z.p = Eigen::VectorXd::Zero(n);
  z.grad_logp = Eigen::VectorXd::Zero(n);
  const Objective logp = [&](const Eigen::VectorXd& x, Eigen::VectorXd& grad) {
    z.q = x;
    h.evaluate(z);
    grad = z.grad_logp;
    return z.logp;
  };
  const bool own = c < o.chain_inits.size();
  const Start start =
      own ? initial_point(logp, density.layout(), 0,
                          std::vector<double>(o.chain_inits[c].data(),
                                              o.chain_inits[c].data() + o.chain_inits[c].size()),
                          rng)
          : initial_point(logp, density.layout(), o.init_radius, o.init, rng);
  z.q = start.x;
  z.grad_logp = start.grad;
  z.logp = start.logp;
  const std::unique_ptr<Kernel> k = spec.make(h, o);
  std::vector<double> stats(static_cast<std::size_t>(nstats));

  double eps = 1.0;
  StepSizeAdaptation step({.delta = o.target_accept, .gamma = 0.05, .kappa = 0.75, .t0 = 10});
  step.set_mu(std::log(10 * eps));
  step.restart();
  MetricAdaptation metric(n, o.tune, o.dense_metric, o.init_buffer, o.term_buffer, o.base_window);
  const bool hamiltonian = k->hamiltonian();
  if (hamiltonian) eps = initial_step_size(h, z, eps, rng);

  int divergences = 0;
  if (o.keep_warmup) {
    r.warmup_draws.resize(o.tune, n);
    r.warmup_stats.resize(o.tune, nstats);
  }
  const auto stopped = [&] { return o.stop && o.stop->load(std::memory_order_relaxed); };
  for (int it = 0; it < o.tune; ++it) {
    if (stopped()) {
      r.interrupted = true;
      break;
    }
    const Transition t = k->transition(z, eps, rng);
    k->stats(t, eps, stats.data());
    if (o.keep_warmup && o.on_draw) o.on_draw(chain, true, stats.data(), z.q);
    divergences += t.divergent;
    if (o.keep_warmup) {
      r.warmup_draws.row(it) = z.q.transpose();
      r.warmup_stats.row(it) = Eigen::Map<const Eigen::RowVectorXd>(stats.data(), nstats);
    }
    r.warmup_iterations = it + 1;
    if (!hamiltonian) {
      k->tune(t);
    } else if (eps = step.learn(t.accept_stat); metric.learn(z.q)) {
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
  if (r.interrupted && o.keep_warmup) {
    r.warmup_draws.conservativeResize(r.warmup_iterations, n);
    r.warmup_stats.conservativeResize(r.warmup_iterations, nstats);
  }
  if (o.tune > 0 && hamiltonian) eps = step.final_step_size();
  r.warmup_seconds = seconds_since(t_warm);
  if (o.on_adapted && !r.interrupted && hamiltonian)
    o.on_adapted(
        chain, eps,
        h.dense() ? Eigen::VectorXd(h.inverse_metric_dense().diagonal()) : h.inverse_metric_diag());

  const auto t_sample = std::chrono::steady_clock::now();
  r.draws.resize(o.draws, n);
  r.stats.resize(o.draws, nstats);
  divergences = 0;
  int done = 0;
  for (; done < o.draws && !r.interrupted; ++done) {
    if (stopped()) {
      r.interrupted = true;
      break;
    }
    const Transition t = k->transition(z, eps, rng);
    k->stats(t, eps, stats.data());
    r.draws.row(done) = z.q.transpose();
    r.stats.row(done) = Eigen::Map<const Eigen::RowVectorXd>(stats.data(), nstats);
    if (o.on_draw) o.on_draw(chain, false, stats.data(), z.q);
    divergences += t.divergent;
    if (o.progress) o.progress(chain, o.tune + done + 1, divergences);
  }
  if (done < o.draws) {
    r.draws.conservativeResize(done, n);
    r.stats.conservativeResize(done, nstats);
  }
  r.sampling_seconds = seconds_since(t_sample);
  r.step_size = hamiltonian ? eps : 0.0;
  if (h.dense()) {
    r.inverse_metric_dense = h.inverse_metric_dense();
    r.inverse_metric = r.inverse_metric_dense.diagonal();
  } else {
    r.inverse_metric = h.inverse_metric_diag();
  }
  r.gradient_evaluations = h.gradient_evaluations();
  return r;
}

Trace sample(const model::LogDensity& density, const SampleOptions& o) {
  if (o.chains < 1) throw InputError("chains must be at least 1, got " + std::to_string(o.chains));
  if (o.draws < 0 || o.tune < 0) throw InputError("draws and tune must be 0 or more");
  if (o.target_accept <= 0 || o.target_accept >= 1)
    throw InputError("target_accept must be in (0, 1), got " + std::to_string(o.target_accept));
  if (density.dim() == 0) throw InputError("nothing to sample: the model has no free variables");
  const KernelSpec& spec = kernel(o.sampler);
  if (o.init && static_cast<std::int64_t>(o.init->size()) != density.dim())
    throw InputError("the initial point has " + std::to_string(o.init->size()) +
                     " values; the model has " + std::to_string(density.dim()));
  for (const auto* per_chain : {&o.chain_inits, &o.chain_inverse_metrics})
    for (const Eigen::VectorXd& v : *per_chain)
      if (v.size() != density.dim())
        throw InputError("a chain's initial point or metric has " + std::to_string(v.size()) +
                         " values; the model has " + std::to_string(density.dim()));
  // Every chain keeps its draws in memory (and the CSVs stream them): refuse up front what
  // cannot be held, rather than fail in a chain's thread.
  model::check_fits_in_memory(
      "keeping the draws (chains, draws, unconstrained values)",
      {o.chains, std::int64_t{o.draws} + (o.keep_warmup ? o.tune : 0), density.dim()},
      graph::DType::f64);

  Trace trace;
  trace.method = spec.name;
  trace.stat_names = spec.stat_names;
  trace.markov = true;
  trace.chains.resize(static_cast<std::size_t>(o.chains));
  run_parallel(o.chains, thread_count(o.chains, o.cores), [&](int c) {
    ChainTrace& r = trace.chains[static_cast<std::size_t>(c)];
    if (o.stop && o.stop->load()) {  // stopped before this chain's turn came
      r.chain = c;
      r.interrupted = true;
      r.started = false;
      return;
    }
    try {
      r = run_chain(density, o, c);
    } catch (const RuntimeError& e) {
      throw RuntimeError("chain " + std::to_string(c) + ": " + e.what());
    }
  });
  return trace;
}

}  // namespace stochos::infer
