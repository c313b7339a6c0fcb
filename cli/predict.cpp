// `stochos predict MODEL [--data FILE] (--prior | --trace DIR)` (SPEC.md §1.3): prior predictive
// draws of every variable, or posterior predictive draws of the observed variables at each draw
// of a trace (the chain CSVs `stochos sample --output-dir DIR` wrote, or CmdStan's; or one CSV
// of any method: `pathfinder`'s, `variational`'s, `optimize --laplace`'s). The draws
// are a CSV with Stan's column names (theta.1 is theta[0]), to --output or stdout.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "cli/model_file.hpp"
#include "io/cmdstan_csv.hpp"
#include "model/predictive.hpp"
#include "stochos/error.hpp"

namespace stochos::cli {
namespace {

namespace fs = std::filesystem;

struct PredictOptions {
  std::string model, data, trace, output;
  bool prior = false, overwrite = false;
  std::int64_t draws = 500;
  std::uint64_t seed = 1;
};

// DIR's chain CSVs, chain-1.csv, chain-2.csv, ... in chain order; or the one CSV named.
std::vector<fs::path> chain_files(const std::string& dir) {
  if (fs::is_regular_file(dir)) return {fs::path(dir)};
  if (!fs::is_directory(dir)) throw InputError("--trace " + dir + ": no such folder or file");
  const std::regex name(R"(chain-(\d+)\.csv)");
  std::vector<std::pair<long, fs::path>> found;
  for (const auto& e : fs::directory_iterator(dir)) {
    std::smatch mt;
    const std::string file = e.path().filename().string();
    if (std::regex_match(file, mt, name)) found.emplace_back(std::stol(mt[1]), e.path());
  }
  if (found.empty()) throw InputError("--trace " + dir + ": no chain-N.csv files");
  std::sort(found.begin(), found.end());
  std::vector<fs::path> files;
  for (auto& [k, p] : found) files.push_back(p);
  return files;
}

// Each row of each chain as constrained values of the model's free variables.
struct TracePoints {
  std::vector<std::vector<std::vector<double>>> points;
  std::vector<std::pair<int, int>> chain_draw;  // 1-based, per point
};
TracePoints read_trace(const model::Model& m, const std::string& dir) {
  TracePoints t;
  int chain = 0;
  for (const fs::path& file : chain_files(dir)) {
    ++chain;
    const io::CsvDraws csv = io::read_cmdstan_csv(file.string());
    // Column index of each element of each free variable, row-major.
    std::vector<std::vector<std::size_t>> where;
    for (const auto& v : m.free_vars()) {
      std::vector<std::size_t> idx(static_cast<std::size_t>(graph::numel(v.shape)));
      for (const auto& [col, pos] : io::stan_columns({v.name, v.shape})) {
        const auto it = std::find(csv.columns.begin(), csv.columns.end(), col);
        if (it == csv.columns.end())
          throw InputError(file.string() + ": no column '" + col + "' for the free variable '" +
                           v.name + "' (was it sampled from this model?)");
        idx[static_cast<std::size_t>(pos)] = static_cast<std::size_t>(it - csv.columns.begin());
      }
      where.push_back(std::move(idx));
    }
    int draw = 0;
    for (const auto& row : csv.rows) {
      std::vector<std::vector<double>> point;
      for (const auto& idx : where) {
        std::vector<double> values;
        for (std::size_t c : idx) values.push_back(row.at(c));
        point.push_back(std::move(values));
      }
      t.points.push_back(std::move(point));
      t.chain_draw.emplace_back(chain, ++draw);
    }
  }
  return t;
}

int run_predict(const PredictOptions& o) {
  if (o.prior == !o.trace.empty())
    throw InputError("predict: give exactly one of --prior and --trace DIR");
  if (o.draws < 1) throw InputError("--draws must be at least 1");
  if (!o.output.empty() && !o.overwrite && fs::exists(o.output))
    throw InputError(o.output + " exists; choose another --output or pass --overwrite");
  const auto m = load_model(o.model, o.data);
  model::PredictiveDraws p;
  TracePoints trace;
  if (o.prior) {
    p = model::prior_predictive(*m, o.draws, o.seed);
  } else {
    trace = read_trace(*m, o.trace);
    p = model::posterior_predictive(*m, trace.points, o.seed);
  }

  // Stan's names and column order, as the sampler's CSVs have them.
  std::vector<std::string> header;
  std::vector<std::int64_t> order;
  if (!o.prior) header = {"chain__", "draw__"};
  for (const auto& v : p.variables)
    for (const auto& [col, pos] : io::stan_columns({v.name, v.shape})) {
      header.push_back(col);
      order.push_back(v.offset + pos);
    }
  std::FILE* f = o.output.empty() ? stdout : std::fopen(o.output.c_str(), "w");
  if (!f) throw RuntimeError("cannot write " + o.output);
  std::string line;
  for (std::size_t j = 0; j < header.size(); ++j) line += (j ? "," : "") + header[j];
  fmt::print(f, "{}\n", line);
  for (std::int64_t d = 0; d < p.draws(); ++d) {
    line.clear();
    if (!o.prior) {
      const auto [chain, draw] = trace.chain_draw[static_cast<std::size_t>(d)];
      line = fmt::format("{},{}", chain, draw);
    }
    for (std::size_t j = 0; j < order.size(); ++j)
      line += (line.empty() ? "" : ",") +
              fmt::format("{}", p.values[static_cast<std::size_t>(d * p.size + order[j])]);
    fmt::print(f, "{}\n", line);
  }
  if (f != stdout) {
    std::fclose(f);
    fmt::print(stderr, "wrote {} draws of {} columns to {}\n", p.draws(), order.size(), o.output);
  }
  return 0;
}

}  // namespace

Command add_predict_command(CLI::App& app) {
  auto o = std::make_shared<PredictOptions>();
  CLI::App* sub = app.add_subcommand(
      "predict", "Prior predictive draws, or posterior predictive draws from a trace (CSV)");
  sub->add_option("model", o->model, "The model (.stoch)")->required()->check(CLI::ExistingFile);
  sub->add_option("--data", o->data, "Data JSON")->check(CLI::ExistingFile);
  sub->add_flag("--prior", o->prior, "Draw every variable from the prior predictive");
  sub->add_option("--trace", o->trace,
                  "A folder of chain-N.csv traces, or one CSV of any method: draw the observed "
                  "variables at each draw");
  sub->add_option("--draws", o->draws, "Prior predictive draws (default 500)");
  sub->add_option("--seed", o->seed, "Random seed (default 1)");
  sub->add_option("--output", o->output, "CSV file to write (default: stdout)");
  sub->add_flag("--overwrite", o->overwrite, "Replace an existing --output file");
  return {sub, [o] { return run_predict(*o); }};
}

}  // namespace stochos::cli
