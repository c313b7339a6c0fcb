#include "goodness_of_fit.hpp"

#include <algorithm>
#include <boost/math/distributions/chi_squared.hpp>
#include <cmath>
#include <map>

namespace stochos::distributions::testing {

KsResult ks_test(std::vector<double> draws, const std::function<double(double)>& cdf) {
  std::sort(draws.begin(), draws.end());
  const auto n = static_cast<double>(draws.size());
  double d = 0;
  for (std::size_t i = 0; i < draws.size(); ++i) {
    const double f = cdf(draws[i]);
    d = std::max({d, f - static_cast<double>(i) / n, static_cast<double>(i + 1) / n - f});
  }
  // P(K > t) = 2 sum_k (-1)^(k-1) exp(-2 k^2 t^2).
  const double t = (std::sqrt(n) + 0.12 + 0.11 / std::sqrt(n)) * d;
  double p = 0;
  for (int k = 1; k <= 100; ++k) p += (k % 2 ? 2.0 : -2.0) * std::exp(-2.0 * k * k * t * t);
  return {d, std::clamp(p, 0.0, 1.0)};
}

ChiSquaredResult chi_squared_test(const std::vector<double>& draws,
                                  const std::function<double(double)>& pmf) {
  std::map<double, double> observed;
  for (double x : draws) observed[x] += 1;
  const auto n = static_cast<double>(draws.size());
  const double lo = observed.begin()->first, hi = observed.rbegin()->first;
  // Cells (observed, expected), pooled left to right until each expects 5.
  std::vector<std::pair<double, double>> cells;
  double o = 0, e = 0, inside = 0;
  for (double k = lo; k <= hi; ++k) {
    const double p = pmf(k);
    inside += p;
    o += observed.count(k) ? observed[k] : 0.0;
    e += n * p;
    if (e >= 5) {
      cells.emplace_back(o, e);
      o = e = 0;
    }
  }
  if (e > 0 || o > 0) {
    if (cells.empty()) cells.emplace_back(0, 0);
    cells.back().first += o;
    cells.back().second += e;
  }
  const double outside = n * std::max(0.0, 1.0 - inside);
  if (outside >= 5)
    cells.emplace_back(0.0, outside);
  else
    cells.back().second += outside;
  double stat = 0;
  for (const auto& [oc, ec] : cells) stat += (oc - ec) * (oc - ec) / ec;
  const int df = static_cast<int>(cells.size()) - 1;
  const double p =
      df > 0 ? boost::math::cdf(boost::math::complement(boost::math::chi_squared(df), stat)) : 1.0;
  return {stat, p, static_cast<int>(cells.size())};
}

Moments moments(const std::vector<double>& x) {
  const auto n = static_cast<double>(x.size());
  double mean = 0;
  for (double v : x) mean += v;
  mean /= n;
  double m2 = 0, m4 = 0;
  for (double v : x) {
    const double d2 = (v - mean) * (v - mean);
    m2 += d2;
    m4 += d2 * d2;
  }
  m2 /= n;
  m4 /= n;
  return {mean, m2, std::sqrt(std::max(0.0, m4 - m2 * m2) / n)};
}

}  // namespace stochos::distributions::testing
