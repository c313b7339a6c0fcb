#include "io/cmdstan_csv.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "stochos/error.hpp"

namespace stochos::io {

std::vector<std::pair<std::string, std::int64_t>> stan_columns(const CsvVariable& v) {
  std::vector<std::pair<std::string, std::int64_t>> out;
  const std::int64_t n = graph::numel(v.shape);
  if (v.shape.empty()) {
    out.emplace_back(v.name, 0);
    return out;
  }
  // Stan's order: the first index moves fastest (column-major).
  const graph::Shape strides = graph::row_major_strides(v.shape);
  std::vector<std::int64_t> idx(v.shape.size(), 0);
  for (std::int64_t k = 0; k < n; ++k) {
    std::string name = v.name;
    std::int64_t pos = 0;
    for (std::size_t a = 0; a < idx.size(); ++a) {
      name.push_back('.');
      name.append(std::to_string(idx[a] + 1));
      pos += idx[a] * strides[a];
    }
    out.emplace_back(name, pos);
    for (std::size_t a = 0; a < idx.size(); ++a) {
      if (++idx[a] < v.shape[a]) break;
      idx[a] = 0;
    }
  }
  return out;
}

std::vector<std::string> sample_method_lines(const SampleArguments& a) {
  char buf[160];
  std::vector<std::string> l = {"  sample"};
  const auto add = [&](const char* fmt, auto... v) {
    std::snprintf(buf, sizeof buf, fmt, v...);
    l.emplace_back(buf);
  };
  add("    num_samples = %d", a.num_samples);
  add("    num_warmup = %d", a.num_warmup);
  add("    save_warmup = %d", a.save_warmup ? 1 : 0);
  l.insert(l.end(), {"    thin = 1 (Default)", "    adapt", "      engaged = 1 (Default)",
                     "      gamma = 0.050000 (Default)"});
  add("      delta = %f", a.delta);
  l.insert(l.end(), {"      kappa = 0.750000 (Default)", "      t0 = 10.000000 (Default)"});
  const auto count = [&](const char* name, int v, int fallback) {
    add(v == fallback ? "      %s = %d (Default)" : "      %s = %d", name, v);
  };
  count("init_buffer", a.init_buffer, 75);
  count("term_buffer", a.term_buffer, 50);
  count("window", a.window, 25);
  if (a.engine != "nuts" && a.engine != "static") {
    // A kernel CmdStan does not have (PyMC's Metropolis, Slice): its name, no HMC settings.
    l.emplace_back("    algorithm = " + a.engine);
    return l;
  }
  l.insert(l.end(), {"    algorithm = hmc (Default)", "      hmc"});
  if (a.engine == "static") {
    l.emplace_back("        engine = static");
    l.emplace_back("          static");
    add("            int_time = %f", a.int_time);
  } else {
    l.emplace_back("        engine = nuts (Default)");
    l.emplace_back("          nuts");
    add("            max_depth = %d", a.max_depth);
  }
  l.emplace_back(a.dense_metric ? "        metric = dense_e" : "        metric = diag_e (Default)");
  l.insert(l.end(), {"        stepsize = 1.000000 (Default)",
                     "        stepsize_jitter = 0.000000 (Default)"});
  return l;
}

CsvWriter::CsvWriter(const std::string& path, const CsvHeader& h,
                     const std::vector<std::string>& stat_names,
                     const std::vector<CsvVariable>& variables)
    : path_(path), nstats_(stat_names.size()) {
  f_ = std::fopen(path.c_str(), "w");
  if (!f_) throw RuntimeError("cannot write " + path + ": " + std::strerror(errno));
  std::fprintf(f_,
               "# stan_version_major = 2\n# stan_version_minor = 26\n# stan_version_patch = 0\n");
  std::fprintf(f_, "# stochos_version = %s\n# backend = %s\n", h.stochos_version.c_str(),
               h.backend.c_str());
  std::fprintf(f_, "# model = %s\n# method = %s%s\n", h.model.c_str(), h.method.c_str(),
               h.method == "sample" ? " (Default)" : "");
  for (const std::string& line : h.method_lines) std::fprintf(f_, "# %s\n", line.c_str());
  std::fprintf(f_, "# id = %d\n# data\n#   file = %s\n# init = 2 (Default)\n# random\n", h.chain_id,
               h.data_file.c_str());
  std::fprintf(f_, "#   seed = %llu\n# output\n#   file = %s\n", h.seed, path.c_str());
  std::string header;
  for (const std::string& name : stat_names) header += (header.empty() ? "" : ",") + name;
  std::int64_t offset = 0;
  for (const CsvVariable& v : variables) {
    for (const auto& [name, pos] : stan_columns(v)) {
      header += (header.empty() ? "" : ",") + name;
      order_.push_back(offset + pos);
    }
    offset += graph::numel(v.shape);
  }
  std::fprintf(f_, "%s\n", header.c_str());
  flush();
}

CsvWriter::~CsvWriter() {
  if (f_) std::fclose(f_);
}

void CsvWriter::adaptation(double step_size, const std::vector<double>& inv) {
  std::fprintf(f_, "# Adaptation terminated\n# Step size = %.17g\n", step_size);
  std::fprintf(f_, "# Diagonal elements of inverse mass matrix:\n# ");
  for (std::size_t i = 0; i < inv.size(); ++i) std::fprintf(f_, "%s%.17g", i ? ", " : "", inv[i]);
  std::fprintf(f_, "\n");
  flush();
}

void CsvWriter::adaptation_dense(double step_size, const std::vector<double>& inv,
                                 std::size_t dim) {
  std::fprintf(f_, "# Adaptation terminated\n# Step size = %.17g\n", step_size);
  std::fprintf(f_, "# Elements of inverse mass matrix:\n");
  for (std::size_t i = 0; i < dim; ++i) {
    std::fprintf(f_, "# ");
    for (std::size_t j = 0; j < dim; ++j)
      std::fprintf(f_, "%s%.17g", j ? ", " : "", inv[i * dim + j]);
    std::fprintf(f_, "\n");
  }
  flush();
}

void CsvWriter::draw(const double* stats, const double* values) {
  // The whole line is formatted first, then written in one call. %.9g writes integer
  // statistics (treedepth__, divergent__, ...) as integers.
  std::string line;
  line.reserve(16 * (nstats_ + order_.size()));
  char buf[32];
  for (std::size_t k = 0; k < nstats_; ++k) {
    std::snprintf(buf, sizeof buf, k ? ",%.9g" : "%.9g", stats[k]);
    line.append(buf);
  }
  bool first = nstats_ == 0;
  for (std::int64_t pos : order_) {
    std::snprintf(buf, sizeof buf, first ? "%.9g" : ",%.9g", values[pos]);
    first = false;
    line.append(buf);
  }
  line += '\n';
  std::fwrite(line.data(), 1, line.size(), f_);
  if (++written_ % 100 == 0 || flush_each_) flush();
}

void CsvWriter::comment(const std::string& text) {
  std::fprintf(f_, "# %s\n", text.c_str());
  flush();
}

void CsvWriter::timing(double warmup, double sampling) {
  std::fprintf(f_,
               "# \n#  Elapsed Time: %g seconds (Warm-up)\n#                %g seconds "
               "(Sampling)\n#                %g seconds (Total)\n# \n",
               warmup, sampling, warmup + sampling);
  flush();
}

void CsvWriter::flush() {
  std::fflush(f_);
}

CsvDraws read_cmdstan_csv(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw InputError("cannot read " + path);
  CsvDraws d;
  std::string line;
  bool adaptation_done = false, save_warmup = false, mean_skipped = false;
  long lineno = 0;
  std::vector<std::vector<double>> warmup;
  while (std::getline(in, line)) {
    ++lineno;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    if (line[0] == '#') {
      if (d.method.empty() && line.rfind("# method = ", 0) == 0) {
        d.method = line.substr(11);
        d.method = d.method.substr(0, d.method.find(' '));
      }
      if (line.find("save_warmup = 1") != std::string::npos) save_warmup = true;
      if (line.find("Adaptation terminated") != std::string::npos) adaptation_done = true;
      continue;
    }
    std::vector<std::string> cells;
    std::stringstream s(line);
    std::string cell;
    while (std::getline(s, cell, ',')) cells.push_back(cell);
    if (d.columns.empty()) {
      d.columns = cells;
      continue;
    }
    if (cells.size() != d.columns.size())
      throw InputError(path + ":" + std::to_string(lineno) + ": " + std::to_string(cells.size()) +
                       " values for " + std::to_string(d.columns.size()) + " columns");
    std::vector<double> row;
    for (const auto& c : cells) {
      char* end = nullptr;
      const double v = std::strtod(c.c_str(), &end);
      if (end == c.c_str() || *end != '\0')
        throw InputError(path + ":" + std::to_string(lineno) + ": '" + c + "' is not a number");
      row.push_back(v);
    }
    // With save_warmup, rows before "Adaptation terminated" are warm-up draws; variational's
    // first row is the approximation's mean.
    if (d.method == "variational" && !mean_skipped) {
      mean_skipped = true;
      continue;
    }
    if (save_warmup && !adaptation_done)
      warmup.push_back(std::move(row));
    else
      d.rows.push_back(std::move(row));
  }
  if (d.columns.empty()) throw InputError(path + ": no header row (not a CmdStan CSV file)");
  d.num_warmup_saved = static_cast<int>(warmup.size());
  return d;
}

}  // namespace stochos::io
