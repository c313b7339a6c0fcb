// Our models of posteriordb posteriors (validation/posteriordb) against the Stan programs they
// mirror, transcribed here loop for loop in long double: the log density (without Jacobians) at
// random points, from the variables' constrained values there. The data are posteriordb's: in
// the posterior's folder here when it carries its own (arma-arma11), else in the shared
// reference folder beside the repository; without either the test skips.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <numbers>
#include <random>
#include <string>
#include <vector>

#include "io/data.hpp"
#include "lang/lang.hpp"

namespace stochos::lang {
namespace {

namespace fs = std::filesystem;
using LD = long double;
using Values = std::map<std::string, std::vector<double>>;

const LD kLog2Pi = std::log(2 * std::numbers::pi_v<LD>);

class OurPosteriordbModels : public ::testing::Test {
 protected:
  // Evaluates the model at `points` random unconstrained points; `stan` gives the Stan program's
  // log density from the constrained values and the data.
  void compare(const std::string& name, LD (*stan)(const Values& v, const io::DataSet& d)) {
    const fs::path src = fs::path(STOCHOS_SOURCE_DIR);
    fs::path data_file = src / "validation" / "posteriordb" / name / "data.json";
    if (!fs::exists(data_file))
      data_file = src / ".." / "shared" / "posteriordb" / name / "data.json";
    if (!fs::exists(data_file)) GTEST_SKIP() << "no " << data_file;
    const io::DataSet data = io::load_data(data_file.string());
    const auto m = build(
        parse_file((src / "validation" / "posteriordb" / name / "model.stoch").string()), data);
    const auto logp = m->compile({.backend = "native", .jacobian = false});
    const auto values = m->compile_values({.backend = "native"});
    auto lw = logp.make_workspace();
    auto vw = values.make_workspace();
    std::mt19937_64 rng(11);
    std::uniform_real_distribution<double> u(-1, 1);
    const auto n = static_cast<std::size_t>(logp.dim());
    for (int point = 0; point < 5; ++point) {
      std::vector<double> theta(n), grad(n), out(static_cast<std::size_t>(values.size()));
      for (double& t : theta) t = u(rng);
      const double got = logp(*lw, theta.data(), grad.data());
      values(*vw, theta.data(), out.data());
      Values v;
      for (const auto& var : values.variables()) {
        const auto begin = out.begin() + var.offset;
        v[var.name] = {begin, begin + static_cast<std::ptrdiff_t>(graph::numel(var.shape))};
      }
      const auto want = static_cast<double>(stan(v, data));
      EXPECT_NEAR(got, want, 1e-11 * std::abs(want)) << name << " at point " << point;
      for (double g : grad) EXPECT_TRUE(std::isfinite(g));
    }
  }
};

LD normal_lpdf(LD x, LD mu, LD sigma) {
  return -0.5L * (x - mu) * (x - mu) / (sigma * sigma) - std::log(sigma) - 0.5L * kLog2Pi;
}

LD log_sum_exp(const std::vector<LD>& a) {
  LD m = -INFINITY;
  for (LD x : a) m = std::max(m, x);
  LD s = 0;
  for (LD x : a) s += std::exp(x - m);
  return m + std::log(s);
}

// garch11.stan's model block. Flat priors; beta1 flat on (0, 1 - alpha1) as in Stan.
LD garch11(const Values& v, const io::DataSet& d) {
  const LD mu = v.at("mu")[0], alpha0 = v.at("alpha0")[0], alpha1 = v.at("alpha1")[0],
           beta1 = v.at("beta1")[0];
  const auto& y = d.at("y").values;
  LD sigma = d.at("sigma1").values[0], lp = normal_lpdf(y[0], mu, sigma);
  for (std::size_t t = 1; t < y.size(); ++t) {
    sigma = std::sqrt(alpha0 + alpha1 * (y[t - 1] - mu) * (y[t - 1] - mu) + beta1 * sigma * sigma);
    lp += normal_lpdf(y[t], mu, sigma);
  }
  return lp;
}

// arma11.stan's model block, its priors normalised as ours are (sigma's Cauchy on sigma > 0 is
// the half-Cauchy: twice the density).
LD arma11(const Values& v, const io::DataSet& d) {
  const LD mu = v.at("mu")[0], phi = v.at("phi")[0], theta = v.at("theta")[0],
           sigma = v.at("sigma")[0];
  const auto& y = d.at("y").values;
  const LD pi = std::numbers::pi_v<LD>;
  LD lp = normal_lpdf(mu, 0, 10) + normal_lpdf(phi, 0, 2) + normal_lpdf(theta, 0, 2) +
          std::log(2.0L) - std::log(pi * 2.5L * (1 + (sigma / 2.5L) * (sigma / 2.5L)));
  LD err = y[0] - (mu + phi * mu);
  lp += normal_lpdf(err, 0, sigma);
  for (std::size_t t = 1; t < y.size(); ++t) {
    err = y[t] - (mu + phi * y[t - 1] + theta * err);
    lp += normal_lpdf(err, 0, sigma);
  }
  return lp;
}

// gp_regr.stan: the kernel, its Cholesky factor (written out), multi_normal_cholesky; the priors
// with their normalising constants (half-normals for the lower-bounded alpha and sigma).
LD gp_regr(const Values& v, const io::DataSet& d) {
  const LD rho = v.at("rho")[0], alpha = v.at("alpha")[0], sigma = v.at("sigma")[0];
  const auto& x = d.at("x").values;
  const auto& y = d.at("y").values;
  const std::size_t n = x.size();
  std::vector<std::vector<LD>> k(n, std::vector<LD>(n)), l(n, std::vector<LD>(n, 0));
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j)
      k[i][j] = alpha * alpha * std::exp(-(x[i] - x[j]) * (x[i] - x[j]) / (2 * rho * rho)) +
                (i == j ? sigma : 0);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j <= i; ++j) {
      LD s = k[i][j];
      for (std::size_t q = 0; q < j; ++q) s -= l[i][q] * l[j][q];
      l[i][j] = i == j ? std::sqrt(s) : s / l[j][j];
    }
  std::vector<LD> z(n);
  LD lp = 0;
  for (std::size_t i = 0; i < n; ++i) {
    LD s = y[i];
    for (std::size_t q = 0; q < i; ++q) s -= l[i][q] * z[q];
    z[i] = s / l[i][i];
    lp += -0.5L * z[i] * z[i] - std::log(l[i][i]) - 0.5L * kLog2Pi;
  }
  lp += 25 * std::log(4.0L) - std::lgamma(25.0L) + 24 * std::log(rho) - 4 * rho;  // gamma(25, 4)
  lp += std::log(2.0L) + normal_lpdf(alpha, 0, 2) + std::log(2.0L) + normal_lpdf(sigma, 0, 1);
  return lp;
}

