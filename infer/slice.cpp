// PyMC's Slice (pymc/step_methods/slicer.py; Neal 2003): one univariate slice-sampling update per
// coordinate of the packed unconstrained vector, in order — a level under log p by an exponential
// draw, an interval of width w placed at random around the point and stepped out until both ends
// are below the level, then shrunk towards the point until a uniform draw lands in the slice.
// Each w is tuned during warm-up as the running mean of the final intervals' widths. It needs no
// gradient (the log density computes one anyway).
#include <boost/random/exponential_distribution.hpp>
#include <boost/random/uniform_01.hpp>
#include <cmath>
#include <string>
#include <utility>

#include "infer/kernel.hpp"
#include "stochos/error.hpp"

namespace stochos::infer {

namespace {

constexpr int kIterLimit = 1000;  // PyMC's iter_limit: steps out or in per coordinate

class Slice final : public Kernel {
 public:
  explicit Slice(Hamiltonian& h)
      : h_(h), w_(Eigen::VectorXd::Ones(h.dim())), last_(Eigen::VectorXd::Zero(h.dim())) {}

  Transition transition(PhasePoint& z, double, Rng& rng) override {
    nstep_out_ = nstep_in_ = 0;
    PhasePoint& x = x_;  // reused: no allocation per transition
    x = z;
    const auto logp = [&](Eigen::Index i, double v) {
      x.q[i] = v;
      h_.evaluate(x);
      return std::isfinite(x.logp) ? x.logp : -std::numeric_limits<double>::infinity();
    };
    const auto uniform = [&] { return boost::random::uniform_01<double>()(rng); };
    boost::random::exponential_distribution<double> exponential;
    double current = z.logp;
    for (Eigen::Index i = 0; i < z.q.size(); ++i) {
      const double q0 = x.q[i];
      const double level = current - exponential(rng);
      double left = q0 - uniform() * w_[i], right = left + w_[i];
      for (int n = 0; logp(i, left) >= level; ++n, ++nstep_out_) {
        if (n >= kIterLimit) throw RuntimeError(limit_message(i));
        left -= w_[i];
      }
      for (int n = 0; logp(i, right) >= level; ++n, ++nstep_out_) {
        if (n >= kIterLimit) throw RuntimeError(limit_message(i));
        right += w_[i];
      }
      double q = left + uniform() * (right - left);
      for (int n = 0; (current = logp(i, q)) < level; ++n, ++nstep_in_) {
        if (n >= kIterLimit) throw RuntimeError(limit_message(i));
        (q > q0 ? right : left) = q;
        q = left + uniform() * (right - left);
      }
      last_[i] = right - left;
    }
    // x holds the last coordinate's accepted value, its log p and gradient.
    std::swap(z, x);
    Transition t;
    t.logp = z.logp;
    t.accept_stat = 1.0;  // a slice update is always accepted
    return t;
  }

  void stats(const Transition& t, double, double* out) const override {
    out[0] = t.logp;
    out[1] = static_cast<double>(nstep_out_);
    out[2] = static_cast<double>(nstep_in_);
  }

  bool hamiltonian() const override { return false; }

  // PyMC's tuning: each width becomes the running mean of the final intervals' widths. (PyMC
  // updates w[i] just after coordinate i moves; only coordinate i uses it, so updating all after
  // the transition is the same.)
  void tune(const Transition&) override {
    w_ = w_ * (tunes_ / (tunes_ + 1)) + last_ / (tunes_ + 1);
    tunes_ += 1;
  }

 private:
  std::string limit_message(Eigen::Index i) const {
    return "Slice: more than " + std::to_string(kIterLimit) + " steps for coordinate " +
           std::to_string(i) + " of the packed vector (a log density flat over a huge range?)";
  }

  Hamiltonian& h_;
  PhasePoint x_;
  Eigen::VectorXd w_, last_;  // the widths; the last transition's final intervals
  double tunes_ = 0;
  long nstep_out_ = 0, nstep_in_ = 0;
};

}  // namespace

std::unique_ptr<Kernel> make_slice(Hamiltonian& h, const SampleOptions&) {
  return std::make_unique<Slice>(h);
}

}  // namespace stochos::infer
