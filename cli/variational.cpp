// `stochos variational MODEL [--data FILE]`: ADVI, mean-field or full-rank (infer/advi.hpp), with
// CmdStan's `variational` defaults; CmdStan's variational CSV, the summary table of the
// approximation's draws, and the fit's figures on stderr (SPEC.md §1.3).
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <cmath>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/model_file.hpp"
#include "cli/trace_output.hpp"
#include "cli/validators.hpp"
#include "infer/advi.hpp"

namespace stochos::cli {
namespace {

struct VariationalCommand {
  ModelArgs args;
  std::string output, summary_json;
  bool overwrite = false, progress = true, no_adapt = false;
  infer::AdviOptions advi;
};

// CmdStan's description of the `variational` arguments, "(Default)" where the value is.
std::vector<std::string> method_lines(const infer::AdviOptions& o) {
  const infer::AdviOptions d;
  const auto line = [](const std::string& text, bool is_default) {
    return text + (is_default ? " (Default)" : "");
  };
  return {
      "  variational",
      line("    algorithm = " + o.method, o.method == d.method),
      "      " + o.method,
      line(fmt::format("    iter = {}", o.iter), o.iter == d.iter),
      line(fmt::format("    grad_samples = {}", o.grad_samples), o.grad_samples == d.grad_samples),
      line(fmt::format("    elbo_samples = {}", o.elbo_samples), o.elbo_samples == d.elbo_samples),
      line(fmt::format("    eta = {}", o.eta), o.eta == d.eta),
      "    adapt",
      line(fmt::format("      engaged = {}", o.adapt ? 1 : 0), o.adapt == d.adapt),
      line(fmt::format("      iter = {}", o.adapt_iter), o.adapt_iter == d.adapt_iter),
      line(fmt::format("    tol_rel_obj = {}", o.tol_rel_obj), o.tol_rel_obj == d.tol_rel_obj),
      line(fmt::format("    eval_elbo = {}", o.eval_elbo), o.eval_elbo == d.eval_elbo),
      line(fmt::format("    output_samples = {}", o.output_samples),
           o.output_samples == d.output_samples)};
}

// CmdStan's variational CSV: after the header, the eta lines (which CmdStanPy reads), the
// approximation's mean with lp__, log_p__ and log_g__ 0, then the draws.
void write_csv(const VariationalCommand& o, const infer::Trace& t,
               const model::ValueFunction& values, const std::string& backend) {
  io::CsvHeader h;
  h.model = model_name(o.args.model);
  h.data_file = o.args.data;
  h.backend = backend;
  h.seed = o.advi.seed;
  h.stochos_version = STOCHOS_VERSION;
  h.method = "variational";
  h.method_lines = method_lines(o.advi);
  write_trace_csv(
      o.output, h, t, values, 0, /*point_row=*/true,
      {o.advi.adapt ? "Stepsize adaptation complete." : "Stepsize adaptation not engaged.",
       fmt::format("eta = {}", t.figure("eta"))});
}

int run_variational(VariationalCommand& o) {
  if (!o.output.empty()) refuse_overwrite(o.output, o.overwrite, "--output");
  const ConfiguredModel m = load_configured_model(o.args);
  model::CompileOptions copts;
  copts.backend = m.backend;
  const model::LogDensity density = m.model->compile(copts);
  const model::ValueFunction values = m.model->compile_values(copts);

  o.advi.adapt = !o.no_adapt;
  infer::AdviOptions a = o.advi;
  if (o.progress) {
    // Stan's console output: each eta tried, then the ELBO table.
    a.on_eta = [](double eta, double elbo) {
      std::cerr << fmt::format("eta = {:<5} ELBO = {:.3f}\n", eta, elbo);
    };
    a.on_elbo = [first = true](const infer::AdviElboReport& r) mutable {
      if (first)
        std::cerr << "  iter             ELBO   delta_ELBO_mean   delta_ELBO_med   notes\n";
      first = false;
      std::cerr << fmt::format("{:>6}  {:>15.3f}  {:>16.3f}  {:>15.3f}   {}\n", r.iteration, r.elbo,
                               r.delta_mean, r.delta_median, r.notes);
    };
  }
  const infer::Trace t = infer::advi(density, a);

  if (!o.output.empty()) write_csv(o, t, values, density.backend_name());
  const TraceSummary summary = summarize_trace(t, values);
  print_summary(summary, std::cout, std::cerr);
  const double k = t.figure("pareto_k");
  std::cerr << fmt::format(
      "{} ADVI: ELBO {:.3f}, eta {}{}, {} iterations, {} gradient evaluations, Pareto k-hat "
      "{:.2f}, {:.3f} s\n",
      t.method, t.figure("elbo"), t.figure("eta"), a.adapt ? " (adapted)" : "",
      t.figure("iterations"), t.figure("grad_evals"), k,
      t.chains[0].warmup_seconds + t.chains[0].sampling_seconds);
  if (!t.message.empty()) std::cerr << t.message << '\n';
  if (!(k <= 0.7))
    std::cerr << fmt::format(
        "warning: Pareto k-hat {:.2f} > 0.7: the approximation is a poor stand-in for the "
        "posterior (Yao et al. 2018); its means and sds may be far off\n",
        k);
  if (!o.summary_json.empty())
    write_summary_json(o.summary_json, summary, t, density.backend_name());
  return 0;
}

}  // namespace

Command add_variational_command(CLI::App& app) {
  auto o = std::make_shared<VariationalCommand>();
  auto& a = o->advi;
  CLI::App* sub =
      app.add_subcommand("variational", "Approximate a model's posterior with ADVI (Stan's)");
  add_model_args(*sub, o->args);
  sub->add_option("--method", a.method, "The Gaussian family")
      ->check(CLI::IsMember({"meanfield", "fullrank"}))
      ->capture_default_str();
  sub->add_option("--iter", a.iter, "Most gradient-ascent iterations")
      ->capture_default_str()
      ->check(positive());
  sub->add_option("--grad-samples", a.grad_samples, "Draws per gradient estimate")
      ->capture_default_str()
      ->check(positive());
  sub->add_option("--elbo-samples", a.elbo_samples, "Draws per ELBO estimate")
      ->capture_default_str()
      ->check(positive());
  sub->add_option("--eta", a.eta, "Step-size scale (used with --no-adapt)")
      ->capture_default_str()
      ->check(positive());
  sub->add_flag("--no-adapt", o->no_adapt, "Use --eta instead of choosing eta by adaptation");
  sub->add_option("--adapt-iter", a.adapt_iter, "Iterations per eta tried in adaptation")
      ->capture_default_str()
      ->check(positive());
  sub->add_option("--tol-rel-obj", a.tol_rel_obj,
                  "Convergence: the relative ELBO change's mean or median below this")
      ->capture_default_str()
      ->check(positive());
  sub->add_option("--eval-elbo", a.eval_elbo, "Iterations between ELBO estimates")
      ->capture_default_str()
      ->check(positive());
  sub->add_option("--output-samples", a.output_samples, "Draws of the approximation")
      ->capture_default_str()
      ->check(positive());
  sub->add_option("--seed", a.seed, "Random seed (the same seed gives the same draws)")
      ->capture_default_str();
  sub->add_option("--cores", a.cores, "Threads for the ELBO's draws (default: hardware threads)")
      ->check(non_negative());
  sub->add_option("--output", o->output, "Write CmdStan's variational CSV here");
  sub->add_flag("--overwrite", o->overwrite, "Replace an existing --output file");
  sub->add_option("--summary-json", o->summary_json, "Write the summary as JSON here");
  sub->add_flag("!--no-progress", o->progress, "No eta and ELBO lines while it runs");
  return {sub, [o] { return run_variational(*o); }};
}

}  // namespace stochos::cli
