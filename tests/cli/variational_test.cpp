// `stochos variational` end to end through its CLI11 command on eight schools: CmdStan's
// variational CSV (the mean row first with lp__, log_p__ and log_g__ 0, the eta lines CmdStanPy
// reads, Stan's method lines), the summary table and JSON with the method's figures, Stan's
// options, the same draws whatever --cores, and an existing file kept.
#include <gtest/gtest.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cmath>
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

const std::string kModel = std::string(STOCHOS_SOURCE_DIR) + "/examples/eight_schools.stoch";
const std::string kData = std::string(STOCHOS_SOURCE_DIR) + "/examples/eight_schools.data.json";

class Variational : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("stochos-variational-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Runs `stochos variational MODEL --data DATA args...`, capturing stdout and stderr.
  int run(std::vector<std::string> args) {
    args.insert(args.begin(), {"variational", kModel, "--data", kData});
    const test::CommandOutput r = test::run_command(add_variational_command, args);
    out_ = r.out;
    err_ = r.err;
    return r.code;
  }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  fs::path dir_;
  std::string out_, err_;
};

std::vector<std::string> lines_of(const std::string& path) {
  std::ifstream f(path);
  std::vector<std::string> lines;
  for (std::string l; std::getline(f, l);) lines.push_back(l);
  return lines;
}

bool has_line(const std::vector<std::string>& lines, const std::string& want) {
  return std::find(lines.begin(), lines.end(), want) != lines.end();
}

TEST_F(Variational, WritesCmdStansVariationalCsvTheSummaryAndItsJson) {
  ASSERT_EQ(run({"--seed", "3", "--output-samples", "200", "--output", path("vb.csv"),
                 "--summary-json", path("vb.json"), "--no-progress"}),
            0);
  const io::CsvDraws d = io::read_cmdstan_csv(path("vb.csv"));
  EXPECT_EQ(d.method, "variational");
  ASSERT_EQ(d.columns.size(), 3u + 1 + 1 + 8 + 8);
  EXPECT_EQ(d.columns[0], "lp__");
  EXPECT_EQ(d.columns[1], "log_p__");
  EXPECT_EQ(d.columns[2], "log_g__");
  EXPECT_EQ(d.columns[3], "mu");
  EXPECT_EQ(d.columns[5], "theta_z.1");
  EXPECT_EQ(d.columns[20], "theta.8");
  ASSERT_EQ(d.rows.size(), 200u);  // the mean row is not a draw
  for (const auto& row : d.rows) {
    EXPECT_EQ(row[0], 0.0);              // lp__
    EXPECT_TRUE(std::isfinite(row[1]));  // log_p__
    EXPECT_LE(row[2], 0.0);              // log_g__ = -|eta|^2 / 2
    EXPECT_GT(row[4], 0.0);              // tau
    EXPECT_NEAR(row[13], row[3] + row[4] * row[5], 1e-6 * (1 + std::abs(row[13])));  // theta.1
  }
  // The eta lines after the header, then the mean row with its statistics 0.
  const auto lines = lines_of(path("vb.csv"));
  EXPECT_TRUE(has_line(lines, "#     algorithm = meanfield (Default)"));
  EXPECT_TRUE(has_line(lines, "#     output_samples = 200"));
  std::size_t header = 0;
  while (header < lines.size() && lines[header].rfind("lp__", 0) != 0) ++header;
  ASSERT_LT(header + 3, lines.size());
  EXPECT_EQ(lines[header + 1], "# Stepsize adaptation complete.");
  EXPECT_EQ(lines[header + 2].rfind("# eta = ", 0), 0u) << lines[header + 2];
  EXPECT_EQ(lines[header + 3].rfind("0,0,0,", 0), 0u) << lines[header + 3];

  EXPECT_NE(out_.find("theta[0]"), std::string::npos) << out_;
  EXPECT_NE(err_.find("meanfield ADVI: ELBO"), std::string::npos) << err_;

  std::ifstream jf(path("vb.json"));
  const auto j = nlohmann::json::parse(jf);
  ASSERT_EQ(j["variables"].size(), 1u + 1 + 8 + 8);
  EXPECT_EQ(j["variables"][0]["name"], "mu");
  EXPECT_TRUE(j["variables"][0]["mean"].is_number());
  EXPECT_TRUE(j["variables"][0]["r_hat"].is_null());  // independent draws: no chain diagnostics
  const auto& s = j["sampler"];
  EXPECT_EQ(s["method"], "meanfield");
  EXPECT_TRUE(s["elbo"].is_number());
  const double eta = s["eta"];
  EXPECT_TRUE(eta == 100 || eta == 10 || eta == 1 || eta == 0.1 || eta == 0.01) << eta;
  EXPECT_GT(s["iterations"].get<double>(), 0);
  EXPECT_GT(s["grad_evals"].get<double>(), 200);
  EXPECT_TRUE(s.contains("converged"));
  EXPECT_TRUE(s["pareto_k"].is_number());
  EXPECT_TRUE(s["message"].is_string());
  EXPECT_EQ(s["backend"], "native");
}

