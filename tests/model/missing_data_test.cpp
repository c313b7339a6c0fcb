// Missing data (Note [missing data] in model/missing.cpp): observe() with NaN entries splits the
// variable into NAME_unobserved (free), NAME_observed and the deterministic NAME. The split's
// names, shapes and layout; its log density against a hand computation; the full variable's
// values; the refusals (multivariate and discrete families, data containers); and models with
// every entry observed, unchanged.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <string>

#include "model/model.hpp"
#include "stochos/error.hpp"

namespace stochos::model {
namespace {

using namespace distributions;

class MissingData : public ::testing::Test {};

const double kNaN = std::numeric_limits<double>::quiet_NaN();
const double kHalfLog2Pi = 0.5 * std::log(2 * std::numbers::pi);
double normal_lpdf(double x, double mu, double s) {
  return -0.5 * std::pow((x - mu) / s, 2) - std::log(s) - kHalfLog2Pi;
}

template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no error)";
}

double logp_at(const Model& m, const std::vector<double>& t, bool jacobian = true) {
  const LogDensity d = m.compile({.jacobian = jacobian});
  auto ws = d.make_workspace();
  std::vector<double> g(t.size());
  return d(*ws, t.data(), g.data());
}

// y[5] ~ Normal(mu, sigma) with sigma one per entry and entries 1 and 3 missing.
const std::vector<double> kSigma = {1, 2, 3, 4, 5};
const std::vector<double> kY = {1.5, kNaN, -0.5, kNaN, 2.0};

TEST_F(MissingData, SplitsIntoUnobservedObservedAndTheFullVariable) {
  Model m;
  Tensor mu = m.rv("mu", Normal(0, 5));
  const Tensor y = m.observe("y", Normal(mu, Arg(kSigma, {5})), kY, {5});
  EXPECT_EQ(y.shape(), Shape{5});

  ASSERT_EQ(m.free_vars().size(), 2u);
  const FreeVar& u = m.free_vars()[1];
  EXPECT_EQ(u.name, "y_unobserved");
  EXPECT_EQ(u.value_name, "y_unobserved");  // Normal: no transform
  EXPECT_EQ(u.shape, Shape{2});
  // sigma at the missing positions 1 and 3.
  ASSERT_TRUE(u.params.has("sigma"));
  EXPECT_EQ(u.params["sigma"].shape(), Shape{2});

  ASSERT_EQ(m.observed_vars().size(), 1u);
  EXPECT_EQ(m.observed_vars()[0].name, "y_observed");
  EXPECT_EQ(m.observed_vars()[0].value.shape(), Shape{3});

  ASSERT_EQ(m.deterministics().size(), 1u);
  EXPECT_EQ(m.deterministics()[0].first, "y");
  EXPECT_EQ(m.deterministics()[0].second.shape(), Shape{5});

  const Layout l = m.layout();
  EXPECT_EQ(l.dim, 3);
  EXPECT_EQ(l.find("y_unobserved").offset, 1);
  EXPECT_EQ(l.find("y_unobserved").size, 2);
  // The initial point puts each missing entry at its mean, mu's start (0).
  EXPECT_EQ(m.initial_point(), (std::vector<double>{0, 0, 0}));
}

TEST_F(MissingData, LogDensityIsTheObservedTermsPlusTheImputedPriorTerms) {
  Model m;
  Tensor mu = m.rv("mu", Normal(0, 5));
  m.observe("y", Normal(mu, Arg(kSigma, {5})), kY, {5});
  const std::vector<double> t = {0.3, 0.7, -1.2};  // mu, y[1], y[3]
  const double want = normal_lpdf(0.3, 0, 5) + normal_lpdf(0.7, 0.3, 2) +
                      normal_lpdf(-1.2, 0.3, 4) + normal_lpdf(1.5, 0.3, 1) +
                      normal_lpdf(-0.5, 0.3, 3) + normal_lpdf(2.0, 0.3, 5);
  EXPECT_NEAR(logp_at(m, t), want, 1e-12);
}

TEST_F(MissingData, TheFullVariableHoldsTheImputedEntriesInPlace) {
  Model m;
  Tensor mu = m.rv("mu", Normal(0, 5));
  const Tensor y = m.observe("y", Normal(mu, Arg(kSigma, {5})), kY, {5});
  m.deterministic("y_sum", graph::sum(y));  // expressions see the full variable
  const ValueFunction f = m.compile_values();
  auto ws = f.make_workspace();
  const std::vector<double> t = {0.3, 0.7, -1.2};
  std::vector<double> out(static_cast<std::size_t>(f.size()));
  f(*ws, t.data(), out.data());
  // mu, y_unobserved[2], y[5], y_sum
  ASSERT_EQ(out.size(), 9u);
  EXPECT_EQ(f.variables()[1].name, "y_unobserved");
  EXPECT_EQ(f.variables()[2].name, "y");
  EXPECT_TRUE(f.variables()[2].deterministic);
  const std::vector<double> full(out.begin() + 3, out.begin() + 8);
  EXPECT_EQ(full, (std::vector<double>{1.5, 0.7, -0.5, -1.2, 2.0}));
  EXPECT_NEAR(out[8], 1.5 + 0.7 - 0.5 - 1.2 + 2.0, 1e-12);
}

