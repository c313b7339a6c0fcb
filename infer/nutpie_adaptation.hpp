// nutpie's diagonal mass-matrix adaptation (Seyboldt; pymc-devs/nuts-rs), `--adapt nutpie`.
//
// Note [nutpie adaptation]
// The inverse metric's diagonal is sqrt(Var(draws) / Var(gradients)) per coordinate: for a
// normal posterior both variances carry the scale (sigma^2 and 1/sigma^2), so the ratio finds it
// from far fewer draws than the draws' variance alone, and it starts at once: the first metric is
// 1 / |gradient| at the initial point. Two estimators run side by side, a foreground one that
// sets the metric after every warm-up draw and a background one that restarts at each switch:
// every 10 draws in the early window (the first 30% of warm-up), every 80 after, and no switch
// that would leave fewer draws than that before the final window (the last 15%), where the
// metric is frozen and only the step size adapts. Divergent draws are left out. The step size
// is found afresh when the metric first changes and adapted by dual averaging throughout.
// `--adapt nutpie-lowrank` keeps the same windows' draws and gradients themselves and estimates
// a diagonal-plus-low-rank metric from them (Note [nutpie low-rank adaptation]) at each switch
// and every 20 draws between, as nuts-rs does: an eigen-decomposition per draw would cost more
// than the draw.
#pragma once

#include <Eigen/Core>
#include <deque>

#include "infer/adaptation.hpp"
#include "infer/low_rank_metric.hpp"

namespace stochos::infer {

class NutpieMetricAdaptation {
 public:
  NutpieMetricAdaptation(Eigen::Index dim, long num_warmup, bool low_rank = false);
  // The first inverse metric, from the gradient at the start.
  static Eigen::VectorXd initial(const Eigen::VectorXd& grad);
  // Feeds the next warm-up draw and its gradient; true when the metric changed.
  bool learn(const Eigen::VectorXd& q, const Eigen::VectorXd& grad, bool divergent);
  // The diagonal adaptation's metric.
  const Eigen::VectorXd& metric_diag() const { return diag_; }
  // The low-rank adaptation's metric.
  const LowRankMetric& metric_low_rank() const { return low_rank_metric_; }
  bool low_rank() const { return low_rank_; }
  // Warm-up draws from which only the step size adapts.
  long final_window_start() const { return final_start_; }

 private:
  bool learn_low_rank(const Eigen::VectorXd& q, const Eigen::VectorXd& grad, bool good, long every,
                      long draw);

  long early_end_, final_start_, draw_ = 0;
  bool low_rank_;
  VarianceEstimator draws_, grads_, draws_bg_, grads_bg_;
  Eigen::VectorXd diag_;
  // The low-rank adaptation's window: the foreground's draws then the background's (those from
  // background_ on), with their gradients.
  std::deque<Eigen::VectorXd> window_q_, window_g_;
  std::size_t background_ = 0;
  long last_update_ = 0;
  LowRankMetric low_rank_metric_;
};

}  // namespace stochos::infer
