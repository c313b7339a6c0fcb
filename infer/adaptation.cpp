#include "infer/adaptation.hpp"

#include <algorithm>
#include <cmath>

#include "infer/draws_correlation.hpp"

namespace stochos::infer {

double StepSizeAdaptation::learn(double accept_stat) {
  counter_ += 1;
  accept_stat = std::min(accept_stat, 1.0);
  const double eta = 1.0 / (counter_ + o_.t0);
  s_bar_ = (1.0 - eta) * s_bar_ + eta * (o_.delta - accept_stat);
  const double x = mu_ - s_bar_ * std::sqrt(counter_) / o_.gamma;
  const double x_eta = std::pow(counter_, -o_.kappa);
  x_bar_ = (1.0 - x_eta) * x_bar_ + x_eta * x;
  return std::exp(x);
}

double StepSizeAdaptation::final_step_size() const {
  return std::exp(x_bar_);
}

VarianceEstimator::VarianceEstimator(Eigen::Index n, bool dense) : dense_(dense) {
  mean_ = Eigen::VectorXd::Zero(n);
  m2_ = Eigen::VectorXd::Zero(n);
  if (dense_) m2_dense_ = Eigen::MatrixXd::Zero(n, n);
}

void VarianceEstimator::restart() {
  n_ = 0;
  mean_.setZero();
  m2_.setZero();
  if (dense_) m2_dense_.setZero();
}

void VarianceEstimator::add(const Eigen::VectorXd& q) {
  ++n_;
  const Eigen::VectorXd delta = q - mean_;
  mean_ += delta / static_cast<double>(n_);
  m2_ += delta.cwiseProduct(q - mean_);
  if (dense_) m2_dense_ += (q - mean_) * delta.transpose();
}

void VarianceEstimator::merge(const VarianceEstimator& other) {
  // Both dense, or this one diagonal; with n_ = 0 this copies `other`.
  if (other.n_ == 0) return;
  const double na = static_cast<double>(n_), nb = static_cast<double>(other.n_), n = na + nb;
  const Eigen::VectorXd delta = other.mean_ - mean_;
  mean_ += delta * (nb / n);
  m2_ += other.m2_ + delta.cwiseProduct(delta) * (na * nb / n);
  if (dense_) m2_dense_ += other.m2_dense_ + delta * delta.transpose() * (na * nb / n);
  n_ += other.n_;
}

Eigen::VectorXd VarianceEstimator::variance() const {
  return n_ > 1 ? Eigen::VectorXd(m2_ / static_cast<double>(n_ - 1)) : Eigen::VectorXd(m2_);
}

Eigen::MatrixXd VarianceEstimator::covariance() const {
  return n_ > 1 ? Eigen::MatrixXd(m2_dense_ / static_cast<double>(n_ - 1)) : m2_dense_;
}

MetricAdaptation::MetricAdaptation(Eigen::Index dim, long num_warmup, MetricKind metric,
                                   long init_buffer, long term_buffer, long base_window)
    : num_warmup_(num_warmup),
      init_buffer_(init_buffer),
      term_buffer_(term_buffer),
      base_window_(base_window),
      dense_(metric == MetricKind::dense),
      // Too wide a model is not watched: its covariance would cost d^2 per draw.
      automatic_(metric == MetricKind::automatic && dim <= kMaxCorrelationDim),
      estimator_(dim, dense_ || automatic_),
      pooled_(automatic_ ? dim : 0, automatic_),
      diag_(Eigen::VectorXd::Ones(dim)),
      dense_metric_(Eigen::MatrixXd::Identity(dim, dim)) {
  // Short warm-ups get proportional buffers (15% / 75% / 10%), as in Stan.
  if (num_warmup < 20) {
    init_buffer_ = num_warmup;
    term_buffer_ = 0;
    base_window_ = 0;
  } else if (init_buffer_ + term_buffer_ + base_window_ > num_warmup) {
    init_buffer_ = static_cast<long>(0.15 * static_cast<double>(num_warmup));
    term_buffer_ = static_cast<long>(0.1 * static_cast<double>(num_warmup));
    base_window_ = num_warmup - (init_buffer_ + term_buffer_);
  }
  window_size_ = base_window_;
  next_window_end_ = init_buffer_ + window_size_ - 1;
}

bool MetricAdaptation::in_window() const {
  return counter_ >= init_buffer_ && counter_ < num_warmup_ - term_buffer_ &&
         counter_ != num_warmup_;
}

bool MetricAdaptation::end_of_window() const {
  return counter_ == next_window_end_ && counter_ != num_warmup_;
}

void MetricAdaptation::next_window() {
  if (next_window_end_ == num_warmup_ - term_buffer_ - 1) return;
  window_size_ *= 2;
  next_window_end_ = counter_ + window_size_;
  // A window that would leave the next one too short absorbs it.
  if (next_window_end_ != num_warmup_ - term_buffer_ - 1) {
    const long next_boundary = next_window_end_ + 2 * window_size_;
    if (next_boundary >= num_warmup_ - term_buffer_)
      next_window_end_ = num_warmup_ - term_buffer_ - 1;
  }
}

bool MetricAdaptation::learn(const Eigen::VectorXd& q) {
  if (base_window_ == 0) {  // too short a warm-up to estimate a metric
    ++counter_;
    return false;
  }
  if (in_window()) estimator_.add(q);
  if (end_of_window()) {
    next_window();
    if (automatic_) pooled_.merge(estimator_);
    const double n = static_cast<double>(estimator_.count());
    const double shrink = n / (n + 5.0), ridge = 1e-3 * (5.0 / (n + 5.0));
    if (automatic_ && window_calls_for_dense({estimator_.covariance(), estimator_.count()},
                                             {pooled_.covariance(), pooled_.count()})) {
      automatic_ = false;
      dense_ = true;
    }
    if (dense_) {
      const Eigen::Index d = q.size();
      dense_metric_ = shrink * estimator_.covariance() + ridge * Eigen::MatrixXd::Identity(d, d);
    } else {
      diag_ = (shrink * estimator_.variance().array() + ridge).matrix();
    }
    estimator_.restart();
    ++counter_;
    return true;
  }
  ++counter_;
  return false;
}

}  // namespace stochos::infer
