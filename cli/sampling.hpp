// The main job, shared by `stochos sample` and the tests: sample a model with an MCMC kernel,
// stream each chain to a CmdStan CSV, show progress, print the summary table and the warnings,
// write the summary JSON. An interrupt (SIGINT) stops the chains after their current draw; what was
// drawn stays in valid files, the summary covers the chains that have draws (cut to the shortest,
// as R-hat needs equal lengths), a line on `err` says what each chain kept, and the exit code is
// 130.
#pragma once

#include <functional>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "infer/sample.hpp"
#include "model/model.hpp"

namespace stochos::mpi {
class World;
}

namespace stochos::cli {

struct SampleSettings {
  infer::SampleOptions sampler;
  std::optional<std::string> backend;  // the flag; else the configuration
  std::string output_dir;              // empty: no CSVs
  bool overwrite = false;              // replace existing chain CSVs
  std::string summary_json;            // empty: none
  // Start each chain from a Pathfinder draw with its approximation's metric
  // (infer/pathfinder_init).
  bool init_pathfinder = false;
  // --step VAR=METHOD, in order (infer/compound.hpp).
  std::vector<std::string> steps;
  std::string model_name = "model", data_file;
  // Progress: a bar per chain on a terminal, plain periodic lines otherwise, none when false.
  bool progress = true;
  // Called after every iteration of every chain, from the chains' threads: the chain and the
  // iterations it has done (warm-up then sampling).
  std::function<void(int chain, int iteration)> after_iteration = nullptr;
  // Under mpirun (cli/main.cpp): the chains spread over the ranks (mpi/chains.hpp), and only
  // rank 0 writes files, progress and the summary. Null: one process.
  const mpi::World* world = nullptr;
  // A sharded run (cli/sharded.cpp, Note [sharded runs]): the log density each of this rank's
  // chains uses, and the ranks per chain group. Null: the model's own density, one rank a group.
  std::function<const model::LogDensity&(int chain)> density_for = nullptr;
  int shards = 1;
};

// The MPI world this process runs in (cli/main.cpp sets it under mpirun), or null.
const mpi::World* mpi_world();
void set_mpi_world(const mpi::World* world);

// What SIGINT does to a run_sampling in progress: every chain stops after its current
// iteration, and chains that have not begun never do.
void interrupt_sampling();

// Returns the exit code (0, or 130 when interrupted); throws InputError / RuntimeError.
int run_sampling(const model::Model& m, const SampleSettings& s, std::ostream& out,
                 std::ostream& err);

}  // namespace stochos::cli
