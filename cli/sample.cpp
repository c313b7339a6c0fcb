// `stochos sample MODEL [--data FILE]`: an MCMC kernel (infer/kernels.cpp: NUTS, static HMC) on
// a .stoch model (SPEC.md §1.3).
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>

#include "cli/commands.hpp"
#include "cli/model_file.hpp"
#include "cli/sampling.hpp"
#include "cli/sharded.hpp"
#include "cli/validators.hpp"
#include "infer/pathfinder_init.hpp"
#include "stochos/error.hpp"

namespace stochos::cli {
namespace {

struct SampleCommand {
  ModelArgs args;
  std::string init;
  bool tune_given = false, metric_given = false;
  SampleSettings settings;
  ShardArgs shard;
};

int run_sample(SampleCommand& o) {
  infer::SampleOptions& so = o.settings.sampler;
  // --dense-metric is --metric dense, kept for scripts written before --metric.
  if (so.dense_metric && o.metric_given && so.metric != "dense")
    throw InputError("--dense-metric is --metric dense; it cannot go with --metric " + so.metric);
  if (so.dense_metric) so.metric = "dense";
  o.settings.init_pathfinder = o.init == "pathfinder";
  if (o.settings.init_pathfinder && !o.tune_given) o.settings.sampler.tune = infer::kPathfinderTune;
  if (o.settings.sampler.adapt != "stan" && !o.tune_given) o.settings.sampler.tune = 400;
  o.settings.model_name = model_name(o.args.model);
  o.settings.data_file = o.args.data;
  o.settings.world = mpi_world();
  if (!o.shard.dim.empty())
    return run_sharded_sampling(o.args, o.shard, o.settings, std::cout, std::cerr);
  if (o.shard.shards != 1) throw InputError("--shards needs --shard-by DIM");
  const ConfiguredModel m = load_configured_model(o.args);
  o.settings.backend = m.backend;
  return run_sampling(*m.model, o.settings, std::cout, std::cerr);
}

}  // namespace

Command add_sample_command(CLI::App& app) {
  auto o = std::make_shared<SampleCommand>();
  auto& s = o->settings.sampler;
  CLI::App* sub = app.add_subcommand("sample", "Sample a model's posterior with MCMC (NUTS)");
  add_model_args(*sub, o->args);
  sub->add_option("--chains", s.chains, "Chains")
      ->capture_default_str()
      ->check(CLI::Range(1, 1024));
  sub->add_option("--draws", s.draws, "Draws per chain after warm-up")
      ->capture_default_str()
      ->check(non_negative());
  sub->add_option("--tune,--warmup", s.tune,
                  "Warm-up iterations per chain (under mpirun write --tune=N or --warmup N: mpirun "
                  "claims --tune N)")
      ->capture_default_str()
      ->check(non_negative());
  sub->add_option("--seed", s.seed, "Random seed (the same seed gives the same draws)")
      ->capture_default_str();
  sub->add_option("--target-accept", s.target_accept, "Step-size adaptation target, in (0, 1)")
      ->capture_default_str();
  sub->add_option("--cores", s.cores, "Threads (default: min(chains, hardware threads))");
  sub->add_option("--max-depth", s.max_depth, "NUTS maximum tree depth")
      ->capture_default_str()
      ->check(CLI::Range(1, 30));
  sub->add_option("--metric", s.metric,
                  "The mass matrix Stan's windows adapt: diag, dense, or auto (the diagonal "
                  "until a window's draws are strongly correlated, then dense)")
      ->check(CLI::IsMember({"diag", "dense", "auto"}))
      ->capture_default_str();
  sub->add_flag("--dense-metric", s.dense_metric, "The same as --metric dense");
  sub->add_option("--adapt", s.adapt,
                  "The metric's warm-up: stan (windowed variance of the draws), nutpie (the "
                  "draws' and gradients' variances, from the first draw) or nutpie-lowrank "
                  "(nutpie's, corrected by a low-rank matrix where the draws are correlated); "
                  "nutpie's warm up for 400 unless --tune says")
      ->check(CLI::IsMember({"stan", "nutpie", "nutpie-lowrank"}))
      ->capture_default_str();
  std::vector<std::string> kernel_names;
  for (const auto& k : infer::kernels()) kernel_names.push_back(k.name);
  sub->add_option("--sampler", s.sampler, "The MCMC kernel")
      ->check(CLI::IsMember(kernel_names))
      ->capture_default_str();
  sub->add_option("--step", o->settings.steps,
                  "VAR=METHOD: the step method of a variable (nuts, hmc, metropolis, slice, "
                  "binary_gibbs, categorical_gibbs; PyMC's class names too), repeatable; the "
                  "others by PyMC's rule")
      ->type_name("VAR=METHOD");
  sub->add_option("--init-buffer", s.init_buffer,
                  "Warm-up: iterations before the first metric window")
      ->capture_default_str()
      ->check(non_negative());
  sub->add_option("--window", s.base_window, "Warm-up: the first metric window (then doubling)")
      ->capture_default_str()
      ->check(non_negative());
  sub->add_option("--term-buffer", s.term_buffer,
                  "Warm-up: iterations after the last metric window")
      ->capture_default_str()
      ->check(non_negative());
  sub->add_option("--int-time", s.hmc_time, "Static HMC's integration time (--sampler hmc)")
      ->capture_default_str()
      ->check(positive());
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
  sub->add_option("--shard-by", o->shard.dim,
                  "Under mpirun: split the data whose first dimension is DIM (data y: real[DIM]) "
                  "into contiguous rows, one slice per rank of a chain group")
      ->type_name("DIM");
  sub->add_option("--shards", o->shard.shards,
                  "Ranks per chain group with --shard-by (the ranks divided by it are the chain "
                  "groups)")
      ->capture_default_str();
  return {sub, [o, sub] {
            o->tune_given = sub->get_option("--tune")->count() > 0;
            o->metric_given = sub->get_option("--metric")->count() > 0;
            return run_sample(*o);
          }};
}

}  // namespace stochos::cli
