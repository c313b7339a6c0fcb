// `stochos sample --adapt`: nutpie-lowrank reaches the sampler through the CLI (on ten coordinates
// correlated at 0.99 it mixes where nutpie's diagonal does not, with fewer gradients), and the
// combinations it refuses.
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

// The default's diagonal metric warns that the posterior is too correlated for it, and names the
// adaptation that is not.
TEST_F(AdaptFlag, TheDiagonalMetricsWarningNamesTheLowRankAdaptation) {
  sample("stan");
  EXPECT_NE(err_.find("strongly correlated"), std::string::npos) << err_;
  EXPECT_NE(err_.find("--adapt nutpie-lowrank"), std::string::npos) << err_;
  sample("nutpie-lowrank");
  EXPECT_EQ(err_.find("strongly correlated"), std::string::npos) << err_;
}

TEST_F(AdaptFlag, RefusesADenseLowRankAndUnknownNames) {
  EXPECT_THROW(sample("nutpie-lowrank", {"--dense-metric"}), InputError);
  EXPECT_THROW(sample("lowrank"), CLI::ValidationError);
}

}  // namespace
}  // namespace stochos::cli
