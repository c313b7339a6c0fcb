#include "infer/hmc.hpp"

#include <boost/random/uniform_01.hpp>
#include <cmath>
#include <limits>

namespace stochos::infer {

Transition StaticHmc::transition(PhasePoint& z0, double step_size, Rng& rng) {
  PhasePoint z = z0;
  h_.sample_momentum(z, rng);
  const double H0 = h_.energy(z);
  const int steps = std::max(1, static_cast<int>(time_ / step_size));
  for (int i = 0; i < steps; ++i) h_.leapfrog(z, step_size);
  double H = h_.energy(z);
  if (std::isnan(H)) H = std::numeric_limits<double>::infinity();
  Transition t;
  t.n_leapfrog = steps;
  t.depth = 0;
  t.divergent = H - H0 > max_energy_error_;
  t.accept_stat = H0 - H > 0 ? 1.0 : std::exp(H0 - H);
  if (boost::random::uniform_01<double>()(rng) < t.accept_stat) z0 = z;
  t.logp = z0.logp;
  t.energy = h_.energy(z0);
  return t;
}

}  // namespace stochos::infer
