// Static HMC as Stan's `static` engine does it: a fixed integration time T, L = max(1, T / eps)
// leapfrog steps (L adapts with the step size), then one Metropolis accept/reject.
#pragma once

#include "infer/nuts.hpp"

namespace stochos::infer {

class StaticHmc {
 public:
  StaticHmc(Hamiltonian& h, double integration_time, double max_energy_error = 1000)
      : h_(h), time_(integration_time), max_energy_error_(max_energy_error) {}
  Transition transition(PhasePoint& z, double step_size, Rng& rng);

 private:
  Hamiltonian& h_;
  double time_, max_energy_error_;
};

}  // namespace stochos::infer
