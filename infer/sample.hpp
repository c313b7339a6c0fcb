// Running NUTS chains: initial points, warm-up (step size and metric adaptation), sampling, in
// parallel threads that share one compiled log density. Each chain's random stream comes from
// (seed, chain) alone, so the same seed gives the same draws whatever the number of threads.
#pragma once

#include <Eigen/Dense>
#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "infer/nuts.hpp"
#include "model/log_density.hpp"

namespace stochos::infer {

struct SampleOptions {
  int chains = 4;
  int draws = 1000;
  int tune = 1000;
  std::uint64_t seed = 0;
  double target_accept = 0.8;
  int cores = 0;  // 0: min(chains, hardware threads)
  bool dense_metric = false;
  int max_depth = 10;
  // "nuts" (default) or "hmc": static HMC with integration time `hmc_time`, same adaptation.
  std::string algorithm = "nuts";
  double hmc_time = 6.283185307179586;  // Stan's default, 2 pi
  double init_radius = 2;  // uniform(-r, r) on the unconstrained space; 0: start at `init`
  std::optional<std::vector<double>> init =
      std::nullopt;  // a packed unconstrained point (PyMC's support point)
  bool keep_warmup = false;
  // Called from the chains' threads for every draw as it is made (warm-up ones when
  // keep_warmup): the chain, the transition and the packed position. The callee synchronises.
  std::function<void(int chain, bool warmup, const Transition&, const Eigen::VectorXd& q)> on_draw =
      nullptr;
  // Called once per chain when warm-up ends, with the adapted step size and inverse metric
  // (its diagonal).
  std::function<void(int chain, double step_size, const Eigen::VectorXd& inverse_metric)>
      on_adapted = nullptr;
  // Set (from a signal handler, say) to stop every chain after its current iteration; the
  // results then hold the draws made so far.
  const std::atomic<bool>* stop = nullptr;
  // Called from the chains' threads (the callee synchronises): chain, iteration done (warm-up
  // then sampling), divergences so far.
  std::function<void(int chain, int iteration, int divergences)> progress = nullptr;
};

struct ChainResult {
  int chain = 0;
  Eigen::MatrixXd draws;  // one row per draw, the packed unconstrained vector
  std::vector<Transition> stats;
  Eigen::MatrixXd warmup_draws;  // when keep_warmup
  std::vector<Transition> warmup_stats;
  double step_size = 0;
  Eigen::VectorXd inverse_metric;  // the diagonal (dense: the matrix's diagonal)
  Eigen::MatrixXd inverse_metric_dense;
  double warmup_seconds = 0, sampling_seconds = 0;
  long gradient_evaluations = 0;
  bool interrupted = false;   // stopped early: draws holds only the draws made
  bool started = true;        // false: stopped before it began (it has no initial point even)
  int warmup_iterations = 0;  // warm-up iterations done (o.tune unless interrupted in warm-up)
};

// Runs one chain (used by sample(); exposed for tests).
ChainResult run_chain(const model::LogDensity& density, const SampleOptions& o, int chain);

// Every chain, on `cores` threads. Throws RuntimeError when a chain cannot start (no finite
// log density at any initial point) naming the variables at fault.
std::vector<ChainResult> sample(const model::LogDensity& density, const SampleOptions& o);

}  // namespace stochos::infer
