// Log density + gradient per call of model files (.stoch with their data), on the native engine:
// what a sampler pays per gradient, for any model, e.g. the recurrences of docs/performance.md.
//
//   bench_model MODEL.stoch DATA.json [MODEL.stoch DATA.json ...] [--benchmark_... flags]
//
// Without models it times the examples written as recurrences (`make bench` runs it so). Each
// model is timed at one point (uniform(-2, 2) per coordinate, Stan's initialisation).
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "io/data.hpp"
#include "lang/lang.hpp"
#include "stochos/error.hpp"

namespace {

void register_model(const std::string& model, const std::string& data) {
  auto m = std::shared_ptr<stochos::model::Model>(
      stochos::lang::build(stochos::lang::parse_file(model), stochos::io::load_data(data)));
  auto logp = std::make_shared<stochos::model::LogDensity>(m->compile({.backend = "native"}));
  benchmark::RegisterBenchmark(model.c_str(), [m, logp](benchmark::State& state) {
    const auto n = static_cast<std::size_t>(logp->dim());
    std::mt19937_64 rng(7);
    std::uniform_real_distribution<double> u(-2, 2);
    std::vector<double> theta(n), grad(n);
    for (double& t : theta) t = u(rng);
    auto w = logp->make_workspace();
    for (auto _ : state) {
      benchmark::DoNotOptimize((*logp)(*w, theta.data(), grad.data()));
      benchmark::ClobberMemory();
    }
  });
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (argc % 2 == 0) {
    std::fprintf(stderr, "usage: bench_model [MODEL.stoch DATA.json ...]\n");
    return 2;
  }
  try {
    for (int k = 1; k + 1 < argc; k += 2) register_model(argv[k], argv[k + 1]);
    if (argc == 1)
      for (const char* name : {"arma", "local_level", "stochastic_volatility_ar"}) {
        const std::string base = std::string(STOCHOS_SOURCE_DIR) + "/examples/" + name;
        register_model(base + ".stoch", base + ".data.json");
      }
  } catch (const stochos::InputError& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 2;
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
