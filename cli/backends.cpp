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
            const auto row = [](const std::string& name, const std::string& available,
                                const std::string& version, const std::string& devices,
                                const std::string& dtypes) {
              fmt::print("{:<10} {:<10} {:<10} {:<16} {}\n", name, available, version, devices,
                         dtypes);
            };
            row("backend", "available", "version", "devices", "dtypes");
            bool torch = false;
            for (const auto& e : backends::engine_status()) {
              torch = torch || e.name == "torch";
              if (!e.backend) {
                row(e.name, "no", "-", "-", "(" + e.problem + ")");
                continue;
              }
              std::vector<std::string> dtypes;
              for (graph::DType d : e.backend->dtypes()) dtypes.emplace_back(graph::dtype_name(d));
              row(e.name, "yes", e.backend->version(), join(e.backend->devices()), join(dtypes));
            }
            // The engine that ships but needs libtorch at build time.
            if (!torch)
              row("torch", "no", "-", "-",
                  "(built without libtorch: install libtorch-dev and reconfigure)");
            return 0;
          }};
}

}  // namespace stochos::cli
