// `stochos check MODEL [--data FILE]`: the log density and gradient at several random points
// agree on every available backend (to 1e-8 relative); exit 1 naming the first variable that
// disagrees.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cmath>
#include <memory>
#include <random>

#include "backends/registry.hpp"
#include "cli/commands.hpp"
#include "cli/model_file.hpp"
#include "stochos/error.hpp"

namespace stochos::cli {
namespace {

struct CheckOptions {
  std::string model, data;
  int points = 5;
  std::uint64_t seed = 1;
};

bool agree(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  if (std::isinf(a) || std::isinf(b)) return a == b;
  return std::abs(a - b) <= 1e-8 * std::max(1.0, std::max(std::abs(a), std::abs(b)));
}

int run_check(const CheckOptions& o) {
  const auto m = load_model(o.model, o.data);
  const auto& all = backends::all_backends();
  std::vector<model::LogDensity> densities;
  for (const backends::Backend* b : all) densities.push_back(m->compile({.backend = b->name()}));
  const model::Layout& l = densities[0].layout();
  std::mt19937_64 rng(o.seed);
  std::uniform_real_distribution<double> u(-2, 2);
  fmt::print("{} free values; backends:", l.dim);
  for (const auto* b : all) fmt::print(" {}", b->name());
  fmt::print("\n");
  // Discrete variables stay at their initial values (a random real is no value of theirs).
  const std::vector<double> start = l.has_discrete() ? m->initial_point() : std::vector<double>();
  for (int k = 0; k < o.points; ++k) {
    std::vector<double> theta(static_cast<std::size_t>(l.dim));
    for (double& t : theta) t = u(rng);
    for (const auto& v : l.vars)
      if (v.discrete)
        std::copy(start.begin() + v.offset, start.begin() + v.offset + v.size,
                  theta.begin() + v.offset);
    std::vector<double> g0(theta.size()), g(theta.size());
    auto ws0 = densities[0].make_workspace();
    const double lp0 = densities[0](*ws0, theta.data(), g0.data());
    for (std::size_t b = 1; b < densities.size(); ++b) {
      auto ws = densities[b].make_workspace();
      const double lp = densities[b](*ws, theta.data(), g.data());
      if (!agree(lp, lp0))
        throw RuntimeError(fmt::format("point {}: log p is {} on {} but {} on {}", k + 1, lp0,
                                       all[0]->name(), lp, all[b]->name()));
      for (const auto& v : l.vars)
        for (std::int64_t i = 0; i < v.size; ++i) {
          const auto at = static_cast<std::size_t>(v.offset + i);
          if (!agree(g[at], g0[at]))
            throw RuntimeError(
                fmt::format("point {}: the gradient of {} disagrees: {} on {}, {} on {}", k + 1,
                            v.value_name, g0[at], all[0]->name(), g[at], all[b]->name()));
        }
    }
    fmt::print("point {}: log p = {:.10g}, finite gradient: {}\n", k + 1, lp0,
               std::all_of(g0.begin(), g0.end(), [](double x) { return std::isfinite(x); }) ? "yes"
                                                                                            : "no");
  }
  fmt::print("ok: every backend agrees at {} points\n", o.points);
  return 0;
}

}  // namespace

Command add_check_command(CLI::App& app) {
  auto o = std::make_shared<CheckOptions>();
  CLI::App* sub =
      app.add_subcommand("check", "Check that every backend computes the same log density");
  sub->add_option("model", o->model, "The model (.stoch)")->required()->check(CLI::ExistingFile);
  sub->add_option("--data", o->data, "Data JSON")->check(CLI::ExistingFile);
  sub->add_option("--points", o->points, "Random points (uniform(-2, 2), unconstrained)")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000));
  sub->add_option("--seed", o->seed, "Random seed")->capture_default_str();
  return {sub, [o] { return run_check(*o); }};
}

}  // namespace stochos::cli
