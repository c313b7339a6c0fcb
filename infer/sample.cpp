#include "infer/sample.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>

#include "infer/chain_stepper.hpp"
#include "infer/compound.hpp"
#include "infer/initial_point.hpp"
#include "infer/metric_choice.hpp"
#include "infer/parallel.hpp"
#include "infer/warmup.hpp"
#include "model/model.hpp"
#include "stochos/error.hpp"

namespace stochos::infer {

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// A kernel of the registry over the whole packed vector.
class PlainStepper final : public ChainStepper {
 public:
  PlainStepper(const model::LogDensity& density, const SampleOptions& o, int chain)
      : density_(density),
        o_(o),
        chain_(chain),
        ws_(density.make_workspace()),
        h_(density, *ws_),
        rng_(chain_rng(o.seed, chain)),
        spec_(kernel(o.sampler)),
        warmup_(h_, o) {}

  void start() override {
    const Eigen::Index n = h_.dim();
    const auto c = static_cast<std::size_t>(chain_);
    if (c < o_.chain_inverse_metrics.size())
      h_.set_inverse_metric_diag(o_.chain_inverse_metrics[c]);
    // Stan's start (infer/initial_point.hpp), or the chain's own point when one is given.
    z_.q = Eigen::VectorXd::Zero(n);
    z_.p = Eigen::VectorXd::Zero(n);
    z_.grad_logp = Eigen::VectorXd::Zero(n);
    const Objective logp = [&](const Eigen::VectorXd& x, Eigen::VectorXd& grad) {
      z_.q = x;
      h_.evaluate(z_);
      grad = z_.grad_logp;
      return z_.logp;
    };
    const bool own = c < o_.chain_inits.size();
    const Start start = own ? initial_point(logp, density_.layout(), 0,
                                            std::vector<double>(o_.chain_inits[c].data(),
                                                                o_.chain_inits[c].data() +
                                                                    o_.chain_inits[c].size()),
                                            rng_)
                            : initial_point(logp, density_.layout(), o_.init_radius, o_.init, rng_);
    z_.q = start.x;
    z_.grad_logp = start.grad;
    z_.logp = start.logp;
    k_ = spec_.make(h_, o_);
    if (k_->hamiltonian()) warmup_.begin(z_, rng_, c < o_.chain_inverse_metrics.size());
  }

  Eigen::Index stat_count() const override {
    return static_cast<Eigen::Index>(spec_.stat_names.size());
  }

  bool iterate(bool warmup, double* stats) override {
    const double eps = warmup_.step_size();
    const Transition t = k_->transition(z_, eps, rng_);
    k_->stats(t, eps, stats);
    if (warmup) {
      if (k_->hamiltonian())
        warmup_.learn(t, z_, rng_);
      else
        k_->tune(t);
    }
    return t.divergent;
  }

  void end_warmup() override {
    if (k_->hamiltonian()) warmup_.end(o_.tune);
  }
  const Eigen::VectorXd& position() const override { return z_.q; }

  std::optional<std::pair<double, Eigen::VectorXd>> adapted() const override {
    if (!k_->hamiltonian()) return std::nullopt;
    return std::make_pair(warmup_.step_size(), h_.inverse_metric_diagonal());
  }
  std::optional<Eigen::MatrixXd> adapted_dense() const override {
    if (!k_->hamiltonian() || !h_.dense()) return std::nullopt;
    return h_.inverse_metric_dense();
  }

  void finish(ChainTrace& r) const override {
    r.step_size = k_ && k_->hamiltonian() ? warmup_.step_size() : 0.0;
    if (h_.dense()) r.inverse_metric_dense = h_.inverse_metric_dense();
    if (h_.form() == Hamiltonian::Form::low_rank)
      r.inverse_metric_low_rank = h_.inverse_metric_low_rank();
    r.inverse_metric = h_.inverse_metric_diagonal();
    r.gradient_evaluations = h_.gradient_evaluations();
  }

 private:
  const model::LogDensity& density_;
  const SampleOptions& o_;
  int chain_;
  std::unique_ptr<model::DensityWorkspace> ws_;
  Hamiltonian h_;
  Rng rng_;
  const KernelSpec& spec_;
  HamiltonianWarmup warmup_;
  std::unique_ptr<Kernel> k_;
  PhasePoint z_;
};

}  // namespace

