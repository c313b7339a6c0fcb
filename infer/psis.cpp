#include "infer/psis.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <vector>

#include "stochos/error.hpp"

namespace stochos::infer {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

double log_sum_exp(const Eigen::ArrayXd& a) {
  const double m = a.maxCoeff();
  if (!std::isfinite(m)) return m;
  return m + std::log((a - m).exp().sum());
}

}  // namespace

GpdFit gpd_fit(const Eigen::VectorXd& x) {
  const Eigen::Index n = x.size();
  if (n < 1 || !(x[n - 1] > 0)) throw RuntimeError("gpd_fit: no positive exceedance to fit");
  // Zhang & Stephens' grid of M values of theta = -k / sigma around the profile likelihood's
  // maximum (their section 4), scaled by the largest value and the first quartile.
  constexpr double prior_bs = 3, prior_k = 10;
  const Eigen::Index m = 30 + static_cast<Eigen::Index>(std::sqrt(static_cast<double>(n)));
  const double first_quartile = x[static_cast<Eigen::Index>(static_cast<double>(n) / 4 + 0.5) - 1];
  Eigen::ArrayXd b(m), profile(m);
  for (Eigen::Index j = 0; j < m; ++j) {
    b[j] = 1 / x[n - 1] + (1 - std::sqrt(static_cast<double>(m) / (static_cast<double>(j) + 0.5))) /
                              (prior_bs * first_quartile);
    const double k = (-b[j] * x.array()).log1p().mean();
    profile[j] = static_cast<double>(n) * (std::log(-b[j] / k) - k - 1);
    if (std::isnan(profile[j])) profile[j] = -kInf;
  }
  // The posterior mean of theta over the grid, its weights the normalised profile likelihood;
  // weights below 10 epsilon are dropped as negligible (as loo and ArviZ do).
  const double lse = log_sum_exp(profile);
  if (!std::isfinite(lse)) return {kInf, kInf};
  Eigen::ArrayXd w = (profile - lse).exp();
  w = (w >= 10 * std::numeric_limits<double>::epsilon()).select(w, 0.0);
  const double b_post = (b * w).sum() / w.sum();
  const double k = (-b_post * x.array()).log1p().mean();
  const double sigma = -k / b_post;
  // The weakly informative prior: a normal centred at 0.5, worth prior_k observations.
  return {(static_cast<double>(n) * k + prior_k * 0.5) / (static_cast<double>(n) + prior_k), sigma};
}

double gpd_quantile(double p, const GpdFit& fit) {
  if (std::abs(fit.k) < std::numeric_limits<double>::epsilon()) return -fit.sigma * std::log1p(-p);
  return fit.sigma * std::expm1(-fit.k * std::log1p(-p)) / fit.k;
}

int psis_tail_length(int S) {
  return static_cast<int>(std::ceil(std::min(0.2 * S, 3 * std::sqrt(static_cast<double>(S)))));
}

PsisResult psis(const Eigen::VectorXd& log_ratios) {
  const Eigen::Index S = log_ratios.size();
  if (S == 0) throw RuntimeError("PSIS: no importance ratios");
  Eigen::ArrayXd x = log_ratios.array().isNaN().select(-kInf, log_ratios.array());
  const double max = x.maxCoeff();
  if (!std::isfinite(max))
    throw RuntimeError("PSIS: no importance ratio is finite (the target density is 0 or " +
                       std::string(max > 0 ? "infinite" : "not finite") + " at every draw)");
  x -= max;  // the largest ratio is 1: exp() neither overflows nor loses the tail

  PsisResult r;
  r.pareto_k = kInf;
  std::vector<Eigen::Index> order(static_cast<std::size_t>(S));
  std::iota(order.begin(), order.end(), Eigen::Index{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](Eigen::Index a, Eigen::Index b) { return x[a] < x[b]; });
  const Eigen::Index cut = S - psis_tail_length(static_cast<int>(S)) - 1;
  if (cut >= 0) {
    // The tail: the ratios above the cut-off (the largest one not in it), kept away from 0 so
    // that exp(cut-off) is a normal number.
    const double cutoff = std::max(x[order[static_cast<std::size_t>(cut)]],
                                   std::log(std::numeric_limits<double>::min()));
    std::vector<Eigen::Index> tail;
    for (std::size_t i = static_cast<std::size_t>(cut); i < order.size(); ++i)
      if (x[order[i]] > cutoff) tail.push_back(order[i]);
    const auto T = static_cast<Eigen::Index>(tail.size());
    if (T > 4) {
      const double exp_cutoff = std::exp(cutoff);
      Eigen::VectorXd exceed(T);
      for (Eigen::Index i = 0; i < T; ++i)
        exceed[i] = std::exp(x[tail[static_cast<std::size_t>(i)]]) - exp_cutoff;
      const GpdFit fit = gpd_fit(exceed);
      r.pareto_k = std::isfinite(fit.k) ? fit.k : kInf;
      if (std::isfinite(fit.k) && fit.sigma > 0) {
        // The expected order statistics of the fitted tail replace the ratios, none above the
        // largest raw ratio.
        for (Eigen::Index i = 0; i < T; ++i) {
          const double p = (static_cast<double>(i) + 0.5) / static_cast<double>(T);
          const double smoothed = std::log(gpd_quantile(p, fit) + exp_cutoff);
          if (std::isfinite(smoothed))
            x[tail[static_cast<std::size_t>(i)]] = std::min(smoothed, 0.0);
        }
      }
    }
  }
  r.log_weights = (x - log_sum_exp(x)).matrix();
  return r;
}

}  // namespace stochos::infer
