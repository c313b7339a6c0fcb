// Warm-up adaptation as Stan does it: dual averaging of the step size (Nesterov; Hoffman &
// Gelman 2014) and the windowed estimate of the metric (75-step initial buffer, windows that
// start at 25 steps and double, 50-step final buffer).
#pragma once

#include <Eigen/Dense>

#include "infer/metric_choice.hpp"

namespace stochos::infer {

class StepSizeAdaptation {
 public:
  struct Options {
    double delta = 0.8, gamma = 0.05, kappa = 0.75, t0 = 10;
  };
  explicit StepSizeAdaptation(Options o) : o_(o) {}
  void set_mu(double mu) { mu_ = mu; }
  void restart() { counter_ = 0, s_bar_ = 0, x_bar_ = 0; }
  // The next step size after an iteration whose acceptance statistic was `accept_stat`.
  double learn(double accept_stat);
  // The step size for sampling: the average iterate.
  double final_step_size() const;

 private:
  Options o_;
  double mu_ = 0, counter_ = 0, s_bar_ = 0, x_bar_ = 0;
};

// Welford's running mean and (co)variance.
class VarianceEstimator {
 public:
  explicit VarianceEstimator(Eigen::Index n, bool dense);
  void add(const Eigen::VectorXd& q);
  // Adds another estimator's draws (Chan et al.'s pairwise update of the mean and moments).
  void merge(const VarianceEstimator& other);
  void restart();
  long count() const { return n_; }
  Eigen::VectorXd variance() const;    // the diagonal
  Eigen::MatrixXd covariance() const;  // dense

 private:
  bool dense_;
  long n_ = 0;
  Eigen::VectorXd mean_, m2_;
  Eigen::MatrixXd m2_dense_;
};

// The window schedule, and the metric it produces at the end of each window, regularised
// towards 1e-3 I as Stan does: (n / (n + 5)) S + 1e-3 (5 / (n + 5)) I. MetricKind::automatic
// starts diagonal and turns dense for good after a strongly correlated window (Note [automatic
// metric], infer/metric_choice.hpp).
class MetricAdaptation {
 public:
  MetricAdaptation(Eigen::Index dim, long num_warmup, MetricKind metric, long init_buffer = 75,
                   long term_buffer = 50, long base_window = 25);
  // Feeds one warm-up draw; true when a window just ended and `metric()` has a new estimate.
  bool learn(const Eigen::VectorXd& q);
  // Whether the latest estimate is metric_dense() (else metric_diag()).
  bool dense() const { return dense_; }
  const Eigen::VectorXd& metric_diag() const { return diag_; }
  const Eigen::MatrixXd& metric_dense() const { return dense_metric_; }

 private:
  bool in_window() const;
  bool end_of_window() const;
  void next_window();

  long num_warmup_, init_buffer_, term_buffer_, base_window_;
  long counter_ = 0, window_size_ = 0, next_window_end_ = 0;
  bool dense_, automatic_;  // automatic_: still diagonal, watching for correlations
  VarianceEstimator estimator_;
  // Every window's draws so far, while automatic_ (Note [automatic metric]): each window's
  // estimate merged in at its end, so no draw is accumulated twice.
  VarianceEstimator pooled_;
  Eigen::VectorXd diag_;
  Eigen::MatrixXd dense_metric_;
};

}  // namespace stochos::infer
