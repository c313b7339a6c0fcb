// Missing data in the language: `null` entries of data observed by `y ~ Dist(...)` are imputed
// (y_unobserved free, y the full deterministic, which later statements use), and every other
// use of such data is an error naming the data and the entry.
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <string>

#include "io/data.hpp"
#include "lang/lang.hpp"
#include "stochos/error.hpp"

namespace stochos::lang {
namespace {

class LangMissingData : public ::testing::Test {};

const char* kData = R"({"N": 4, "y": [1.5, null, -0.5, null], "k": [2, null, 0, 1],
                        "idx": [0, null, 1], "s": null})";

std::unique_ptr<model::Model> built(const std::string& src, const char* data = kData) {
  return build(parse(src, "m.stoch"), io::parse_data(data, "d.json"));
}

std::string error_of(const std::string& src, const char* data = kData) {
  try {
    built(src, data);
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no error)";
}

double normal_lpdf(double x, double mu, double s) {
  return -0.5 * std::pow((x - mu) / s, 2) - std::log(s) - 0.5 * std::log(2 * std::numbers::pi);
}

TEST_F(LangMissingData, NullEntriesOfObservedDataAreImputed) {
  const auto m = built(
      "data N: int\ndata y: real[N]\nmu ~ Normal(0, 1)\ny ~ Normal(mu, 2)\n"
      "total = sum(y)\n");
  ASSERT_EQ(m->free_vars().size(), 2u);
  EXPECT_EQ(m->free_vars()[1].name, "y_unobserved");
  EXPECT_EQ(m->free_vars()[1].shape, graph::Shape{2});
  ASSERT_EQ(m->observed_vars().size(), 1u);
  EXPECT_EQ(m->observed_vars()[0].name, "y_observed");
  ASSERT_EQ(m->deterministics().size(), 2u);
  EXPECT_EQ(m->deterministics()[0].first, "y");
  EXPECT_EQ(m->deterministics()[1].first, "total");

  const auto d = m->compile();
  auto ws = d.make_workspace();
  const std::vector<double> t = {0.2, 0.9, -1.1};  // mu, y[1], y[3]
  std::vector<double> g(3);
  const double want = normal_lpdf(0.2, 0, 1) + normal_lpdf(0.9, 0.2, 2) +
                      normal_lpdf(-1.1, 0.2, 2) + normal_lpdf(1.5, 0.2, 2) +
                      normal_lpdf(-0.5, 0.2, 2);
  EXPECT_NEAR(d(*ws, t.data(), g.data()), want, 1e-12);

  // `total` is the sum of the full variable: the observed entries and the imputed ones.
  const auto values = m->compile_values();
  auto vws = values.make_workspace();
  std::vector<double> out(static_cast<std::size_t>(values.size()));
  values(*vws, t.data(), out.data());
  EXPECT_NEAR(out.back(), 1.5 + 0.9 - 0.5 - 1.1, 1e-12);
}

TEST_F(LangMissingData, IntDataWithNullsImputesUnderAContinuousFamily) {
  const auto m = built("data N: int\ndata k: int[N]\nk ~ Normal(1, 1)\n");
  ASSERT_EQ(m->free_vars().size(), 1u);
  EXPECT_EQ(m->free_vars()[0].name, "k_unobserved");
  EXPECT_EQ(m->free_vars()[0].shape, graph::Shape{1});
  // A scalar null, observed, too; unused data with nulls is no error.
  EXPECT_EQ(error_of("data s: real\ns ~ Normal(0, 1)\n"), "(no error)");
  EXPECT_EQ(error_of("data y: real[4]\nmu ~ Normal(0, 1)\n"), "(no error)");
}

TEST_F(LangMissingData, NullsAnywhereElseAreErrorsNamingTheEntry) {
  const std::string tail = "; only the data of an observed variable may have missing entries";
  // In an expression.
  EXPECT_EQ(error_of("data y: real[4]\nmu ~ Normal(0, 1)\nz ~ Normal(mu + y, 1)\n"),
            "m.stoch:3:17: error: data 'y': entry [1] is null" + tail);
  // In a let, even one that is then observed.
  EXPECT_EQ(error_of("data y: real[4]\nlet w = y\nw ~ Normal(0, 1)\n"),
            "m.stoch:2:9: error: data 'y': entry [1] is null" + tail);
  // As an index.
  EXPECT_EQ(error_of("data idx: int[3]\nmu ~ Normal(0, 1, shape=3)\nx = mu[idx]\n"),
            "m.stoch:3:8: error: data 'idx': entry [1] is null" + tail);
  // As a size.
  EXPECT_EQ(error_of("data s: int\ndata y: real[s]\n", R"({"s": null, "y": []})"),
            "m.stoch:2:14: error: data 's' is null" + tail);
  EXPECT_EQ(error_of("data s: int\nmu ~ Normal(0, 1, shape=s)\n"),
            "m.stoch:2:25: error: data 's' is null" + tail);
  // In the observed variable's own distribution.
  EXPECT_EQ(error_of("data y: real[4]\ny ~ Normal(sum(y), 1)\n"),
            "m.stoch:2:16: error: data 'y': entry [1] is null" + tail);
  // A matrix names the entry by row and column.
  EXPECT_EQ(error_of("data X: real[2, 2]\nx = X[0]\n", R"({"X": [[1, 2], [3, null]]})"),
            "m.stoch:2:5: error: data 'X': entry [1][1] is null" + tail);
}

TEST_F(LangMissingData, DiscreteEntriesAreImputedMultivariateOnesRefused) {
  // k's missing entries become a discrete free variable of their own.
  const auto m = built("data k: int[4]\nk ~ Poisson(2)\n");
  const model::VarSlot k = m->layout().find("k_unobserved");  // a copy: layout() is a temporary
  EXPECT_TRUE(k.discrete);
  EXPECT_EQ(m->free_vars().back().family->name, "Poisson");
  EXPECT_EQ(error_of("data X: real[2, 2]\nX ~ MvNormal([0, 0], [[1, 0], [0, 1]])\n",
                     R"({"X": [[1, 2], [3, null]]})"),
            "m.stoch:2:1: error: observed variable 'X' has missing entries, which need a family "
            "whose draws are scalars, one per entry; MvNormal is multivariate");
}

TEST_F(LangMissingData, TheImputedVariableCannotBeObservedTwice) {
  EXPECT_EQ(error_of("data y: real[4]\ny ~ Normal(0, 1)\ny ~ Normal(0, 2)\n"),
            "m.stoch:3:1: error: 'y' is already defined and is not data, so it cannot be "
            "observed");
}

}  // namespace
}  // namespace stochos::lang
