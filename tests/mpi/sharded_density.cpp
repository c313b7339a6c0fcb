// Run under mpirun: the sharded log density of a model file (every rank's shard, summed by
// mpi::ShardedDensities) equals the whole model's log density and gradient at random points, to
// 1e-12 relative, on every rank. Usage: test_mpi_sharded_density MODEL DATA DIM SHARDS
#include <cmath>
#include <cstdio>
#include <random>
#include <string>

#include "io/data.hpp"
#include "lang/lang.hpp"
#include "model/sharding.hpp"
#include "mpi/shard.hpp"

using namespace stochos;

int main(int argc, char** argv) {
  if (argc != 5) return 2;
  const std::string model_path = argv[1], data_path = argv[2], dim = argv[3];
  const int shards = std::stoi(argv[4]);
  const mpi::World world;
  const mpi::Placement place{.groups = world.size() / shards, .shards = shards};
  const lang::Program program = lang::parse_file(model_path);
  io::DataSet data = io::load_data(data_path);
  const auto whole = lang::build(program, data);
  const auto arrays = lang::data_sharded_by(program, dim);
  const auto rows = static_cast<std::int64_t>(data.at(dim).values[0]);
  const auto [lo, hi] = mpi::shard_rows(rows, shards, place.shard(world.rank()));
  const auto part = lang::build(program, io::slice_rows(data, arrays, dim, lo, hi),
                                graph::DType::f64, {.dim = dim});
  const model::LogDensity share = model::compile_share(*part, lang::shard_inputs(*part, arrays),
                                                       place.shard(world.rank()) == 0);
  const int chains = place.groups;  // one chain per group
  const mpi::ShardedDensities sharded(share, world, place, chains);
  const model::LogDensity& d = sharded(place.group(world.rank()));
  const model::LogDensity full = whole->compile();
  auto ws = d.make_workspace(), wf = full.make_workspace();
  std::mt19937_64 rng(7);  // the same points on every rank
  std::normal_distribution<double> normal(0, 0.7);
  int bad = 0;
  for (int k = 0; k < 5; ++k) {
    std::vector<double> theta(static_cast<std::size_t>(d.dim())), g1(theta.size()),
        g2(theta.size());
    for (double& x : theta) x = normal(rng);
    const double a = d(*ws, theta.data(), g1.data()), b = full(*wf, theta.data(), g2.data());
    const auto close = [](double x, double y) {
      return std::abs(x - y) <= 1e-12 * std::max({1.0, std::abs(x), std::abs(y)});
    };
    if (!close(a, b)) {
      std::printf("rank %d point %d: log p %.17g, whole %.17g\n", world.rank(), k, a, b);
      ++bad;
    }
    for (std::size_t i = 0; i < g1.size(); ++i)
      if (!close(g1[i], g2[i])) {
        std::printf("rank %d point %d: gradient[%zu] %.17g, whole %.17g\n", world.rank(), k, i,
                    g1[i], g2[i]);
        ++bad;
      }
  }
  if (bad == 0) std::printf("rank %d: 5 points agree\n", world.rank());
  return bad ? 1 : 0;
}
