// Running MCMC chains with one of the kernels (infer/kernel.hpp): initial points, the shared
// warm-up (step size and metric adaptation), sampling, in parallel threads that share one
// compiled log density. Each chain's random stream comes from (seed, chain) alone, so the same
// seed gives the same draws whatever the number of threads. The result is a Trace.
#pragma once

#include <Eigen/Dense>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "infer/kernel.hpp"
#include "infer/trace.hpp"
#include "model/log_density.hpp"

namespace stochos::infer {

struct Compound;

struct SampleOptions {
  int chains = 4;
  int draws = 1000;
  int tune = 1000;
  std::uint64_t seed = 0;
  double target_accept = 0.8;
  int cores = 0;              // 0: min(chains, hardware threads)
  bool dense_metric = false;  // the same as metric = "dense" (--dense-metric)
  // The metric Stan's windows adapt: "diag", "dense" or "auto", the diagonal until a window's
  // draws are strongly correlated, then dense (Note [automatic metric], infer/metric_choice.hpp).
  // nutpie's adaptation (`adapt`) ignores "auto" and refuses "dense".
  std::string metric = "auto";
  // The metric's warm-up: "stan" (windowed variance of the draws), "nutpie" (Note [nutpie
  // adaptation]: draws' and gradients' variances, from the first draw) or "nutpie-lowrank" (Note
  // [nutpie low-rank adaptation]: the same with a low-rank correction where the draws show
  // correlations).
  std::string adapt = "stan";
  int max_depth = 10;
  // A kernel of infer/kernels.cpp: "nuts" (default) or "hmc", static HMC with integration time
  // `hmc_time`; the same warm-up for both.
  std::string sampler = "nuts";
  // Compound steps (infer/compound.hpp: discrete variables, --step overrides); null: `sampler`
  // runs the whole vector.
  std::shared_ptr<const Compound> compound = nullptr;
  double hmc_time = 6.283185307179586;  // Stan's default, 2 pi
  // Stan's metric windows: the initial fast buffer, the first slow window (doubling after), the
  // final fast buffer (CmdStan's adapt init_buffer, window, term_buffer).
  int init_buffer = 75, base_window = 25, term_buffer = 50;
  double init_radius = 2;  // uniform(-r, r) on the unconstrained space; 0: start at `init`
  std::optional<std::vector<double>> init =
      std::nullopt;  // a packed unconstrained point (PyMC's support point)
  // Per chain, when given (one entry per chain): where it starts (init_radius is then ignored)
  // and its first inverse metric, the diagonal (from Pathfinder's approximation, say).
  std::vector<Eigen::VectorXd> chain_inits = {}, chain_inverse_metrics = {};
  bool keep_warmup = false;
  // Called from the chains' threads for every draw as it is made (warm-up ones when
  // keep_warmup): the chain, the kernel's statistics (its stat_names) and the packed position.
  // The callee synchronises.
  std::function<void(int chain, bool warmup, const double* stats, const Eigen::VectorXd& q)>
      on_draw = nullptr;
  // Called once per chain when warm-up ends, with the adapted step size and inverse metric
  // (its diagonal).
  std::function<void(int chain, double step_size, const Eigen::VectorXd& inverse_metric)>
      on_adapted = nullptr;
  // Called instead of on_adapted when the adapted metric is dense, with the whole inverse metric;
  // null: on_adapted gets its diagonal.
  std::function<void(int chain, double step_size, const Eigen::MatrixXd& inverse_metric)>
      on_adapted_dense = nullptr;
  // Set (from a signal handler, say) to stop every chain after its current iteration; the
  // results then hold the draws made so far.
  const std::atomic<bool>* stop = nullptr;
  // Called from the chains' threads (the callee synchronises): chain, iteration done (warm-up
  // then sampling), divergences so far.
  std::function<void(int chain, int iteration, int divergences)> progress = nullptr;
};

// Runs one chain (used by sample(); exposed for tests).
ChainTrace run_chain(const model::LogDensity& density, const SampleOptions& o, int chain);

// What sample() checks before any chain runs: InputError for bad options.
void check_sample_options(const model::LogDensity& density, const SampleOptions& o);
// One chain as sample() runs it: not started when `o.stop` is already set, a RuntimeError
// prefixed "chain C: ". Chains spread over processes (mpi/chains.hpp) run through it.
ChainTrace sample_chain(const model::LogDensity& density, const SampleOptions& o, int chain);
// The trace sample() fills: the method, its statistics, o.chains empty chains.
Trace empty_trace(const SampleOptions& o);

// Every chain, on `cores` threads: Trace::method is the kernel's name, stat_names its statistics.
// Throws RuntimeError when a chain cannot start (no finite log density at any initial point)
// naming the variables at fault.
Trace sample(const model::LogDensity& density, const SampleOptions& o);

}  // namespace stochos::infer
