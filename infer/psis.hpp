// Pareto-smoothed importance sampling (Vehtari, Simpson, Gelman, Yao & Gabry 2015/2024), as
// ArviZ's psislw and the R package loo compute it: the largest importance ratios are replaced by
// the expected order statistics of a generalised Pareto distribution fitted to them, and the
// fitted shape k-hat says how far the weights can be trusted (k-hat > 0.7: not at all).
#pragma once

#include <Eigen/Dense>

namespace stochos::infer {

// A generalised Pareto distribution with location 0: shape k (> 0: a heavy tail), scale sigma.
struct GpdFit {
  double k = 0, sigma = 0;
};

// The empirical Bayes fit of Zhang & Stephens (2009) with the weakly informative prior of loo
// and ArviZ (k shrunk towards 0.5 as if by 10 more observations). `x`: the exceedances over a
// threshold, sorted ascending, at least one positive.
GpdFit gpd_fit(const Eigen::VectorXd& x);

// The quantile function of the generalised Pareto distribution at p in (0, 1).
double gpd_quantile(double p, const GpdFit& fit);

// The right tail PSIS smooths among S ratios: ceil(min(0.2 S, 3 sqrt(S))).
int psis_tail_length(int S);

struct PsisResult {
  Eigen::VectorXd log_weights;  // smoothed and normalised: their exponentials sum to 1
  // The fitted shape; +infinity when the tail is too short to fit (fewer than 5 ratios above
  // the cut-off), as loo and ArviZ report it.
  double pareto_k = 0;
};

// PSIS of log importance ratios log p(x_s) - log q(x_s) (unnormalised; -infinity where p is 0).
// Throws RuntimeError when there are none, or none is finite.
PsisResult psis(const Eigen::VectorXd& log_ratios);

}  // namespace stochos::infer
