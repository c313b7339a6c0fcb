// What the records do not cover: alternative parameterisations against the canonical ones, the
// C++ API's positional order, PyMC's support points, TruncatedNormal's transforms, parameters
// that depend on free variables, argument errors, closed forms far in the tails, the improper
// Flat / HalfFlat and NormalMixture.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/math/distributions/normal.hpp>
#include <cmath>
#include <numbers>

#include "model/model.hpp"
#include "model_logp.hpp"
#include "stochos/error.hpp"
#include "support/evaluate.hpp"

namespace stochos::distributions::testing {
namespace {

namespace bm = boost::math;

class Parameterisations : public ::testing::Test {};

double sigmoid(double x) {
  return 1 / (1 + std::exp(-x));
}

void expect_same_density(const Distribution& a, const Distribution& b,
                         const std::vector<double>& xs, const std::string& what,
                         double tol = 1e-13) {
  for (double x : xs) {
    const double va = observed_logp(a, {x}), vb = observed_logp(b, {x});
    EXPECT_NEAR(va, vb, tol * std::max(1.0, std::abs(vb))) << what << " at x = " << x;
  }
}

TEST_F(Parameterisations, AlternativesAgreeWithTheCanonicalForm) {
  struct Case {
    std::string what;
    Distribution alternative, canonical;
    std::vector<double> xs;
  };
  // Beta(mu, sigma): nu = mu (1 - mu) / sigma^2 - 1 = 8 at mu = 0.25.
  const double beta_sigma = std::sqrt(0.25 * 0.75 / 9);
  const std::vector<Case> cases = {
      {"Normal tau", make("Normal", {{"mu", 1.0}, {"tau", 4.0}}), Normal(1, 0.5), {-3, 1, 2}},
      {"HalfNormal tau", make("HalfNormal", {{"tau", 4.0}}), HalfNormal(0.5), {0.1, 2}},
      {"StudentT lam", make("StudentT", {{"nu", 4.0}, {"lam", 4.0}}), StudentT(4, 0, 0.5), {0.7}},
      {"HalfStudentT lam",
       make("HalfStudentT", {{"nu", 4.0}, {"lam", 4.0}}),
       HalfStudentT(4, 0.5),
       {0.1, 3}},
      {"LogNormal tau", make("LogNormal", {{"mu", 0.0}, {"tau", 4.0}}), LogNormal(0, 0.5), {0.7}},
      {"SkewNormal tau",
       make("SkewNormal", {{"alpha", 2.0}, {"tau", 4.0}}),
       SkewNormal(2, 0, 0.5),
       {-1, 0.3}},
      {"TruncatedNormal tau",
       make("TruncatedNormal", {{"tau", 4.0}, {"lower", 0.0}}),
       TruncatedNormal(0, 0.5, 0.0),
       {0.1, 1}},
      {"Exponential scale", make("Exponential", {{"scale", 2.0}}), Exponential(0.5), {0.7, 9}},
      {"Gamma mu sigma", make("Gamma", {{"mu", 2.0}, {"sigma", 1.0}}), Gamma(4, 2), {0.3, 1.3}},
      {"InverseGamma mu sigma",
       make("InverseGamma", {{"mu", 0.5}, {"sigma", 0.25}}),
       InverseGamma(6, 2.5),
       {0.2, 0.5, 3}},
      {"InverseGamma beta = 1", make("InverseGamma", {{"alpha", 3.0}}), InverseGamma(3, 1), {0.5}},
      {"ChiSquared", ChiSquared(3), Gamma(1.5, 0.5), {0.2, 4}},
      {"Beta mu nu", make("Beta", {{"mu", 0.25}, {"nu", 8.0}}), Beta(2, 6), {0.3}},
      {"Beta mu sigma", make("Beta", {{"mu", 0.25}, {"sigma", beta_sigma}}), Beta(2, 6), {0.3}},
      {"TruncatedNormal unbounded",
       make("TruncatedNormal", {{"mu", 1.0}, {"sigma", 2.0}}),
       Normal(1, 2),
       {-5, 3}},
      {"TruncatedNormal infinite bounds",
       make("TruncatedNormal", {{"lower", -INFINITY}, {"upper", INFINITY}}),
       Normal(0, 1),
       {0.4}},
      {"Bernoulli logit_p", make("Bernoulli", {{"logit_p", 0.7}}), Bernoulli(sigmoid(0.7)), {0, 1}},
      {"Binomial logit_p",
       make("Binomial", {{"n", 10.0}, {"logit_p", 0.7}}),
       Binomial(10, sigmoid(0.7)),
       {0, 6, 10}},
      {"NegativeBinomial n p",
       make("NegativeBinomial", {{"n", 3.0}, {"p", 0.4}}),
       NegativeBinomial(4.5, 3),
       {0, 4, 30}},
      {"NegativeBinomial mu n",
       make("NegativeBinomial", {{"mu", 4.5}, {"n", 3.0}}),
       NegativeBinomial(4.5, 3),
       {0, 4}},
      {"NegativeBinomial p alpha",
       make("NegativeBinomial", {{"p", 0.4}, {"alpha", 3.0}}),
       NegativeBinomial(4.5, 3),
       {0, 4}},
      {"DiscreteUniform floors its bounds",
       DiscreteUniform(0.5, 3.7),
       DiscreteUniform(0, 3),
       {0, 3}},
      {"ZeroInflatedPoisson psi = 1", ZeroInflatedPoisson(1, 3), Poisson(3), {0, 2, 9}},
  };
  for (const Case& c : cases) expect_same_density(c.alternative, c.canonical, c.xs, c.what);
  // NegativeBinomial's limit: Poisson, up to x^2 / (2 alpha).
  expect_same_density(NegativeBinomial(3, 1e12), Poisson(3), {0, 3, 15}, "Poisson limit", 1e-9);
}

TEST_F(Parameterisations, TheCppApiBindsPyMCsPositionalOrderAndDefaults) {
  struct Case {
    Distribution api;
    std::string family;
    std::vector<NamedArg> keywords;
    std::vector<double> xs;
  };
  const std::vector<Case> cases = {
      {StudentT(3, 0.5, 2), "StudentT", {{"nu", 3.0}, {"mu", 0.5}, {"sigma", 2.0}}, {1}},
      {StudentT(3), "StudentT", {{"nu", 3.0}, {"mu", 0.0}, {"sigma", 1.0}}, {1}},
      {HalfStudentT(3), "HalfStudentT", {{"nu", 3.0}, {"sigma", 1.0}}, {1}},
      {SkewNormal(3, 0.5, 1.5), "SkewNormal", {{"alpha", 3.0}, {"mu", 0.5}, {"sigma", 1.5}}, {1}},
      {SkewNormal(), "SkewNormal", {{"alpha", 1.0}, {"mu", 0.0}, {"sigma", 1.0}}, {1}},
      {TruncatedNormal(0.5, 2, -1.0, 3.0),
       "TruncatedNormal",
       {{"mu", 0.5}, {"sigma", 2.0}, {"lower", -1.0}, {"upper", 3.0}},
       {1}},
      {TruncatedNormal(0.5, 2, std::nullopt, 3.0),
       "TruncatedNormal",
       {{"mu", 0.5}, {"sigma", 2.0}, {"upper", 3.0}},
       {1}},
      {Laplace(0.5, 2), "Laplace", {{"mu", 0.5}, {"b", 2.0}}, {1}},
      {Logistic(), "Logistic", {{"mu", 0.0}, {"s", 1.0}}, {1}},
      {Gamma(2, 3), "Gamma", {{"alpha", 2.0}, {"beta", 3.0}}, {1}},
      {InverseGamma(2, 3), "InverseGamma", {{"alpha", 2.0}, {"beta", 3.0}}, {1}},
      {ChiSquared(3), "ChiSquared", {{"nu", 3.0}}, {1}},
      {Weibull(2, 3), "Weibull", {{"alpha", 2.0}, {"beta", 3.0}}, {1}},
      {LogNormal(), "LogNormal", {{"mu", 0.0}, {"sigma", 1.0}}, {1}},
      {Beta(2, 3), "Beta", {{"alpha", 2.0}, {"beta", 3.0}}, {0.4}},
      {Bernoulli(0.3), "Bernoulli", {{"p", 0.3}}, {1}},
      {Binomial(10, 0.3), "Binomial", {{"n", 10.0}, {"p", 0.3}}, {4}},
      {BetaBinomial(2, 3, 10), "BetaBinomial", {{"alpha", 2.0}, {"beta", 3.0}, {"n", 10.0}}, {4}},
      {Poisson(3), "Poisson", {{"mu", 3.0}}, {4}},
      {NegativeBinomial(3, 2), "NegativeBinomial", {{"mu", 3.0}, {"alpha", 2.0}}, {4}},
      {Geometric(0.3), "Geometric", {{"p", 0.3}}, {4}},
      {DiscreteUniform(1, 6), "DiscreteUniform", {{"lower", 1.0}, {"upper", 6.0}}, {4}},
      {ZeroInflatedPoisson(0.7, 3), "ZeroInflatedPoisson", {{"psi", 0.7}, {"mu", 3.0}}, {4}},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(c.api.family().name, c.family);
    expect_same_density(c.api, make(c.family, c.keywords), c.xs, c.family, 0);
  }
}

TEST_F(Parameterisations, SupportPointsArePyMCs) {
  const auto point = [](const Distribution& d) {
    graph::Graph g;
    return values(d.family().support_point(d.resolve(g, graph::DType::f64))).at(0);
  };
  const double pi = std::numbers::pi;
  const std::vector<std::pair<Distribution, double>> cases = {
      {HalfStudentT(3, 2), 2},
      {InverseGamma(3, 2), 1},          // the mean, alpha > 1
      {InverseGamma(0.5, 2), 2 / 1.5},  // else the mode
      {ChiSquared(3), 3},
      {Laplace(0.5, 2), 0.5},
      {Logistic(-1, 2), -1},
      {Weibull(2, 3), 3 * std::tgamma(1.5)},
      {SkewNormal(3, 0.5, 1.5), 0.5 + 1.5 * std::sqrt(2 / pi) * 3 / std::sqrt(10.0)},
      {TruncatedNormal(0.5, 2), 0.5},
      {TruncatedNormal(0.5, 2, -1.0, 3.0), 1},           // the midpoint
      {TruncatedNormal(0.5, 2, 2.0), 3},                 // lower + 1
      {TruncatedNormal(0.5, 2, std::nullopt, 0.0), -1},  // upper - 1
      {Binomial(10, 0.33), 3},
      {make("Binomial", {{"n", 10.0}, {"logit_p", 0.0}}), 5},
      {BetaBinomial(2, 3, 12), 5},  // round(4.8)
      {NegativeBinomial(4.7, 2), 4},
      {make("NegativeBinomial", {{"n", 3.0}, {"p", 0.4}}), 4},  // floor(4.5)
      {Geometric(0.3), 3},
      {DiscreteUniform(-2, 5), 1},
      {DiscreteUniform(-3, -3), -3},
      {ZeroInflatedPoisson(0.7, 3.9), 2},  // round(psi floor(mu))
      {Poisson(3.7), 3},
      {Bernoulli(0.7), 1},
      {Flat(), 0},
      {HalfFlat(), 1},
  };
  for (const auto& [d, want] : cases) EXPECT_NEAR(point(d), want, 1e-14) << d.family().name;
}

TEST_F(Parameterisations, TruncatedNormalsTransformFollowsItsBounds) {
  model::Model m;
  m.rv("a", TruncatedNormal(0.5, 2, -1.0, 3.0));
  m.rv("b", TruncatedNormal(0.5, 2, 2.0));
  m.rv("c", TruncatedNormal(0.5, 2, std::nullopt, 0.0));
  m.rv("d", TruncatedNormal(0.5, 2));
  m.rv("e", make("TruncatedNormal", {{"lower", -INFINITY}}));
  const auto l = m.layout();
  ASSERT_EQ(l.vars.size(), 5u);
  EXPECT_EQ(l.vars[0].value_name, "a_interval__");
  EXPECT_EQ(l.vars[1].value_name, "b_lowerbound__");
  EXPECT_EQ(l.vars[2].value_name, "c_upperbound__");
  EXPECT_EQ(l.vars[3].value_name, "d");
  EXPECT_EQ(l.vars[4].value_name, "e");
  // The support points 1, 3, -1 sit at 0 on the unconstrained line; d starts at mu.
  const std::vector<double> want = {0, 0, 0, 0.5, 0};
  const auto p = m.initial_point();
  for (std::size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(p[i], want[i], 1e-15) << i;
}

TEST_F(Parameterisations, ParametersOfFreeVariablesGiveMinusInfinityOutsideTheirDomain) {
  // s is free and sits at -1: each family sees a parameter outside its domain.
  const std::vector<std::pair<std::string, std::function<Distribution(graph::Tensor)>>> cases = {
      {"Gamma beta", [](graph::Tensor s) { return Gamma(2, s); }},
      {"InverseGamma alpha", [](graph::Tensor s) { return InverseGamma(s, 1); }},
      {"Weibull beta", [](graph::Tensor s) { return Weibull(2, s); }},
      {"TruncatedNormal sigma", [](graph::Tensor s) { return TruncatedNormal(0, s, 0.0); }},
      {"TruncatedNormal upper", [](graph::Tensor s) { return TruncatedNormal(0, 1, 0.0, s); }},
      {"Binomial p", [](graph::Tensor s) { return Binomial(10, 0.5 - s); }},
      {"NegativeBinomial alpha", [](graph::Tensor s) { return NegativeBinomial(3, s); }},
      {"Geometric p", [](graph::Tensor s) { return Geometric(s + 1.0); }},
      {"ZeroInflatedPoisson psi", [](graph::Tensor s) { return ZeroInflatedPoisson(-s * 2.0, 3); }},
  };
  for (const auto& [what, dist] : cases) {
    model::Model m;
    const graph::Tensor s = m.rv("s", Normal(0, 1));
    m.observe("x", dist(s), {1.0}, {1});
    const auto c = m.compile({.backend = stochos::testing::test_backend_name()});
    auto ws = c.make_workspace();
    const double at = -1;
    double g = 0;
    // The gradient there is unspecified (NaN for some, as in PyMC): samplers treat -inf as a
    // divergence and never use it.
    EXPECT_EQ(c(*ws, &at, &g), -INFINITY) << what;
  }
}

TEST_F(Parameterisations, FreeDiscreteVariablesAreIntegerSlots) {
  for (const Distribution& d : {Binomial(10, 0.5), Geometric(0.5), ZeroInflatedPoisson(0.5, 2)}) {
    model::Model m;
    m.rv("k", d);
    const model::VarSlot k = m.layout().vars[0];  // a copy: layout() is a temporary
    EXPECT_TRUE(k.discrete) << d.family().name;
    EXPECT_EQ(k.value_name, "k") << d.family().name;  // no transform
    EXPECT_THROW(m.rv("j", d, {.transform = "log"}), InputError) << d.family().name;
  }
}

TEST_F(Parameterisations, ArgumentErrorsNameTheProblem) {
  const auto error = [](const std::string& family, std::vector<NamedArg> args, double x) {
    try {
      return observe_error(make(family, std::move(args)), x);
    } catch (const InputError& e) {
      return std::string(e.what());
    }
  };
  const std::vector<std::tuple<std::string, std::vector<NamedArg>, double, std::string>> cases = {
      {"Binomial", {{"n", 3.0}, {"p", 0.5}, {"logit_p", 0.0}}, 1, "exactly one of p or logit_p"},
      {"Binomial", {{"p", 0.5}}, 1, "missing parameter 'n'"},
      {"NegativeBinomial", {{"mu", 3.0}, {"alpha", 2.0}, {"n", 2.0}}, 1, "alpha or n"},
      {"NegativeBinomial", {{"mu", 3.0}, {"p", 0.5}, {"n", 2.0}}, 1, "mu or p"},
      {"SkewNormal", {{"sigma", 1.0}, {"tau", 1.0}}, 1, "sigma or tau, not both"},
      {"HalfStudentT", {{"nu", 1.0}, {"sigma", 1.0}, {"lam", 1.0}}, 1, "sigma or lam, not both"},
      {"InverseGamma", {{"alpha", 1.0}, {"mu", 1.0}, {"sigma", 1.0}}, 1, "alpha (and beta), or mu"},
      {"InverseGamma", {{"mu", 1.0}, {"sigma", -1.0}}, 1, "alpha > 0"},  // PyMC's sign trick
      {"TruncatedNormal", {{"lower", 2.0}, {"upper", 1.0}}, 1.5, "lower < upper"},
      {"TruncatedNormal", {{"", 0.0}, {"", 1.0}, {"", 2.0}}, 1, "at most 2 positional"},
      {"Laplace", {{"mu", 0.0}, {"scale", 1.0}}, 1, "no parameter 'scale'"},
      // PyMC 3's names: what to write instead, only where the family has it.
      {"Normal",
       {{"mu", 0.0}, {"sd", 1.0}},
       1,
       "Normal has no parameter 'sd' (PyMC 3's name); write sigma="},
      {"HalfNormal",
       {{"sd", 1.0}},
       1,
       "HalfNormal has no parameter 'sd' (PyMC 3's name); write sigma="},
      {"Gamma",
       {{"mu", 2.0}, {"sd", 1.0}},
       1,
       "Gamma has no parameter 'sd' (PyMC 3's name); write sigma="},
      {"InverseGamma", {{"mu", 2.0}, {"sd", 1.0}}, 1, "(PyMC 3's name); write sigma="},
      {"TruncatedNormal", {{"mu", 0.0}, {"sd", 1.0}, {"lower", 0.0}}, 1, "write sigma="},
      {"SkewNormal", {{"alpha", 2.0}, {"sd", 1.0}}, 1, "write sigma="},
      {"StudentT", {{"nu", 3.0}, {"sd", 1.0}}, 1, "write sigma="},
      {"LogNormal", {{"mu", 0.0}, {"sd", 1.0}}, 1, "write sigma="},
      {"Beta", {{"mu", 0.5}, {"sd", 0.1}}, 0.3, "write sigma="},
      {"ZeroInflatedPoisson",
       {{"psi", 0.5}, {"theta", 2.0}},
       1,
       "ZeroInflatedPoisson has no parameter 'theta' (PyMC 3's name); write mu="},
      {"Cauchy",
       {{"alpha", 0.0}, {"sd", 1.0}},
       1,
       "Cauchy has no parameter 'sd'; its parameters: alpha, beta"},
  };
  for (const auto& [family, args, x, want] : cases) {
    const std::string e = error(family, args, x);
    EXPECT_NE(e.find(want), std::string::npos) << family << ": " << e;
  }
}

TEST_F(Parameterisations, PyMC3NamesSuggestOnlyWhatTheFamilyHas) {
  for (const std::string& name : family_names()) {
    const Family& f = family(name);
    const auto has = [&](const std::string& k) {
      return std::find(f.keywords.begin(), f.keywords.end(), k) != f.keywords.end();
    };
    for (const char* old_name : {"sd", "init", "theta", "p", "tau", "lam", "lower", "upper"}) {
      const auto hint = renamed_parameter(f, old_name);
      if (!hint) continue;
      EXPECT_FALSE(has(old_name)) << name << " takes " << old_name << " itself";
      const auto at = hint->find("write ");
      ASSERT_NE(at, std::string::npos) << *hint;
      const std::string replacement = hint->substr(at + 6, hint->size() - at - 7);
      EXPECT_TRUE(has(replacement)) << name << ": " << old_name << " -> " << replacement;
    }
    // Every family with sigma was given sd by PyMC 3; those without sigma get no hint.
    EXPECT_EQ(renamed_parameter(f, "sd").has_value(), has("sigma")) << name;
  }
  EXPECT_EQ(*renamed_parameter(family("GaussianRandomWalk"), "init"),
            " (PyMC 3's name); write init_dist=");
  EXPECT_EQ(*renamed_parameter(family("LKJCorr"), "p"), " (PyMC 3's name); write n=");
  EXPECT_FALSE(renamed_parameter(family("AR"), "tau"));  // AR still takes tau
  try {
    make("Lognormal", {});
    ADD_FAILURE() << "Lognormal was accepted";
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "unknown distribution 'Lognormal' (PyMC 3's name); write LogNormal");
  }
}

TEST_F(Parameterisations, ClosedFormsFarInTheTails) {
  // Each against its closed form in long double, where a naive formula overflows, underflows
  // or cancels.
  const auto l = [](long double v) { return static_cast<double>(v); };
  const long double e800 = std::exp(-800.0L), e3 = std::exp(-3.0L);
  const std::vector<std::tuple<Distribution, double, double>> cases = {
      {make("Bernoulli", {{"logit_p", -800.0}}), 1, -800},
      {make("Bernoulli", {{"logit_p", -800.0}}), 0, l(-std::log1p(e800))},
      {make("Binomial", {{"n", 5.0}, {"logit_p", 800.0}}), 0, -4000},
      {make("Binomial", {{"n", 5.0}, {"logit_p", 800.0}}), 5, l(-5 * std::log1p(e800))},
      {Binomial(5, 0.0), 0, 0},  // 0 log 0 = 0
      {Binomial(5, 1.0), 5, 0},
      {NegativeBinomial(1e-8, 2), 0, l(-2 * std::log1p(0.5e-8L))},
      {ZeroInflatedPoisson(1e-12, 3), 0, l(std::log1p(-1e-12L * (1 - e3)))},
      {ZeroInflatedPoisson(0, 3), 0, 0},
      {Geometric(1e-10), 1e10, l(std::log(1e-10L) + (1e10L - 1) * std::log1p(-1e-10L))},
      {Geometric(1), 1, 0},
      {Poisson(0), 0, 0},
      {Weibull(3, 1), 1e3, l(std::log(3.0L) + 2 * std::log(1e3L) - 1e9L)},
      {Logistic(0, 1), 1e4, -1e4},
      {Laplace(0, 1), -1e300, l(-std::log(2.0L) - 1e300L)},
  };
  for (const auto& [d, x, want] : cases) {
    const double got = observed_logp(d, {x});
    EXPECT_NEAR(got, want, 1e-13 * std::max(1.0, std::abs(want)) + 1e-300)
        << d.family().name << " at " << x;
  }
}

TEST_F(Parameterisations, FlatAndHalfFlatAreImproper) {
  EXPECT_NEAR(observed_logp(Flat(), {-1e300, 0, 7}), 0, 1e-15);
  EXPECT_NEAR(observed_logp(HalfFlat(), {1e-300, 7}), 0, 1e-15);
  EXPECT_NE(observe_error(HalfFlat(), -1).find("outside the support of HalfFlat"),
            std::string::npos);
  model::Model m;
  m.rv("a", Flat());
  m.rv("b", HalfFlat());
  EXPECT_EQ(m.layout().vars[1].value_name, "b_log__");
  EXPECT_EQ(m.initial_point(), (std::vector<double>{0, 0}));
}

TEST_F(Parameterisations, NormalMixtureIsTheWeightedSumOfNormals) {
  const Distribution d =
      NormalMixture(Arg({0.3, 0.7}, {2}), Arg({-1.0, 2.0}, {2}), Arg({0.5, 1.5}, {2}));
  double want = 0;
  for (double x : {0.4, -1.2, 5.0})
    want += std::log(0.3 * bm::pdf(bm::normal(-1, 0.5), x) + 0.7 * bm::pdf(bm::normal(2, 1.5), x));
  EXPECT_NEAR(observed_logp(d, {0.4, -1.2, 5.0}), want, 1e-12);
}

TEST_F(Parameterisations, EveryFirstTierUnivariateFamilyIsRegistered) {
  for (const char* name :
       {"Normal",     "HalfNormal",      "StudentT",   "HalfStudentT", "Cauchy",
        "HalfCauchy", "Exponential",     "Gamma",      "InverseGamma", "Beta",
        "Uniform",    "LogNormal",       "Laplace",    "Logistic",     "Weibull",
        "ChiSquared", "TruncatedNormal", "SkewNormal", "Flat",         "HalfFlat"})
    EXPECT_FALSE(family(name).discrete) << name;
  for (const char* name : {"Bernoulli", "Binomial", "BetaBinomial", "Poisson", "NegativeBinomial",
                           "Geometric", "DiscreteUniform", "ZeroInflatedPoisson"})
    EXPECT_TRUE(family(name).discrete) << name;
}

}  // namespace
}  // namespace stochos::distributions::testing
