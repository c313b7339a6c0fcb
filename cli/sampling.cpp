#include "cli/sampling.hpp"

#include <unistd.h>

#include <atomic>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <ostream>

#include "cli/progress.hpp"
#include "diagnostics/summary.hpp"
#include "io/cmdstan_csv.hpp"
#include "stochos/error.hpp"

namespace stochos::cli {

namespace fs = std::filesystem;

namespace {

std::atomic<bool> g_interrupted{false};

extern "C" void on_sigint(int) {
  g_interrupted.store(true);
}

// SIGINT stops the chains for as long as this lives; the previous handler comes back after.
class InterruptGuard {
 public:
  InterruptGuard() {
    g_interrupted.store(false);
    struct sigaction sa {};
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_);
  }
  ~InterruptGuard() { sigaction(SIGINT, &old_, nullptr); }
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;

 private:
  struct sigaction old_ {};
};

std::string chain_path(const std::string& dir, int chain) {
  return (fs::path(dir) / ("chain-" + std::to_string(chain + 1) + ".csv")).string();
}

// JSON has no NaN: a diagnostic that could not be computed is null.
nlohmann::ordered_json number(double v) {
  return std::isfinite(v) ? nlohmann::ordered_json(v) : nlohmann::ordered_json();
}

}  // namespace

