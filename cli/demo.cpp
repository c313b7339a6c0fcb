// `stochos demo`: until the language (issue 5) lands, `make run` runs the main job on eight
// schools built with the C++ modelling API from examples/eight_schools.data.json — NUTS, four
// chains in parallel, progress bars, the summary table and its warnings — and times one log
// density + gradient evaluation. Then `make run` becomes `stochos sample
// examples/eight_schools.stoch`.
#include <chrono>
#include <cmath>
#include <cstdint>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "cli/commands.hpp"
#include "cli/eight_schools.hpp"
#include "cli/sampling.hpp"
#include "model/model.hpp"
#include "stochos/error.hpp"

namespace stochos::cli {
namespace {

struct DemoOptions {
  std::string data = "examples/eight_schools.data.json";
  std::optional<std::string> backend;
  SampleSettings settings;
  std::int64_t iterations = 100000;
};

// Eight schools, non-centred, exactly as examples/eight_schools.stoch writes it.
void build(model::Model& m, const EightSchoolsData& d) {
  using namespace dist;
  const graph::Shape j{d.J};
  graph::Tensor mu = m.rv("mu", Normal(0, 5));
  graph::Tensor tau = m.rv("tau", HalfCauchy(5));
  graph::Tensor z = m.rv("theta_z", Normal(0, 1), {.shape = j});
  graph::Tensor theta = m.deterministic("theta", mu + tau * z);
  m.observe("y", Normal(theta, Arg(d.sigma, j)), d.y, j);
}

// Microseconds per log density + gradient at the initial point.
double time_density(const model::Model& m, std::int64_t iterations,
                    const model::CompileOptions& c) {
  const model::LogDensity d = m.compile(c);
  auto ws = d.make_workspace();
  const std::vector<double> theta = m.initial_point();
  std::vector<double> grad(theta.size());
  for (std::int64_t i = 0; i < std::min<std::int64_t>(iterations, 1000); ++i)
    d(*ws, theta.data(), grad.data());
  const auto t0 = std::chrono::steady_clock::now();
  for (std::int64_t i = 0; i < iterations; ++i) d(*ws, theta.data(), grad.data());
  const std::chrono::duration<double, std::micro> dt = std::chrono::steady_clock::now() - t0;
  return dt.count() / static_cast<double>(iterations);
}

int run_demo(DemoOptions& o) {
  if (o.iterations < 0)
    throw InputError("--iterations must be 0 or more, got " + std::to_string(o.iterations));
  const EightSchoolsData data = load_eight_schools_data(o.data);
  model::Model m;
  build(m, data);
  o.settings.backend = o.backend;
  o.settings.model_name = "eight_schools";
  o.settings.data_file = o.data;
  const auto& s = o.settings.sampler;
  fmt::print("stochos demo: eight schools (non-centred), built with the C++ API from {}\n", o.data);
  fmt::print("NUTS: {} chains x {} draws after {} warm-up, seed {}\n\n", s.chains, s.draws, s.tune,
             s.seed);
  std::cout.flush();
  const int code = run_sampling(m, o.settings, std::cout, std::cerr);
  if (o.iterations > 0) {
    model::CompileOptions c;
    c.backend = o.backend;
    fmt::print("\nlog density + gradient: {:.3f} \u00b5s per evaluation ({} timed)\n",
               time_density(m, o.iterations, c), o.iterations);
  }
  fmt::print(
      "\nThe .stoch language arrives with issue 5; then `make run` is `stochos sample "
      "examples/eight_schools.stoch`.\n");
  return code;
}

}  // namespace

Command add_demo_command(CLI::App& app) {
  auto o = std::make_shared<DemoOptions>();
  o->settings.sampler.seed = 1;
  CLI::App* sub = app.add_subcommand(
      "demo", "Sample eight schools with NUTS (built with the C++ API, until the language lands)");
  sub->add_option("--data", o->data, "Data JSON with J, y and sigma")->capture_default_str();
  sub->add_option("--backend", o->backend,
                  "Engine to compile on (see `stochos backends`; default from `stochos config`)");
  sub->add_option("--chains", o->settings.sampler.chains, "Chains")->capture_default_str();
  sub->add_option("--draws", o->settings.sampler.draws, "Draws per chain")->capture_default_str();
  sub->add_option("--tune", o->settings.sampler.tune, "Warm-up iterations per chain")
      ->capture_default_str();
  sub->add_option("--seed", o->settings.sampler.seed, "Random seed")->capture_default_str();
  sub->add_option("--output-dir", o->settings.output_dir, "Write CmdStan CSVs here");
  sub->add_option("--iterations", o->iterations, "Log density evaluations to time (0: skip)")
      ->capture_default_str();
  return {sub, [o] { return run_demo(*o); }};
}

}  // namespace stochos::cli
