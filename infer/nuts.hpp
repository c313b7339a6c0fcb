// The No-U-Turn sampler as Stan implements it (base_nuts.hpp): multinomial sampling of the
// trajectory (biased progressive sampling between subtrees, uniform within), the generalised
// U-turn criterion over the velocity ("p sharp"), with the extra checks across merged subtrees,
// a maximum tree depth, and a divergence when the energy error exceeds a bound.
#pragma once

#include "infer/hamiltonian.hpp"

namespace stochos::infer {

struct NutsOptions {
  int max_depth = 10;
  double max_energy_error = 1000;
};

// What one transition reports (Stan's sampler statistics).
struct Transition {
  double logp = 0;         // lp__
  double accept_stat = 0;  // accept_stat__: mean Metropolis acceptance over the trajectory
  double energy = 0;       // energy__: the Hamiltonian at the new point
  int depth = 0;           // treedepth__
  int n_leapfrog = 0;      // n_leapfrog__
  bool divergent = false;  // divergent__
};

class Nuts {
 public:
  Nuts(Hamiltonian& h, NutsOptions o = {}) : h_(h), o_(o) {}

  // One transition from z (position, log p and gradient set); z becomes the new draw.
  Transition transition(PhasePoint& z, double step_size, Rng& rng);

 private:
  struct Tree;
  bool build_tree(int depth, PhasePoint& z, PhasePoint& propose, Eigen::VectorXd& p_sharp_beg,
                  Eigen::VectorXd& p_sharp_end, Eigen::VectorXd& rho, Eigen::VectorXd& p_beg,
                  Eigen::VectorXd& p_end, double H0, double eps, int& n_leapfrog,
                  double& log_sum_weight, double& sum_metro_prob, Rng& rng);

  Hamiltonian& h_;
  NutsOptions o_;
  bool divergent_ = false;
};

// Stan's heuristic for a first step size: from eps, double or halve until one leapfrog step's
// acceptance crosses 0.8. z is left unchanged.
double initial_step_size(Hamiltonian& h, const PhasePoint& z, double eps, Rng& rng);

}  // namespace stochos::infer
