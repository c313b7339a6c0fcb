// `stochos demo`: until the sampler (issue 6) and the language (issue 5) land, `make run` shows
// the most complete path that exists: the eight-schools log density built with the graph API,
// its symbolic gradient, the rewrites, and one engine's executable, evaluated and timed.
#include <chrono>
#include <cmath>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "backends/compile.hpp"
#include "backends/config.hpp"
#include "backends/registry.hpp"
#include "cli/commands.hpp"
#include "cli/eight_schools.hpp"
#include "graph/print.hpp"
#include "rewrite/rewrite.hpp"
#include "stochos/error.hpp"

namespace stochos::cli {
namespace {

struct DemoOptions {
  std::string data = "examples/eight_schools.data.json";
  backends::ConfigOverrides config;  // --backend, --device
  std::uint64_t seed = 0;
  bool seeded = false;
  std::int64_t iterations = 100000;
};

int run_demo(const DemoOptions& o) {
  if (o.iterations < 0)
    throw InputError("--iterations must be 0 or more, got " + std::to_string(o.iterations));
  const EightSchoolsData data = load_eight_schools_data(o.data);
  const backends::Config config = backends::load_config(o.config);
  const backends::Backend& backend = backends::configured_backend(config);
  const EightSchoolsDensity m = build_eight_schools(data);

  const std::vector<graph::NodeId> inputs = {m.theta.id()};
  const std::vector<graph::NodeId> outputs = {m.logp.id(), m.grad.id()};
  const std::size_t nodes_before = graph::reachable(*m.graph, outputs).size();
  // compile() rewrites again internally; this copy is only for reporting the size.
  const std::size_t nodes_after = rewrite::optimize(*m.graph, outputs).graph->size();
  const backends::CompileOptions copts = backends::configured_options(config);
  const auto exe = backends::compile(backend, *m.graph, inputs, outputs, copts);
  const auto ws = exe->make_workspace();

  // The point: theta = 0 (mu = 0, tau = 1, theta_z = 0), or Stan's uniform(-2, 2) initial point.
  const std::size_t n = m.names.size();
  std::vector<double> theta(n, 0.0), grad(n, 0.0);
  double logp = 0.0;
  if (o.seeded) {
    std::mt19937_64 rng(o.seed);
    std::uniform_real_distribution<double> init(-2.0, 2.0);
    for (double& t : theta) t = init(rng);
  }
  const void* in[] = {theta.data()};
  void* out[] = {&logp, grad.data()};
  exe->run(*ws, in, out);

  fmt::print("stochos demo: eight schools (non-centred), log density and gradient\n");
  fmt::print("  built by hand with the graph API; no sampler yet\n\n");
  fmt::print("backend      {} {} (device {}, float64; from {}, see `stochos config`)\n",
             backend.name(), backend.version(), copts.device, config.backend.source);
  fmt::print("data         {} (J = {})\n", o.data, data.J);
  fmt::print("graph        {} nodes for log p and gradient, {} after rewrites\n", nodes_before,
             nodes_after);
  fmt::print("point        {}\n", o.seeded
                                      ? fmt::format("uniform(-2, 2), seed {}", o.seed)
                                      : std::string("theta = 0 (mu = 0, tau = 1, theta_z = 0)"));
  fmt::print("log p        {:.12g}\n\n", logp);
  fmt::print("  {:<12} {:>16} {:>20}\n", "variable", "value", "d log p / d value");
  for (std::size_t i = 0; i < n; ++i)
    fmt::print("  {:<12} {:>16.10g} {:>20.12g}\n", m.names[i], theta[i], grad[i]);
  fmt::print("\n");

  if (o.iterations > 0) {
    // Warm the caches and branch predictors first so the figure is the steady state NUTS sees.
    for (std::int64_t i = 0; i < std::min<std::int64_t>(o.iterations, 1000); ++i)
      exe->run(*ws, in, out);
    const auto t0 = std::chrono::steady_clock::now();
    for (std::int64_t i = 0; i < o.iterations; ++i) exe->run(*ws, in, out);
    const std::chrono::duration<double, std::micro> dt = std::chrono::steady_clock::now() - t0;
    fmt::print("timing       {} evaluations, {:.3f} \u00b5s per log density + gradient\n",
               o.iterations, dt.count() / static_cast<double>(o.iterations));
  }
  if (!std::isfinite(logp)) throw RuntimeError("log density is not finite at this point");
  fmt::print(
      "\nNUTS sampling arrives with issue 6; then `make run` samples "
      "examples/eight_schools.stoch.\n");
  return 0;
}

}  // namespace

Command add_demo_command(CLI::App& app) {
  auto o = std::make_shared<DemoOptions>();
  CLI::App* sub = app.add_subcommand(
      "demo", "Evaluate and time the eight-schools log density and gradient (until NUTS lands)");
  sub->add_option("--data", o->data, "Data JSON with J, y and sigma")->capture_default_str();
  sub->add_option("--backend", o->config.backend,
                  "Engine to compile on (see `stochos backends`; default from `stochos config`)");
  sub->add_option("--device", o->config.device, "Device of the engine (default from config)");
  CLI::Option* seed =
      sub->add_option("--seed", o->seed, "Evaluate at a uniform(-2, 2) point from this seed");
  sub->add_option("--iterations", o->iterations, "Evaluations to time (0: skip timing)")
      ->capture_default_str();
  return {sub, [o, seed] {
            o->seeded = seed->count() > 0;
            return run_demo(*o);
          }};
}

}  // namespace stochos::cli
