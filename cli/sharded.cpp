#include "cli/sharded.hpp"

#include <memory>

#include "backends/config.hpp"
#include "io/data.hpp"
#include "lang/lang.hpp"
#include "model/sharding.hpp"
#include "stochos/error.hpp"
#ifdef STOCHOS_WITH_MPI
#include "mpi/shard.hpp"
#endif

namespace stochos::cli {

#ifdef STOCHOS_WITH_MPI

int run_sharded_sampling(const ModelArgs& args, const ShardArgs& shard, SampleSettings settings,
                         std::ostream& out, std::ostream& err) {
  const mpi::World* world = settings.world;
  const int ranks = world ? world->size() : 1, rank = world ? world->rank() : 0;
  if (shard.shards < 1) throw InputError("--shards must be at least 1");
  if (ranks % shard.shards != 0)
    throw InputError("--shards " + std::to_string(shard.shards) + " does not divide the " +
                     std::to_string(ranks) + " ranks (R = shards x chain groups)");
  const int groups = ranks / shard.shards;
  if (settings.sampler.chains < groups)
    throw InputError("--chains " + std::to_string(settings.sampler.chains) +
                     " leaves some of the " + std::to_string(groups) +
                     " chain groups without a chain");
  if (shard.shards > 1 && !world)
    throw InputError("--shards " + std::to_string(shard.shards) + " needs mpirun -np " +
                     std::to_string(shard.shards) + " (or a multiple)");

  backends::ConfigOverrides flags;
  flags.backend = args.backend;
  flags.floatx = args.floatx;
  const backends::Config config = backends::load_config(flags);
  const graph::DType floatx = backends::floatx_dtype(config.floatx.value);
  settings.backend = config.backend.value;
  const lang::Program program = lang::parse_file(args.model);
  io::DataSet data = args.data.empty() ? io::DataSet{} : io::load_data(args.data);
  const std::vector<std::string> arrays = lang::data_sharded_by(program, shard.dim);
  if (arrays.empty())
    throw InputError("--shard-by " + shard.dim + ": no data is declared with " + shard.dim +
                     " as its first dimension (data y: real[" + shard.dim + "])");
  const auto n = data.find(shard.dim);
  if (n == data.end() || !n->second.shape.empty() || !n->second.integer)
    throw InputError("--shard-by " + shard.dim + ": the data have no integer '" + shard.dim + "'");
  const auto rows = static_cast<std::int64_t>(n->second.values[0]);
  if (shard.shards > rows)
    throw InputError("--shards " + std::to_string(shard.shards) + " is more than the " +
                     std::to_string(rows) + " rows of " + shard.dim);

  // Rank 0 keeps the whole model for the deterministics and the CSVs; every rank its shard.
  const mpi::Placement place{.groups = groups, .shards = shard.shards};
  std::unique_ptr<model::Model> whole;
  if (rank == 0) whole = lang::build(program, data, floatx);
  const auto [lo, hi] = mpi::shard_rows(rows, shard.shards, place.shard(rank));
  const io::DataSet mine = io::slice_rows(std::move(data), arrays, shard.dim, lo, hi);
  const std::unique_ptr<model::Model> part = lang::build(program, mine, floatx, {.dim = shard.dim});
  model::CompileOptions copts;
  copts.backend = config.backend.value;
  const model::LogDensity share =
      model::compile_share(*part, lang::shard_inputs(*part, arrays), place.shard(rank) == 0, copts);

  if (!world) {  // one process, one shard: the model as it is
    settings.density_for = [&share](int) -> const model::LogDensity& { return share; };
    return run_sampling(*whole, settings, out, err);
  }
  const mpi::ShardedDensities densities(share, *world, place, settings.sampler.chains);
  settings.density_for = [&densities](int c) -> const model::LogDensity& { return densities(c); };
  settings.shards = shard.shards;
  return run_sampling(rank == 0 ? *whole : *part, settings, out, err);
}

#else

int run_sharded_sampling(const ModelArgs&, const ShardArgs&, SampleSettings, std::ostream&,
                         std::ostream&) {
  throw InputError("--shard-by needs MPI, which this build does not have (Debian: libopenmpi-dev)");
}

#endif

}  // namespace stochos::cli
