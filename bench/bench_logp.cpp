// Log density + gradient per call, per model, on the native engine and hand-written with Eigen
// (docs/performance.md holds the measured table). Each benchmark reports the
// time of one theta -> (log p, gradient) evaluation; the native ones also report the graph's
// node count as built (nodes), after rewrite::optimize (opt_nodes) and the plan's steps.
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "backends/registry.hpp"
#include "bench/handwritten.hpp"
#include "bench/models.hpp"
#ifdef STOCHOS_BENCH_TORCH_AUTOGRAD
#include "backends/torch/torch_backend.hpp"
#endif

namespace {

using namespace stochos::bench;

// The data are simulated once and shared by both versions of a model.
const LogisticData& logistic_data() {
  static const LogisticData d = simulate_logistic();
  return d;
}
const LogisticData& large_logistic_data() {
  static const LogisticData d = simulate_logistic(100000, 50);
  return d;
}
const HierarchicalData& hierarchical_data() {
  static const HierarchicalData d = simulate_hierarchical();
  return d;
}
const GarchData& garch_data() {
  static const GarchData d = simulate_garch();
  return d;
}

struct Native {
  DensityGraph model;
  CompiledDensity compiled;
  GraphSizes sizes;
  explicit Native(DensityGraph m)
      : model(std::move(m)),
        compiled(model, stochos::backends::get_backend("native")),
        sizes(graph_sizes(model, compiled.executable())) {}
};

// Times f at one fixed point (Stan's uniform(-2, 2) initialisation, seeded). f is called
// directly, not through std::function, so the hand-written timing pays no dispatch beyond its
// own. Before timing, the two versions are checked against each other at that point, so a wrong
// density cannot post a good time.
template <class F, class Other>
void time_density(benchmark::State& state, const F& f, const Other& other, std::int64_t dim) {
  std::vector<double> theta = random_point(dim, 7), grad(static_cast<std::size_t>(dim)),
                      other_grad(grad.size());
  const double lp = f(theta.data(), grad.data());
  const double other_lp = other(theta.data(), other_grad.data());
  auto close = [](double a, double b) {
    return std::abs(a - b) <= 1e-8 * std::max(1.0, std::abs(b));
  };
  bool agree = close(lp, other_lp);
  for (std::size_t i = 0; i < grad.size(); ++i) agree = agree && close(grad[i], other_grad[i]);
  if (!agree) {
    state.SkipWithError("the two versions of the density disagree");
    return;
  }
  for (auto _ : state) {
    double value = f(theta.data(), grad.data());
    benchmark::DoNotOptimize(value);
    benchmark::DoNotOptimize(grad.data());
    benchmark::ClobberMemory();
  }
}

void add_counters(benchmark::State& state, const GraphSizes& s) {
  state.counters["nodes"] = static_cast<double>(s.nodes);
  state.counters["opt_nodes"] = static_cast<double>(s.optimized_nodes);
  state.counters["steps"] = static_cast<double>(s.steps);
}

bool have_backend(const std::string& name) {
  for (const auto* b : stochos::backends::all_backends())
    if (b->name() == name) return true;
  return false;
}

#ifdef STOCHOS_BENCH_TORCH_AUTOGRAD
// theta -> (log p, gradient) through backends::torch::compile_autograd.
class TorchAutograd {
 public:
  explicit TorchAutograd(const DensityGraph& m) {
    const stochos::graph::NodeId in[] = {m.theta.id()};
    exe_ = stochos::backends::torch::compile_autograd(*m.graph, in, m.logp.id(), in);
    ws_ = exe_->make_workspace();
  }
  double operator()(const double* theta, double* grad) const {
    double value = 0;
    const void* ins[] = {theta};
    void* outs[] = {&value, grad};
    exe_->run(*ws_, ins, outs);
    return value;
  }

 private:
  std::unique_ptr<stochos::backends::Executable> exe_;
  std::unique_ptr<stochos::backends::Workspace> ws_;
};
#endif

// Registers model/native and model/handwritten, and model/torch when the build has the torch
// engine. make_native and make_hand build lazily, on the first run, so listing or filtering
// benchmarks builds nothing.
template <class MakeNative, class MakeHand>
void register_model(const std::string& name, MakeNative make_native, MakeHand make_hand) {
  struct Both {
    Native native;
    decltype(make_hand()) hand;
  };
  auto both = [make_native, make_hand]() -> Both& {
    static Both b{Native(make_native()), make_hand()};
    return b;
  };
  benchmark::RegisterBenchmark((name + "/native").c_str(), [both](benchmark::State& state) {
    Both& b = both();
    time_density(
        state, [&](const double* t, double* g) { return b.native.compiled(t, g); },
        [&](const double* t, double* g) { return b.hand(t, g); }, b.native.compiled.dim());
    add_counters(state, b.native.sizes);
  });
  benchmark::RegisterBenchmark((name + "/handwritten").c_str(), [both](benchmark::State& state) {
    Both& b = both();
    time_density(
        state, [&](const double* t, double* g) { return b.hand(t, g); },
        [&](const double* t, double* g) { return b.native.compiled(t, g); }, b.hand.dim());
  });
  if (!have_backend("torch")) return;
  auto torch = [both]() -> CompiledDensity& {
    static CompiledDensity c(both().native.model, stochos::backends::get_backend("torch"));
    return c;
  };
  benchmark::RegisterBenchmark((name + "/torch").c_str(), [both, torch](benchmark::State& state) {
    Both& b = both();
    CompiledDensity& t = torch();
    time_density(
        state, [&](const double* th, double* g) { return t(th, g); },
        [&](const double* th, double* g) { return b.native.compiled(th, g); }, t.dim());
  });
#ifdef STOCHOS_BENCH_TORCH_AUTOGRAD
  // The same forward ops, differentiated by torch's own reverse mode at run time.
  benchmark::RegisterBenchmark((name + "/torch_autograd").c_str(), [both](benchmark::State& state) {
    Both& b = both();
    static TorchAutograd t(b.native.model);
    time_density(
        state, [&](const double* th, double* g) { return t(th, g); },
        [&](const double* th, double* g) { return b.native.compiled(th, g); }, b.native.model.dim);
  });
#endif
}

}  // namespace

int main(int argc, char** argv) {
  register_model(
      "eight_schools", [] { return eight_schools_graph(); }, [] { return EightSchoolsHand(); });
  register_model(
      "logistic_N10000_D20", [] { return logistic_graph(logistic_data()); },
      [] { return LogisticHand(logistic_data()); });
  register_model(
      "logistic_N100000_D50", [] { return logistic_graph(large_logistic_data()); },
      [] { return LogisticHand(large_logistic_data()); });
  register_model(
      "hierarchical_G100_N5000", [] { return hierarchical_graph(hierarchical_data()); },
      [] { return HierarchicalHand(hierarchical_data()); });
  register_model(
      "garch11_T200", [] { return garch_graph(garch_data()); },
      [] { return GarchHand(garch_data()); });

  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
