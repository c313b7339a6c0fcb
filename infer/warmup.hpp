// Stan's warm-up of a Hamiltonian kernel, shared by plain chains (infer/sample.cpp) and the NUTS
// block of a compound step (infer/compound.cpp): the step size by dual averaging, restarted at a
// fresh initial guess whenever a metric window ends and sets a new metric.
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
  // The first step size, found at z (Stan's heuristic).
  void begin(const PhasePoint& z, Rng& rng);
  // Learns from one warm-up transition that ended at z.
  void learn(const Transition& t, const PhasePoint& z, Rng& rng);
  // Warm-up is over: the step size becomes dual averaging's final one (when any warm-up ran).
  void end(int tune);

 private:
  Hamiltonian& h_;
  bool dense_;
  double eps_ = 1.0;
  StepSizeAdaptation step_;
  MetricAdaptation metric_;
  // --adapt nutpie (Note [nutpie adaptation]): its metric, the warm-up draws seen, and whether
  // the metric has changed yet (the step size is found afresh the first time).
  std::optional<NutpieMetricAdaptation> nutpie_;
  long draw_ = 0;
  bool first_change_ = true, own_metric_ = false;
};

}  // namespace stochos::infer
