// `stochos sample MODEL [--data FILE]`: an MCMC kernel (infer/kernels.cpp: NUTS, static HMC) on
// a .stoch model (SPEC.md §1.3).
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>

#include "backends/config.hpp"
#include "cli/commands.hpp"
#include "cli/model_file.hpp"
#include "cli/sampling.hpp"
#include "infer/pathfinder_init.hpp"

namespace stochos::cli {
namespace {

struct SampleCommand {
  std::string model, data, init;
  bool tune_given = false;
  std::optional<std::string> backend, floatx;
  SampleSettings settings;
};

int run_sample(SampleCommand& o) {
  backends::ConfigOverrides flags;
  flags.backend = o.backend;
  flags.floatx = o.floatx;
  const backends::Config config = backends::load_config(flags);
  const auto m = load_model(o.model, o.data, backends::floatx_dtype(config.floatx.value));
  o.settings.backend = config.backend.value;
  o.settings.init_pathfinder = o.init == "pathfinder";
  if (o.settings.init_pathfinder && !o.tune_given) o.settings.sampler.tune = infer::kPathfinderTune;
  o.settings.model_name = model_name(o.model);
  o.settings.data_file = o.data;
  return run_sampling(*m, o.settings, std::cout, std::cerr);
}

}  // namespace

Command add_sample_command(CLI::App& app) {
  auto o = std::make_shared<SampleCommand>();
  auto& s = o->settings.sampler;
  CLI::App* sub = app.add_subcommand("sample", "Sample a model's posterior with NUTS");
  sub->add_option("model", o->model, "The model (.stoch)")->required()->check(CLI::ExistingFile);
  sub->add_option("--data", o->data, "Data JSON (CmdStan format)")->check(CLI::ExistingFile);
  sub->add_option("--backend", o->backend, "Engine (see `stochos backends`; default from config)");
  sub->add_option("--floatx", o->floatx, "float64 or float32 (default from config)");
  sub->add_option("--chains", s.chains, "Chains")
      ->capture_default_str()
      ->check(CLI::Range(1, 1024));
  sub->add_option("--draws", s.draws, "Draws per chain after warm-up")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  sub->add_option("--tune", s.tune, "Warm-up iterations per chain")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  sub->add_option("--seed", s.seed, "Random seed (the same seed gives the same draws)")
      ->capture_default_str();
  sub->add_option("--target-accept", s.target_accept, "Step-size adaptation target, in (0, 1)")
      ->capture_default_str();
  sub->add_option("--cores", s.cores, "Threads (default: min(chains, hardware threads))");
  sub->add_option("--max-depth", s.max_depth, "NUTS maximum tree depth")
      ->capture_default_str()
      ->check(CLI::Range(1, 30));
  sub->add_flag("--dense-metric", s.dense_metric, "Adapt a dense mass matrix");
  std::vector<std::string> kernel_names;
  for (const auto& k : infer::kernels()) kernel_names.push_back(k.name);
  sub->add_option("--sampler", s.sampler, "The MCMC kernel")
      ->check(CLI::IsMember(kernel_names))
      ->capture_default_str();
  sub->add_option("--int-time", s.hmc_time, "Static HMC's integration time (--sampler hmc)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  sub->add_option("--init", o->init,
                  "pathfinder: start each chain from a Pathfinder draw with its approximation's "
                  "metric, and warm up for " +
                      std::to_string(infer::kPathfinderTune) + " iterations unless --tune says")
      ->check(CLI::IsMember({"pathfinder"}));
  sub->add_option("--output-dir", o->settings.output_dir,
                  "Write CmdStan CSVs (chain-1.csv, ...) here");
  sub->add_flag("--overwrite", o->settings.overwrite, "Replace existing chain CSVs");
  sub->add_option("--summary-json", o->settings.summary_json, "Write the summary as JSON here");
  sub->add_flag("!--no-progress", o->settings.progress, "No progress display");
  return {sub, [o, sub] {
            o->tune_given = sub->get_option("--tune")->count() > 0;
            return run_sample(*o);
          }};
}

}  // namespace stochos::cli
