// `stochos optimize MODEL [--data FILE]` (SPEC.md §1.3): the mode by L-BFGS with Stan's settings
// and messages, the constrained values there (deterministics too), and with --laplace N draws
// from the normal approximation at the mode.
#include "cli/optimize.hpp"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cmath>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/model_file.hpp"
#include "cli/trace_output.hpp"
#include "cli/validators.hpp"
#include "infer/laplace.hpp"
#include "model/hessian.hpp"
#include "stochos/error.hpp"

namespace stochos::cli {
namespace {

const infer::LbfgsOptions kStanDefaults{};

// CmdStan's method lines: "  optimize", "    algorithm = lbfgs (Default)", ...; a setting at
// its default is marked so.
std::vector<std::string> optimize_method_lines(const infer::OptimizeOptions& o) {
  const infer::LbfgsOptions& l = o.lbfgs;
  const auto line = [](int indent, const std::string& name, const auto& value, bool dflt) {
    return std::string(static_cast<std::size_t>(indent), ' ') + name + " = " +
           fmt::format("{}", value) + (dflt ? " (Default)" : "");
  };
  const auto& d = kStanDefaults;
  return {"  optimize",
          "    algorithm = lbfgs (Default)",
          "      lbfgs",
          line(8, "init_alpha", l.init_alpha, l.init_alpha == d.init_alpha),
          line(8, "tol_obj", l.tol_obj, l.tol_obj == d.tol_obj),
          line(8, "tol_rel_obj", l.tol_rel_obj, l.tol_rel_obj == d.tol_rel_obj),
          line(8, "tol_grad", l.tol_grad, l.tol_grad == d.tol_grad),
          line(8, "tol_rel_grad", l.tol_rel_grad, l.tol_rel_grad == d.tol_rel_grad),
          line(8, "tol_param", l.tol_param, l.tol_param == d.tol_param),
          line(8, "history_size", l.history, l.history == d.history),
          line(4, "jacobian", o.jacobian ? 1 : 0, !o.jacobian),
          line(4, "iter", l.max_iterations, l.max_iterations == d.max_iterations),
          "    save_iterations = 0 (Default)"};
}

std::vector<std::string> laplace_method_lines(bool jacobian, int draws) {
  return {"  laplace", "    mode = (this run's L-BFGS mode)",
          std::string("    jacobian = ") + (jacobian ? "1 (Default)" : "0"),
          "    draws = " + std::to_string(draws) + (draws == 1000 ? " (Default)" : ""),
          "    calculate_lp = 1 (Default)"};
}

// Values of `shape` (row-major from v[at]) as nested JSON lists, a number for a scalar.
nlohmann::ordered_json nested(const std::vector<double>& v, const graph::Shape& shape,
                              std::size_t axis, std::size_t& at) {
  if (axis == shape.size()) return number(v[at++]);
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (std::int64_t i = 0; i < shape[axis]; ++i) list.push_back(nested(v, shape, axis + 1, at));
  return list;
}

nlohmann::ordered_json variables_at_mode(const model::ValueFunction& values,
                                         const std::vector<double>& at_mode) {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  for (const auto& v : values.variables()) {
    std::size_t at = static_cast<std::size_t>(v.offset);
    j[v.name] = nested(at_mode, v.shape, 0, at);
  }
  return j;
}

void print_table(const model::ValueFunction& values, const std::vector<double>& at_mode,
                 std::ostream& out) {
  const auto names = values.column_names();
  std::size_t width = 8;
  for (const auto& n : names) width = std::max(width, n.size());
  out << fmt::format("{:<{}}  {:>12}\n", "variable", width, "mode");
  for (std::size_t i = 0; i < names.size(); ++i)
    out << fmt::format("{:<{}}  {:>12.6g}\n", names[i], width, at_mode[i]);
}

}  // namespace

int run_optimize(const model::Model& m, const OptimizeSettings& s, std::ostream& out,
                 std::ostream& err) {
  const bool json = s.format == "json";
  if (!s.output.empty()) refuse_overwrite(s.output, s.overwrite, "--output");
  model::CompileOptions copts;
  copts.backend = s.backend;
  copts.jacobian = s.optimizer.jacobian;
  const model::LogDensity density = m.compile(copts);
  const model::ValueFunction values = m.compile_values(copts);

  const infer::Trace mode = infer::optimize(density, s.optimizer);
  // A failed line search (CmdStan: an error), or a stop where the density has no mode.
  const bool failed = mode.message.rfind("Line search failed", 0) == 0 ||
                      mode.message.find("the density has no mode") != std::string::npos;
  std::optional<infer::Trace> laplace;
  if (s.laplace_draws > 0) {
    if (failed) throw RuntimeError("optimization failed, so no Laplace draws: " + mode.message);
    laplace = infer::laplace(density, model::compile_hessian(m, copts), mode.point, s.laplace_draws,
                             s.optimizer.seed);
  }

  const std::vector<double> at_mode = point_values(mode, values);
  const double log_density = mode.figure("log_density");
  const auto iterations = static_cast<long>(mode.figure("iterations"));
  const auto grad_evals = static_cast<long>(mode.figure("grad_evals"));
  const bool converged = mode.figure("converged") == 1.0;
  std::optional<TraceSummary> summary;
  if (laplace) summary = summarize_trace(*laplace, values);

  if (json) {
    nlohmann::ordered_json j;
    j["method"] = mode.method;
    j["jacobian"] = s.optimizer.jacobian;
    j["log_density"] = number(log_density);
    j["converged"] = converged;
    j["reason"] = mode.message;
    j["iterations"] = iterations;
    j["grad_evals"] = grad_evals;
    j["seconds"] = mode.chains.at(0).sampling_seconds;  // L-BFGS alone, not parsing or compiling
    j["variables"] = variables_at_mode(values, at_mode);
    if (laplace)
      j["laplace"] = {{"draws", s.laplace_draws}, {"variables", variables_json(summary->rows)}};
    out << j.dump(2) << '\n';
  } else {
    print_table(values, at_mode, out);
    if (summary) {
      out << "\nLaplace approximation at the mode, " << s.laplace_draws << " draws:\n";
      print_summary(*summary, out, err);
    }
  }

  if (!s.output.empty()) {
    io::CsvHeader h;
    h.model = s.model_name;
    h.data_file = s.data_file;
    h.backend = density.backend_name();
    h.seed = s.optimizer.seed;
    h.stochos_version = STOCHOS_VERSION;
    if (laplace) {
      h.method = "laplace";
      h.method_lines = laplace_method_lines(s.optimizer.jacobian, s.laplace_draws);
      write_trace_csv(s.output, h, *laplace, values);
    } else {
      h.method = "optimize";
      h.method_lines = optimize_method_lines(s.optimizer);
      write_trace_csv(s.output, h, mode, values);
    }
  }

  // CmdStan: a line search that fails ends the run "with error"; the last iterate is reported.
  if (failed)
    throw RuntimeError("optimization failed after " + std::to_string(iterations) +
                       " iterations: " + mode.message);
  if (!json)
    err << fmt::format(
        "L-BFGS stopped after {} iterations ({} gradient evaluations): {}; log density {:.6g}\n",
        iterations, grad_evals, mode.message, log_density);
  if (!converged)
    err << "warning: L-BFGS did not converge; the values are its last iterate (raise "
           "--iterations?)\n";
  if (laplace && !s.optimizer.jacobian)
    err << "note: --laplace without --jacobian approximates the density without the "
           "log-Jacobians (CmdStan's laplace takes jacobian=1 by default)\n";
  return 0;
}

namespace {

struct OptimizeCommand {
  ModelArgs args;
  OptimizeSettings settings;
};

int run_command(OptimizeCommand& o) {
  const ConfiguredModel m = load_configured_model(o.args);
  o.settings.backend = m.backend;
  o.settings.model_name = model_name(o.args.model);
  o.settings.data_file = o.args.data;
  return run_optimize(*m.model, o.settings, std::cout, std::cerr);
}

}  // namespace

Command add_optimize_command(CLI::App& app) {
  auto o = std::make_shared<OptimizeCommand>();
  OptimizeSettings& s = o->settings;
  infer::LbfgsOptions& l = s.optimizer.lbfgs;
  CLI::App* sub =
      app.add_subcommand("optimize", "The posterior mode (MAP) by L-BFGS, and Laplace draws");
  add_model_args(*sub, o->args);
  sub->add_flag("--jacobian", s.optimizer.jacobian,
                "Include the transforms' log-Jacobians: the mode on the unconstrained space");
  sub->add_option("--laplace", s.laplace_draws,
                  "Draw N times from the normal approximation at the mode")
      ->check(CLI::Range(1, 100000000));
  sub->add_option("--output", s.output,
                  "Write CmdStan's optimize CSV here (its laplace CSV with --laplace)");
  sub->add_flag("--overwrite", s.overwrite, "Replace an existing --output file");
  sub->add_option("--format", s.format, "table or json")
      ->check(CLI::IsMember({"table", "json"}))
      ->capture_default_str();
  sub->add_option("--seed", s.optimizer.seed, "Random seed (the start, the Laplace draws)")
      ->capture_default_str();
  sub->add_option("--init-alpha", l.init_alpha, "The first line search's step length")
      ->capture_default_str()
      ->check(positive());
  sub->add_option("--tol-obj", l.tol_obj, "Convergence: absolute change of log p")
      ->capture_default_str()
      ->check(non_negative());
  sub->add_option("--tol-rel-obj", l.tol_rel_obj,
                  "Convergence: relative change of log p, in units of epsilon")
      ->capture_default_str()
      ->check(non_negative());
  sub->add_option("--tol-grad", l.tol_grad, "Convergence: gradient norm")
      ->capture_default_str()
      ->check(non_negative());
  sub->add_option("--tol-rel-grad", l.tol_rel_grad,
                  "Convergence: relative gradient magnitude, in units of epsilon")
      ->capture_default_str()
      ->check(non_negative());
  sub->add_option("--tol-param", l.tol_param, "Convergence: change of the parameters")
      ->capture_default_str()
      ->check(non_negative());
  sub->add_option("--history-size", l.history, "L-BFGS's history of updates")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000));
  sub->add_option("--iterations", l.max_iterations, "Maximum iterations")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000000000));
  return {sub, [o] { return run_command(*o); }};
}

}  // namespace stochos::cli
