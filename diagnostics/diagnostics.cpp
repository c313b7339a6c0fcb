#include "diagnostics/diagnostics.hpp"

#include <algorithm>
#include <boost/math/distributions/normal.hpp>
#include <cmath>
#include <limits>
#include <numeric>

namespace stochos::diagnostics {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::vector<double> pooled(const Chains& c) {
  std::vector<double> all;
  for (const auto& x : c) all.insert(all.end(), x.begin(), x.end());
  return all;
}

bool valid(const Chains& c) {
  if (c.empty() || c[0].empty()) return false;
  for (const auto& x : c) {
    if (x.size() != c[0].size()) return false;
    for (double v : x)
      if (!std::isfinite(v)) return false;
  }
  return true;
}

// Each chain cut in two halves; with an odd length the middle draw is dropped.
Chains split(const Chains& c) {
  Chains out;
  for (const auto& x : c) {
    const std::size_t half = x.size() / 2;
    out.emplace_back(x.begin(), x.begin() + static_cast<std::ptrdiff_t>(half));
    out.emplace_back(x.end() - static_cast<std::ptrdiff_t>(half), x.end());
  }
  return out;
}

double vec_mean(const std::vector<double>& x) {
  return std::accumulate(x.begin(), x.end(), 0.0) / static_cast<double>(x.size());
}

double vec_var(const std::vector<double>& x) {  // n - 1
  const double m = vec_mean(x);
  double s = 0;
  for (double v : x) s += (v - m) * (v - m);
  return s / static_cast<double>(x.size() - 1);
}

// Average ranks (ties share the mean rank) over all draws, back-transformed to normal scores
// with Blom's offset: Phi^-1((r - 3/8) / (S + 1/4)).
Chains z_scale(const Chains& c) {
  std::vector<std::pair<double, std::size_t>> v;
  for (std::size_t k = 0; k < c.size(); ++k)
    for (std::size_t i = 0; i < c[k].size(); ++i) v.emplace_back(c[k][i], k * c[0].size() + i);
  std::sort(v.begin(), v.end());
  const double s = static_cast<double>(v.size());
  std::vector<double> z(v.size());
  const boost::math::normal normal;
  for (std::size_t i = 0; i < v.size();) {
    std::size_t j = i;
    while (j < v.size() && v[j].first == v[i].first) ++j;
    const double rank = 0.5 * static_cast<double>(i + 1 + j);  // mean of ranks i+1 .. j
    const double zi = boost::math::quantile(normal, (rank - 0.375) / (s + 0.25));
    for (std::size_t k = i; k < j; ++k) z[v[k].second] = zi;
    i = j;
  }
  Chains out(c.size(), std::vector<double>(c[0].size()));
  for (std::size_t k = 0; k < c.size(); ++k)
    for (std::size_t i = 0; i < c[k].size(); ++i) out[k][i] = z[k * c[0].size() + i];
  return out;
}

double basic_rhat(const Chains& c) {
  const double n = static_cast<double>(c[0].size());
  std::vector<double> means, vars;
  for (const auto& x : c) {
    means.push_back(vec_mean(x));
    vars.push_back(vec_var(x));
  }
  const double between = n * vec_var(means);
  const double within = vec_mean(vars);
  return std::sqrt((between / within + n - 1) / n);
}

// Biased autocovariance of each chain at lag t: sum_i (x_i - m)(x_{i+t} - m) / n.
double autocov(const std::vector<double>& x, double m, std::size_t t) {
  double s = 0;
  for (std::size_t i = 0; i + t < x.size(); ++i) s += (x[i] - m) * (x[i + t] - m);
  return s / static_cast<double>(x.size());
}

}  // namespace

double ess_of(const Chains& c) {
  if (!valid(c) || c[0].size() < 3) return kNaN;
  const std::vector<double> all = pooled(c);
  const auto [lo, hi] = std::minmax_element(all.begin(), all.end());
  if (*hi - *lo < 1e-15) return static_cast<double>(all.size());  // constant draws
  const std::size_t m = c.size(), n = c[0].size();
  std::vector<double> means;
  for (const auto& x : c) means.push_back(vec_mean(x));
  const auto acov_mean = [&](std::size_t t) {
    double s = 0;
    for (std::size_t k = 0; k < m; ++k) s += autocov(c[k], means[k], t);
    return s / static_cast<double>(m);
  };
  const double nd = static_cast<double>(n);
  const double mean_var = acov_mean(0) * nd / (nd - 1);
  double var_plus = mean_var * (nd - 1) / nd;
  if (m > 1) var_plus += vec_var(means);

  // Geyer's initial positive sequence, over pairs of lags.
  std::vector<double> rho(n, 0.0);
  double rho_even = 1.0, rho_odd = 1.0 - (mean_var - acov_mean(1)) / var_plus;
  rho[0] = rho_even;
  rho[1] = rho_odd;
  std::size_t t = 1;
  while (t < n - 3 && rho_even + rho_odd > 0) {
    rho_even = 1.0 - (mean_var - acov_mean(t + 1)) / var_plus;
    rho_odd = 1.0 - (mean_var - acov_mean(t + 2)) / var_plus;
    if (rho_even + rho_odd >= 0) {
      rho[t + 1] = rho_even;
      rho[t + 2] = rho_odd;
    }
    t += 2;
  }
  const std::size_t max_t = t - 2;
  if (rho_even > 0) rho[max_t + 1] = rho_even;  // the improved estimate
  // Geyer's initial monotone sequence.
  for (t = 1; t + 2 <= max_t; t += 2) {
    if (rho[t + 1] + rho[t + 2] > rho[t - 1] + rho[t]) {
      rho[t + 1] = (rho[t - 1] + rho[t]) / 2;
      rho[t + 2] = rho[t + 1];
    }
  }
  const double ess = static_cast<double>(m * n);
  double tau = -1.0;
  for (std::size_t k = 0; k <= max_t; ++k) tau += 2 * rho[k];
  tau += rho[max_t + 1];
  tau = std::max(tau, 1 / std::log10(ess));
  return ess / tau;
}

