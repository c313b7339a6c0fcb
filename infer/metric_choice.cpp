#include "infer/metric_choice.hpp"

#include "infer/draws_correlation.hpp"
#include "stochos/error.hpp"

namespace stochos::infer {

MetricKind parse_metric_kind(const std::string& name) {
  if (name == "diag") return MetricKind::diag;
  if (name == "dense") return MetricKind::dense;
  if (name == "auto") return MetricKind::automatic;
  throw InputError("the metric is diag, dense or auto, not '" + name + "'");
}

bool window_calls_for_dense(const DrawsCovariance& window, const DrawsCovariance& pooled) {
  const Eigen::Index d = window.cov.rows();
  if (d < 2 || d > kMaxCorrelationDim || window.n < kAutoWindowDrawsPerDim * d ||
      pooled.n < kAutoPooledDrawsPerDim * d)
    return false;
  return covariance_correlation_condition(window.cov) > kAutoDenseCondition &&
         covariance_correlation_condition(pooled.cov) > kAutoDenseCondition;
}

}  // namespace stochos::infer