// hmm_example.stan's forward loop. Our model starts from uniform initial probabilities where
// Stan starts from weights of one (-log 2 for K = 2) and leaves out the priors' constants.
LD hmm_example(const Values& v, const io::DataSet& d) {
  const auto& y = d.at("y").values;
  const std::vector<double>& mu = v.at("mu");
  const std::vector<double> theta[2] = {v.at("theta1"), v.at("theta2")};
  std::vector<LD> gamma(2), acc(2);
  for (int k = 0; k < 2; ++k) gamma[k] = normal_lpdf(y[0], mu[k], 1);
  for (std::size_t t = 1; t < y.size(); ++t) {
    std::vector<LD> next(2);
    for (int k = 0; k < 2; ++k) {
      for (int j = 0; j < 2; ++j)
        acc[j] = gamma[j] + std::log(static_cast<LD>(theta[j][k])) + normal_lpdf(y[t], mu[k], 1);
      next[k] = log_sum_exp(acc);
    }
    gamma = next;
  }
  const LD prior = -0.5L * (mu[0] - 3) * (mu[0] - 3) - 0.5L * (mu[1] - 10) * (mu[1] - 10);
  return log_sum_exp(gamma) - std::log(2.0L) + prior;
}

TEST_F(OurPosteriordbModels, Garch11) {
  compare("garch-garch11", garch11);
}
TEST_F(OurPosteriordbModels, Arma11) {
  compare("arma-arma11", arma11);
}
TEST_F(OurPosteriordbModels, GpRegr) {
  compare("gp_pois_regr-gp_regr", gp_regr);
}
TEST_F(OurPosteriordbModels, HmmExample) {
  compare("hmm_example-hmm_example", hmm_example);
}

}  // namespace
}  // namespace stochos::lang
