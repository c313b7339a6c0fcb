// Every univariate distribution, one record each: the log density at ordinary and extreme points
// against Boost.Math's pdf (log taken in long double where the pdf underflows double), the
// gradient with respect to every continuous parameter against central differences, and 20 000
// draws against the mean and variance.
#include <gtest/gtest.h>

#include <boost/math/distributions.hpp>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <numbers>
#include <string>

#include "model/model.hpp"
#include "stochos/error.hpp"

namespace stochos::dist {
namespace {

namespace bm = boost::math;

struct Record {
  std::string family;
  std::vector<std::pair<std::string, double>> params;  // keyword, value
  std::vector<double> xs;                              // points of the support
  std::function<double(double)> logpdf;                // the reference
  std::vector<std::string> differentiable;             // parameters to check gradients for
  double mean, variance;                               // of the draws (NaN: none exists)
  std::function<double(double)> cdf = nullptr;         // continuous: a Kolmogorov-Smirnov test
};

double log_of(double p) {
  return std::log(p);
}

std::vector<Record> records() {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double pl = 1 / (1 + std::exp(2.0));  // sigmoid(-2)
  return {
      {"Normal",
       {{"mu", 1.5}, {"sigma", 2.0}},
       {-30, -1, 1.5, 4, 25},
       [](double x) { return log_of(bm::pdf(bm::normal(1.5, 2.0), x)); },
       {"mu", "sigma"},
       1.5,
       4,
       [](double x) { return bm::cdf(bm::normal(1.5, 2.0), x); }},
      {"HalfNormal",
       {{"sigma", 1.5}},
       {1e-8, 0.3, 2, 10},
       [](double x) { return std::log(2.0) + log_of(bm::pdf(bm::normal(0, 1.5), x)); },
       {"sigma"},
       1.5 * std::sqrt(2 / std::numbers::pi),
       2.25 * (1 - 2 / std::numbers::pi),
       [](double x) { return 2 * bm::cdf(bm::normal(0, 1.5), x) - 1; }},
      {"Cauchy",
       {{"alpha", -1.0}, {"beta", 0.5}},
       {-1e6, -1, 0, 3},
       [](double x) { return log_of(bm::pdf(bm::cauchy(-1.0, 0.5), x)); },
       {"alpha", "beta"},
       nan,
       nan,
       [](double x) { return bm::cdf(bm::cauchy(-1.0, 0.5), x); }},
      {"HalfCauchy",
       {{"beta", 2.0}},
       {1e-6, 1, 50, 1e5},
       [](double x) { return std::log(2.0) + log_of(bm::pdf(bm::cauchy(0, 2.0), x)); },
       {"beta"},
       nan,
       nan,
       [](double x) { return 2 * bm::cdf(bm::cauchy(0, 2.0), x) - 1; }},
      {"Exponential",
       {{"lam", 0.7}},
       {1e-9, 0.5, 3, 60},
       [](double x) { return log_of(bm::pdf(bm::exponential(0.7), x)); },
       {"lam"},
       1 / 0.7,
       1 / 0.49,
       [](double x) { return bm::cdf(bm::exponential(0.7), x); }},
      {"Uniform",
       {{"lower", -2.0}, {"upper", 3.0}},
       {-1.999, 0, 2.999},
       [](double x) { return log_of(bm::pdf(bm::uniform(-2.0, 3.0), x)); },
       {"lower", "upper"},
       0.5,
       25.0 / 12,
       [](double x) { return bm::cdf(bm::uniform(-2.0, 3.0), x); }},
      {"StudentT",
       {{"nu", 3.5}, {"mu", 0.5}, {"sigma", 2.0}},
       {-100, -1, 0.5, 7},
       [](double x) {
         return log_of(bm::pdf(bm::students_t(3.5), (x - 0.5) / 2.0)) - std::log(2.0);
       },
       {"nu", "mu", "sigma"},
       0.5,
       4.0 * 3.5 / 1.5,
       [](double x) { return bm::cdf(bm::students_t(3.5), (x - 0.5) / 2.0); }},
      {"Gamma",
       {{"alpha", 2.5}, {"beta", 1.5}},
       {1e-5, 0.5, 2, 20},
       [](double x) { return log_of(bm::pdf(bm::gamma_distribution<>(2.5, 1 / 1.5), x)); },
       {"alpha", "beta"},
       2.5 / 1.5,
       2.5 / 2.25,
       [](double x) { return bm::cdf(bm::gamma_distribution<>(2.5, 1 / 1.5), x); }},
      {"LogNormal",
       {{"mu", 0.3}, {"sigma", 0.6}},
       {1e-3, 0.5, 1.5, 30},
       [](double x) { return log_of(bm::pdf(bm::lognormal(0.3, 0.6), x)); },
       {"mu", "sigma"},
       std::exp(0.3 + 0.18),
       (std::exp(0.36) - 1) * std::exp(0.6 + 0.36),
       [](double x) { return bm::cdf(bm::lognormal(0.3, 0.6), x); }},
      {"Beta",
       {{"alpha", 2.0}, {"beta", 5.0}},
       {1e-6, 0.2, 0.7, 0.999},
       [](double x) { return log_of(bm::pdf(bm::beta_distribution<>(2.0, 5.0), x)); },
       {"alpha", "beta"},
       2.0 / 7,
       10.0 / (49 * 8),
       [](double x) { return bm::cdf(bm::beta_distribution<>(2.0, 5.0), x); }},
      {"Poisson",
       {{"mu", 3.5}},
       {0, 1, 4, 30},
       [](double x) { return log_of(bm::pdf(bm::poisson(3.5), x)); },
       {"mu"},
       3.5,
       3.5},
      {"Bernoulli",
       {{"p", 0.3}},
       {0, 1},
       [](double x) { return std::log(x > 0.5 ? 0.3 : 0.7); },
       {"p"},
       0.3,
       0.21},
      {"Bernoulli",
       {{"logit_p", -2.0}},
       {0, 1},
       [pl](double x) { return std::log(x > 0.5 ? pl : 1 - pl); },
       {"logit_p"},
       pl,
       pl * (1 - pl)},
  };
}

class Densities : public ::testing::TestWithParam<Record> {
 protected:
  static void SetUpTestSuite() {
    ::setenv("STOCHOS_HOME",
             (std::filesystem::temp_directory_path() / "stochos-dist-test-home").c_str(), 1);
    ::unsetenv("STOCHOS_BACKEND");
  }
  static Distribution with(const Record& r, const std::vector<Arg>& values) {
    std::vector<NamedArg> args;
    for (std::size_t i = 0; i < r.params.size(); ++i)
      args.push_back({r.params[i].first, values[i]});
    return make(r.family, args);
  }
  static std::vector<Arg> constants(const Record& r) {
    std::vector<Arg> a;
    for (const auto& [k, v] : r.params) a.emplace_back(v);
    return a;
  }
};

std::string record_name(const ::testing::TestParamInfo<Record>& info) {
  std::string n = info.param.family;
  for (const auto& [k, v] : info.param.params) n += "_" + k;
  return n;
}

TEST_P(Densities, LogDensityMatchesBoost) {
  const Record& r = GetParam();
  // Each point observed on its own, beside a dummy free variable whose term is subtracted.
  for (double x : r.xs) {
    model::Model m;
    m.rv("dummy", Normal(0, 1));
    m.observe("x", with(r, constants(r)), {x}, {1});
    const auto d = m.compile({.jacobian = false});
    auto ws = d.make_workspace();
    const double zero = 0;
    double g = 0;
    const double lp = d(*ws, &zero, &g) + 0.5 * std::log(2 * std::numbers::pi);
    EXPECT_NEAR(lp, r.logpdf(x), 1e-12 * std::max(1.0, std::abs(r.logpdf(x)))) << "x = " << x;
  }
}

TEST_P(Densities, GradientsOfParametersMatchCentralDifferences) {
  const Record& r = GetParam();
  // The parameters become one free vector (Flat: no transform, no prior).
  model::Model m;
  const auto n = static_cast<std::int64_t>(r.params.size());
  graph::Tensor theta = m.rv("theta", make("Flat", {}), {.shape = graph::Shape{n}});
  std::vector<Arg> values;
  for (std::int64_t i = 0; i < n; ++i) values.emplace_back(graph::index(theta, i));
  std::vector<double> xs = r.xs;
  m.observe("x", with(r, values), xs, {static_cast<std::int64_t>(xs.size())});
  const auto d = m.compile();
  auto ws = d.make_workspace();
  std::vector<double> t, g(static_cast<std::size_t>(n)), scratch(g.size());
  for (const auto& [k, v] : r.params) t.push_back(v);
  d(*ws, t.data(), g.data());
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (std::find(r.differentiable.begin(), r.differentiable.end(), r.params[i].first) ==
        r.differentiable.end())
      continue;
    const double h = 1e-6 * std::max(1.0, std::abs(t[i])), v = t[i];
    t[i] = v + h;
    const double up = d(*ws, t.data(), scratch.data());
    t[i] = v - h;
    const double down = d(*ws, t.data(), scratch.data());
    t[i] = v;
    const double fd = (up - down) / (2 * h);
    EXPECT_NEAR(g[i], fd, 1e-5 * std::max(1.0, std::abs(fd))) << r.params[i].first;
  }
}

// 20 000 draws of the record's distribution with a fixed seed, from its canonical parameters.
std::vector<double> draws(const Record& r, const Distribution& d) {
  const Family& f = family(r.family);
  graph::Graph g;
  const Params p = d.resolve(g, graph::DType::f64);
  std::vector<std::string> names;
  std::vector<double> values;
  for (const auto& [name, t] : p.all()) {
    names.push_back(name);
    values.push_back((*t.node().attrs.data)[0]);
  }
  const ScalarParams sp{names, values};
  Rng rng(12345);
  std::vector<double> out(20000);
  for (double& x : out) x = f.draw(rng, sp);
  return out;
}

TEST_P(Densities, DrawsFollowTheDistribution) {
  const Record& r = GetParam();
  const std::vector<double> x = draws(r, with(r, constants(r)));
  const auto n = static_cast<double>(x.size());
  if (r.cdf) {
    // Kolmogorov-Smirnov: sup |F_n - F| below the 0.1% critical value 1.95 / sqrt(n).
    std::vector<double> sorted = x;
    std::sort(sorted.begin(), sorted.end());
    double d = 0;
    for (std::size_t i = 0; i < sorted.size(); ++i) {
      const double f = r.cdf(sorted[i]);
      d = std::max({d, std::abs(f - static_cast<double>(i) / n),
                    std::abs(static_cast<double>(i + 1) / n - f)});
    }
    EXPECT_LT(d, 1.95 / std::sqrt(n));
  }
  if (std::isnan(r.mean)) return;  // Cauchy has no moments: the CDF test is the check
  double s = 0, s2 = 0;
  for (double v : x) {
    s += v;
    s2 += v * v;
  }
  const double mean = s / n, var = s2 / n - mean * mean;
  // Five standard errors of the mean; the variance within 5% (15% for StudentT(3.5), whose
  // fourth moment is infinite).
  EXPECT_NEAR(mean, r.mean, 5 * std::sqrt(r.variance / n));
  EXPECT_NEAR(var, r.variance, (r.family == "StudentT" ? 0.15 : 0.05) * r.variance);
}

INSTANTIATE_TEST_SUITE_P(Univariate, Densities, ::testing::ValuesIn(records()), record_name);

TEST(Distributions, AlternativeParameterisationsAgree) {
  // Gamma(mu=2, sigma=1) is Gamma(alpha=4, beta=2); Beta(mu=0.25, nu=8) is Beta(2, 6);
  // StudentT(lam=4) has sigma 0.5; LogNormal(tau=4) has sigma 0.5.
  const auto logp = [](const Distribution& d, double x) {
    model::Model m;
    m.rv("dummy", Normal(0, 1));
    m.observe("x", d, {x}, {1});
    const auto c = m.compile({.jacobian = false});
    auto ws = c.make_workspace();
    const double zero = 0;
    double g = 0;
    return c(*ws, &zero, &g);
  };
  EXPECT_NEAR(logp(make("Gamma", {{"mu", 2.0}, {"sigma", 1.0}}), 1.3),
              logp(make("Gamma", {{"", 4.0}, {"", 2.0}}), 1.3), 1e-13);
  EXPECT_NEAR(logp(make("Beta", {{"mu", 0.25}, {"nu", 8.0}}), 0.3),
              logp(make("Beta", {{"", 2.0}, {"", 6.0}}), 0.3), 1e-13);
  EXPECT_NEAR(logp(make("StudentT", {{"nu", 4.0}, {"lam", 4.0}}), 0.7),
              logp(make("StudentT", {{"nu", 4.0}, {"sigma", 0.5}}), 0.7), 1e-13);
  EXPECT_NEAR(logp(make("LogNormal", {{"mu", 0.0}, {"tau", 4.0}}), 0.7),
              logp(make("LogNormal", {{"mu", 0.0}, {"sigma", 0.5}}), 0.7), 1e-13);
  EXPECT_NEAR(logp(make("Exponential", {{"scale", 2.0}}), 0.7),
              logp(make("Exponential", {{"lam", 0.5}}), 0.7), 1e-14);
}

TEST(Distributions, DataOutsideTheSupportIsAnInputErrorNamingTheVariable) {
  const auto error = [](const Distribution& d, double x) {
    model::Model m;
    try {
      m.observe("obs", d, {x}, {1});
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("(no error)");
  };
  EXPECT_NE(error(make("Poisson", {{"", 2.0}}), -1).find("'obs'"), std::string::npos);
  EXPECT_NE(error(make("Poisson", {{"", 2.0}}), 1.5).find("outside the support of Poisson"),
            std::string::npos);
  EXPECT_NE(error(make("Bernoulli", {{"p", 0.5}}), 2).find("outside the support"),
            std::string::npos);
  EXPECT_NE(error(make("Beta", {{"", 1.0}, {"", 1.0}}), 1.0).find("outside the support"),
            std::string::npos);
  EXPECT_NE(error(make("Gamma", {{"", 1.0}, {"", -1.0}}), 1.0).find("beta > 0"), std::string::npos);
  EXPECT_NE(error(make("Bernoulli", {{"p", 1.5}}), 1).find("0 <= p <= 1"), std::string::npos);
  EXPECT_NE(error(make("Bernoulli", {{"p", 0.5}, {"logit_p", 0.0}}), 1).find("exactly one"),
            std::string::npos);
}

TEST(Distributions, NormalMixtureIsTheWeightedSumOfNormals) {
  model::Model m;
  m.rv("dummy", Normal(0, 1));
  m.observe("x",
            make("NormalMixture", {{"w", Arg({0.3, 0.7}, {2})},
                                   {"mu", Arg({-1.0, 2.0}, {2})},
                                   {"sigma", Arg({0.5, 1.5}, {2})}}),
            {0.4, -1.2, 5.0}, {3});
  const auto c = m.compile({.jacobian = false});
  auto ws = c.make_workspace();
  const double zero = 0;
  double g = 0;
  double want = 0;
  for (double x : {0.4, -1.2, 5.0})
    want += std::log(0.3 * bm::pdf(bm::normal(-1, 0.5), x) + 0.7 * bm::pdf(bm::normal(2, 1.5), x));
  EXPECT_NEAR(c(*ws, &zero, &g) + 0.5 * std::log(2 * std::numbers::pi), want, 1e-12);
}

}  // namespace
}  // namespace stochos::dist
