// Every method's CSV reads back through `stochos summary`: optimize's one row (and Laplace's
// draws), variational's draws without its mean row, pathfinder's draws; the summary names the
// method and leaves out the chain diagnostics of draws that are not Markov chains.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "run_command.hpp"

namespace stochos::cli {
namespace {

namespace fs = std::filesystem;

const std::string kModel = std::string(STOCHOS_SOURCE_DIR) + "/examples/linear_regression.stoch";
const std::string kData = std::string(STOCHOS_SOURCE_DIR) + "/examples/linear_regression.data.json";

class MethodCsv : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("stochos-method-csv-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // `stochos summary --format json CSV`, parsed.
  nlohmann::json summary(const std::string& csv) {
    const auto r = test::run_command(add_summary_command, {"summary", "--format", "json", csv});
    EXPECT_EQ(r.code, 0) << r.err;
    return nlohmann::json::parse(r.out);
  }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  fs::path dir_;
};

// The variables' means of a summary, by name.
double mean_of(const nlohmann::json& j, const std::string& name) {
  for (const auto& v : j["variables"])
    if (v["name"] == name) return v["mean"].get<double>();
  ADD_FAILURE() << "no " << name;
  return 0;
}

TEST_F(MethodCsv, EachMethodsCsvSummarisesAsItsOwnDraws) {
  const std::string mode = path("mode.csv"), laplace = path("laplace.csv"), advi = path("advi.csv"),
                    pf = path("pf.csv");
  ASSERT_EQ(test::run_command(add_optimize_command,
                              {"optimize", kModel, "--data", kData, "--output", mode})
                .code,
            0);
  ASSERT_EQ(
      test::run_command(add_optimize_command, {"optimize", kModel, "--data", kData, "--jacobian",
                                               "--laplace", "400", "--output", laplace})
          .code,
      0);
  ASSERT_EQ(test::run_command(add_variational_command, {"variational", kModel, "--data", kData,
                                                        "--no-progress", "--output", advi})
                .code,
            0);
  ASSERT_EQ(test::run_command(add_pathfinder_command,
                              {"pathfinder", kModel, "--data", kData, "--output", pf})
                .code,
            0);

  const auto m = summary(mode);
  EXPECT_EQ(m["sampler"]["method"], "optimize");
  EXPECT_EQ(m["sampler"]["draws_per_chain"], 1);
  const double alpha = mean_of(m, "alpha");
  for (const auto& [file, method, draws] : {std::tuple{laplace, "laplace", 400},
                                            {advi, "variational", 1000},
                                            {pf, "pathfinder", 1000}}) {
    const auto j = summary(file);
    EXPECT_EQ(j["sampler"]["method"], method) << file;
    EXPECT_EQ(j["sampler"]["draws_per_chain"], draws) << file;
    EXPECT_TRUE(j["variables"][0]["r_hat"].is_null()) << file;
    // Every approximation is centred near the mode of this well-identified regression.
    EXPECT_NEAR(mean_of(j, "alpha"), alpha, 0.2) << file;
    // Posterior predictive draws at each of its draws.
    const auto ppc = test::run_command(
        add_predict_command, {"predict", kModel, "--data", kData, "--trace", file, "--output",
                              path(std::string(method) + "-ppc.csv")});
    EXPECT_EQ(ppc.code, 0) << ppc.err;
    std::ifstream f(path(std::string(method) + "-ppc.csv"));
    std::string line;
    int rows = -1;  // the header
    while (std::getline(f, line)) rows += !line.empty() && line[0] != '#';
    EXPECT_EQ(rows, draws) << file;
  }
}

}  // namespace
}  // namespace stochos::cli
