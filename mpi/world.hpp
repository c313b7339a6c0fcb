// The MPI world of a `mpirun ... stochos sample` run. MPI starts only when the process was
// launched by an MPI launcher, so a plain run never loads or initialises it (start-up unchanged).
#pragma once

#include <string>

namespace stochos::mpi {

// True when an MPI launcher (mpirun, srun with PMIx) started this process.
bool launched();

// MPI_Init_thread on construction, MPI_Finalize on destruction. One per process. Chains across
// ranks call MPI from one thread per rank; sharded chains call it from every chain's thread,
// which needs MPI_THREAD_MULTIPLE (threads_multiple()).
class World {
 public:
  World();
  ~World();
  World(const World&) = delete;
  World& operator=(const World&) = delete;

  int rank() const { return rank_; }
  int size() const { return size_; }
  bool threads_multiple() const { return multiple_; }

  // Ends every rank of the job: "error: rank R: what" on stderr, then MPI_Abort with `code`.
  [[noreturn]] void abort(const std::string& what, int code) const;

 private:
  int rank_ = 0, size_ = 1;
  bool multiple_ = false;
};

}  // namespace stochos::mpi
