// cli/trace_output on traces of every kind: a method's own statistic columns in the CSV, the
// point row of CmdStan's variational CSV (which the reader skips), no chain diagnostics for
// independent draws, the method's figures in JSON, and static HMC's columns through sampling.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli/sampling.hpp"
#include "cli/trace_output.hpp"
#include "io/cmdstan_csv.hpp"
#include "stochos/error.hpp"

namespace stochos::cli {
namespace {

namespace fs = std::filesystem;
using namespace distributions;

fs::path scratch(const std::string& name) {
  return fs::temp_directory_path() / ("stochos-trace-" + std::to_string(::getpid()) + "-" + name);
}

// x ~ HalfNormal(1) (log transform) and a deterministic 2x: an approximation's trace of
// independent draws of log x, with a point estimate.
infer::Trace approximation(int draws) {
  infer::Trace t;
  t.method = "meanfield";
  t.stat_names = {"lp__", "log_p__", "log_g__"};
  t.point = Eigen::VectorXd::Constant(1, std::log(0.5));
  t.figures = {{"elbo", -1.25}, {"iterations", 300}};
  t.message = "MEAN ELBO CONVERGED";
  infer::ChainTrace c;
  c.draws.resize(draws, 1);
  c.stats.resize(draws, 3);
  for (int i = 0; i < draws; ++i) {
    c.draws(i, 0) = -1.0 + 2.0 * i / draws;
    c.stats.row(i) << 0.0, -0.5 * i, -0.25 * i;
  }
  c.gradient_evaluations = 1234;
  t.chains.push_back(c);
  return t;
}

TEST(TraceOutput, AnApproximationsCsvHasItsColumnsAndThePointRowFirst) {
  model::Model m;
  Tensor x = m.rv("x", HalfNormal(1));
  m.deterministic("twice", 2.0 * x);
  const auto values = m.compile_values();
  const infer::Trace t = approximation(40);
  const auto path = scratch("variational.csv");
  io::CsvHeader h;
  h.method = "variational";
  h.method_lines = {"  variational", "    algorithm = meanfield (Default)"};
  write_trace_csv(path.string(), h, t, values, 0, /*point_row=*/true);

  const io::CsvDraws d = io::read_cmdstan_csv(path.string());
  EXPECT_EQ(d.method, "variational");
  ASSERT_EQ(d.columns, (std::vector<std::string>{"lp__", "log_p__", "log_g__", "x", "twice"}));
  ASSERT_EQ(d.rows.size(), 40u);  // the mean row is not a draw
  for (std::size_t i = 0; i < d.rows.size(); ++i) {
    const double x_i = std::exp(-1.0 + 2.0 * static_cast<double>(i) / 40);
    EXPECT_NEAR(d.rows[i][3], x_i, 1e-7 * x_i) << i;
    EXPECT_NEAR(d.rows[i][4], 2 * x_i, 2e-7 * x_i) << i;
    EXPECT_EQ(d.rows[i][1], -0.5 * static_cast<double>(i));
  }
  // The mean row is in the file, first, with its statistics 0.
  std::ifstream f(path);
  std::string line;
  while (std::getline(f, line) && (line.empty() || line[0] == '#' || line[0] == 'l')) {
  }
  EXPECT_EQ(line.substr(0, 6), "0,0,0,");
  EXPECT_NE(line.find("0.5,1"), std::string::npos) << line;
  fs::remove(path);
}

TEST(TraceOutput, IndependentDrawsHaveNoChainDiagnostics) {
  model::Model m;
  m.rv("x", HalfNormal(1));
  const auto values = m.compile_values();
  const TraceSummary s = summarize_trace(approximation(100), values);
  ASSERT_EQ(s.rows.size(), 1u);
  EXPECT_TRUE(std::isfinite(s.rows[0].mean));
  EXPECT_TRUE(std::isfinite(s.rows[0].hdi_low));
  EXPECT_TRUE(std::isnan(s.rows[0].ess_bulk));
  EXPECT_TRUE(std::isnan(s.rows[0].r_hat));
  EXPECT_EQ(s.report.divergences, 0);
  EXPECT_TRUE(s.report.ebfmi.empty());
  // The table leaves out the columns no row has.
  std::ostringstream out, err;
  print_summary(s, out, err);
  EXPECT_NE(out.str().find("hdi_97%"), std::string::npos) << out.str();
  EXPECT_EQ(out.str().find("r_hat"), std::string::npos) << out.str();
  EXPECT_EQ(out.str().find("nan"), std::string::npos) << out.str();
  EXPECT_EQ(err.str(), "");
  const auto j = variables_json(s.rows);
  EXPECT_TRUE(j[0]["r_hat"].is_null());
  const auto method = method_json(approximation(10), "native");
  EXPECT_EQ(method["method"], "meanfield");
  EXPECT_EQ(method["elbo"], -1.25);
  EXPECT_EQ(method["message"], "MEAN ELBO CONVERGED");
  EXPECT_EQ(method["grad_evals"], 1234);
}

TEST(TraceOutput, StaticHmcWritesStansStaticColumns) {
  model::Model m;
  m.rv("x", Normal(0, 1), {.shape = Shape{2}});
  SampleSettings s;
  s.sampler.chains = 1;
  s.sampler.draws = 50;
  s.sampler.tune = 50;
  s.sampler.sampler = "hmc";
  s.output_dir = scratch("hmc").string();
  s.progress = false;
  std::ostringstream out, err;
  ASSERT_EQ(run_sampling(m, s, out, err), 0);
  const auto d = io::read_cmdstan_csv((fs::path(s.output_dir) / "chain-1.csv").string());
  EXPECT_EQ(d.method, "sample");
  EXPECT_EQ(d.columns[3], "int_time__");
  EXPECT_EQ(d.rows.size(), 50u);
  fs::remove_all(s.output_dir);
}

TEST(TraceOutput, AnExistingFileIsKeptUnlessAsked) {
  const auto path = scratch("kept.csv");
  std::ofstream(path) << "mine\n";
  EXPECT_THROW(refuse_overwrite(path.string(), false, "--output"), InputError);
  EXPECT_NO_THROW(refuse_overwrite(path.string(), true, "--output"));
  fs::remove(path);
  EXPECT_NO_THROW(refuse_overwrite(path.string(), false, "--output"));
}

}  // namespace
}  // namespace stochos::cli
