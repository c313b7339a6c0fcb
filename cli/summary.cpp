// `stochos summary CSV...`: the summary table (or CSV, or JSON) of CmdStan-layout CSV files, one
// per chain — ours or Stan's own. Stan's names come back in PyMC's form: theta.1 is theta[0].
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "cli/trace_output.hpp"
#include "diagnostics/summary.hpp"
#include "io/cmdstan_csv.hpp"
#include "stochos/error.hpp"

namespace stochos::cli {
namespace {

struct SummaryOptions {
  std::vector<std::string> files;
  std::string format = "table";
};

// theta.1 -> theta[0]; a.2.3 -> a[1, 2]; names without indices are kept.
std::string pymc_name(const std::string& stan) {
  const auto dot = stan.find('.');
  if (dot == std::string::npos) return stan;
  std::string out = stan.substr(0, dot) + "[";
  std::size_t at = dot;
  bool first = true;
  while (at != std::string::npos) {
    const auto next = stan.find('.', at + 1);
    const std::string part =
        stan.substr(at + 1, next == std::string::npos ? std::string::npos : next - at - 1);
    long v = 0;
    try {
      v = std::stol(part);
    } catch (const std::exception&) {
      return stan;  // not an index: keep the name as it is
    }
    out += (first ? "" : ", ") + std::to_string(v - 1);
    first = false;
    at = next;
  }
  return out + "]";
}

int run_summary(const SummaryOptions& o) {
  std::vector<io::CsvDraws> all;
  for (const auto& f : o.files) all.push_back(io::read_cmdstan_csv(f));
  const auto cols = all[0].columns;
  for (std::size_t k = 1; k < all.size(); ++k)
    if (all[k].columns != cols)
      throw InputError(o.files[k] + ": its columns differ from " + o.files[0] + "'s");
  // An interrupted run leaves chains with no draws and chains of different lengths: the summary
  // uses those with draws, each cut to the shortest (R-hat and ESS compare equal lengths).
  std::vector<io::CsvDraws> chains;
  std::string empty;
  std::size_t n = SIZE_MAX, longest = 0;
  for (std::size_t k = 0; k < all.size(); ++k) {
    if (all[k].rows.empty()) {
      empty += (empty.empty() ? "" : ", ") + o.files[k];
      continue;
    }
    n = std::min(n, all[k].rows.size());
    longest = std::max(longest, all[k].rows.size());
    chains.push_back(std::move(all[k]));
  }
  if (chains.empty())
    throw InputError("no draws to summarise: every file has a header and no rows");
  if (!empty.empty()) std::cerr << "note: no draws in " << empty << "; left out\n";
  if (longest > n)
    std::cerr << "note: the files have " << n << " to " << longest
              << " draws; the summary uses the first " << n
              << " of each (R-hat needs chains of equal length)\n";
  std::vector<std::string> names;
  std::vector<diagnostics::Chains> columns;
  diagnostics::SamplerReport report;
  report.chains = static_cast<int>(chains.size());
  report.draws_per_chain = static_cast<int>(n);
  for (std::size_t j = 0; j < cols.size(); ++j) {
    const std::string& name = cols[j];
    const bool stat = name.size() > 2 && name.compare(name.size() - 2, 2, "__") == 0;
    if (name == "divergent__")
      for (const auto& c : chains)
        for (std::size_t i = 0; i < n; ++i) report.divergences += c.rows[i][j] != 0;
    if (name == "energy__")
      for (const auto& c : chains) {
        std::vector<double> e;
        for (std::size_t i = 0; i < n; ++i) e.push_back(c.rows[i][j]);
        report.ebfmi.push_back(diagnostics::ebfmi(e));
      }
    if (stat && name != "lp__") continue;
    names.push_back(pymc_name(name));
    diagnostics::Chains col;
    for (const auto& c : chains) {
      std::vector<double> x;
      for (std::size_t i = 0; i < n; ++i) x.push_back(c.rows[i][j]);
      col.push_back(std::move(x));
    }
    columns.push_back(std::move(col));
  }
  auto rows = diagnostics::summarize(names, columns);
  // Draws of an approximation (variational, pathfinder, laplace) are independent, not Markov
  // chains: the diagnostics that need chains are left out, as `stochos variational` leaves them.
  const std::string method = chains[0].method.empty() ? "sample" : chains[0].method;
  if (method != "sample")
    for (auto& r : rows)
      r.mcse_mean = r.mcse_sd = r.ess_bulk = r.ess_tail = r.r_hat =
          std::numeric_limits<double>::quiet_NaN();
  if (o.format == "json") {
    nlohmann::ordered_json j;
    j["variables"] = variables_json(rows);
    j["sampler"] = {{"method", method},
                    {"divergences", report.divergences},
                    {"chains", report.chains},
                    {"draws_per_chain", report.draws_per_chain}};
    std::cout << j.dump(2) << '\n';
  } else if (o.format == "csv") {
    std::cout << ",mean,sd,hdi_3%,hdi_97%,mcse_mean,mcse_sd,ess_bulk,ess_tail,r_hat\n";
    for (const auto& r : rows)
      std::cout << fmt::format("\"{}\",{},{},{},{},{},{},{},{},{}\n", r.name, r.mean, r.sd,
                               r.hdi_low, r.hdi_high, r.mcse_mean, r.mcse_sd, r.ess_bulk,
                               r.ess_tail, r.r_hat);
  } else {
    std::cout << diagnostics::format_table(rows);
    for (const auto& w : diagnostics::warnings(rows, report)) std::cerr << "warning: " << w << '\n';
  }
  return 0;
}

}  // namespace

Command add_summary_command(CLI::App& app) {
  auto o = std::make_shared<SummaryOptions>();
  CLI::App* sub = app.add_subcommand(
      "summary", "Summarise CmdStan-layout CSV files (one per chain, or one of any method)");
  sub->add_option("csv", o->files, "The chains' CSV files")->required()->check(CLI::ExistingFile);
  sub->add_option("--format", o->format, "table, csv or json")
      ->check(CLI::IsMember({"table", "csv", "json"}))
      ->capture_default_str();
  return {sub, [o] { return run_summary(*o); }};
}

}  // namespace stochos::cli
