#include "cli/sampling.hpp"

#include <unistd.h>

#include <fmt/format.h>
#include <atomic>
#include <csignal>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <ostream>

#include "cli/progress.hpp"
#include "cli/trace_output.hpp"
#include "infer/compound.hpp"
#include "infer/draws_correlation.hpp"
#include "infer/pathfinder_init.hpp"
#include "stochos/error.hpp"
#ifdef STOCHOS_WITH_MPI
#include "mpi/chains.hpp"
#endif

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

// "1", "1-3", "1, 3 and 4": chain numbers (0-based in, 1-based out) for the interrupt note.
std::string chain_list(const std::vector<int>& chains) {
  bool contiguous = true;
  for (std::size_t i = 1; i < chains.size(); ++i)
    contiguous = contiguous && chains[i] == chains[i - 1] + 1;
  if (chains.size() > 2 && contiguous)
    return std::to_string(chains.front() + 1) + "-" + std::to_string(chains.back() + 1);
  std::string out;
  for (std::size_t i = 0; i < chains.size(); ++i) {
    if (i > 0) out += i + 1 == chains.size() ? " and " : ", ";
    out += std::to_string(chains[i] + 1);
  }
  return out;
}

std::string chains_phrase(const std::vector<int>& chains) {
  return (chains.size() == 1 ? "chain " : "chains ") + chain_list(chains);
}

// The interrupt note: what each chain kept, and what the summary uses.
std::string interrupt_note(const std::vector<infer::ChainTrace>& results,
                           const std::vector<int>& used, std::size_t common, int tune,
                           const std::string& output_dir) {
  std::vector<std::string> parts;
  std::vector<int> in_warmup, not_started;
  bool first_kept = true;
  for (const auto& r : results) {
    if (r.draws.rows() > 0) {
      parts.push_back("chain " + std::to_string(r.chain + 1) + " kept " +
                      std::to_string(r.draws.rows()) + (first_kept ? " draws" : ""));
      first_kept = false;
    } else if (r.started) {
      in_warmup.push_back(r.chain);
    } else {
      not_started.push_back(r.chain);
    }
  }
  if (!in_warmup.empty()) {
    bool warming = true;
    for (int c : in_warmup)
      warming = warming && results[static_cast<std::size_t>(c)].warmup_iterations < tune;
    parts.push_back(chains_phrase(in_warmup) + " kept no draws" +
                    (warming ? " (stopped in warm-up)" : ""));
  }
  if (!not_started.empty()) parts.push_back(chains_phrase(not_started) + " never started");
  std::string note = "interrupted: ";
  for (std::size_t i = 0; i < parts.size(); ++i) note += (i ? ", " : "") + parts[i];
  if (used.empty()) {
    note += "; no draws to summarise";
  } else {
    bool equal = true;
    for (const auto& r : results)
      equal = equal && (r.draws.rows() == 0 || static_cast<std::size_t>(r.draws.rows()) == common);
    note += "; the summary uses " + chains_phrase(used) + ", " +
            (equal || used.size() == 1 ? "" : "the first ") + std::to_string(common) +
            (used.size() == 1 ? " draws" : " draws each");
    if (!equal && used.size() > 1) note += " (R-hat needs chains of equal length)";
  }
  if (!output_dir.empty()) note += "; every kept draw is in " + output_dir;
  return note;
}

// The metric the chains sampled with (Note [automatic metric]: `auto` picks per chain): "dense"
// when any chain's was, else "low_rank" when any chain's was, else "diag".
std::string metric_form(const infer::Trace& trace) {
  std::string form = "diag";
  for (const auto& c : trace.chains) {
    if (c.inverse_metric_dense.size() > 0) return "dense";
    if (c.inverse_metric_low_rank.rank() > 0) form = "low_rank";
  }
  return form;
}

}  // namespace

