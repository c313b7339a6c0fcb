// `stochos optimize`'s driver on models built with the C++ API: the table and SPEC.md §1.3's
// JSON, CmdStan's optimize and laplace CSVs read back, existing files kept, and the failures.
#include "cli/optimize.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "io/cmdstan_csv.hpp"
#include "stochos/error.hpp"

namespace stochos::cli {
namespace {

namespace fs = std::filesystem;
using namespace distributions;

class OptimizeCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("stochos-optimize-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    ::setenv("STOCHOS_HOME", (dir_ / "home").c_str(), 1);
    ::unsetenv("STOCHOS_BACKEND");
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

// p ~ Beta(3, 4), 7 of 20, and a deterministic: the mode is 9/25 without the Jacobian and 10/27
// with it (on the logit scale).
void beta_binomial(model::Model& m) {
  Tensor p = m.rv("p", Beta(3, 4));
  m.deterministic("odds", p / (1.0 - p));
  Tensor w = m.rv("w", Normal(0, 1), {.shape = Shape{2, 3}});
  m.observe("k", Binomial(20, p), {7}, {1});
  m.observe("z", Normal(w, 1), {0.5, 1, 1.5, -1, -2, -3}, {2, 3});
}

TEST_F(OptimizeCli, JsonAsTheSpecWritesIt) {
  model::Model m;
  beta_binomial(m);
  OptimizeSettings s;
  s.format = "json";
  s.optimizer.lbfgs.tol_rel_grad = 1e3;
  std::ostringstream out, err;
  ASSERT_EQ(run_optimize(m, s, out, err), 0);
  const auto j = nlohmann::json::parse(out.str());
  EXPECT_EQ(j["method"], "lbfgs");
  EXPECT_EQ(j["jacobian"], false);
  EXPECT_EQ(j["converged"], true);
  EXPECT_EQ(j["reason"].get<std::string>().rfind("Convergence detected", 0), 0u);
  EXPECT_GT(j["iterations"].get<int>(), 0);
  EXPECT_GE(j["grad_evals"].get<int>(), j["iterations"].get<int>());
  EXPECT_TRUE(j["log_density"].is_number());
  const auto& v = j["variables"];
  EXPECT_NEAR(v["p"].get<double>(), 9.0 / 25, 1e-6);
  EXPECT_NEAR(v["odds"].get<double>(), 9.0 / 16, 1e-5);
  // w's mode is the data, nested as w's shape [2, 3].
  ASSERT_EQ(v["w"].size(), 2u);
  ASSERT_EQ(v["w"][1].size(), 3u);
  EXPECT_NEAR(v["w"][1][2].get<double>(), -1.5, 1e-6);
  EXPECT_FALSE(j.contains("laplace"));
  EXPECT_EQ(err.str(), "");
}

TEST_F(OptimizeCli, TableOnStdoutFiguresOnStderr) {
  model::Model m;
  beta_binomial(m);
  OptimizeSettings s;
  s.optimizer.jacobian = true;
  std::ostringstream out, err;
  ASSERT_EQ(run_optimize(m, s, out, err), 0);
  const std::string table = out.str();
  EXPECT_NE(table.find("variable"), std::string::npos) << table;
  EXPECT_NE(table.find("w[1, 2]"), std::string::npos) << table;
  EXPECT_NE(table.find("odds"), std::string::npos) << table;
  EXPECT_NE(table.find("0.37037"), std::string::npos) << table;  // 10/27
  EXPECT_NE(err.str().find("L-BFGS stopped after"), std::string::npos) << err.str();
  EXPECT_NE(err.str().find("gradient evaluations): Convergence detected"), std::string::npos);
}

TEST_F(OptimizeCli, OptimizeCsvReadsBack) {
  model::Model m;
  beta_binomial(m);
  OptimizeSettings s;
  s.output = (dir_ / "mode.csv").string();
  s.optimizer.lbfgs.history = 7;
  std::ostringstream out, err;
  ASSERT_EQ(run_optimize(m, s, out, err), 0);
  const io::CsvDraws csv = io::read_cmdstan_csv(s.output);
  EXPECT_EQ(csv.method, "optimize");
  ASSERT_EQ(csv.rows.size(), 1u);
  ASSERT_GE(csv.columns.size(), 3u);
  EXPECT_EQ(csv.columns[0], "lp__");
  EXPECT_EQ(csv.columns[1], "p");
  // Stan's column-major names: w.1.1, w.2.1, w.1.2, ...
  EXPECT_EQ(csv.columns[3], "w.2.1");
  EXPECT_NEAR(csv.rows[0][1], 9.0 / 25, 1e-5);
  std::ifstream f(s.output);
  const std::string text((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("#         history_size = 7\n"), std::string::npos) << text;
  EXPECT_NE(text.find("#         tol_rel_grad = 10000000 (Default)\n"), std::string::npos) << text;
  // An existing file is kept unless --overwrite.
  EXPECT_THROW(run_optimize(m, s, out, err), InputError);
  s.overwrite = true;
  EXPECT_EQ(run_optimize(m, s, out, err), 0);
}

TEST_F(OptimizeCli, LaplaceCsvJsonAndTable) {
  model::Model m;
  beta_binomial(m);
  OptimizeSettings s;
  s.optimizer.jacobian = true;
  s.laplace_draws = 400;
  s.output = (dir_ / "laplace.csv").string();
  s.format = "json";
  std::ostringstream out, err;
  ASSERT_EQ(run_optimize(m, s, out, err), 0);
  const io::CsvDraws csv = io::read_cmdstan_csv(s.output);
  EXPECT_EQ(csv.method, "laplace");
  ASSERT_EQ(csv.rows.size(), 400u);
  EXPECT_EQ(csv.columns[0], "log_p__");
  EXPECT_EQ(csv.columns[1], "log_g__");
  EXPECT_EQ(csv.columns[2], "p");
  const auto j = nlohmann::json::parse(out.str());
  EXPECT_EQ(j["laplace"]["draws"], 400);
  ASSERT_TRUE(j["laplace"]["variables"].is_array());
  // Posterior Beta(10, 17): mean 0.37, sd 0.093.
  EXPECT_NEAR(j["laplace"]["variables"][0]["mean"].get<double>(), 10.0 / 27, 0.03);
  EXPECT_NEAR(j["laplace"]["variables"][0]["sd"].get<double>(), 0.093, 0.015);

  s.format = "table";
  s.output.clear();
  std::ostringstream out2, err2;
  ASSERT_EQ(run_optimize(m, s, out2, err2), 0);
  EXPECT_NE(out2.str().find("Laplace approximation at the mode, 400 draws"), std::string::npos);
  EXPECT_NE(out2.str().find("hdi_3%"), std::string::npos) << out2.str();
}

TEST_F(OptimizeCli, AnImproperModelIsARuntimeErrorNamingTheVariable) {
  model::Model m;
  Tensor mu = m.rv("mu", Flat());
  m.potential("growth", -3.0 * mu);
  const OptimizeSettings s;
  std::ostringstream out, err;
  try {
    run_optimize(m, s, out, err);
    FAIL() << "no error";
  } catch (const RuntimeError& e) {
    EXPECT_NE(std::string(e.what()).find("mu ran away to -inf"), std::string::npos) << e.what();
  }
  EXPECT_EQ(out.str(), "");
}

TEST_F(OptimizeCli, TheIterationCapWarnsButSucceeds) {
  model::Model m;
  beta_binomial(m);
  OptimizeSettings s;
  s.optimizer.lbfgs.max_iterations = 1;
  std::ostringstream out, err;
  EXPECT_EQ(run_optimize(m, s, out, err), 0);
  EXPECT_NE(err.str().find("Maximum number of iterations hit"), std::string::npos) << err.str();
  EXPECT_NE(err.str().find("warning: L-BFGS did not converge"), std::string::npos) << err.str();
}

}  // namespace
}  // namespace stochos::cli
