// Runs one `stochos` subcommand in-process, as main() would, with stdout and stderr captured.
#pragma once

#include <CLI/CLI.hpp>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "cli/commands.hpp"

namespace stochos::cli::test {

struct CommandOutput {
  int code = -1;
  std::string out, err;
};

// `args` without the program name ({"pathfinder", MODEL, "--data", ...}); `add` is the
// subcommand's add_NAME_command. Errors propagate as they would to main().
inline CommandOutput run_command(Command (*add)(CLI::App&), std::vector<std::string> args) {
  args.insert(args.begin(), "stochos");
  CLI::App app;
  const Command cmd = add(app);
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  app.parse(static_cast<int>(argv.size()), argv.data());
  std::ostringstream out, err;
  // Restores std::cout and std::cerr however the command ends.
  struct Redirect {
    std::ostream& s;
    std::streambuf* old;
    Redirect(std::ostream& stream, std::ostream& to) : s(stream), old(stream.rdbuf(to.rdbuf())) {}
    ~Redirect() { s.rdbuf(old); }
  };
  CommandOutput r;
  {
    Redirect o(std::cout, out), e(std::cerr, err);
    r.code = cmd.run();
  }
  r.out = out.str();
  r.err = err.str();
  return r;
}

}  // namespace stochos::cli::test
