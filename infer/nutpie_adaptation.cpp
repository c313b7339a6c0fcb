#include "infer/nutpie_adaptation.hpp"

#include <cmath>

#include "infer/nutpie_low_rank.hpp"

namespace stochos::infer {

namespace {
constexpr double kLower = 1e-20, kUpper = 1e20;  // nuts-rs's limits on the diagonal
constexpr long kEarlySwitch = 10, kLateSwitch = 80;
constexpr long kLowRankUpdate = 20;  // nuts-rs's low-rank mass_matrix_update_freq
}  // namespace

NutpieMetricAdaptation::NutpieMetricAdaptation(Eigen::Index dim, long num_warmup, bool low_rank)
    : early_end_(static_cast<long>(0.3 * static_cast<double>(num_warmup))),
      final_start_(num_warmup - static_cast<long>(0.15 * static_cast<double>(num_warmup))),
      low_rank_(low_rank),
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
  const bool good = !divergent && q.allFinite() && grad.allFinite();
  const long every = draw < early_end_ ? kEarlySwitch : kLateSwitch;
  if (low_rank_) return learn_low_rank(q, grad, good, every, draw);
  if (good) {
    draws_.add(q);
    grads_.add(grad);
    draws_bg_.add(q);
    grads_bg_.add(grad);
  }
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

bool NutpieMetricAdaptation::learn_low_rank(const Eigen::VectorXd& q, const Eigen::VectorXd& grad,
                                            bool good, long every, long draw) {
  if (good) {
    window_q_.push_back(q);
    window_g_.push_back(grad);
  }
  bool update = draw - last_update_ >= kLowRankUpdate;
  if (static_cast<long>(window_q_.size() - background_) >= every && every + draw <= final_start_) {
    // The switch: the foreground's draws go, the background becomes the foreground.
    for (std::size_t i = 0; i < background_; ++i) {
      window_q_.pop_front();
      window_g_.pop_front();
    }
    background_ = window_q_.size();
    update = true;
  }
  if (!update || window_q_.size() < 3) return false;
  const auto n = static_cast<Eigen::Index>(window_q_.size());
  Eigen::MatrixXd draws(q.size(), n), grads(q.size(), n);
  for (Eigen::Index j = 0; j < n; ++j) {
    draws.col(j) = window_q_[static_cast<std::size_t>(j)];
    grads.col(j) = window_g_[static_cast<std::size_t>(j)];
  }
  auto m = estimate_low_rank_metric(draws, grads);
  if (!m) return false;
  last_update_ = draw;
  low_rank_metric_ = std::move(*m);
  return true;
}

}  // namespace stochos::infer
