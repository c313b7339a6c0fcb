// Convergence diagnostics of Vehtari, Gelman, Simpson, Carpenter and Bürkner (2021), computed as
// the R package `posterior` and ArviZ compute them: rank-normalised split R-hat, bulk and tail
// effective sample sizes, Monte Carlo standard errors of the mean and the sd, the highest-density
// interval, and E-BFMI. Draws are given per chain: draws[c][i] is draw i of chain c.
#pragma once

#include <vector>

namespace stochos::diagnostics {

using Chains = std::vector<std::vector<double>>;

// max(bulk, tail) of the rank-normalised split R-hat (posterior::rhat).
double rhat(const Chains& draws);
// Split R-hat without rank normalisation (posterior::rhat_basic).
double rhat_basic(const Chains& draws);
// ESS of the rank-normalised split chains (posterior::ess_bulk).
double ess_bulk(const Chains& draws);
// min of the ESS of the 5% and 95% quantile indicators (posterior::ess_tail).
double ess_tail(const Chains& draws);
// ESS of the split chains for the mean (posterior::ess_mean).
double ess_mean(const Chains& draws);
// Geyer's initial-monotone-sequence ESS of chains used as they are (no split).
double ess_of(const Chains& draws);
// sd / sqrt(ess_mean) (posterior::mcse_mean).
double mcse_mean(const Chains& draws);
// The standard error of the sd by the delta method (posterior::mcse_sd).
double mcse_sd(const Chains& draws);
// The narrowest interval holding `prob` of the pooled draws (ArviZ's hdi).
std::pair<double, double> hdi(const Chains& draws, double prob = 0.94);
// Type-7 quantile of the pooled draws (R's default, NumPy's linear).
double quantile(const Chains& draws, double p);
double mean(const Chains& draws);
double sd(const Chains& draws);  // pooled, n - 1 denominator
// E-BFMI of one chain's energies: mean squared successive difference over the variance.
double ebfmi(const std::vector<double>& energy);

}  // namespace stochos::diagnostics
