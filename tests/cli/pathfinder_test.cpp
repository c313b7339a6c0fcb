// `stochos pathfinder` end to end through its CLI11 subcommand on the eight schools example:
// CmdStan's pathfinder CSV read back, the summary table, the figures on stderr, the summary
// JSON's "sampler" object, each flag reaching the method, and an existing --output kept.
#include <gtest/gtest.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/commands.hpp"
#include "io/cmdstan_csv.hpp"
#include "run_command.hpp"
#include "stochos/error.hpp"

namespace stochos::cli {
namespace {

namespace fs = std::filesystem;

class PathfinderCommand : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("stochos-pathfinder-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    ::setenv("STOCHOS_HOME", (dir_ / "home").c_str(), 1);
    ::unsetenv("STOCHOS_BACKEND");
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Runs `stochos pathfinder EIGHT_SCHOOLS --data ... args...`; stdout and stderr land in
  // out_ and err_.
  int run(std::vector<std::string> args) {
    const std::string es = std::string(STOCHOS_SOURCE_DIR) + "/examples/eight_schools";
    args.insert(args.begin(), {"pathfinder", es + ".stoch", "--data", es + ".data.json"});
    const test::CommandOutput r = test::run_command(add_pathfinder_command, args);
    out_.str(r.out);
    err_.str(r.err);
    return r.code;
  }

  fs::path dir_;
  std::ostringstream out_, err_;
};

TEST_F(PathfinderCommand, WritesCmdStansCsvTheSummaryAndItsJson) {
  const std::string csv = (dir_ / "pf.csv").string(), json = (dir_ / "pf.json").string();
  ASSERT_EQ(run({"--seed", "3", "--output", csv, "--summary-json", json}), 0);

  const io::CsvDraws d = io::read_cmdstan_csv(csv);
  EXPECT_EQ(d.method, "pathfinder");
  ASSERT_EQ(d.rows.size(), 1000u);  // num_psis_draws
  ASSERT_EQ(d.columns.size(), 2u + 1 + 1 + 8 + 8);
  EXPECT_EQ(d.columns[0], "lp_approx__");
  EXPECT_EQ(d.columns[1], "lp__");
  EXPECT_EQ(d.columns[2], "mu");
  EXPECT_EQ(d.columns[3], "tau");
  EXPECT_EQ(d.columns[19], "theta.8");
  for (const auto& row : d.rows) {
    EXPECT_TRUE(std::isfinite(row[0]) && std::isfinite(row[1]));  // resampled: finite lp__
    EXPECT_GT(row[3], 0.0);                                       // tau > 0
    EXPECT_NEAR(row[12], row[2] + row[3] * row[4], 1e-6 * (1 + std::abs(row[12])));  // theta.1
  }
  std::ifstream header_file(csv);
  const std::string header((std::istreambuf_iterator<char>(header_file)), {});
  EXPECT_NE(header.find("#     num_paths = 4 (Default)"), std::string::npos);
  EXPECT_NE(header.find("#     num_elbo_draws = 25 (Default)"), std::string::npos);
  EXPECT_NE(header.find("#   seed = 3"), std::string::npos);

  const std::string table = out_.str();
  EXPECT_NE(table.find("hdi_3%"), std::string::npos) << table;
  EXPECT_NE(table.find("theta[7]"), std::string::npos) << table;
  const std::string err = err_.str();
  EXPECT_NE(err.find("pathfinder: 4 paths, Pareto k-hat "), std::string::npos) << err;
  EXPECT_NE(err.find(" gradient evaluations, "), std::string::npos) << err;

  std::ifstream jf(json);
  const auto j = nlohmann::json::parse(jf);
  ASSERT_EQ(j["variables"].size(), 18u);
  EXPECT_EQ(j["variables"][0]["name"], "mu");
  EXPECT_TRUE(j["variables"][0]["r_hat"].is_null());  // independent draws: no chain diagnostics
  const auto& s = j["sampler"];
  EXPECT_EQ(s["method"], "pathfinder");
  EXPECT_TRUE(s["pareto_k"].is_number());
  EXPECT_TRUE(s["elbo"].is_number());
  EXPECT_GT(s["grad_evals"].get<double>(), 1000);
  EXPECT_EQ(s["paths"], 4);
  EXPECT_TRUE(s["seconds"].is_number());
  EXPECT_EQ(s["backend"], "native");
  // k-hat over 0.7 is a warning on stderr and in the JSON's message.
  if (s["pareto_k"].get<double>() > 0.7) {
    EXPECT_NE(err.find("warning: Pareto k-hat "), std::string::npos) << err;
    EXPECT_NE(s["message"].get<std::string>().find("k-hat"), std::string::npos);
  }
}

TEST_F(PathfinderCommand, FlagsReachTheMethod) {
  const std::string csv = (dir_ / "pf.csv").string();
  ASSERT_EQ(run({"--num-paths",      "2",    "--num-draws",    "120", "--num-psis-draws",  "70",
                 "--num-elbo-draws", "10",   "--history-size", "3",   "--max-lbfgs-iters", "50",
                 "--init-alpha",     "0.01", "--tol-rel-grad", "1e5", "--cores",           "1",
                 "--output",         csv}),
            0);
  EXPECT_EQ(io::read_cmdstan_csv(csv).rows.size(), 70u);
  std::ifstream f(csv);
  const std::string text((std::istreambuf_iterator<char>(f)), {});
  EXPECT_NE(text.find("#     num_paths = 2\n"), std::string::npos);
  EXPECT_NE(text.find("#     history_size = 3\n"), std::string::npos);
  EXPECT_NE(text.find("#     init_alpha = 0.01\n"), std::string::npos);
  EXPECT_NE(err_.str().find("pathfinder: 2 paths"), std::string::npos) << err_.str();

  // Without resampling every path's draws are kept; with one path, its own draws.
  ASSERT_EQ(run({"--num-paths", "2", "--num-draws", "120", "--no-psis-resample", "--output", csv,
                 "--overwrite"}),
            0);
  EXPECT_EQ(io::read_cmdstan_csv(csv).rows.size(), 240u);
  ASSERT_EQ(run({"--num-paths", "1", "--num-draws", "90", "--output", csv, "--overwrite"}), 0);
  EXPECT_EQ(io::read_cmdstan_csv(csv).rows.size(), 90u);
}

TEST_F(PathfinderCommand, TheSameSeedGivesTheSameCsvRows) {
  const std::string a = (dir_ / "a.csv").string(), b = (dir_ / "b.csv").string();
  ASSERT_EQ(run({"--seed", "11", "--cores", "1", "--output", a}), 0);
  ASSERT_EQ(run({"--seed", "11", "--cores", "3", "--output", b}), 0);
  EXPECT_EQ(io::read_cmdstan_csv(a).rows, io::read_cmdstan_csv(b).rows);
}

TEST_F(PathfinderCommand, KeepsAnExistingOutput) {
  const std::string csv = (dir_ / "pf.csv").string();
  std::ofstream(csv) << "precious\n";
  try {
    run({"--output", csv});
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("exists; choose another --output or pass --overwrite"),
              std::string::npos)
        << e.what();
  }
  std::ifstream f(csv);
  std::string line;
  std::getline(f, line);
  EXPECT_EQ(line, "precious");
}

}  // namespace
}  // namespace stochos::cli
