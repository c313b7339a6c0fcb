// `stochos sample --adapt` and `--metric`: nutpie-lowrank reaches the sampler through the CLI (on
// ten coordinates correlated at 0.99 it mixes where nutpie's diagonal does not, with fewer
// gradients), the default's automatic metric turns dense there, and the combinations refused.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "run_command.hpp"
#include "stochos/error.hpp"

namespace stochos::cli {
namespace {

namespace fs = std::filesystem;

class AdaptFlag : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("stochos-adapt-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    ::setenv("STOCHOS_HOME", (dir_ / "home").c_str(), 1);
    ::unsetenv("STOCHOS_BACKEND");
  }
  void TearDown() override { fs::remove_all(dir_); }

  // `stochos sample correlated.stoch ... --adapt ADAPT extra...`: the summary JSON; stderr in
  // err_.
  nlohmann::json sample(const std::string& adapt, std::vector<std::string> extra = {}) {
    const std::string data = std::string(STOCHOS_SOURCE_DIR) + "/tests/cli/data/correlated";
    const std::string summary = (dir_ / (adapt + ".json")).string();
    std::vector<std::string> args = {"sample",         data + ".stoch",
                                     "--data",         data + ".data.json",
                                     "--chains",       "2",
                                     "--draws",        "200",
                                     "--seed",         "3",
                                     "--adapt",        adapt,
                                     "--summary-json", summary,
                                     "--no-progress"};
    args.insert(args.end(), extra.begin(), extra.end());
    const auto r = test::run_command(add_sample_command, args);
    EXPECT_EQ(r.code, 0) << r.err;
    err_ = r.err;
    std::ifstream f(summary);
    return nlohmann::json::parse(f);
  }
  fs::path dir_;
  std::string err_;
};

double min_bulk_ess(const nlohmann::json& summary) {
  double m = 1e300;
  for (const auto& v : summary["variables"]) m = std::min(m, v["ess_bulk"].get<double>());
  return m;
}

TEST_F(AdaptFlag, NutpieLowRankFollowsACorrelatedPosterior) {
  const auto low = sample("nutpie-lowrank"), diag = sample("nutpie");
  EXPECT_GT(min_bulk_ess(low), 300);
  EXPECT_LT(min_bulk_ess(diag), 100);
  EXPECT_LT(2 * low["sampler"]["grad_evals"].get<long>(),
            diag["sampler"]["grad_evals"].get<long>());
}

// A diagonal metric forced on it warns that the posterior is too correlated for it, and names
// the adaptations that are not; the default (--metric auto) turns dense and does not warn.
TEST_F(AdaptFlag, TheDiagonalMetricsWarningNamesTheLowRankAdaptation) {
  const auto diag = sample("stan", {"--metric", "diag"});
  EXPECT_NE(err_.find("strongly correlated"), std::string::npos) << err_;
  EXPECT_NE(err_.find("--adapt nutpie-lowrank"), std::string::npos) << err_;
  EXPECT_EQ(diag["sampler"]["metric"], "diag");
  const auto automatic = sample("stan");
  EXPECT_EQ(err_.find("strongly correlated"), std::string::npos) << err_;
  EXPECT_EQ(automatic["sampler"]["metric"], "dense");
  // It mixes where the diagonal does not, with fewer gradients.
  EXPECT_GT(min_bulk_ess(automatic), 300);
  EXPECT_LT(min_bulk_ess(diag), 100);
  EXPECT_LT(automatic["sampler"]["grad_evals"].get<long>(),
            diag["sampler"]["grad_evals"].get<long>());
  sample("nutpie-lowrank");
  EXPECT_EQ(err_.find("strongly correlated"), std::string::npos) << err_;
}

TEST_F(AdaptFlag, RefusesADenseLowRankAndUnknownNames) {
  EXPECT_THROW(sample("nutpie-lowrank", {"--dense-metric"}), InputError);
  EXPECT_THROW(sample("nutpie-lowrank", {"--metric", "dense"}), InputError);
  EXPECT_THROW(sample("lowrank"), CLI::ValidationError);
}

// --metric diag|dense|auto; --dense-metric is --metric dense and contradicts --metric diag.
TEST_F(AdaptFlag, MetricFlagAndItsDenseAlias) {
  EXPECT_EQ(sample("stan", {"--metric", "dense"})["sampler"]["metric"], "dense");
  EXPECT_EQ(sample("stan", {"--dense-metric"})["sampler"]["metric"], "dense");
  EXPECT_EQ(sample("stan", {"--dense-metric", "--metric", "dense"})["sampler"]["metric"], "dense");
  EXPECT_EQ(sample("nutpie", {"--metric", "diag"})["sampler"]["metric"], "diag");
  EXPECT_THROW(sample("stan", {"--dense-metric", "--metric", "diag"}), InputError);
  EXPECT_THROW(sample("stan", {"--dense-metric", "--metric", "auto"}), InputError);
  EXPECT_THROW(sample("stan", {"--metric", "unit"}), CLI::ValidationError);
}

// The CSV's adaptation comment shows the whole inverse metric when it is dense, one row per line
// as CmdStan's dense_e does, and the diagonal otherwise.
TEST_F(AdaptFlag, TheCsvShowsTheDenseMatrixTheDefaultChose) {
  const auto adaptation = [&](const std::vector<std::string>& extra) {
    const fs::path out = dir_ / "csv";
    std::vector<std::string> args = {"--output-dir", out.string(), "--overwrite"};
    args.insert(args.end(), extra.begin(), extra.end());
    sample("stan", args);
    std::ifstream f(out / "chain-1.csv");
    std::vector<std::string> lines;
    bool in = false;
    for (std::string line; std::getline(f, line);) {
      if (line == "# Adaptation terminated") in = true;
      if (in && line.rfind("#", 0) != 0) break;
      if (in) lines.push_back(line);
    }
    return lines;
  };
  const auto dense = adaptation({});
  ASSERT_EQ(dense.size(), 3u + 10u);  // terminated, step size, the header, 10 rows
  EXPECT_EQ(dense[2], "# Elements of inverse mass matrix:");
  for (std::size_t i = 3; i < dense.size(); ++i)
    EXPECT_EQ(std::count(dense[i].begin(), dense[i].end(), ','), 9) << dense[i];
  const auto diag = adaptation({"--metric", "diag"});
  ASSERT_EQ(diag.size(), 4u);
  EXPECT_EQ(diag[2], "# Diagonal elements of inverse mass matrix:");
  EXPECT_EQ(std::count(diag[3].begin(), diag[3].end(), ','), 9) << diag[3];
}

}  // namespace
}  // namespace stochos::cli
