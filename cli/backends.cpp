// `stochos backends`: the engines this build has, so a user can see what --backend accepts.
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "backends/registry.hpp"
#include "cli/commands.hpp"

namespace stochos::cli {
namespace {

std::string join(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : ", ") + p;
  return out;
}

}  // namespace

Command add_backends_command(CLI::App& app) {
  CLI::App* sub = app.add_subcommand("backends", "List the engines this build has");
  return {sub, [] {
            fmt::print("{:<10} {:<10} {:<16} {}\n", "backend", "version", "devices", "dtypes");
            for (const backends::Backend* b : backends::all_backends()) {
              std::vector<std::string> dtypes;
              for (graph::DType d : b->dtypes()) dtypes.emplace_back(graph::dtype_name(d));
              fmt::print("{:<10} {:<10} {:<16} {}\n", b->name(), b->version(), join(b->devices()),
                         join(dtypes));
            }
            return 0;
          }};
}

}  // namespace stochos::cli
