#include "infer/warmup.hpp"

#include <cmath>

namespace stochos::infer {

HamiltonianWarmup::HamiltonianWarmup(Hamiltonian& h, const SampleOptions& o)
    : h_(h),
      step_({.delta = o.target_accept, .gamma = 0.05, .kappa = 0.75, .t0 = 10}),
      metric_(h.dim(), o.tune, o.dense_metric ? MetricKind::dense : parse_metric_kind(o.metric),
              o.init_buffer, o.term_buffer, o.base_window) {
  step_.set_mu(std::log(10 * eps_));
  step_.restart();
  if ((o.adapt == "nutpie" || o.adapt == "nutpie-lowrank") && !o.dense_metric &&
      o.metric != "dense")
    nutpie_.emplace(h.dim(), o.tune, o.adapt == "nutpie-lowrank");
}

void HamiltonianWarmup::begin(const PhasePoint& z, Rng& rng, bool own_metric) {
  if (nutpie_ && !own_metric)
    h_.set_inverse_metric_diag(NutpieMetricAdaptation::initial(z.grad_logp));
  eps_ = initial_step_size(h_, z, eps_, rng);
}

void HamiltonianWarmup::restart_step_size(const PhasePoint& z, Rng& rng) {
  eps_ = initial_step_size(h_, z, eps_, rng);
  step_.set_mu(std::log(10 * eps_));
  step_.restart();
}

void HamiltonianWarmup::learn(const Transition& t, const PhasePoint& z, Rng& rng) {
  if (nutpie_) {
    const bool changed = nutpie_->learn(z.q, z.grad_logp, t.divergent);
    if (changed && nutpie_->low_rank())
      h_.set_inverse_metric_low_rank(nutpie_->metric_low_rank());
    else if (changed)
      h_.set_inverse_metric_diag(nutpie_->metric_diag());
    if (changed && first_change_) {
      first_change_ = false;
      restart_step_size(z, rng);
    } else {
      eps_ = step_.learn(t.accept_stat);
    }
    return;
  }
  eps_ = step_.learn(t.accept_stat);
  if (!metric_.learn(z.q)) return;
  if (metric_.dense())
    h_.set_inverse_metric_dense(metric_.metric_dense());
  else
    h_.set_inverse_metric_diag(metric_.metric_diag());
  restart_step_size(z, rng);
}

void HamiltonianWarmup::end(int tune) {
  if (tune > 0) eps_ = step_.final_step_size();
}

}  // namespace stochos::infer
