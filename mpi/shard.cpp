#include "mpi/shard.hpp"

#include <string>

#include "stochos/error.hpp"

namespace stochos::mpi {

std::pair<std::int64_t, std::int64_t> shard_rows(std::int64_t n, int shards, int shard) {
  const std::int64_t base = n / shards, extra = n % shards;
  const std::int64_t lo = shard * base + std::min<std::int64_t>(shard, extra);
  return {lo, lo + base + (shard < extra ? 1 : 0)};
}

namespace {

// [log p, gradient] of every shard, added in shard order: the same bits on every rank.
void sum_over(MPI_Comm comm, int shards, double& logp, double* grad, std::int64_t dim) {
  const auto n = static_cast<std::size_t>(dim + 1);
  std::vector<double> mine(n), all(n * static_cast<std::size_t>(shards));
  mine[0] = logp;
  std::copy(grad, grad + dim, mine.begin() + 1);
  if (MPI_Allgather(mine.data(), static_cast<int>(n), MPI_DOUBLE, all.data(), static_cast<int>(n),
                    MPI_DOUBLE, comm) != MPI_SUCCESS)
    throw RuntimeError(
        "the shards of a chain could not exchange their log densities (MPI_Allgather)");
  logp = 0;
  std::fill(grad, grad + dim, 0.0);
  for (int s = 0; s < shards; ++s) {
    const double* part = all.data() + static_cast<std::size_t>(s) * n;
    logp += part[0];
    for (std::int64_t k = 0; k < dim; ++k) grad[k] += part[k + 1];
  }
}

}  // namespace

ShardedDensities::ShardedDensities(const model::LogDensity& part, const World& world,
                                   const Placement& place, int chains) {
  if (place.shards > 1 && !world.threads_multiple())
    throw RuntimeError(
        "this MPI library does not offer MPI_THREAD_MULTIPLE, which sharded chains need");
  MPI_Comm_split(MPI_COMM_WORLD, place.group(world.rank()), place.shard(world.rank()), &group_);
  for (int c : place.chains_of(place.group(world.rank()), chains)) {
    MPI_Comm comm = MPI_COMM_NULL;
    MPI_Comm_dup(group_, &comm);
    comms_.push_back(comm);
    model::LogDensity d = part;
    const int shards = place.shards;
    d.set_reduce([comm, shards](double& logp, double* grad, std::int64_t dim) {
      sum_over(comm, shards, logp, grad, dim);
    });
    densities_.emplace(c, std::move(d));
  }
}

ShardedDensities::~ShardedDensities() {
  for (MPI_Comm& c : comms_) MPI_Comm_free(&c);
  if (group_ != MPI_COMM_NULL) MPI_Comm_free(&group_);
}

const model::LogDensity& ShardedDensities::operator()(int chain) const {
  const auto it = densities_.find(chain);
  if (it != densities_.end()) return it->second;
  if (densities_.empty()) throw RuntimeError("this rank runs no chain");
  return densities_.begin()->second;  // a rank without chains asks only for the dimension
}

}  // namespace stochos::mpi
