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
#pragma once

#include <Eigen/Core>

#include "infer/adaptation.hpp"

namespace stochos::infer {

class NutpieMetricAdaptation {
 public:
  NutpieMetricAdaptation(Eigen::Index dim, long num_warmup);
  // The first inverse metric, from the gradient at the start.
  static Eigen::VectorXd initial(const Eigen::VectorXd& grad);
  // Feeds the next warm-up draw and its gradient; true when the metric changed.
  bool learn(const Eigen::VectorXd& q, const Eigen::VectorXd& grad, bool divergent);
  const Eigen::VectorXd& metric_diag() const { return diag_; }
  // Warm-up draws from which only the step size adapts.
  long final_window_start() const { return final_start_; }

 private:
  long early_end_, final_start_, draw_ = 0;
  VarianceEstimator draws_, grads_, draws_bg_, grads_bg_;
  Eigen::VectorXd diag_;
};

}  // namespace stochos::infer
