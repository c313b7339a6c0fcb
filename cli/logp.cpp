// `stochos logp MODEL --data FILE --point POINT.json [--jacobian]` (SPEC.md §1.3): the log
// density, each variable's term and the gradient at a point, as JSON.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <memory>
#include <nlohmann/json.hpp>

#include "backends/config.hpp"
#include "cli/commands.hpp"
#include "cli/model_file.hpp"
#include "io/data.hpp"
#include "model/point.hpp"
#include "stochos/error.hpp"

namespace stochos::cli {
namespace {

struct LogpOptions {
  std::string model, data, point;
  std::optional<std::string> backend;
  bool jacobian = false;
};

// Values of `shape` as nested JSON lists (a number for a scalar); NaN and inf as strings.
nlohmann::ordered_json nested(const std::vector<double>& v, const graph::Shape& shape,
                              std::size_t axis, std::size_t& at) {
  if (axis == shape.size()) {
    const double x = v[at++];
    if (std::isfinite(x)) return x;
    return std::isnan(x) ? "nan" : (x > 0 ? "inf" : "-inf");
  }
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (std::int64_t i = 0; i < shape[axis]; ++i) list.push_back(nested(v, shape, axis + 1, at));
  return list;
}
nlohmann::ordered_json nested(const std::vector<double>& v, const graph::Shape& shape) {
  std::size_t at = 0;
  return nested(v, shape, 0, at);
}

int run_logp(const LogpOptions& o) {
  const auto m = load_model(o.model, o.data);
  const io::DataSet point = io::load_data(o.point);
  std::vector<std::vector<double>> values;
  for (const auto& v : m->free_vars()) {
    const auto it = point.find(v.name);
    if (it == point.end())
      throw InputError(o.point + ": error: no value for the free variable '" + v.name + "'");
    values.push_back(it->second.values);
  }
  std::vector<double> theta;
  try {
    theta = model::unconstrain(*m, values);
  } catch (const InputError& e) {
    throw InputError(o.point + ": error: " + e.what());
  }
  model::CompileOptions c;
  c.backend = o.backend;
  const model::PointResult r = model::evaluate_point(*m, theta, o.jacobian, c);
  backends::ConfigOverrides flags;
  flags.backend = o.backend;
  nlohmann::ordered_json j;
  j["backend"] = backends::load_config(flags).backend.value;
  j["logp"] = nested({r.logp}, {});
  j["terms"] = nlohmann::ordered_json::object();
  for (const auto& [name, t] : r.terms) j["terms"][name] = nested({t}, {});
  j["grad"] = nlohmann::ordered_json::object();
  for (std::size_t k = 0; k < r.grad.size(); ++k) {
    const auto& v = m->free_vars()[k];
    j["grad"][r.grad[k].first] =
        nested(r.grad[k].second, o.jacobian ? v.unconstrained_shape : v.shape);
  }
  fmt::print("{}\n", j.dump(2));
  return 0;
}

}  // namespace

Command add_logp_command(CLI::App& app) {
  auto o = std::make_shared<LogpOptions>();
  CLI::App* sub = app.add_subcommand("logp", "Log density, terms and gradient at a point (JSON)");
  sub->add_option("model", o->model, "The model (.stoch)")->required()->check(CLI::ExistingFile);
  sub->add_option("--data", o->data, "Data JSON")->check(CLI::ExistingFile);
  sub->add_option("--point", o->point, "A value for every free variable (JSON)")
      ->required()
      ->check(CLI::ExistingFile);
  sub->add_flag("--jacobian", o->jacobian,
                "The unconstrained density (with log-Jacobians) and its gradient there");
  sub->add_option("--backend", o->backend, "Engine (default from config)");
  return {sub, [o] { return run_logp(*o); }};
}

}  // namespace stochos::cli
