#include "diagnostics/summary.hpp"

#include <cmath>
#include <cstdio>

namespace stochos::diagnostics {

namespace {

std::string fixed(double v, int decimals) {
  if (std::isnan(v)) return "nan";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::string pad_left(const std::string& s, std::size_t w) {
  return s.size() >= w ? s : std::string(w - s.size(), ' ') + s;
}

std::string percent_label(double p) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%g%%", p * 100);
  return buf;
}

}  // namespace

std::vector<SummaryRow> summarize(const std::vector<std::string>& names,
                                  const std::vector<Chains>& columns, double hdi_prob) {
  std::vector<SummaryRow> rows;
  for (std::size_t j = 0; j < columns.size(); ++j) {
    const Chains& c = columns[j];
    const auto [lo, hi] = hdi(c, hdi_prob);
    rows.push_back({names[j], mean(c), sd(c), lo, hi, mcse_mean(c), mcse_sd(c), ess_bulk(c),
                    ess_tail(c), rhat(c)});
  }
  return rows;
}

std::string format_table(const std::vector<SummaryRow>& rows, double hdi_prob) {
  const double tail = (1 - hdi_prob) / 2;
  const std::vector<std::string> head = {"mean",
                                         "sd",
                                         "hdi_" + percent_label(tail),
                                         "hdi_" + percent_label(1 - tail),
                                         "mcse_mean",
                                         "mcse_sd",
                                         "ess_bulk",
                                         "ess_tail",
                                         "r_hat"};
  // The chain diagnostics (the last five columns) are left out when no row has them: the draws
  // of an approximation are not Markov chains.
  bool chains = false;
  for (const auto& r : rows)
    for (double v : {r.mcse_mean, r.mcse_sd, r.ess_bulk, r.ess_tail, r.r_hat})
      chains = chains || !std::isnan(v);
  const std::size_t columns = chains ? head.size() : 4;
  std::size_t name_w = 4;
  for (const auto& r : rows) name_w = std::max(name_w, r.name.size());
  std::string out = std::string(name_w, ' ');
  for (std::size_t k = 0; k < columns; ++k)
    out += pad_left(head[k], std::max<std::size_t>(10, head[k].size() + 1));
  out += '\n';
  for (const auto& r : rows) {
    const std::vector<std::string> cells = {
        fixed(r.mean, 3),     fixed(r.sd, 3),        fixed(r.hdi_low, 3),
        fixed(r.hdi_high, 3), fixed(r.mcse_mean, 3), fixed(r.mcse_sd, 3),
        fixed(r.ess_bulk, 0), fixed(r.ess_tail, 0),  fixed(r.r_hat, 2)};
    out += r.name + std::string(name_w - r.name.size(), ' ');
    for (std::size_t k = 0; k < columns; ++k)
      out += pad_left(cells[k], std::max<std::size_t>(10, head[k].size() + 1));
    out += '\n';
  }
  return out;
}

std::string correlation_warning(double condition, const std::string& low_rank_option) {
  if (!(condition > kCorrelatedCondition)) return "";
  return std::string("the posterior is strongly correlated (condition number ") +
         std::to_string(static_cast<long>(condition)) +
         " of its correlation matrix: a diagonal metric takes about " +
         std::to_string(static_cast<long>(std::sqrt(condition))) +
         " steps where one that follows the correlation takes a few); consider nutpie's "
         "low-rank adaptation (" +
         low_rank_option + ") or a dense metric";
}

std::vector<std::string> warnings(const std::vector<SummaryRow>& rows, const SamplerReport& s) {
  std::vector<std::string> w;
  const double total = static_cast<double>(s.chains) * s.draws_per_chain;
  if (s.divergences > 0)
    w.push_back(std::to_string(s.divergences) + " divergent transitions after warm-up (" +
                fixed(100.0 * s.divergences / std::max(total, 1.0), 1) +
                "%); consider a higher target_accept or a reparameterisation");
  if (s.max_treedepth_hits > 0)
    w.push_back(std::to_string(s.max_treedepth_hits) + " transitions hit the maximum tree depth (" +
                std::to_string(s.max_depth) +
                "); where the posterior is correlated, consider nutpie's low-rank adaptation "
                "or a dense metric");
  if (const std::string c = correlation_warning(s.correlation_condition); !c.empty())
    w.push_back(c);
  for (std::size_t c = 0; c < s.ebfmi.size(); ++c)
    if (s.ebfmi[c] < 0.3)
      w.push_back("chain " + std::to_string(c + 1) + " has E-BFMI " + fixed(s.ebfmi[c], 2) +
                  " (below 0.3): the sampler may explore the energy poorly");
  std::string high_rhat, low_ess;
  for (const auto& r : rows) {
    if (r.r_hat > 1.01) high_rhat += (high_rhat.empty() ? "" : ", ") + r.name;
    if (r.ess_bulk < 100 * s.chains || r.ess_tail < 100 * s.chains)
      low_ess += (low_ess.empty() ? "" : ", ") + r.name;
  }
  if (!high_rhat.empty())
    w.push_back("R-hat above 1.01 for " + high_rhat + ": the chains have not mixed");
  if (!low_ess.empty())
    w.push_back("bulk or tail ESS below " + std::to_string(100 * s.chains) + " for " + low_ess +
                ": draw more, or reparameterise");
  return w;
}

}  // namespace stochos::diagnostics