ChainTrace drive_chain(ChainStepper& s, const SampleOptions& o, int chain) {
  ChainTrace r;
  r.chain = chain;
  const auto t_warm = std::chrono::steady_clock::now();
  s.start();
  const Eigen::Index n = s.position().size(), nstats = s.stat_count();
  std::vector<double> stats(static_cast<std::size_t>(nstats));

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
    divergences += s.iterate(true, stats.data());
    const Eigen::VectorXd& q = s.position();
    if (o.keep_warmup && o.on_draw) o.on_draw(chain, true, stats.data(), q);
    if (o.keep_warmup) {
      r.warmup_draws.row(it) = q.transpose();
      r.warmup_stats.row(it) = Eigen::Map<const Eigen::RowVectorXd>(stats.data(), nstats);
    }
    r.warmup_iterations = it + 1;
    if (o.progress) o.progress(chain, it + 1, divergences);
  }
  if (r.interrupted && o.keep_warmup) {
    r.warmup_draws.conservativeResize(r.warmup_iterations, n);
    r.warmup_stats.conservativeResize(r.warmup_iterations, nstats);
  }
  s.end_warmup();
  r.warmup_seconds = seconds_since(t_warm);
  if (!r.interrupted)
    if (const auto a = s.adapted()) {
      const auto dense = o.on_adapted_dense ? s.adapted_dense() : std::nullopt;
      if (dense)
        o.on_adapted_dense(chain, a->first, *dense);
      else if (o.on_adapted)
        o.on_adapted(chain, a->first, a->second);
    }

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
    divergences += s.iterate(false, stats.data());
    const Eigen::VectorXd& q = s.position();
    r.draws.row(done) = q.transpose();
    r.stats.row(done) = Eigen::Map<const Eigen::RowVectorXd>(stats.data(), nstats);
    if (o.on_draw) o.on_draw(chain, false, stats.data(), q);
    if (o.progress) o.progress(chain, o.tune + done + 1, divergences);
  }
  if (done < o.draws) {
    r.draws.conservativeResize(done, n);
    r.stats.conservativeResize(done, nstats);
  }
  r.sampling_seconds = seconds_since(t_sample);
  s.finish(r);
  return r;
}

ChainTrace run_chain(const model::LogDensity& density, const SampleOptions& o, int chain) {
  if (o.compound) return run_compound_chain(density, o, chain);
  PlainStepper s(density, o, chain);
  return drive_chain(s, o, chain);
}

void check_sample_options(const model::LogDensity& density, const SampleOptions& o) {
  if (o.chains < 1) throw InputError("chains must be at least 1, got " + std::to_string(o.chains));
  if (o.draws < 0 || o.tune < 0) throw InputError("draws and tune must be 0 or more");
  if (o.target_accept <= 0 || o.target_accept >= 1)
    throw InputError("target_accept must be in (0, 1), got " + std::to_string(o.target_accept));
  if (density.dim() == 0) throw InputError("nothing to sample: the model has no free variables");
  kernel(o.sampler);
  if (o.adapt != "stan" && o.adapt != "nutpie" && o.adapt != "nutpie-lowrank")
    throw InputError("the metric's warm-up is stan, nutpie or nutpie-lowrank, not '" + o.adapt +
                     "'");
  const MetricKind metric = parse_metric_kind(o.metric);
  if (o.dense_metric && metric == MetricKind::diag)
    throw InputError("--dense-metric asks for a dense metric; --metric diag for the diagonal");
  if (o.adapt != "stan" && (o.dense_metric || metric == MetricKind::dense))
    throw InputError(
        "nutpie's adaptation is diagonal or low-rank; a dense metric (--metric dense) "
        "adapts with Stan's windows");
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
  if (density.layout().has_discrete() && !o.compound)
    throw InputError(
        "the model has discrete variables: they need compound steps (plan_compound in "
        "infer/compound.hpp)");
}

ChainTrace sample_chain(const model::LogDensity& density, const SampleOptions& o, int chain) {
  if (o.stop && o.stop->load()) {  // stopped before this chain's turn came
    ChainTrace r;
    r.chain = chain;
    r.interrupted = true;
    r.started = false;
    return r;
  }
  try {
    return run_chain(density, o, chain);  // compound steps too
  } catch (const RuntimeError& e) {
    throw RuntimeError("chain " + std::to_string(chain) + ": " + e.what());
  }
}

Trace empty_trace(const SampleOptions& o) {
  const KernelSpec& spec = kernel(o.sampler);
  Trace trace;
  trace.method = o.compound ? "compound" : spec.name;
  trace.stat_names = o.compound ? o.compound->stat_names : spec.stat_names;
  trace.markov = true;
  trace.chains.resize(static_cast<std::size_t>(o.chains));
  return trace;
}

Trace sample(const model::LogDensity& density, const SampleOptions& o) {
  check_sample_options(density, o);
  Trace trace = empty_trace(o);
  run_parallel(o.chains, thread_count(o.chains, o.cores), [&](int c) {
    trace.chains[static_cast<std::size_t>(c)] = sample_chain(density, o, c);
  });
  return trace;
}

}  // namespace stochos::infer
