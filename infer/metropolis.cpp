// PyMC's Metropolis (pymc/step_methods/metropolis.py) on the packed unconstrained vector: a
// random-walk proposal q + scaling * N(0, I), accepted with probability min(1, p(q') / p(q)), the
// scaling tuned during warm-up every 100 iterations by the acceptance rate (PyMC's table: x0.1
// below 0.001, x0.5 below 0.05, x0.9 below 0.2, x10 above 0.95, x2 above 0.75, x1.1 above 0.5).
#include <boost/random/normal_distribution.hpp>
#include <boost/random/uniform_01.hpp>
#include <cmath>
#include <utility>

#include "infer/kernel.hpp"

namespace stochos::infer {

namespace {

constexpr int kTuneInterval = 100;  // PyMC's tune_interval

double tuned(double scaling, double acceptance) {
  if (acceptance < 0.001) return scaling * 0.1;
  if (acceptance < 0.05) return scaling * 0.5;
  if (acceptance < 0.2) return scaling * 0.9;
  if (acceptance > 0.95) return scaling * 10.0;
  if (acceptance > 0.75) return scaling * 2.0;
  if (acceptance > 0.5) return scaling * 1.1;
  return scaling;
}

}  // namespace

void MetropolisScaling::learn(double accepted) {
  window_ += accepted;
  if (++steps_ < kTuneInterval) return;
  scaling_ = tuned(scaling_, window_ / kTuneInterval);
  steps_ = 0;
  window_ = 0;
}

namespace {

class Metropolis final : public Kernel {
 public:
  explicit Metropolis(Hamiltonian& h) : h_(h) {}

  Transition transition(PhasePoint& z, double, Rng& rng) override {
    PhasePoint& proposal = proposal_;  // reused: no allocation per transition
    proposal = z;
    boost::random::normal_distribution<double> normal;
    for (Eigen::Index i = 0; i < proposal.q.size(); ++i)
      proposal.q[i] += scaling_.scaling() * normal(rng);
    h_.evaluate(proposal);
    const double log_ratio = std::isfinite(proposal.logp)
                                 ? proposal.logp - z.logp
                                 : -std::numeric_limits<double>::infinity();
    accepted_ = std::log(boost::random::uniform_01<double>()(rng)) < log_ratio;
    if (accepted_) std::swap(z, proposal);
    Transition t;
    t.logp = z.logp;
    t.accept_stat = log_ratio >= 0 ? 1.0 : std::exp(log_ratio);
    return t;
  }

  void stats(const Transition& t, double, double* out) const override {
    out[0] = t.logp;
    out[1] = t.accept_stat;
    out[2] = accepted_ ? 1.0 : 0.0;
    out[3] = scaling_.scaling();
  }

  bool hamiltonian() const override { return false; }

  void tune(const Transition&) override { scaling_.learn(accepted_ ? 1.0 : 0.0); }

 private:
  Hamiltonian& h_;
  PhasePoint proposal_;
  MetropolisScaling scaling_;
  bool accepted_ = false;
};

}  // namespace

std::unique_ptr<Kernel> make_metropolis(Hamiltonian& h, const SampleOptions&) {
  return std::make_unique<Metropolis>(h);
}

}  // namespace stochos::infer
