// `stochos config`: the effective backend, float type and device, and where each came from
// (SPEC.md §1.4), as a table or as JSON.
#include <memory>
#include <string>

#include <fmt/format.h>
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "backends/config.hpp"
#include "cli/commands.hpp"

namespace stochos::cli {
namespace {

struct ConfigOptions {
  backends::ConfigOverrides flags;
  std::string format = "table";
};

int run_config(const ConfigOptions& o) {
  const backends::Config c = backends::load_config(o.flags);
  const std::pair<const char*, const backends::Setting*> rows[] = {
      {"backend", &c.backend}, {"floatx", &c.floatx}, {"device", &c.device}};
  if (o.format == "json") {
    nlohmann::ordered_json j;
    for (const auto& [name, s] : rows) j[name] = {{"value", s->value}, {"source", s->source}};
    j["config_file"] = c.file;
    fmt::print("{}\n", j.dump(2));
    return 0;
  }
  fmt::print("{:<9} {:<10} {}\n", "setting", "value", "source");
  for (const auto& [name, s] : rows) fmt::print("{:<9} {:<10} {}\n", name, s->value, s->source);
  fmt::print("\nconfig file  {}{}\n",
             c.file.empty() ? "(none: neither STOCHOS_HOME nor HOME)" : c.file,
             c.wrote_defaults ? " (written with the defaults just now)" : "");
  fmt::print(
      "precedence   flag > env (STOCHOS_BACKEND, STOCHOS_FLOATX, STOCHOS_DEVICE) > file > "
      "default\n");
  return 0;
}

}  // namespace

Command add_config_command(CLI::App& app) {
  auto o = std::make_shared<ConfigOptions>();
  CLI::App* sub =
      app.add_subcommand("config", "Show the effective settings and where each came from");
  sub->add_option("--format", o->format, "table or json")
      ->check(CLI::IsMember({"table", "json"}))
      ->capture_default_str();
  sub->add_option("--backend", o->flags.backend, "Override the backend, as other commands do");
  sub->add_option("--floatx", o->flags.floatx, "Override the float type (float64, float32)");
  sub->add_option("--device", o->flags.device, "Override the device (cpu, cuda:N)");
  return {sub, [o] { return run_config(*o); }};
}

}  // namespace stochos::cli