namespace {

const mpi::World* g_world = nullptr;

int world_rank(const mpi::World* w) {
#ifdef STOCHOS_WITH_MPI
  return w ? w->rank() : 0;
#else
  return w ? -1 : 0;  // no World exists without MPI
#endif
}

// The chains spread over the ranks (Note [chains across ranks]): each rank with the whole data,
// or each chain group's ranks with a shard each (Note [sharded runs]).
infer::Trace sample_over_ranks(const model::LogDensity& density, const infer::SampleOptions& o,
                               const mpi::World& world, const SampleSettings& s) {
#ifdef STOCHOS_WITH_MPI
  infer::check_sample_options(density, o);
  const auto same = [&](int) -> const model::LogDensity& { return density; };
  return mpi::sample_across_ranks(
      s.density_for ? s.density_for : std::function<const model::LogDensity&(int)>(same), o, world,
      {.groups = world.size() / s.shards, .shards = s.shards});
#else
  (void)density;
  (void)o;
  (void)world;
  (void)s;
  throw RuntimeError("this build has no MPI support");
#endif
}

}  // namespace

const mpi::World* mpi_world() {
  return g_world;
}

void set_mpi_world(const mpi::World* world) {
  g_world = world;
}

void interrupt_sampling() {
  g_interrupted.store(true);
}