int run_sampling(const model::Model& m, const SampleSettings& s, std::ostream& out,
                 std::ostream& err) {
  model::CompileOptions copts;
  copts.backend = s.backend;
  const model::LogDensity density = m.compile(copts);
  const model::ValueFunction values = m.compile_values(copts);
  const infer::SampleOptions& so = s.sampler;

  // Traces: one CSV per chain; existing files are kept unless --overwrite.
  std::vector<std::unique_ptr<io::CsvWriter>> csv;
  std::vector<io::CsvVariable> vars;
  for (const auto& v : values.variables()) vars.push_back({v.name, v.shape});
  if (!s.output_dir.empty()) {
    std::error_code ec;
    fs::create_directories(s.output_dir, ec);
    if (ec) throw InputError("--output-dir " + s.output_dir + ": " + ec.message());
    for (int c = 0; c < so.chains; ++c)
      if (!s.overwrite && fs::exists(chain_path(s.output_dir, c)))
        throw InputError(chain_path(s.output_dir, c) +
                         " exists; choose another --output-dir or pass --overwrite");
    for (int c = 0; c < so.chains; ++c) {
      io::CsvHeader h;
      h.model = s.model_name;
      h.data_file = s.data_file;
      h.backend = density.backend_name();
      h.chain_id = c + 1;
      h.num_samples = so.draws;
      h.num_warmup = so.tune;
      h.save_warmup = so.keep_warmup;
      h.max_depth = so.max_depth;
      h.dense_metric = so.dense_metric;
      h.delta = so.target_accept;
      h.seed = so.seed;
      h.stochos_version = STOCHOS_VERSION;
      csv.push_back(std::make_unique<io::CsvWriter>(chain_path(s.output_dir, c), h, vars));
    }
  }

  // Per chain: a workspace and a buffer for the traced values.
  std::vector<std::unique_ptr<model::ValueWorkspace>> vws;
  std::vector<std::vector<double>> vbuf;
  for (int c = 0; c < so.chains; ++c) {
    vws.push_back(values.make_workspace());
    vbuf.emplace_back(static_cast<std::size_t>(values.size()));
  }
  std::vector<double> step_sizes(static_cast<std::size_t>(so.chains), 0.0);
  const bool terminal = ::isatty(STDERR_FILENO) != 0;
  Progress progress(so.chains, so.tune, so.draws, stderr, terminal);

  infer::SampleOptions run = so;
  run.stop = &g_interrupted;
  run.on_adapted = [&](int c, double eps, const Eigen::VectorXd& inv) {
    step_sizes[static_cast<std::size_t>(c)] = eps;
    if (!csv.empty())
      csv[static_cast<std::size_t>(c)]->adaptation(
          eps, std::vector<double>(inv.data(), inv.data() + inv.size()));
  };
  run.on_draw = [&](int c, bool, const infer::Transition& t, const Eigen::VectorXd& q) {
    if (csv.empty()) return;
    const auto k = static_cast<std::size_t>(c);
    values(*vws[k], q.data(), vbuf[k].data());
    const double stats[7] = {t.logp,          t.accept_stat,        step_sizes[k],
                             double(t.depth), double(t.n_leapfrog), t.divergent ? 1.0 : 0.0,
                             t.energy};
    csv[k]->draw(stats, vbuf[k].data());
  };
  if (s.progress) run.progress = [&](int c, int it, int div) { progress.update(c, it, div); };

  std::vector<infer::ChainResult> results;
  {
    InterruptGuard guard;
    results = infer::sample(density, run);
  }
  if (s.progress) progress.finish();
  bool interrupted = false;
  for (auto& r : results) {
    interrupted = interrupted || r.interrupted;
    if (!csv.empty())
      csv[static_cast<std::size_t>(r.chain)]->timing(r.warmup_seconds, r.sampling_seconds);
  }

  // Every draw's traced values, by column and chain.
  const auto names = values.column_names();
  std::vector<diagnostics::Chains> columns(
      names.size(), diagnostics::Chains(static_cast<std::size_t>(so.chains)));
  diagnostics::SamplerReport report;
  report.chains = so.chains;
  report.draws_per_chain = so.draws;
  report.max_depth = so.max_depth;
  std::vector<double> buf(static_cast<std::size_t>(values.size()));
  std::size_t min_draws = SIZE_MAX;
  for (const auto& r : results) {
    const auto k = static_cast<std::size_t>(r.chain);
    min_draws = std::min(min_draws, static_cast<std::size_t>(r.draws.rows()));
    std::vector<double> energy;
    for (Eigen::Index i = 0; i < r.draws.rows(); ++i) {
      const Eigen::VectorXd q = r.draws.row(i).transpose();
      values(*vws[k], q.data(), buf.data());
      for (std::size_t j = 0; j < names.size(); ++j) columns[j][k].push_back(buf[j]);
      const auto& t = r.stats[static_cast<std::size_t>(i)];
      report.divergences += t.divergent;
      report.max_treedepth_hits += t.depth >= so.max_depth;
      energy.push_back(t.energy);
    }
    report.ebfmi.push_back(diagnostics::ebfmi(energy));
  }
  // An interrupt leaves chains of different lengths: summarise the common part.
  for (auto& col : columns)
    for (auto& chain : col) chain.resize(min_draws);

  const auto rows = diagnostics::summarize(names, columns);
  out << diagnostics::format_table(rows);
  for (const auto& w : diagnostics::warnings(rows, report)) err << "warning: " << w << '\n';

  if (!s.summary_json.empty()) {
    nlohmann::ordered_json j;
    j["variables"] = nlohmann::json::array();
    for (const auto& r : rows)
      j["variables"].push_back({{"name", r.name},
                                {"mean", number(r.mean)},
                                {"sd", number(r.sd)},
                                {"hdi_3%", number(r.hdi_low)},
                                {"hdi_97%", number(r.hdi_high)},
                                {"mcse_mean", number(r.mcse_mean)},
                                {"mcse_sd", number(r.mcse_sd)},
                                {"ess_bulk", number(r.ess_bulk)},
                                {"ess_tail", number(r.ess_tail)},
                                {"r_hat", number(r.r_hat)}});
    nlohmann::ordered_json tune = nlohmann::json::array(), sample = nlohmann::json::array();
    long grads = 0;
    for (const auto& r : results) {
      tune.push_back(r.warmup_seconds);
      sample.push_back(r.sampling_seconds);
      grads += r.gradient_evaluations;
    }
    nlohmann::ordered_json ebfmi = nlohmann::json::array();
    for (double e : report.ebfmi) ebfmi.push_back(number(e));
    j["sampler"] = {{"divergences", report.divergences},
                    {"max_treedepth_hits", report.max_treedepth_hits},
                    {"ebfmi", ebfmi},
                    {"seconds", {{"tune", tune}, {"sample", sample}}},
                    {"grad_evals", grads},
                    {"backend", density.backend_name()}};
    std::ofstream f(s.summary_json);
    if (!f) throw InputError("--summary-json " + s.summary_json + ": cannot write");
    f << j.dump(2) << '\n';
  }
  if (interrupted) {
    err << "interrupted: " << min_draws << " draws per chain kept"
        << (s.output_dir.empty() ? "" : " in " + s.output_dir) << '\n';
    return 130;
  }
  return 0;
}

}  // namespace stochos::cli
