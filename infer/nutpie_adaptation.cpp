#include "infer/nutpie_adaptation.hpp"

#include <cmath>

namespace stochos::infer {

namespace {
constexpr double kLower = 1e-20, kUpper = 1e20;  // nuts-rs's limits on the diagonal
constexpr long kEarlySwitch = 10, kLateSwitch = 80;
}  // namespace

NutpieMetricAdaptation::NutpieMetricAdaptation(Eigen::Index dim, long num_warmup)
    : early_end_(static_cast<long>(0.3 * static_cast<double>(num_warmup))),
      final_start_(num_warmup - static_cast<long>(0.15 * static_cast<double>(num_warmup))),
      draws_(dim, false),
      grads_(dim, false),
      draws_bg_(dim, false),
      grads_bg_(dim, false),
      diag_(Eigen::VectorXd::Ones(dim)) {}

Eigen::VectorXd NutpieMetricAdaptation::initial(const Eigen::VectorXd& grad) {
  return grad.cwiseAbs().cwiseInverse().cwiseMax(kLower).cwiseMin(kUpper);
}

bool NutpieMetricAdaptation::learn(const Eigen::VectorXd& q, const Eigen::VectorXd& grad,
                                   bool divergent) {
  const long draw = draw_++;
  if (draw >= final_start_) return false;
  if (!divergent && q.allFinite() && grad.allFinite()) {
    draws_.add(q);
    grads_.add(grad);
    draws_bg_.add(q);
    grads_bg_.add(grad);
  }
  const long every = draw < early_end_ ? kEarlySwitch : kLateSwitch;
  if (draws_bg_.count() >= every && every + draw <= final_start_) {
    std::swap(draws_, draws_bg_);
    std::swap(grads_, grads_bg_);
    draws_bg_.restart();
    grads_bg_.restart();
  }
  if (draws_.count() < 3) return false;
  const Eigen::VectorXd v = draws_.variance(), g = grads_.variance();
  for (Eigen::Index i = 0; i < diag_.size(); ++i) {
    const double d = std::sqrt(v[i] / g[i]);
    diag_[i] = std::isfinite(d) ? std::min(std::max(d, kLower), kUpper) : diag_[i];
  }
  return true;
}

}  // namespace stochos::infer
