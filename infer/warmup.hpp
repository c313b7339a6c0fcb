// Stan's warm-up of a Hamiltonian kernel, shared by plain chains (infer/sample.cpp) and the NUTS
// block of a compound step (infer/compound.cpp): the step size by dual averaging, restarted at a
// fresh initial guess whenever a metric window ends and sets a new metric (diagonal, dense, or
// diagonal until the draws call for dense: Note [automatic metric], infer/metric_choice.hpp).
#pragma once

#include <optional>

#include "infer/adaptation.hpp"
#include "infer/nutpie_adaptation.hpp"
#include "infer/sample.hpp"

namespace stochos::infer {

class HamiltonianWarmup {
 public:
  HamiltonianWarmup(Hamiltonian& h, const SampleOptions& o);
  double step_size() const { return eps_; }
  // The first step size, found at z (Stan's heuristic). `own_metric`: the chain brought its first
  // metric (Pathfinder's), which nutpie's adaptation then starts from.
  void begin(const PhasePoint& z, Rng& rng, bool own_metric = false);
  // Learns from one warm-up transition that ended at z.
  void learn(const Transition& t, const PhasePoint& z, Rng& rng);
  // Warm-up is over: the step size becomes dual averaging's final one (when any warm-up ran).
  void end(int tune);

 private:
  // A new metric: a fresh step size for it, dual averaging restarted there.
  void restart_step_size(const PhasePoint& z, Rng& rng);

  Hamiltonian& h_;
  double eps_ = 1.0;
  StepSizeAdaptation step_;
  MetricAdaptation metric_;
  // --adapt nutpie or nutpie-lowrank (Note [nutpie adaptation]), and whether its metric has changed
  // yet (the step size is found afresh the first time only: it changes after every draw).
  std::optional<NutpieMetricAdaptation> nutpie_;
  bool first_change_ = true;
};

}  // namespace stochos::infer
