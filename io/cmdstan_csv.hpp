// Writing and reading inference output in CmdStan's CSV layout, so that rstan's read_stan_csv,
// CmdStanPy and ArviZ read our files, and `stochos summary` reads theirs: comment lines
// (# ...) with the configuration, a header row (the method's statistics — for NUTS lp__,
// accept_stat__, stepsize__, treedepth__, n_leapfrog__, divergent__, energy__ — then the
// parameters with Stan's 1-based names, matrices column-major), the adaptation comment (MCMC),
// one row per draw, and the timing comment.
#pragma once

#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "graph/shape.hpp"

namespace stochos::io {

// One traced variable as the CSV names it: theta -> theta.1 ... theta.J.
struct CsvVariable {
  std::string name;
  graph::Shape shape;
};

// Stan's column names of a variable of `shape`, in Stan's (column-major) order, and for each
// the row-major position of that element.
std::vector<std::pair<std::string, std::int64_t>> stan_columns(const CsvVariable& v);

// The comment lines before the header row. `method` and `method_lines` are CmdStan's
// description of the method's arguments ("method = sample (Default)", then "  sample",
// "    num_samples = 1000", ...: each line without its "# ").
struct CsvHeader {
  std::string model, data_file, backend, stochos_version;
  std::string method = "sample";
  std::vector<std::string> method_lines;
  int chain_id = 1;
  unsigned long long seed = 0;
};

// CmdStan's method lines of `sample` with NUTS (or static HMC) and the diagonal or dense metric;
// for another kernel, its name as the algorithm.
struct SampleArguments {
  int num_samples = 1000, num_warmup = 1000, max_depth = 10;
  bool save_warmup = false, dense_metric = false;
  double delta = 0.8;
  std::string engine = "nuts";  // or "static"; another name: a kernel that is not HMC
  double int_time = 6.283185307179586;
  int init_buffer = 75, term_buffer = 50, window = 25;
};
std::vector<std::string> sample_method_lines(const SampleArguments& a);

// Writes as draws arrive; every line is complete before it is written, and the file is flushed
// every `flush_every` draws, so an interrupted run leaves a valid file.
class CsvWriter {
 public:
  // stat_names: the method's columns before the variables (infer::Trace::stat_names).
  CsvWriter(const std::string& path, const CsvHeader& header,
            const std::vector<std::string>& stat_names, const std::vector<CsvVariable>& variables);
  ~CsvWriter();
  CsvWriter(const CsvWriter&) = delete;
  CsvWriter& operator=(const CsvWriter&) = delete;

  void adaptation(double step_size, const std::vector<double>& inverse_metric_diag);
  // A dense inverse metric, `dim` rows of `dim` (row-major), one comment line per row as CmdStan
  // writes dense_e's.
  void adaptation_dense(double step_size, const std::vector<double>& inverse_metric,
                        std::size_t dim);
  // stats: one value per stat name; values: the variables' values, row-major, in order.
  void draw(const double* stats, const double* values);
  // A comment line ("# " + text) between rows.
  void comment(const std::string& text);
  void timing(double warmup_seconds, double sampling_seconds);
  void flush();
  // From now on every row reaches the file as it is written (for runs whose process may be
  // killed by a failing peer: the file then ends at a whole row).
  void flush_each_row() { flush_each_ = true; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::FILE* f_ = nullptr;
  std::size_t nstats_ = 0;
  std::vector<std::int64_t> order_;  // column -> row-major value index
  long written_ = 0;
  bool flush_each_ = false;
};

// A CmdStan CSV read back: parameter columns by name (lp__ and the sampler statistics too).
struct CsvDraws {
  std::string method;  // "sample", "variational", "optimize", "laplace", "pathfinder", or ""
  std::vector<std::string> columns;
  // The draws only: after "Adaptation terminated" when warm-up was saved; without variational's
  // first row, the approximation's mean.
  std::vector<std::vector<double>> rows;
  int num_warmup_saved = 0;
};
CsvDraws read_cmdstan_csv(const std::string& path);

}  // namespace stochos::io
