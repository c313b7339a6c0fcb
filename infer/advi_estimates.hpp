// The Monte Carlo estimates ADVI makes from draws of its approximation q (Note [the Gaussian
// families]): the ELBO, the ELBO's gradient, and the output draws, each spread over threads.
// Draw k of an estimate (its "slot") takes its standard normals from a random stream of its own
// for the whole run, and the slots' results are summed in slot order, so an estimate does not
// depend on how many threads share the slots. The gradient's few draws (grad_samples, 1 by
// default) are spread over threads only once one estimate is seen to take longer than
// `spread_gradient_s` on one thread: starting threads at every iteration would cost a cheap
// model more than it saves (fifty times its run time, measured on a two-core machine). Which
// way they run never changes the result.
#pragma once

#include <Eigen/Dense>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "infer/advi_family.hpp"
#include "infer/rng.hpp"
#include "model/log_density.hpp"

namespace stochos::infer {

class AdviEstimates {
 public:
  // Streams 2 .. 1 + grad_samples are the gradient's slots, the next elbo_samples the ELBO's
  // (streams 0 and 1 are the caller's). `cores` as thread_count takes it.
  AdviEstimates(const model::LogDensity& density, int grad_samples, int elbo_samples,
                std::uint64_t seed, int cores, double spread_gradient_s = 2e-4);
  ~AdviEstimates();

  // Stan's calc_ELBO: the mean log density of elbo_samples draws of q plus q's entropy. A draw
  // whose log density is not finite is dropped and drawn again; nullopt once elbo_samples draws
  // have been dropped, or when q's parameters are not finite.
  std::optional<double> elbo(const GaussianApproximation& q);

  // Stan's calc_grad: the mean over grad_samples draws of the gradient of log p(mu + S eta) with
  // respect to q's parameters, plus the entropy's gradient. A draw whose log density or gradient
  // is not finite is dropped and drawn again; false once 10 grad_samples draws have been dropped.
  bool gradient(const GaussianApproximation& q, Eigen::VectorXd& grad);

  // n draws of q, one row each, from `rng` (drawn in order on this thread), with the model's log
  // density at each (computed on the threads) and Stan's log_g, -|eta|^2 / 2: q's log density
  // less the constant -n/2 log(2 pi) - log|det S|, which is the same for every draw.
  void draw(const GaussianApproximation& q, int n, Rng& rng, Eigen::MatrixXd& draws,
            Eigen::VectorXd& log_p, Eigen::VectorXd& log_g);

  // Every evaluation of the log density (and its gradient) so far.
  long evaluations() const { return evaluations_; }

 private:
  struct Worker;
  // Runs slot(k, worker) for k = 0 .. slots - 1, the slots split into contiguous batches, one per
  // thread (at most `threads`), each batch with its own worker.
  template <class Slot>
  void for_slots(int slots, int threads, const Slot& slot);

  const model::LogDensity& density_;
  int grad_samples_, elbo_samples_;
  std::vector<Rng> grad_rng_, elbo_rng_;
  std::vector<std::unique_ptr<Worker>> workers_;
  Eigen::MatrixXd eta_, grad_logp_;  // per gradient slot (columns)
  std::vector<double> logp_;         // per ELBO slot
  std::vector<int> drops_;           // per slot
  long evaluations_ = 0;
  double spread_gradient_s_;
  bool gradient_timed_ = false, spread_gradient_ = false;
};

}  // namespace stochos::infer
