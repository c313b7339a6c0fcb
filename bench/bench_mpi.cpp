// Sharded likelihoods across ranks (issue 16, docs/performance.md "Beyond one machine"). Run as
//   mpirun -np 1 build/release/bench/bench_mpi   and   mpirun -np 2 build/release/bench/bench_mpi
// (1) strong scaling: seconds per evaluation of a logistic regression's log density and gradient,
// N = 1 000 000 rows, D = 50, its rows sharded over the ranks (one chain group); (2) the cost of
// the collective that sums [log p, gradient] by the gradient's length. Each rank makes only its
// own rows (row i from a stream seeded by i), as a shard read from a file would keep them.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "io/data.hpp"
#include "lang/lang.hpp"
#include "model/sharding.hpp"
#include "mpi/shard.hpp"

using namespace stochos;
using Clock = std::chrono::steady_clock;

namespace {

constexpr const char* kModel = R"(
data N: int
data D: int
data X: real[N, D]
data y: int[N]
alpha ~ Normal(0, 2.5)
beta ~ Normal(0, 2.5, shape=D)
y ~ Bernoulli(logit_p=alpha + X @ beta)
)";

// Rows [lo, hi) of the simulated data (the same rows whatever the sharding).
io::DataSet rows(std::int64_t n, std::int64_t d, std::int64_t lo, std::int64_t hi) {
  io::DataSet data;
  data["N"] = {{static_cast<double>(hi - lo)}, {}, true};
  data["D"] = {{static_cast<double>(d)}, {}, true};
  io::DataValue x{{}, {hi - lo, d}, false}, y{{}, {hi - lo}, true};
  x.values.reserve(static_cast<std::size_t>((hi - lo) * d));
  for (std::int64_t i = lo; i < hi; ++i) {
    std::mt19937_64 rng(static_cast<std::uint64_t>(i));
    std::normal_distribution<double> normal;
    double eta = 0.3;
    for (std::int64_t j = 0; j < d; ++j) {
      const double v = normal(rng);
      x.values.push_back(v);
      eta += v * (j % 2 ? 0.1 : -0.1);
    }
    y.values.push_back(std::uniform_real_distribution<double>()(rng) < 1 / (1 + std::exp(-eta)));
  }
  (void)n;
  data["X"] = std::move(x);
  data["y"] = std::move(y);
  return data;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main() {
  if (!mpi::launched()) {
    std::printf("bench_mpi: run under mpirun (mpirun -np 1 and -np 2 %s)\n", "bench/bench_mpi");
    return 0;
  }
  const mpi::World world;
  const int shards = world.size();
  const mpi::Placement place{.groups = 1, .shards = shards};
  const std::int64_t n = 1'000'000, d = 50;
  const auto [lo, hi] = mpi::shard_rows(n, shards, world.rank());
  const lang::Program program = lang::parse(kModel, "logistic.stoch");
  const auto part = lang::build(program, rows(n, d, lo, hi), graph::DType::f64, {.dim = "N"});
  const model::LogDensity share =
      model::compile_share(*part, lang::shard_inputs(*part, {"X", "y"}), world.rank() == 0);
  const mpi::ShardedDensities densities(share, world, place, 1);
  const model::LogDensity& density = densities(0);
  auto ws = density.make_workspace();
  std::vector<double> theta(static_cast<std::size_t>(density.dim()), 0.01), grad(theta.size());
  // Alternately: the whole density (share + collective) and the share alone (the compute each
  // rank does), after a few evaluations that touch all the data once.
  std::vector<double> times, compute;
  for (int k = 0; k < 43; ++k) {
    MPI_Barrier(MPI_COMM_WORLD);
    auto t0 = Clock::now();
    density(*ws, theta.data(), grad.data());
    const double whole = std::chrono::duration<double>(Clock::now() - t0).count();
    MPI_Barrier(MPI_COMM_WORLD);
    t0 = Clock::now();
    share(*ws, theta.data(), grad.data());
    const double alone = std::chrono::duration<double>(Clock::now() - t0).count();
    if (k < 3) continue;
    times.push_back(whole);
    compute.push_back(alone);
  }
  if (world.rank() == 0)
    std::printf(
        "ranks %d: log density + gradient, N = %lld, D = %lld: %.2f ms per evaluation "
        "(compute alone %.2f ms)\n",
        shards, static_cast<long long>(n), static_cast<long long>(d), 1e3 * median(times),
        1e3 * median(compute));

  // The collective by length: one Allgather of dim + 1 doubles, summed (mpi/shard.cpp).
  for (std::int64_t dim : {10, 100, 1000, 10000, 100000}) {
    std::vector<double> mine(static_cast<std::size_t>(dim + 1), 1.0),
        all(mine.size() * static_cast<std::size_t>(shards));
    std::vector<double> t;
    for (int k = 0; k < 200; ++k) {
      MPI_Barrier(MPI_COMM_WORLD);
      const auto t0 = Clock::now();
      MPI_Allgather(mine.data(), static_cast<int>(mine.size()), MPI_DOUBLE, all.data(),
                    static_cast<int>(mine.size()), MPI_DOUBLE, MPI_COMM_WORLD);
      t.push_back(std::chrono::duration<double>(Clock::now() - t0).count());
    }
    if (world.rank() == 0)
      std::printf("ranks %d: Allgather of %lld doubles: %.1f us\n", shards,
                  static_cast<long long>(dim + 1), 1e6 * median(t));
  }
  return 0;
}
