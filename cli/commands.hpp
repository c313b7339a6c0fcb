// The `stochos` subcommands, one file each (DESIGN.md §2). Each adds its CLI11 subcommand to the
// app and returns what to run once the command line has parsed, so main() alone decides how
// errors become exit codes (SPEC.md §5).
#pragma once

#include <functional>

namespace CLI {
class App;
}

namespace stochos::cli {

struct Command {
  CLI::App* app;             // the subcommand; app->parsed() says whether it was chosen
  std::function<int()> run;  // returns the exit code; throws InputError / RuntimeError
};

Command add_backends_command(CLI::App& app);
Command add_config_command(CLI::App& app);
Command add_summary_command(CLI::App& app);
Command add_sample_command(CLI::App& app);
Command add_optimize_command(CLI::App& app);
Command add_logp_command(CLI::App& app);
Command add_check_command(CLI::App& app);
Command add_graph_command(CLI::App& app);
Command add_predict_command(CLI::App& app);
Command add_variational_command(CLI::App& app);
Command add_pathfinder_command(CLI::App& app);

}  // namespace stochos::cli
