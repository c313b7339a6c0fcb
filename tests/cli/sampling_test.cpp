// The sampling driver end to end on eight schools built with the C++ API: CmdStan CSVs that read
// back, the summary table and JSON, existing files kept, and Stan's column naming.
#include <gtest/gtest.h>

#include <unistd.h>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/sampling.hpp"
#include "io/cmdstan_csv.hpp"
#include "stochos/error.hpp"

namespace stochos::cli {
namespace {

namespace fs = std::filesystem;
using namespace distributions;

class Sampling : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("stochos-sampling-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    ::setenv("STOCHOS_HOME", (dir_ / "home").c_str(), 1);
    ::unsetenv("STOCHOS_BACKEND");
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

void eight_schools(model::Model& m) {
  const std::vector<double> y = {28, 8, -3, 7, -1, 1, 18, 12};
  const std::vector<double> sigma = {15, 10, 16, 11, 9, 11, 10, 18};
  Tensor mu = m.rv("mu", Normal(0, 5));
  Tensor tau = m.rv("tau", HalfCauchy(5));
  Tensor z = m.rv("theta_z", Normal(0, 1), {.shape = Shape{8}});
  Tensor theta = m.deterministic("theta", mu + tau * z);
  m.observe("y", Normal(theta, Arg(sigma, {8})), y, {8});
}

TEST_F(Sampling, WritesCmdStanCsvsTheSummaryAndItsJson) {
  model::Model m;
  eight_schools(m);
  SampleSettings s;
  s.sampler.chains = 2;
  s.sampler.draws = 300;
  s.sampler.tune = 300;
  s.sampler.seed = 4;
  s.output_dir = (dir_ / "out").string();
  s.summary_json = (dir_ / "summary.json").string();
  s.progress = false;
  std::ostringstream out, err;
  ASSERT_EQ(run_sampling(m, s, out, err), 0);

  const std::string table = out.str();
  EXPECT_NE(table.find("hdi_3%"), std::string::npos) << table;
  EXPECT_NE(table.find("r_hat"), std::string::npos);
  EXPECT_NE(table.find("theta_z[7]"), std::string::npos);
  EXPECT_NE(table.find("theta[0]"), std::string::npos);

  for (int c = 1; c <= 2; ++c) {
    const auto d =
        io::read_cmdstan_csv((dir_ / "out" / ("chain-" + std::to_string(c) + ".csv")).string());
    ASSERT_EQ(d.rows.size(), 300u);
    ASSERT_EQ(d.columns.size(), 7u + 1 + 1 + 8 + 8);
    EXPECT_EQ(d.columns[0], "lp__");
    EXPECT_EQ(d.columns[6], "energy__");
    EXPECT_EQ(d.columns[7], "mu");
    EXPECT_EQ(d.columns[9], "theta_z.1");
    EXPECT_EQ(d.columns[24], "theta.8");
    for (const auto& row : d.rows) {
      EXPECT_GT(row[8], 0.0);                                                          // tau > 0
      EXPECT_NEAR(row[17], row[7] + row[8] * row[9], 1e-6 * (1 + std::abs(row[17])));  // theta.1
      EXPECT_TRUE(row[5] == 0.0 || row[5] == 1.0);  // divergent__
    }
  }
  std::ifstream jf(s.summary_json);
  const auto j = nlohmann::json::parse(jf);
  EXPECT_EQ(j["variables"].size(), 18u);
  EXPECT_EQ(j["variables"][0]["name"], "mu");
  EXPECT_TRUE(j["variables"][0].contains("ess_bulk"));
  EXPECT_EQ(j["sampler"]["backend"], "native");
  EXPECT_EQ(j["sampler"]["ebfmi"].size(), 2u);
  EXPECT_GT(j["sampler"]["grad_evals"].get<long>(), 1000);

  // The same output folder again: the files are the user's now.
  std::ostringstream out2, err2;
  EXPECT_THROW(run_sampling(m, s, out2, err2), InputError);
  s.overwrite = true;
  EXPECT_EQ(run_sampling(m, s, out2, err2), 0);
}

TEST_F(Sampling, PathfinderStartsTheChainsAndItsFiguresAreInTheJson) {
  model::Model m;
  eight_schools(m);
  SampleSettings s;
  s.sampler.chains = 2;
  s.sampler.draws = 200;
  s.sampler.tune = 200;
  s.sampler.seed = 6;
  s.init_pathfinder = true;
  s.summary_json = (dir_ / "summary.json").string();
  s.progress = false;
  std::ostringstream out, err;
  ASSERT_EQ(run_sampling(m, s, out, err), 0);
  EXPECT_NE(err.str().find("pathfinder: 4 paths"), std::string::npos) << err.str();
  std::ifstream jf(s.summary_json);
  const auto j = nlohmann::json::parse(jf);
  EXPECT_EQ(j["sampler"]["method"], "nuts");
  EXPECT_EQ(j["sampler"]["init"]["method"], "pathfinder");
  EXPECT_GT(j["sampler"]["init"]["grad_evals"].get<long>(), 100);
  EXPECT_EQ(j["variables"].size(), 18u);
}

TEST_F(Sampling, CentredEightSchoolsWarnsAboutDivergences) {
  model::Model m;
  const std::vector<double> y = {28, 8, -3, 7, -1, 1, 18, 12};
  const std::vector<double> sigma = {15, 10, 16, 11, 9, 11, 10, 18};
  Tensor mu = m.rv("mu", Normal(0, 5));
  Tensor tau = m.rv("tau", HalfCauchy(5));
  Tensor theta = m.rv("theta", Normal(mu, tau), {.shape = Shape{8}});
  m.observe("y", Normal(theta, Arg(sigma, {8})), y, {8});
  SampleSettings s;
  s.sampler.seed = 3;
  s.progress = false;
  std::ostringstream out, err;
  ASSERT_EQ(run_sampling(m, s, out, err), 0);
  EXPECT_NE(err.str().find("divergent transitions"), std::string::npos) << err.str();
}

// An interrupt without a signal: interrupt_sampling() (what SIGINT does) when chain 2 has made
// 134 draws. One thread runs the chains in turn, so chain 1 has finished and chains 3 and 4 have
// not begun.
TEST_F(Sampling, AnInterruptedRunSummarisesTheChainsThatHaveDraws) {
  model::Model m;
  eight_schools(m);
  SampleSettings s;
  s.sampler.chains = 4;
  s.sampler.cores = 1;
  s.sampler.draws = 200;
  s.sampler.tune = 100;
  s.sampler.seed = 5;
  s.output_dir = (dir_ / "out").string();
  s.summary_json = (dir_ / "summary.json").string();
  s.progress = false;
  s.after_iteration = [](int chain, int iteration) {
    if (chain == 1 && iteration == 100 + 134) interrupt_sampling();
  };
  std::ostringstream out, err;
  ASSERT_EQ(run_sampling(m, s, out, err), 130);
  EXPECT_EQ(err.str().substr(err.str().find("interrupted:")),
            "interrupted: chain 1 kept 200 draws, chain 2 kept 134, chains 3 and 4 never started; "
            "the summary uses chains 1 and 2, the first 134 draws each (R-hat needs chains of "
            "equal length); every kept draw is in " +
                s.output_dir + "\n");
  const std::string table = out.str();
  EXPECT_NE(table.find("theta[7]"), std::string::npos) << table;
  EXPECT_EQ(table.find("nan"), std::string::npos) << table;
  std::ifstream jf(s.summary_json);
  const auto j = nlohmann::json::parse(jf);
  for (const auto& v : j["variables"]) {
    EXPECT_TRUE(v["mean"].is_number()) << v;
    EXPECT_TRUE(v["r_hat"].is_number()) << v;
  }
  EXPECT_EQ(io::read_cmdstan_csv((dir_ / "out" / "chain-1.csv").string()).rows.size(), 200u);
  EXPECT_EQ(io::read_cmdstan_csv((dir_ / "out" / "chain-2.csv").string()).rows.size(), 134u);

  // Stopped in warm-up: nothing to summarise, and the note says so.
  s.output_dir.clear();
  s.summary_json.clear();
  s.after_iteration = [](int chain, int iteration) {
    if (chain == 0 && iteration == 50) interrupt_sampling();
  };
  std::ostringstream out2, err2;
  ASSERT_EQ(run_sampling(m, s, out2, err2), 130);
  EXPECT_EQ(out2.str(), "");
  EXPECT_EQ(err2.str(),
            "interrupted: chain 1 kept no draws (stopped in warm-up), chains 2-4 never started; "
            "no draws to summarise\n");

  // Stopped with chain 1 done and chain 2 not yet drawing: chain 1's draws alone, in full.
  s.after_iteration = [](int chain, int iteration) {
    if (chain == 1 && iteration == 100) interrupt_sampling();
  };
  std::ostringstream out3, err3;
  ASSERT_EQ(run_sampling(m, s, out3, err3), 130);
  EXPECT_EQ(err3.str().substr(err3.str().find("interrupted:")),
            "interrupted: chain 1 kept 200 draws, chain 2 kept no draws, chains 3 and 4 never "
            "started; the summary uses chain 1, 200 draws\n");
  EXPECT_EQ(out3.str().find("nan"), std::string::npos) << out3.str();
}

TEST_F(Sampling, DrawsThatCannotBeKeptAreRefusedBeforeSampling) {
  model::Model m;
  m.rv("x", Normal(0, 1), {.shape = Shape{100000}});
  SampleSettings s;
  s.sampler.draws = 1 << 30;
  s.progress = false;
  std::ostringstream out, err;
  try {
    run_sampling(m, s, out, err);
    ADD_FAILURE() << "no error";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("shape [4, 1073741824, 100000] needs 3435973836800000 "
                                         "bytes (3.1 PiB), more than this machine's memory"),
              std::string::npos)
        << e.what();
  }
}

TEST(CmdStanCsv, StanNamesAreOneBasedAndColumnMajor) {
  const auto cols = io::stan_columns({"a", {2, 3}});
  ASSERT_EQ(cols.size(), 6u);
  EXPECT_EQ(cols[0].first, "a.1.1");
  EXPECT_EQ(cols[1].first, "a.2.1");
  EXPECT_EQ(cols[1].second, 3);  // a[1, 0] in row-major order
  EXPECT_EQ(cols[2].first, "a.1.2");
  EXPECT_EQ(cols[5].first, "a.2.3");
  EXPECT_EQ(io::stan_columns({"s", {}})[0].first, "s");
}

TEST(CmdStanCsv, ReadingRejectsBrokenFiles) {
  const auto path =
      fs::temp_directory_path() / ("stochos-broken-" + std::to_string(::getpid()) + ".csv");
  std::ofstream(path) << "# comment\nlp__,mu\n1.0,2.0\n3.0\n";
  EXPECT_THROW(io::read_cmdstan_csv(path.string()), InputError);
  std::ofstream(path) << "lp__,mu\n1.0,abc\n";
  EXPECT_THROW(io::read_cmdstan_csv(path.string()), InputError);
  std::ofstream(path) << "# only comments\n";
  EXPECT_THROW(io::read_cmdstan_csv(path.string()), InputError);
  EXPECT_THROW(io::read_cmdstan_csv("/nonexistent/x.csv"), InputError);
  fs::remove(path);
}

}  // namespace
}  // namespace stochos::cli
