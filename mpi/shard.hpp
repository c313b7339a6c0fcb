// Sharded likelihoods (SPEC.md §3): `mpirun -np R stochos sample --shard-by N --shards S`.
//
// Note [sharded runs]
// The R ranks form R / S chain groups of S ranks. Every rank of a group builds the model on its
// own contiguous rows of the data declared with N first (io::slice_rows, lang::ShardOptions),
// compiles the part of the log density that is its share (model/sharding.hpp: the terms that
// read those rows on every shard, every other term on the group's first shard only), and sums
// it with its group's other shards after every evaluation: one MPI_Allgather of [log p,
// gradient], added up in shard order on every rank. An Allreduce would do the same work, but MPI
// does not promise every rank the same bits from it; here every rank of a group has the same
// sum, so their chains (same seed, same chain) take the same trajectory and call the collective
// the same number of times. Each chain has its own duplicate of the group's communicator, so the
// chains a rank runs on its threads never mix their collectives (MPI_THREAD_MULTIPLE). The
// group's first shard reports the chain to rank 0 (Note [chains across ranks]), which also holds
// the whole data for the deterministics and the CSVs.
#pragma once

#include <mpi.h>

#include <cstdint>
#include <map>
#include <utility>
#include <vector>

#include "model/log_density.hpp"
#include "mpi/chains.hpp"
#include "mpi/world.hpp"

namespace stochos::mpi {

// Rows [lo, hi) of shard `shard` of n rows over `shards`: contiguous, the first n % shards
// shards one row longer.
std::pair<std::int64_t, std::int64_t> shard_rows(std::int64_t n, int shards, int shard);

// The densities of this rank's chains in a sharded run. Construction is collective over the
// world (every rank, the same `place` and `chains`).
class ShardedDensities {
 public:
  // `part`: this rank's share of the log density (model::shard_logp, compiled).
  ShardedDensities(const model::LogDensity& part, const World& world, const Placement& place,
                   int chains);
  ~ShardedDensities();
  ShardedDensities(const ShardedDensities&) = delete;
  ShardedDensities& operator=(const ShardedDensities&) = delete;

  // The whole log density for `chain` (one of this rank's group's chains).
  const model::LogDensity& operator()(int chain) const;

 private:
  MPI_Comm group_ = MPI_COMM_NULL;
  std::vector<MPI_Comm> comms_;
  std::map<int, model::LogDensity> densities_;
};

}  // namespace stochos::mpi
