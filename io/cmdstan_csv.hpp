// Writing and reading sampler output in CmdStan's CSV layout, so that rstan's read_stan_csv,
// CmdStanPy and ArviZ read our files, and `stochos summary` reads theirs: comment lines
// (# ...) with the configuration, a header row (lp__, accept_stat__, stepsize__, treedepth__,
// n_leapfrog__, divergent__, energy__, then the parameters with Stan's 1-based names, matrices
// column-major), the adaptation comment, one row per draw, and the timing comment.
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

struct CsvHeader {
  std::string model, data_file, backend;
  int chain_id = 1, num_samples = 1000, num_warmup = 1000, max_depth = 10;
  bool save_warmup = false, dense_metric = false;
  double delta = 0.8;
  unsigned long long seed = 0;
  std::string stochos_version;
};

// Writes as draws arrive; every line is complete before it is written, and the file is flushed
// every `flush_every` draws, so an interrupted run leaves a valid file.
class CsvWriter {
 public:
  CsvWriter(const std::string& path, const CsvHeader& header,
            const std::vector<CsvVariable>& variables);
  ~CsvWriter();
  CsvWriter(const CsvWriter&) = delete;
  CsvWriter& operator=(const CsvWriter&) = delete;

  void adaptation(double step_size, const std::vector<double>& inverse_metric_diag);
  // stats: lp__, accept_stat__, stepsize__, treedepth__, n_leapfrog__, divergent__, energy__;
  // values: the variables' values, row-major, in order.
  void draw(const double stats[7], const double* values);
  void timing(double warmup_seconds, double sampling_seconds);
  void flush();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::FILE* f_ = nullptr;
  std::vector<std::int64_t> order_;  // column -> row-major value index
  long written_ = 0;
};

// A CmdStan CSV read back: parameter columns by name (lp__ and the sampler statistics too).
struct CsvDraws {
  std::vector<std::string> columns;
  std::vector<std::vector<double>> rows;  // sampling draws only (after "Adaptation terminated"
                                          // when warm-up was saved)
  int num_warmup_saved = 0;
};
CsvDraws read_cmdstan_csv(const std::string& path);

}  // namespace stochos::io