TEST_F(MissingData, MatrixDataWithBroadcastParametersGatherByPosition) {
  // y[2, 3] ~ Normal(mu_col, 1): mu broadcast along rows; missing [0, 2] and [1, 0].
  Model m;
  const std::vector<double> mu = {-1, 0, 1};
  m.observe("y", Normal(Arg(mu, {3}), 1.0), {0.5, -0.2, kNaN, kNaN, 0.1, 1.4}, {2, 3});
  ASSERT_EQ(m.free_vars().size(), 1u);
  EXPECT_EQ(m.free_vars()[0].shape, Shape{2});
  const std::vector<double> t = {0.8, -0.6};  // y[0, 2], y[1, 0]
  const double want = normal_lpdf(0.8, 1, 1) + normal_lpdf(-0.6, -1, 1) + normal_lpdf(0.5, -1, 1) +
                      normal_lpdf(-0.2, 0, 1) + normal_lpdf(0.1, 0, 1) + normal_lpdf(1.4, 1, 1);
  EXPECT_NEAR(logp_at(m, t), want, 1e-12);
}

TEST_F(MissingData, GradientThroughGatheredParametersMatchesCentralDifferences) {
  // A free vector mean, one per entry: the gathered parameters carry the gradient to it.
  Model m;
  Tensor mu = m.rv("mu", Normal(0, 3), {.shape = Shape{5}});
  Tensor s = m.rv("s", HalfNormal(2.0));
  m.observe("y", Normal(mu, s), kY, {5});
  const LogDensity d = m.compile();
  ASSERT_EQ(d.dim(), 8);
  auto ws = d.make_workspace();
  std::vector<double> t = {0.1, -0.4, 0.9, 0.3, -1.0, 0.2, 0.6, -0.8}, grad(8), scratch(8);
  d(*ws, t.data(), grad.data());
  for (std::size_t i = 0; i < t.size(); ++i) {
    const double h = 1e-6, x = t[i];
    t[i] = x + h;
    const double up = d(*ws, t.data(), scratch.data());
    t[i] = x - h;
    const double down = d(*ws, t.data(), scratch.data());
    t[i] = x;
    EXPECT_NEAR(grad[i], (up - down) / (2 * h), 1e-6 * std::max(1.0, std::abs(grad[i]))) << i;
  }
  // And the value: mu[1] and mu[3] meet the imputed entries t[6], t[7].
  const double sd = std::exp(0.2);
  const double want = [&] {
    double lp = std::log(2.0) + normal_lpdf(sd, 0, 2) + 0.2;
    for (int j = 0; j < 5; ++j) lp += normal_lpdf(t[j], 0, 3);
    lp += normal_lpdf(1.5, t[0], sd) + normal_lpdf(-0.5, t[2], sd) + normal_lpdf(2.0, t[4], sd);
    return lp + normal_lpdf(0.6, t[1], sd) + normal_lpdf(-0.8, t[3], sd);
  }();
  EXPECT_NEAR(d(*ws, t.data(), grad.data()), want, 1e-12);
}

TEST_F(MissingData, PositiveFamiliesImputeThroughTheirDefaultTransform) {
  Model m;
  m.observe("y", HalfNormal(2.0), {1.0, kNaN, 0.5}, {3});
  ASSERT_EQ(m.free_vars().size(), 1u);
  EXPECT_EQ(m.free_vars()[0].value_name, "y_unobserved_log__");
  const double x = 0.4;  // log y[1]
  const double half_normal = std::log(2.0) + normal_lpdf(std::exp(x), 0, 2);
  const double observed = 2 * std::log(2.0) + normal_lpdf(1.0, 0, 2) + normal_lpdf(0.5, 0, 2);
  EXPECT_NEAR(logp_at(m, {x}, false), half_normal + observed, 1e-12);
  EXPECT_NEAR(logp_at(m, {x}, true), half_normal + observed + x, 1e-12);
}

TEST_F(MissingData, EveryEntryMissingLeavesNoObservedPart) {
  Model m;
  const Tensor y = m.observe("y", Normal(1.0, 2.0), {kNaN, kNaN}, {2});
  EXPECT_TRUE(m.observed_vars().empty());
  ASSERT_EQ(m.free_vars().size(), 1u);
  EXPECT_EQ(m.free_vars()[0].shape, Shape{2});
  EXPECT_EQ(y.shape(), Shape{2});
  EXPECT_NEAR(logp_at(m, {0.5, 3.0}), normal_lpdf(0.5, 1, 2) + normal_lpdf(3.0, 1, 2), 1e-12);
  // A scalar null too.
  Model s;
  EXPECT_EQ(s.observe("z", Normal(0.0, 1.0), {kNaN}, {}).shape(), Shape{});
  EXPECT_EQ(s.free_vars()[0].shape, Shape{1});
}

