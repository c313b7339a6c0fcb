// Chains across ranks (SPEC.md §3, "Beyond one machine"): `mpirun -np R stochos sample ...`.
//
// Note [chains across ranks]
// Chain c runs on the rank c mod G of the chain groups (without sharding, every rank is a group
// of one), on that rank's threads, through infer::sample_chain — so its draws depend only on
// (seed, c), and the same seed gives the same draws as one process whatever R. Each rank's chain
// threads hand their events (a draw's statistics and packed position, progress, the adapted
// metric, the chain's end) to the rank's communicating thread, the only one that sends or
// receives them (sharded chains also run their own collectives, Note [sharded runs]); it sends
// them to rank 0, whose communicating thread receives them as
// they come and calls the options' callbacks exactly as a single-process run does, so rank 0
// alone writes the CSVs, the summary and the progress display. A chain that throws on any rank
// ends the job (World::abort: one line naming the rank, then MPI_Abort); rank 0's CSVs hold every
// row written before.
#pragma once

#include <functional>
#include <vector>

#include "infer/sample.hpp"
#include "mpi/world.hpp"

namespace stochos::mpi {

// Which ranks run which chains: `groups` chain groups of `shards` ranks each (R = groups x
// shards). The lead rank of a group (shard 0) reports its chains to rank 0.
struct Placement {
  int groups = 1, shards = 1;
  int group(int rank) const { return rank / shards; }
  int shard(int rank) const { return rank % shards; }
  // The chains group g runs: g, g + groups, ...
  std::vector<int> chains_of(int group, int chains) const;
};

// Every chain of `o`, spread over the world's ranks by `place`. On rank 0: the whole trace, with
// o.on_draw, o.progress and o.on_adapted called for every chain (from the calling thread for
// other ranks' chains); elsewhere an empty trace. `density_for(chain)` gives the log density a
// chain uses on this rank (a sharded one differs per chain: its own communicator).
infer::Trace sample_across_ranks(
    const std::function<const model::LogDensity&(int chain)>& density_for,
    const infer::SampleOptions& o, const World& world, const Placement& place);

}  // namespace stochos::mpi
