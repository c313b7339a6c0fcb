// What a chain does per iteration, apart from the bookkeeping every chain shares (warm-up then
// sampling, kept draws, interrupts, callbacks, timings: drive_chain in infer/sample.cpp). A plain
// kernel over the whole vector is one stepper, compound steps (infer/compound.cpp) another.
#pragma once

#include <Eigen/Dense>
#include <optional>
#include <utility>

#include "infer/sample.hpp"

namespace stochos::infer {

class ChainStepper {
 public:
  virtual ~ChainStepper() = default;
  // Finds the initial point (RuntimeError when there is none) and prepares the warm-up.
  virtual void start() = 0;
  virtual Eigen::Index stat_count() const = 0;
  // One iteration: writes stat_count() statistics, learns when `warmup`; true when divergent.
  virtual bool iterate(bool warmup, double* stats) = 0;
  virtual void end_warmup() = 0;
  // The packed position (the draw) after the last iteration.
  virtual const Eigen::VectorXd& position() const = 0;
  // The step size and inverse metric's diagonal a Hamiltonian warm-up adapted, if any.
  virtual std::optional<std::pair<double, Eigen::VectorXd>> adapted() const = 0;
  // The whole inverse metric when the adapted one is dense (--metric dense, or auto's choice).
  virtual std::optional<Eigen::MatrixXd> adapted_dense() const { return std::nullopt; }
  // Fills the trace's adaptation and gradient count.
  virtual void finish(ChainTrace& r) const = 0;
};

// Runs the stepper through o.tune warm-up and o.draws sampling iterations.
ChainTrace drive_chain(ChainStepper& s, const SampleOptions& o, int chain);

}  // namespace stochos::infer
