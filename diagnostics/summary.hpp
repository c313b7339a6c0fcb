// The summary table of ArviZ's az.summary: per variable mean, sd, the 94% HDI, the Monte Carlo
// standard errors, bulk and tail ESS and R-hat; and the sampler warnings SPEC.md lists.
#pragma once

#include <string>
#include <vector>

#include "diagnostics/diagnostics.hpp"

namespace stochos::diagnostics {

struct SummaryRow {
  std::string name;
  double mean, sd, hdi_low, hdi_high, mcse_mean, mcse_sd, ess_bulk, ess_tail, r_hat;
};

// One row per column; columns[j] holds column j's draws by chain.
std::vector<SummaryRow> summarize(const std::vector<std::string>& names,
                                  const std::vector<Chains>& columns, double hdi_prob = 0.94);

// The table as text, ArviZ's columns and roughly its rounding; without the chain diagnostics
// (MCSE, ESS, R-hat) when every row's are NaN, as for an approximation's independent draws.
std::string format_table(const std::vector<SummaryRow>& rows, double hdi_prob = 0.94);

// Sampler-wide facts the warnings are made from.
struct SamplerReport {
  int chains = 0, draws_per_chain = 0, max_depth = 10;
  int divergences = 0, max_treedepth_hits = 0;
  std::vector<double> ebfmi;
  // The condition number of the draws' correlation matrix where the metric was diagonal
  // (infer/draws_correlation.hpp), else 0.
  double correlation_condition = 0;
};

// SPEC.md's warnings: divergences, R-hat > 1.01, bulk or tail ESS below 100 per chain, tree
// depth hits, E-BFMI below 0.3, and a posterior too correlated for the diagonal metric it ran
// with (condition number above kCorrelatedCondition). Empty when there is nothing to say.
inline constexpr double kCorrelatedCondition = 100;
// The correlation warning alone, or empty at or below the threshold; `low_rank_option` is how the
// caller's front end asks for the low-rank adaptation (the Python package spells it its own way).
std::string correlation_warning(double condition,
                                const std::string& low_rank_option = "--adapt nutpie-lowrank");
std::vector<std::string> warnings(const std::vector<SummaryRow>& rows, const SamplerReport& s);

}  // namespace stochos::diagnostics