double rhat_basic(const Chains& c) {
  if (!valid(c) || c[0].size() < 4) return kNaN;
  return basic_rhat(split(c));
}

double rhat(const Chains& c) {
  if (!valid(c) || c[0].size() < 4) return kNaN;
  const double bulk = basic_rhat(z_scale(split(c)));
  const double med = quantile(c, 0.5);
  Chains folded = c;
  for (auto& x : folded)
    for (double& v : x) v = std::abs(v - med);
  const double tail = basic_rhat(z_scale(split(folded)));
  return std::max(bulk, tail);
}

double ess_bulk(const Chains& c) {
  if (!valid(c) || c[0].size() < 4) return kNaN;
  return ess_of(z_scale(split(c)));
}

double ess_mean(const Chains& c) {
  if (!valid(c) || c[0].size() < 4) return kNaN;
  return ess_of(split(c));
}

double ess_tail(const Chains& c) {
  if (!valid(c) || c[0].size() < 4) return kNaN;
  double worst = std::numeric_limits<double>::infinity();
  for (double p : {0.05, 0.95}) {
    const double q = quantile(c, p);
    Chains ind = c;
    for (auto& x : ind)
      for (double& v : x) v = v <= q ? 1.0 : 0.0;
    worst = std::min(worst, ess_of(split(ind)));
  }
  return worst;
}

double mean(const Chains& c) {
  return vec_mean(pooled(c));
}

double sd(const Chains& c) {
  return std::sqrt(vec_var(pooled(c)));
}

double mcse_mean(const Chains& c) {
  return sd(c) / std::sqrt(ess_mean(c));
}

double mcse_sd(const Chains& c) {
  // The delta method on the variance, as posterior (>= 1.4) and ArviZ (>= 0.17) do: the ESS of
  // the centred squares gives Var(var); sd = sqrt(var) scales it by 1 / (4 var).
  if (!valid(c) || c[0].size() < 4) return kNaN;
  const double m = mean(c);
  Chains sq = c;
  double evar = 0, e4 = 0, n = 0;
  for (auto& x : sq)
    for (double& v : x) {
      v = (v - m) * (v - m);
      evar += v;
      e4 += v * v;
      n += 1;
    }
  evar /= n;
  e4 /= n;
  const double varvar = (e4 - evar * evar) / ess_mean(sq);
  return std::sqrt(varvar / evar / 4);
}

double quantile(const Chains& c, double p) {
  std::vector<double> x = pooled(c);
  if (x.empty()) return kNaN;
  std::sort(x.begin(), x.end());
  const double h = (static_cast<double>(x.size()) - 1) * p;
  const auto lo = static_cast<std::size_t>(std::floor(h));
  const std::size_t hi = std::min(lo + 1, x.size() - 1);
  return x[lo] + (h - static_cast<double>(lo)) * (x[hi] - x[lo]);
}

std::pair<double, double> hdi(const Chains& c, double prob) {
  std::vector<double> x = pooled(c);
  if (x.empty()) return {kNaN, kNaN};
  std::sort(x.begin(), x.end());
  const std::size_t n = x.size();
  const auto inc = static_cast<std::size_t>(std::floor(prob * static_cast<double>(n)));
  const std::size_t intervals = n - inc;
  std::size_t best = 0;
  for (std::size_t i = 1; i < intervals; ++i)
    if (x[i + inc] - x[i] < x[best + inc] - x[best]) best = i;
  return {x[best], x[std::min(best + inc, n - 1)]};
}

double ebfmi(const std::vector<double>& e) {
  if (e.size() < 2) return kNaN;
  double num = 0;
  for (std::size_t i = 1; i < e.size(); ++i) num += (e[i] - e[i - 1]) * (e[i] - e[i - 1]);
  num /= static_cast<double>(e.size() - 1);
  const double m = vec_mean(e);
  double den = 0;
  for (double v : e) den += (v - m) * (v - m);
  den /= static_cast<double>(e.size());
  return num / den;
}

}  // namespace stochos::diagnostics
