// `stochos pathfinder MODEL [--data FILE]`: multi-path Pathfinder (infer/pathfinder.hpp) with
// CmdStan's defaults (SPEC.md §1.3): CmdStan's pathfinder CSV (--output), the summary table of
// the draws on stdout, Pareto k-hat, ELBO, gradient evaluations and seconds on stderr (with a
// warning when k-hat > 0.7 and for each dropped path), and --summary-json.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>
#include <type_traits>

#include "cli/commands.hpp"
#include "cli/model_file.hpp"
#include "cli/trace_output.hpp"
#include "cli/validators.hpp"
#include "infer/pathfinder.hpp"
#include "stochos/error.hpp"

namespace stochos::cli {
namespace {

struct PathfinderCommand {
  ModelArgs args;
  std::string output, summary_json;
  bool overwrite = false, no_psis_resample = false;
  infer::PathfinderOptions options;
};

// CmdStan's listing of the pathfinder arguments, "(Default)" where they are.
std::vector<std::string> method_lines(const infer::PathfinderOptions& o) {
  const infer::PathfinderOptions d;
  std::vector<std::string> l = {"  pathfinder"};
  const auto add = [&](const char* name, auto value, auto default_value) {
    // Numbers as CmdStan prints them: 0.001, 1e-12, 10000, 1e+07.
    std::string text;
    if constexpr (std::is_floating_point_v<decltype(value)>)
      text = fmt::format("{:g}", value);
    else
      text = fmt::format("{}", value);
    l.push_back(
        fmt::format("    {} = {}{}", name, text, value == default_value ? " (Default)" : ""));
  };
  add("init_alpha", o.init_alpha, d.init_alpha);
  add("tol_obj", o.tol_obj, d.tol_obj);
  add("tol_rel_obj", o.tol_rel_obj, d.tol_rel_obj);
  add("tol_grad", o.tol_grad, d.tol_grad);
  add("tol_rel_grad", o.tol_rel_grad, d.tol_rel_grad);
  add("tol_param", o.tol_param, d.tol_param);
  add("history_size", o.history_size, d.history_size);
  add("num_psis_draws", o.num_psis_draws, d.num_psis_draws);
  add("num_paths", o.num_paths, d.num_paths);
  l.emplace_back("    save_single_paths = false (Default)");
  add("psis_resample", o.psis_resample, d.psis_resample);
  l.emplace_back("    calculate_lp = true (Default)");
  add("max_lbfgs_iters", o.max_lbfgs_iters, d.max_lbfgs_iters);
  add("num_draws", o.num_draws, d.num_draws);
  add("num_elbo_draws", o.num_elbo_draws, d.num_elbo_draws);
  return l;
}

// The figures' line: "pathfinder: 4 paths, Pareto k-hat 0.31, ELBO -1.23, 5120 gradient
// evaluations, 0.012 seconds".
std::string figures_line(const infer::PathfinderResult& r) {
  const auto figure = [&](const std::string& name) { return r.trace.figure(name); };
  const int paths = static_cast<int>(figure("paths"));
  return fmt::format(
      "pathfinder: {} path{}, Pareto k-hat {:.2f}, ELBO {:.4g}, {} gradient evaluations, {:.3g} "
      "seconds",
      paths, paths == 1 ? "" : "s", r.pareto_k, figure("elbo"),
      static_cast<long>(figure("grad_evals")), figure("seconds"));
}

int run_pathfinder(PathfinderCommand& o) {
  const ConfiguredModel m = load_configured_model(o.args);
  model::CompileOptions copts;
  copts.backend = m.backend;
  const model::LogDensity density = m.model->compile(copts);
  const model::ValueFunction values = m.model->compile_values(copts);
  if (!o.output.empty()) refuse_overwrite(o.output, o.overwrite, "--output");
  o.options.psis_resample = !o.no_psis_resample;

  const infer::PathfinderResult r = infer::pathfinder(density, o.options);

  if (!o.output.empty()) {
    io::CsvHeader h;
    h.model = model_name(o.args.model);
    h.data_file = o.args.data;
    h.backend = density.backend_name();
    h.seed = o.options.seed;
    h.stochos_version = STOCHOS_VERSION;
    h.method = "pathfinder";
    h.method_lines = method_lines(o.options);
    write_trace_csv(o.output, h, r.trace, values);
  }
  const TraceSummary summary = summarize_trace(r.trace, values);
  print_summary(summary, std::cout, std::cerr);
  std::cerr << figures_line(r) << '\n';
  for (const auto& note : r.notes) std::cerr << "warning: " << note << '\n';
  if (!o.summary_json.empty())
    write_summary_json(o.summary_json, summary, r.trace, density.backend_name());
  return 0;
}

}  // namespace

Command add_pathfinder_command(CLI::App& app) {
  auto o = std::make_shared<PathfinderCommand>();
  auto& p = o->options;
  CLI::App* sub = app.add_subcommand(
      "pathfinder", "Approximate a model's posterior with multi-path Pathfinder (CmdStan's)");
  add_model_args(*sub, o->args);
  const auto count = [&](const char* flag, int& v, const char* what) {
    sub->add_option(flag, v, what)->capture_default_str()->check(positive());
  };
  const auto tolerance = [&](const char* flag, double& v, const char* what) {
    sub->add_option(flag, v, what)->capture_default_str()->check(non_negative());
  };
  count("--num-paths", p.num_paths, "Independent Pathfinder paths");
  count("--num-draws", p.num_draws, "Draws from each path's best approximation");
  count("--num-psis-draws", p.num_psis_draws,
        "Draws kept after resampling the pooled draws by PSIS weights");
  count("--num-elbo-draws", p.num_elbo_draws, "Monte Carlo draws per ELBO estimate");
  count("--history-size", p.history_size, "L-BFGS history: the approximation's rank / 2");
  count("--max-lbfgs-iters", p.max_lbfgs_iters, "L-BFGS iterations per path at most");
  sub->add_option("--init-alpha", p.init_alpha, "The first line search's step length")
      ->capture_default_str()
      ->check(positive());
  tolerance("--tol-obj", p.tol_obj, "Convergence: absolute change in log p");
  tolerance("--tol-rel-obj", p.tol_rel_obj, "Convergence: relative change in log p");
  tolerance("--tol-grad", p.tol_grad, "Convergence: gradient norm");
  tolerance("--tol-rel-grad", p.tol_rel_grad, "Convergence: relative gradient magnitude");
  tolerance("--tol-param", p.tol_param, "Convergence: change in the parameters");
  sub->add_flag("--no-psis-resample", o->no_psis_resample,
                "Keep every path's draws instead of resampling them by PSIS weights");
  sub->add_option("--seed", p.seed, "Random seed (the same seed gives the same draws)")
      ->capture_default_str();
  sub->add_option("--cores", p.cores, "Threads (default: min(paths, hardware threads))");
  sub->add_option("--output", o->output, "Write CmdStan's pathfinder CSV here");
  sub->add_option("--summary-json", o->summary_json, "Write the summary as JSON here");
  sub->add_flag("--overwrite", o->overwrite, "Replace an existing --output file");
  return {sub, [o] { return run_pathfinder(*o); }};
}

}  // namespace stochos::cli
