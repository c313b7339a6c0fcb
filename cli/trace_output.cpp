#include "cli/trace_output.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <ostream>

#include "stochos/error.hpp"

namespace stochos::cli {

std::vector<io::CsvVariable> csv_variables(const model::ValueFunction& values) {
  std::vector<io::CsvVariable> vars;
  for (const auto& v : values.variables()) vars.push_back({v.name, v.shape});
  return vars;
}

void refuse_overwrite(const std::string& path, bool overwrite, const std::string& flag) {
  if (!overwrite && std::filesystem::exists(path))
    throw InputError(path + " exists; choose another " + flag + " or pass --overwrite");
}

void write_trace_csv(const std::string& path, const io::CsvHeader& header,
                     const infer::Trace& trace, const model::ValueFunction& values, int chain,
                     bool point_row, const std::vector<std::string>& comments) {
  io::CsvWriter csv(path, header, trace.stat_names, csv_variables(values));
  for (const std::string& c : comments) csv.comment(c);
  auto ws = values.make_workspace();
  std::vector<double> buf(static_cast<std::size_t>(values.size()));
  if (point_row && trace.point.size() > 0) {
    const std::vector<double> zeros(trace.stat_names.size(), 0.0);
    values(*ws, trace.point.data(), buf.data());
    csv.draw(zeros.data(), buf.data());
  }
  const infer::ChainTrace& c = trace.chains.at(static_cast<std::size_t>(chain));
  std::vector<double> stats(trace.stat_names.size());
  for (Eigen::Index i = 0; i < c.draws.rows(); ++i) {
    const Eigen::VectorXd q = c.draws.row(i).transpose();
    for (std::size_t k = 0; k < stats.size(); ++k)
      stats[k] = c.stats(i, static_cast<Eigen::Index>(k));
    values(*ws, q.data(), buf.data());
    csv.draw(stats.data(), buf.data());
  }
  csv.timing(c.warmup_seconds, c.sampling_seconds);
}

std::vector<double> point_values(const infer::Trace& trace, const model::ValueFunction& values) {
  auto ws = values.make_workspace();
  std::vector<double> out(static_cast<std::size_t>(values.size()));
  values(*ws, trace.point.data(), out.data());
  return out;
}

TraceSummary summarize_trace(const infer::Trace& trace, const model::ValueFunction& values,
                             int max_depth) {
  TraceSummary s;
  s.common = SIZE_MAX;
  for (const auto& c : trace.chains)
    if (c.draws.rows() > 0) {
      s.used.push_back(c.chain);
      s.common = std::min(s.common, static_cast<std::size_t>(c.draws.rows()));
    }
  if (s.used.empty()) s.common = 0;

  const int divergent = trace.stat_index("divergent__");
  const int depth = trace.stat_index("treedepth__");
  const int energy = trace.stat_index("energy__");
  const auto names = values.column_names();
  std::vector<diagnostics::Chains> columns(names.size(), diagnostics::Chains(s.used.size()));
  s.report.chains = static_cast<int>(s.used.size());
  s.report.draws_per_chain = static_cast<int>(s.common);
  s.report.max_depth = max_depth;
  auto ws = values.make_workspace();
  std::vector<double> buf(static_cast<std::size_t>(values.size()));
  for (std::size_t u = 0; u < s.used.size(); ++u) {
    const infer::ChainTrace* c = nullptr;
    for (const auto& ct : trace.chains)
      if (ct.chain == s.used[u]) c = &ct;
    std::vector<double> energies;
    for (std::size_t i = 0; i < s.common; ++i) {
      const auto row = static_cast<Eigen::Index>(i);
      const Eigen::VectorXd q = c->draws.row(row).transpose();
      values(*ws, q.data(), buf.data());
      for (std::size_t j = 0; j < names.size(); ++j) columns[j][u].push_back(buf[j]);
      if (divergent >= 0) s.report.divergences += c->stats(row, divergent) != 0.0;
      if (depth >= 0) s.report.max_treedepth_hits += c->stats(row, depth) >= max_depth;
      if (energy >= 0) energies.push_back(c->stats(row, energy));
    }
    if (energy >= 0) s.report.ebfmi.push_back(diagnostics::ebfmi(energies));
  }
  if (!s.used.empty()) s.rows = diagnostics::summarize(names, columns);
  if (!trace.markov) {
    constexpr double nan = std::numeric_limits<double>::quiet_NaN();
    for (auto& r : s.rows) r.mcse_mean = r.mcse_sd = r.ess_bulk = r.ess_tail = r.r_hat = nan;
  }
  return s;
}

void print_summary(const TraceSummary& s, std::ostream& out, std::ostream& err) {
  if (s.used.empty()) return;
  out << diagnostics::format_table(s.rows);
  for (const auto& w : diagnostics::warnings(s.rows, s.report)) err << "warning: " << w << '\n';
}

nlohmann::ordered_json number(double v) {
  return std::isfinite(v) ? nlohmann::ordered_json(v) : nlohmann::ordered_json();
}

nlohmann::ordered_json variables_json(const std::vector<diagnostics::SummaryRow>& rows) {
  nlohmann::ordered_json vars = nlohmann::ordered_json::array();
  for (const auto& r : rows)
    vars.push_back({{"name", r.name},
                    {"mean", number(r.mean)},
                    {"sd", number(r.sd)},
                    {"hdi_3%", number(r.hdi_low)},
                    {"hdi_97%", number(r.hdi_high)},
                    {"mcse_mean", number(r.mcse_mean)},
                    {"mcse_sd", number(r.mcse_sd)},
                    {"ess_bulk", number(r.ess_bulk)},
                    {"ess_tail", number(r.ess_tail)},
                    {"r_hat", number(r.r_hat)}});
  return vars;
}

nlohmann::ordered_json method_json(const infer::Trace& trace, const std::string& backend) {
  nlohmann::ordered_json j;
  j["method"] = trace.method;
  // Counts (iterations, gradient evaluations, paths) as integers.
  for (const auto& [name, value] : trace.figures)
    j[name] = std::isfinite(value) && value == std::floor(value) && std::fabs(value) < 1e15
                  ? nlohmann::ordered_json(static_cast<long long>(value))
                  : number(value);
  if (!trace.message.empty()) j["message"] = trace.message;
  nlohmann::ordered_json seconds = nlohmann::ordered_json::array();
  long grads = 0;
  for (const auto& c : trace.chains) {
    seconds.push_back(c.warmup_seconds + c.sampling_seconds);
    grads += c.gradient_evaluations;
  }
  if (!j.contains("grad_evals")) j["grad_evals"] = grads;
  if (!j.contains("seconds")) j["seconds"] = seconds;
  j["backend"] = backend;
  return j;
}

void write_summary_json(const std::string& path, const TraceSummary& s, const infer::Trace& trace,
                        const std::string& backend) {
  nlohmann::ordered_json j;
  j["variables"] = variables_json(s.rows);
  j["sampler"] = method_json(trace, backend);
  write_json(path, j, "--summary-json");
}

void write_json(const std::string& path, const nlohmann::ordered_json& j, const std::string& flag) {
  std::ofstream f(path);
  if (!f) throw InputError(flag + " " + path + ": cannot write");
  f << j.dump(2) << '\n';
}

}  // namespace stochos::cli
