// `stochos`: parses the command line, runs one subcommand, and turns every error into one line
// and the exit code of SPEC.md §5 (2: usage or input, 1: a run that failed) — never a crash.
#include <exception>
#include <iostream>
#include <new>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/commands.hpp"
#include "cli/sampling.hpp"
#include "stochos/error.hpp"
#ifdef STOCHOS_WITH_MPI
#include <optional>

#include "mpi/world.hpp"
#endif

namespace {

// Under mpirun every rank meets the same input errors: rank 0 alone prints them.
bool quiet_rank = false;

// One line, whatever the message holds. Messages that locate themselves ("model.stoch:7:14:
// error: ...", "data.json: error: ...") are printed as they are.
int fail(const std::string& what, int code) {
  std::string line = what;
  for (char& c : line)
    if (c == '\n' || c == '\r') c = ' ';
  const bool located = line.find(": error: ") != std::string::npos;
  if (!quiet_rank) std::cerr << (located ? "" : "error: ") << line << '\n';
  return code;
}

}  // namespace

int main(int argc, char** argv) {
#ifdef STOCHOS_WITH_MPI
  // MPI starts only under an MPI launcher: a plain run never initialises it (mpi/world.hpp).
  std::optional<stochos::mpi::World> world;
  if (stochos::mpi::launched()) {
    world.emplace();
    stochos::cli::set_mpi_world(&*world);
    quiet_rank = world->rank() != 0;
  }
#endif
  try {
    CLI::App app{"Stochos: a probabilistic programming engine", "stochos"};
    app.set_version_flag("--version", "stochos " STOCHOS_VERSION);
    app.require_subcommand(1);
    // clang-format off
    const std::vector<stochos::cli::Command> commands = {
        stochos::cli::add_sample_command(app),
        stochos::cli::add_optimize_command(app),
        stochos::cli::add_variational_command(app),
        stochos::cli::add_pathfinder_command(app),
        stochos::cli::add_predict_command(app),
        stochos::cli::add_logp_command(app),
        stochos::cli::add_check_command(app),
        stochos::cli::add_graph_command(app),
        stochos::cli::add_summary_command(app),
        stochos::cli::add_backends_command(app),
        stochos::cli::add_config_command(app),
    };
    // clang-format on
    try {
      app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
      if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version
      return fail(std::string(e.what()) + " (see stochos --help)", 2);
    }
    for (const auto& c : commands)
      if (c.app->parsed()) {
#ifdef STOCHOS_WITH_MPI
        if (world && world->size() > 1 && c.app->get_name() != "sample")
          return fail("only `stochos sample` runs across MPI ranks; run `stochos " +
                          c.app->get_name() + "` without mpirun",
                      2);
#endif
        return c.run();
      }
    return fail("no subcommand given (see stochos --help)", 2);
  } catch (const stochos::InputError& e) {
    return fail(e.what(), 2);
  } catch (const stochos::RuntimeError& e) {
    return fail(e.what(), 1);
  } catch (const std::bad_alloc&) {
    // What the up-front size checks cannot foresee (many large values at once, say).
    return fail("out of memory: this run needs more memory than the machine can give it", 1);
  } catch (const std::exception& e) {
    return fail(std::string("internal error: ") + e.what(), 1);
  }
}