int run_sampling(const model::Model& m, const SampleSettings& s, std::ostream& out,
                 std::ostream& err) {
  model::CompileOptions copts;
  copts.backend = s.backend;
  // A sharded run brings its chains' densities; the model (the whole data on rank 0) gives the
  // traced values.
  std::optional<model::LogDensity> whole;
  if (!s.density_for) whole.emplace(m.compile(copts));
  const model::LogDensity& density = s.density_for ? s.density_for(0) : *whole;
  const model::ValueFunction values = m.compile_values(copts);
  const infer::SampleOptions& so = s.sampler;
  std::vector<std::pair<std::string, std::string>> overrides;
  for (const std::string& step : s.steps) overrides.push_back(infer::parse_step(step));
  infer::SampleOptions run = so;
  run.compound = infer::plan_compound(m, overrides, so.sampler, copts);
  if (s.density_for && run.compound)
    throw InputError("--shard-by: models with discrete variables or --step cannot be sharded yet");
  if (s.density_for && s.init_pathfinder)
    throw InputError("--shard-by: --init pathfinder cannot be sharded yet");
  const std::vector<std::string>& stat_names =
      run.compound ? run.compound->stat_names : infer::kernel(so.sampler).stat_names;
  // Under mpirun only rank 0 writes, shows progress and summarises (Note [chains across ranks]).
  const bool root = world_rank(s.world) == 0;

  // Traces: one CSV per chain, written as the draws are made; existing files are kept unless
  // --overwrite.
  std::vector<std::unique_ptr<io::CsvWriter>> csv;
  if (!s.output_dir.empty() && root) {
    std::error_code ec;
    fs::create_directories(s.output_dir, ec);
    if (ec) throw InputError("--output-dir " + s.output_dir + ": " + ec.message());
    for (int c = 0; c < so.chains; ++c)
      refuse_overwrite(chain_path(s.output_dir, c), s.overwrite, "--output-dir");
    io::CsvHeader h;
    h.model = s.model_name;
    h.data_file = s.data_file;
    h.backend = density.backend_name();
    h.seed = so.seed;
    h.stochos_version = STOCHOS_VERSION;
    h.method_lines =
        io::sample_method_lines({.num_samples = so.draws,
                                 .num_warmup = so.tune,
                                 .max_depth = so.max_depth,
                                 .save_warmup = so.keep_warmup,
                                 .dense_metric = so.dense_metric || so.metric == "dense",
                                 .delta = so.target_accept,
                                 .engine = so.sampler == "hmc" ? "static" : so.sampler,
                                 .int_time = so.hmc_time,
                                 .init_buffer = so.init_buffer,
                                 .term_buffer = so.term_buffer,
                                 .window = so.base_window});
    for (int c = 0; c < so.chains; ++c) {
      h.chain_id = c + 1;
      csv.push_back(std::make_unique<io::CsvWriter>(chain_path(s.output_dir, c), h, stat_names,
                                                    csv_variables(values)));
      // Another rank can die at any moment: every row reaches the file whole, at once.
      if (s.world) csv.back()->flush_each_row();
    }
  }

  // Per chain: a workspace and a buffer for the traced values.
  std::vector<std::unique_ptr<model::ValueWorkspace>> vws;
  std::vector<std::vector<double>> vbuf;
  for (int c = 0; c < so.chains; ++c) {
    vws.push_back(values.make_workspace());
    vbuf.emplace_back(static_cast<std::size_t>(values.size()));
  }
  const bool terminal = ::isatty(STDERR_FILENO) != 0 && root;
  Progress progress(so.chains, so.tune, so.draws, stderr, terminal);

  run.stop = &g_interrupted;
  if (run.compound && root) err << "compound steps: " << run.compound->describe() << '\n';
  nlohmann::ordered_json init;  // the initialiser's figures, for the summary JSON
  if (s.init_pathfinder) {
    const auto pf = infer::init_from_pathfinder(density, run);
    init = method_json(pf.trace, density.backend_name());
    if (root)
      err << fmt::format(
          "pathfinder: {} paths, Pareto k-hat {:.2f}, {} gradient evaluations; each chain starts "
          "from its draws with its metric, warm-up {} iterations\n",
          pf.paths.size(), pf.pareto_k, init["grad_evals"].get<long>(), so.tune);
  }
  run.on_adapted = [&](int c, double eps, const Eigen::VectorXd& inv) {
    if (!csv.empty())
      csv[static_cast<std::size_t>(c)]->adaptation(
          eps, std::vector<double>(inv.data(), inv.data() + inv.size()));
  };
  run.on_adapted_dense = [&](int c, double eps, const Eigen::MatrixXd& inv) {
    if (csv.empty()) return;
    const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> rows = inv;
    csv[static_cast<std::size_t>(c)]->adaptation_dense(
        eps, std::vector<double>(rows.data(), rows.data() + rows.size()),
        static_cast<std::size_t>(inv.rows()));
  };
  run.on_draw = [&](int c, bool, const double* stats, const Eigen::VectorXd& q) {
    if (csv.empty()) return;
    const auto k = static_cast<std::size_t>(c);
    values(*vws[k], q.data(), vbuf[k].data());
    csv[k]->draw(stats, vbuf[k].data());
  };
  if ((s.progress && root) || s.after_iteration)
    run.progress = [&](int c, int it, int div) {
      if (s.progress) progress.update(c, it, div);
      if (s.after_iteration) s.after_iteration(c, it);
    };

  infer::Trace trace;
  {
    InterruptGuard guard;
    trace = s.world ? sample_over_ranks(density, run, *s.world, s) : infer::sample(density, run);
  }
  if (!root) return 0;  // rank 0 reports for every rank
  if (s.progress) progress.finish();
  bool interrupted = false;
  for (const auto& r : trace.chains) {
    interrupted = interrupted || r.interrupted;
    if (!csv.empty())
      csv[static_cast<std::size_t>(r.chain)]->timing(r.warmup_seconds, r.sampling_seconds);
  }

  TraceSummary summary = summarize_trace(trace, values, so.max_depth);
  summary.report.correlation_condition = infer::draws_correlation_condition(trace, so);
  print_summary(summary, out, err);

  if (!s.summary_json.empty()) {
    nlohmann::ordered_json j;
    j["variables"] = variables_json(summary.rows);
    nlohmann::ordered_json tune = nlohmann::json::array(), sample = nlohmann::json::array();
    long grads = 0;
    for (const auto& r : trace.chains) {
      tune.push_back(r.warmup_seconds);
      sample.push_back(r.sampling_seconds);
      grads += r.gradient_evaluations;
    }
    nlohmann::ordered_json ebfmi = nlohmann::json::array();
    for (double e : summary.report.ebfmi) ebfmi.push_back(number(e));
    j["sampler"] = {{"method", trace.method},
                    {"divergences", summary.report.divergences},
                    {"max_treedepth_hits", summary.report.max_treedepth_hits},
                    {"ebfmi", ebfmi},
                    {"seconds", {{"tune", tune}, {"sample", sample}}},
                    {"grad_evals", grads},
                    {"backend", density.backend_name()},
                    {"metric", metric_form(trace)}};
    if (!init.is_null()) j["sampler"]["init"] = init;
    write_json(s.summary_json, j, "--summary-json");
  }
  if (interrupted) {
    err << interrupt_note(trace.chains, summary.used, summary.common, so.tune, s.output_dir)
        << '\n';
    return 130;
  }
  return 0;
}

}  // namespace stochos::cli
