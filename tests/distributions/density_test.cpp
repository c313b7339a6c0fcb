// Every univariate distribution, one record each (record.hpp), through the model layer on the
// native engine: the log density at ordinary and extreme points against an independent
// reference, the gradient in every continuous parameter against central differences, 20 000
// draws against the moments and the CDF (Kolmogorov-Smirnov) or the mass function
// (chi-squared), a refused constant parameter and data outside the support.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "goodness_of_fit.hpp"
#include "model/model.hpp"
#include "model_logp.hpp"
#include "record.hpp"
#include "support/evaluate.hpp"

namespace stochos::distributions::testing {
namespace {

class Densities : public ::testing::TestWithParam<Record> {
 protected:
  // The record's distribution with each parameter (by keyword) replaced by `values`.
  static Distribution with(const Record& r, const std::vector<Arg>& values) {
    std::vector<NamedArg> args;
    for (std::size_t i = 0; i < r.params.size(); ++i)
      args.push_back({r.params[i].first, values[i]});
    return make(r.family, args);
  }
  static Distribution fixed(const Record& r) {
    std::vector<Arg> a;
    for (const auto& [k, v] : r.params) a.emplace_back(v);
    return with(r, a);
  }
};

std::string name_of(const Record& r) {
  std::string n = r.family;
  for (const auto& [k, v] : r.params) n += "_" + k;
  if (!r.label.empty()) n += "_" + r.label;
  return n;
}
std::string record_name(const ::testing::TestParamInfo<Record>& info) {
  return name_of(info.param);
}

// Each record draws from its own seed (FNV-1a of its name), so that records with inverse-CDF
// draws do not all test the same uniforms.
std::uint64_t seed_of(const Record& r) {
  std::uint64_t h = 1469598103934665603ull;
  for (char c : name_of(r)) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
  return h;
}

TEST_P(Densities, LogDensityMatchesTheReference) {
  const Record& r = GetParam();
  for (double x : r.xs) {
    const double want = r.logpdf(x);
    ASSERT_TRUE(std::isfinite(want)) << "the reference at x = " << x;
    EXPECT_NEAR(observed_logp(fixed(r), {x}), want, r.tolerance * std::max(1.0, std::abs(want)))
        << "x = " << x;
  }
}

TEST_P(Densities, GradientsOfParametersMatchCentralDifferences) {
  const Record& r = GetParam();
  // The parameters become one free vector (Flat: no transform, no prior); the record's points
  // are observed together.
  model::Model m;
  const auto n = static_cast<std::int64_t>(r.params.size());
  const graph::Tensor theta = m.rv("theta", Flat(), {.shape = graph::Shape{n}});
  std::vector<Arg> params;
  for (std::int64_t i = 0; i < n; ++i) params.emplace_back(graph::index(theta, i));
  m.observe("x", with(r, params), r.xs, {static_cast<std::int64_t>(r.xs.size())});
  const auto d = m.compile({.backend = stochos::testing::test_backend_name()});
  auto ws = d.make_workspace();
  std::vector<double> t, g(static_cast<std::size_t>(n));
  for (const auto& [k, v] : r.params) t.push_back(v);
  ASSERT_TRUE(std::isfinite(d(*ws, t.data(), g.data())));
  for (std::size_t i = 0; i < t.size(); ++i) {
    const std::string& name = r.params[i].first;
    if (std::find(r.differentiable.begin(), r.differentiable.end(), name) == r.differentiable.end())
      continue;
    const double fd = central_difference(d, *ws, t, i, 1e-6 * std::max(1.0, std::abs(t[i])));
    EXPECT_NEAR(g[i], fd, 1e-5 * std::max(1.0, std::abs(fd))) << name;
  }
}

TEST_P(Densities, DrawsFollowTheDistribution) {
  const Record& r = GetParam();
  const Distribution d = fixed(r);
  const std::vector<double> x = draws(d, 20000, seed_of(r));
  const auto n = static_cast<double>(x.size());
  if (d.family().discrete) {
    for (double v : x) ASSERT_EQ(v, std::floor(v));
    const auto c = chi_squared_test(x, [&](double k) { return std::exp(r.logpdf(k)); });
    EXPECT_GT(c.p_value, 1e-3) << "chi-squared " << c.statistic << " over " << c.cells << " cells";
  } else {
    ASSERT_TRUE(r.cdf) << "a continuous record needs its CDF";
    const auto ks = ks_test(x, r.cdf);
    EXPECT_GT(ks.p_value, 1e-3) << "KS statistic " << ks.statistic;
  }
  if (std::isnan(r.mean)) return;  // Cauchy has no moments: the CDF is the check
  // The mean within 5 standard errors; the variance within 5 of its standard errors, estimated
  // from the draws' fourth moment (wide where that moment is infinite: StudentT(3.5)).
  const Moments mo = moments(x);
  EXPECT_NEAR(mo.mean, r.mean, 5 * std::sqrt(r.variance / n));
  EXPECT_NEAR(mo.variance, r.variance, 5 * mo.variance_se);
}

TEST_P(Densities, ABadConstantParameterIsAnInputErrorNamingTheCondition) {
  const Record& r = GetParam();
  if (r.bad.name.empty()) GTEST_SKIP() << "no parameter with a condition";
  std::vector<Arg> a;
  for (const auto& [k, v] : r.params) a.emplace_back(k == r.bad.name ? r.bad.value : v);
  const std::string e = observe_error(with(r, a), r.xs[0]);
  EXPECT_NE(e.find("'obs'"), std::string::npos) << e;
  EXPECT_NE(e.find(r.bad.condition), std::string::npos) << e;
}

TEST_P(Densities, DataOutsideTheSupportIsAnInputErrorNamingTheVariable) {
  const Record& r = GetParam();
  for (double x : r.outside) {
    // NaN is a missing entry, imputed as PyMC does (tests/model/missing_data_test.cpp).
    if (std::isnan(x)) continue;
    const std::string e = observe_error(fixed(r), x);
    EXPECT_NE(e.find("'obs'"), std::string::npos) << "x = " << x << ": " << e;
    EXPECT_NE(e.find("outside the support of " + r.family), std::string::npos) << e;
  }
}

INSTANTIATE_TEST_SUITE_P(Continuous, Densities, ::testing::ValuesIn(continuous_records()),
                         record_name);
INSTANTIATE_TEST_SUITE_P(Discrete, Densities, ::testing::ValuesIn(discrete_records()), record_name);

}  // namespace
}  // namespace stochos::distributions::testing
