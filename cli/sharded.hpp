// `stochos sample --shard-by DIM [--shards S]` under mpirun: the likelihood's rows split over the
// ranks of each chain group (Note [sharded runs] in mpi/shard.hpp).
#pragma once

#include <ostream>
#include <string>

#include "cli/model_file.hpp"
#include "cli/sampling.hpp"

namespace stochos::cli {

struct ShardArgs {
  std::string dim;  // empty: no sharding
  int shards = 1;
};

// Checks the flags against the world and the model before anything is sampled (InputError:
// a dimension no data has, more shards than rows, ranks not divisible by shards, too few chains),
// builds this rank's shard (and, on rank 0, the whole model for the traced values), and samples.
int run_sharded_sampling(const ModelArgs& args, const ShardArgs& shard, SampleSettings settings,
                         std::ostream& out, std::ostream& err);

}  // namespace stochos::cli
