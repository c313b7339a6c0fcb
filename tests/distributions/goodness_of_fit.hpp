// Goodness-of-fit tests for random draws: Kolmogorov-Smirnov against a continuous CDF and
// Pearson's chi-squared against a probability mass function, each giving a p-value.
#pragma once

#include <functional>
#include <vector>

namespace stochos::distributions::testing {

// The KS statistic sup |F_n - F| of the draws and its asymptotic p-value (Kolmogorov's series
// with Stephens' small-sample correction).
struct KsResult {
  double statistic, p_value;
};
KsResult ks_test(std::vector<double> draws, const std::function<double(double)>& cdf);

// Pearson's chi-squared over the whole numbers the draws span, neighbouring cells pooled until
// each expects at least 5, the mass outside the span one more cell; the p-value from the
// chi-squared distribution with (cells - 1) degrees of freedom.
struct ChiSquaredResult {
  double statistic, p_value;
  int cells;
};
ChiSquaredResult chi_squared_test(const std::vector<double>& draws,
                                  const std::function<double(double)>& pmf);

// The sample mean and variance, and the standard error of the variance estimated from the
// fourth central moment: sqrt((m4 - s^4) / n).
struct Moments {
  double mean, variance, variance_se;
};
Moments moments(const std::vector<double>& x);

}  // namespace stochos::distributions::testing