TEST_F(MissingData, RefusedForMultivariateFamilies) {
  Model m;
  EXPECT_EQ(
      error_of([&] {
        m.observe("x", MvNormal(Arg({0, 0}, {2}), Arg({1, 0, 0, 1}, {2, 2})), {1.0, kNaN}, {2});
      }),
      "observed variable 'x' has missing entries, which need a family whose draws are "
      "scalars, one per entry; MvNormal is multivariate");
  EXPECT_NE(error_of([&] {
              m.observe("d", Dirichlet({1, 1, 1}), {0.2, kNaN, 0.5}, {3});
            }).find("Dirichlet is multivariate"),
            std::string::npos);
  EXPECT_EQ(error_of([&] {
              m.observe("w", NormalMixture({0.3, 0.7}, {-1, 1}, {1, 1}), {0.2, kNaN}, {2});
            }),
            "observed variable 'w' has missing entries, which need a family whose draws are "
            "scalars, one per entry; NormalMixture is not elementwise");
}

TEST_F(MissingData, DiscreteEntriesBecomeADiscreteFreeVariable) {
  Model m;
  m.observe("y", Poisson(3.0), {1, kNaN, 4}, {3});
  const model::Layout l = m.layout();
  ASSERT_EQ(l.vars.size(), 1u);
  EXPECT_EQ(l.vars[0].name, "y_unobserved");
  EXPECT_TRUE(l.vars[0].discrete);
  // log p at y_unobserved = 2: the three Poisson(3) terms.
  const auto d = m.compile();
  auto ws = d.make_workspace();
  const double x = 2, expected = [] {
    double s = 0;
    for (double k : {1.0, 2.0, 4.0}) s += k * std::log(3.0) - 3.0 - std::lgamma(k + 1);
    return s;
  }();
  double g = 1;
  EXPECT_NEAR(d(*ws, &x, &g), expected, 1e-12);
  EXPECT_EQ(g, 0.0);  // no gradient in a discrete slot
}

TEST_F(MissingData, ObservedEntriesOutsideTheSupportAreNamedByTheirDataIndex) {
  Model m;
  EXPECT_EQ(error_of([&] {
              m.observe("y", HalfNormal(1.0), {kNaN, 0.5, kNaN, -2.0}, {4});
            }),
            "observed variable 'y': value -2 at index 3 is outside the support of HalfNormal");
}

TEST_F(MissingData, DataContainersRefuseNaN) {
  Model m;
  EXPECT_EQ(error_of([&] {
              m.data("x", {1, kNaN}, {2});
            }),
            "data 'x': element 1 is NaN; only the data of an observed variable may have missing "
            "entries");
  Model n;
  Tensor x = n.data("x", {1, 2}, {2});
  n.observe("y", Normal(0, 1), x);
  EXPECT_THROW(n.set_data("x", {kNaN, 2}), InputError);
  LogDensity d = n.compile();
  EXPECT_EQ(error_of([&] {
              d.set_data("x", {2, kNaN});
            }),
            "data 'x': element 1 is NaN; only the data of an observed variable may have missing "
            "entries");
}

TEST_F(MissingData, NamesAreTakenLikeAnyVariable) {
  Model m;
  m.rv("y_unobserved", Normal(0, 1));
  EXPECT_EQ(error_of([&] { m.observe("y", Normal(0, 1), {kNaN}, {1}); }),
            "the name 'y_unobserved' is used twice in the model");
}

TEST_F(MissingData, ModelsWithEveryEntryObservedAreUnchanged) {
  // Eight schools through the values overload: one observed variable named as given, no
  // deterministic, and log p at theta = 0 as pinned before missing data existed
  // (ModelTest.EightSchoolsLogDensityMatchesTheClosedForm).
  Model m;
  Tensor mu = m.rv("mu", Normal(0, 5));
  Tensor tau = m.rv("tau", HalfCauchy(5));
  Tensor z = m.rv("theta_z", Normal(0, 1), {.shape = Shape{8}});
  m.observe("y", Normal(mu + tau * z, Arg({15, 10, 16, 11, 9, 11, 10, 18}, {8})),
            {28, 8, -3, 7, -1, 1, 18, 12}, {8});
  ASSERT_EQ(m.observed_vars().size(), 1u);
  EXPECT_EQ(m.observed_vars()[0].name, "y");
  EXPECT_TRUE(m.deterministics().empty());
  EXPECT_EQ(m.layout().dim, 10);
  EXPECT_NEAR(logp_at(m, std::vector<double>(10, 0.0)), -43.4356372771, 1e-9);
}

}  // namespace
}  // namespace stochos::model