TEST_F(Variational, TakesStansOptions) {
  ASSERT_EQ(run({"--method",
                 "fullrank",
                 "--no-adapt",
                 "--eta",
                 "0.5",
                 "--iter",
                 "300",
                 "--eval-elbo",
                 "50",
                 "--grad-samples",
                 "2",
                 "--elbo-samples",
                 "50",
                 "--tol-rel-obj",
                 "0.001",
                 "--output-samples",
                 "100",
                 "--seed",
                 "2",
                 "--output",
                 path("fr.csv"),
                 "--summary-json",
                 path("fr.json"),
                 "--no-progress"}),
            0);
  const auto lines = lines_of(path("fr.csv"));
  for (const char* want :
       {"#     algorithm = fullrank", "#       fullrank", "#     iter = 300",
        "#     grad_samples = 2", "#     elbo_samples = 50", "#     eta = 0.5",
        "#       engaged = 0", "#     tol_rel_obj = 0.001", "#     eval_elbo = 50",
        "#     output_samples = 100", "# Stepsize adaptation not engaged.", "# eta = 0.5"})
    EXPECT_TRUE(has_line(lines, want)) << want;
  EXPECT_EQ(io::read_cmdstan_csv(path("fr.csv")).rows.size(), 100u);
  std::ifstream jf(path("fr.json"));
  const auto j = nlohmann::json::parse(jf);
  EXPECT_EQ(j["sampler"]["method"], "fullrank");
  EXPECT_EQ(j["sampler"]["eta"], 0.5);
  EXPECT_LE(j["sampler"]["iterations"].get<double>(), 300);
  EXPECT_EQ(std::fmod(j["sampler"]["iterations"].get<double>(), 50.0), 0.0);
}

TEST_F(Variational, TheSameSeedGivesTheSameDrawsWhateverTheCores) {
  ASSERT_EQ(run({"--seed", "5", "--output-samples", "100", "--cores", "1", "--output",
                 path("one.csv"), "--no-progress"}),
            0);
  ASSERT_EQ(run({"--seed", "5", "--output-samples", "100", "--cores", "2", "--output",
                 path("two.csv"), "--no-progress"}),
            0);
  EXPECT_EQ(io::read_cmdstan_csv(path("one.csv")).rows, io::read_cmdstan_csv(path("two.csv")).rows);
  // The mean rows too: every line but the comments (output path, timing).
  auto data_lines = [](const std::vector<std::string>& lines) {
    std::vector<std::string> out;
    for (const auto& l : lines)
      if (!l.empty() && l[0] != '#') out.push_back(l);
    return out;
  };
  EXPECT_EQ(data_lines(lines_of(path("one.csv"))), data_lines(lines_of(path("two.csv"))));
}

TEST_F(Variational, AnExistingOutputIsKeptUnlessAsked) {
  std::ofstream(path("mine.csv")) << "mine\n";
  EXPECT_THROW(run({"--output-samples", "10", "--output", path("mine.csv"), "--no-progress"}),
               InputError);
  EXPECT_EQ(lines_of(path("mine.csv")), std::vector<std::string>{"mine"});
  EXPECT_EQ(
      run({"--output-samples", "10", "--output", path("mine.csv"), "--overwrite", "--no-progress"}),
      0);
  EXPECT_EQ(io::read_cmdstan_csv(path("mine.csv")).rows.size(), 10u);
}

}  // namespace
}  // namespace stochos::cli
