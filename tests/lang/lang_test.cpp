// The .stoch language: golden first lines of errors for malformed models and data, expression
// semantics (precedence, indexing, slices, functions) against the C++ API, and every example
// building and evaluating.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <numbers>
#include <random>
#include <string>

#include "io/data.hpp"
#include "lang/lang.hpp"
#include "stochos/error.hpp"
#include "stochos/model.hpp"

namespace stochos::lang {
namespace {

namespace fs = std::filesystem;

// Runs with the test programs' own configuration (tests/support/main.cpp).
class Lang : public ::testing::Test {};

const char* kData = R"({"J": 3, "y": [1.5, -0.5, 2.0], "sigma": [1, 2, 1.5], "idx": [2, 0, 2, 1],
                        "X": [[1, 2], [3, 4], [5, 6]], "n": [3, 0, 5]})";

std::string error_of(const std::string& src, const char* data = kData) {
  try {
    const Program p = parse(src, "m.stoch");
    build(p, io::parse_data(data, "d.json"));
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no error)";
}

struct Golden {
  const char* source;
  const char* error;  // the expected message, exactly
};

const Golden kGolden[] = {
    {"mu ~ Normall(0, 5)\n",
     "m.stoch:1:6: error: unknown distribution 'Normall'; did you mean 'Normal'?"},
    {"mu ~ Normal(0, 5\n", "m.stoch:1:12: error: '(' is never closed"},
    {"mu ~ Normal(0, 5))\n", "m.stoch:1:18: error: ')' has no matching opening bracket"},
    {"mu ~ Normal(0, sigmaa=5)\n",
     "m.stoch:1:16: error: Normal has no parameter 'sigmaa'; did you mean 'sigma'?"},
    {"mu ~ Normal(0, 1)\nx = muu + 1\n",
     "m.stoch:2:5: error: unknown name 'muu'; did you mean 'mu'?"},
    {"x = 1 +\n", "m.stoch:1:8: error: expected an expression, found the end of the line"},
    {"x = 1 $ 2\n", "m.stoch:1:7: error: unexpected character '$'"},
    {"x ~ 3\n", "m.stoch:1:5: error: expected a distribution after '~'"},
    {"x ~ exp(1)\n", "m.stoch:1:5: error: expected a distribution after '~'"},
    {"x + 1\n", "m.stoch:1:3: error: expected '~' or '=' after 'x', found '+'"},
    {"data J: integer\n", "m.stoch:1:9: error: unknown type 'integer'; types: int, real"},
    {"data K: int\n",
     "m.stoch:1:6: error: data 'K' is missing from the data file; did you mean 'J'?"},
    {"data J: int\ndata y: real[4]\n",
     "m.stoch:2:1: error: data 'y' is declared real[4] but the data file gives shape [3]"},
    {"data J: int\ndata y: int[J]\n",
     "m.stoch:2:1: error: data 'y' is declared int but y[0] is 1.5 in the data file"},
    {"data y: real[K]\n", "m.stoch:1:14: error: unknown name 'K'"},
    {"mu ~ Normal(0, -5)\n", "m.stoch:1:1: error: variable 'mu': Normal needs sigma > 0"},
    {"data J: int\ndata y: real[J]\nmu ~ Normal(0, 1, shape=2)\ny ~ Normal(mu, 1)\n",
     "m.stoch:4:1: error: observed variable 'y': data of shape [3] but parameters of shape [2]"},
    {"data J: int\ndata y: real[J]\ny ~ HalfNormal(1)\n",
     "m.stoch:3:1: error: observed variable 'y': value -0.5 at index 1 is outside the support of "
     "HalfNormal"},
    {"data J: int\ndata idx: int[4]\nmu ~ Normal(0, 1, shape=2)\nx = mu[idx]\n",
     "m.stoch:4:8: error: index 2 at idx[0] is out of range for mu (axis 0 has length 2)"},
    {"mu ~ Normal(0, 1, shape=3)\nx = mu[3]\n",
     "m.stoch:2:8: error: index 3 is out of range for an axis of length 3"},
    {"mu ~ Normal(0, 1)\nx = mu[0]\n",
     "m.stoch:2:8: error: too many subscripts for a value of shape []"},
    {"mu ~ Normal(0, 1)\nmu ~ Normal(0, 1)\n",
     "m.stoch:2:1: error: 'mu' is already defined and is not data, so it cannot be observed"},
    {"x = 1\nx = 2\n", "m.stoch:2:1: error: 'x' is already defined"},
    {"x = expp(1)\n", "m.stoch:1:5: error: unknown function 'expp'; did you mean 'exp'?"},
    {"x = exp(1, 2)\n", "m.stoch:1:5: error: exp() takes 1 argument, 2 given"},
    {"x = Normal(0, 1)\n", "m.stoch:1:5: error: 'Normal' is a distribution; use it after '~'"},
    {"x = exp\n", "m.stoch:1:5: error: 'exp' is a function; call it: exp(...)"},
    {"mu ~ Normal(0, 1, transform=logg)\n",
     "m.stoch:1:1: error: variable 'mu': unknown transform 'logg'; did you mean 'log'?; "
     "transforms: log, "
     "logodds, interval, simplex, ordered, cholesky_corr, corr_packed, cholesky-cov-packed, "
     "none"},
    {"mu ~ Normal(0, 1, shape=-2)\n",
     "m.stoch:1:25: error: shape= takes an integer, int data or a tuple (J, K)"},
    {"x = [1, 2] + [1, 2, 3]\n",
     "m.stoch:1:12: error: add: shapes do not broadcast (inputs: float64[2], float64[3])"},
    {"x = (1, 2)\n", "m.stoch:1:5: error: a tuple is only a shape: shape=(J, K)"},
    {"x = []\n", "m.stoch:1:5: error: an empty list has no shape"},
    {"x = [[1, 2], [3]]\n",
     "m.stoch:1:14: error: list items must have one shape: this one has [1], the first [2]"},
    {"x = [1, [2]]\n",
     "m.stoch:1:9: error: list items must have one shape: this one has [1], the first []"},
    {"data X: real[3, 2]\nx = X[0, 0, 0]\n",
     "m.stoch:2:13: error: too many subscripts for a value of shape []"},
    {"data y: real[3]\nx = y[y]\n",
     "m.stoch:2:7: error: an index array must be int data (got float64)"},
    {"x = 1e999\n", "m.stoch:1:5: error: number '1e999' is too large"},
    {"x = 1.5e\n", "m.stoch:1:5: error: malformed number '1.5e'"},
    {"mu ~ Normal(0, 1)\nlet mu = 2\n", "m.stoch:2:5: error: 'mu' is already defined"},
    {"exp = 2\n", "m.stoch:1:1: error: 'exp' is a built-in name"},
    // PyMC's shape= beside observed= must agree with the data; transform= is for free ones.
    {"data J: int\ndata y: real[J]\ny ~ Normal(0, 1, shape=4)\n",
     "m.stoch:3:18: error: observed variable 'y': shape= [4] but its data have shape [3]"},
    {"data J: int\ndata y: real[J]\ny ~ GaussianRandomWalk(0, 1, shape=(1, J))\n",
     "m.stoch:3:30: error: observed variable 'y': shape= [1, 3] but its data have shape [3]"},
    {"data y: real[3]\ny ~ HalfNormal(1, transform=log)\n",
     "m.stoch:2:19: error: 'y' is observed: transform= applies to free variables only"},
    // PyMC 3's names say what PyMC 5 (and Stochos) call them, where the family has it.
    {"mu ~ Normal(mu=0, sd=1)\n",
     "m.stoch:1:19: error: Normal has no parameter 'sd' (PyMC 3's name); write sigma="},
    {"s ~ HalfStudentT(3, sd=2)\n",
     "m.stoch:1:21: error: HalfStudentT has no parameter 'sd' (PyMC 3's name); write sigma="},
    {"p ~ Beta(mu=0.5, sd=0.1)\n",
     "m.stoch:1:18: error: Beta has no parameter 'sd' (PyMC 3's name); write sigma="},
    {"c ~ Cauchy(0, sd=1)\n", "m.stoch:1:15: error: Cauchy has no parameter 'sd'"},
    {"x ~ Lognormal(0, 1)\n",
     "m.stoch:1:5: error: unknown distribution 'Lognormal' (PyMC 3's name); write LogNormal"},
    {"x ~ Bound(Normal, lower=0)(0, 1)\n",
     "m.stoch:1:5: error: unknown distribution 'Bound' (PyMC 3's; PyMC 5 has Truncated); for a "
     "bounded normal write TruncatedNormal(mu, sigma, lower=..., upper=...), or bound a "
     "variable's values with transform=interval"},
    {"w ~ GaussianRandomWalk(init=Normal(0, 10), shape=3)\n",
     "m.stoch:1:24: error: GaussianRandomWalk has no parameter 'init' (PyMC 3's name); write "
     "init_dist="},
    {"w ~ GaussianRandomWalk(tau=4, shape=3)\n",
     "m.stoch:1:24: error: GaussianRandomWalk has no parameter 'tau' (PyMC 3's precision; sigma = "
     "1/sqrt(tau)); write sigma="},
    {"data y: real[3]\ny ~ ZeroInflatedPoisson(0.2, theta=3)\n",
     "m.stoch:2:30: error: ZeroInflatedPoisson has no parameter 'theta' (PyMC 3's name); write "
     "mu="},
    // Sizes that cannot be held are refused before anything is allocated.
    {"x ~ Normal(0, 1, shape=100000000000000)\n",
     "m.stoch:1:24: error: variable 'x': shape [100000000000000] needs 800000000000000 bytes "
     "(728 TiB), more than this machine's memory"},
    {"x ~ Normal(0, 1, shape=(4294967296, 4294967296))\n",
     "m.stoch:1:24: error: variable 'x': shape [4294967296, 4294967296] needs more than 2^64 "
     "bytes, more than this machine's memory"},
    {"w ~ GaussianRandomWalk(0, 1, steps=999999999999)\n",
     "m.stoch:1:1: error: variable 'w': GaussianRandomWalk: steps must be a whole number from 1 "
     "to 1000000000"},
    {"data J: int\ndata y: real[J * 100000000000000]\n",
     "m.stoch:2:1: error: data 'y' as declared: shape [300000000000000] needs 2400000000000000 "
     "bytes (2.1 PiB), more than this machine's memory"},
    {"x = 1 2\n", "m.stoch:1:7: error: expected the end of the statement, found '2'"},
    {"\xff\n", "m.stoch:1:1: error: unexpected character byte 0xff"},
    // Found by the parser fuzzer: a vector transform on a scalar crashed.
    {"w ~ Beta(4, 2, transform=ordered)\n",
     "m.stoch:1:1: error: variable 'w': the ordered transform needs a vector, not a scalar"},
    {"w ~ Normal(0, 1, transform=simplex)\n",
     "m.stoch:1:1: error: variable 'w': the simplex transform needs a vector, not a scalar"},
    {"mu ~ Normal(0, 1, shape=3)\nx = mu[1:2:0]\n",
     "m.stoch:2:8: error: slice: step must not be zero"},
    // Misspelt keywords and types.
    {"lett x = 1\n",
     "m.stoch:1:6: error: expected '~' or '=' after 'lett', found 'x'; did you mean 'let'?"},
    {"dat J: int\n",
     "m.stoch:1:5: error: expected '~' or '=' after 'dat', found 'J'; did you mean 'data'?"},
    {"potental p = 1\n",
     "m.stoch:1:10: error: expected '~' or '=' after 'potental', found 'p'; did you mean "
     "'potential'?"},
    {"data J: reel\n", "m.stoch:1:9: error: unknown type 'reel'; did you mean 'real'?"},
    {"mu ~ Normal(mu=0, mu=1)\n", "m.stoch:1:19: error: Normal(): keyword 'mu' is given twice"},
    {"mu ~ Normal(0, 1, shape=2, shape=3)\n",
     "m.stoch:1:28: error: Normal(): keyword 'shape' is given twice"},
    {"mu ~ Normal(0, 1, 2)\n",
     "m.stoch:1:1: error: variable 'mu': Normal takes at most 2 positional arguments (3 given)"},
    {"mu ~ Normal(0, sigma=1, tau=2)\n",
     "m.stoch:1:1: error: variable 'mu': Normal: give sigma or tau, not both"},
    {"x = sum([1, 2], axis=0)\n", "m.stoch:1:17: error: sum() takes no keyword arguments"},
    {"x = sum([1, 2], 1.5)\n", "m.stoch:1:17: error: sum(): argument 2 must be an integer"},
    {"x = where(1 > 0, 1)\n", "m.stoch:1:5: error: where() takes 3 arguments, 2 given"},
    {"mu ~ Normal(0, 1)\nx = concat(mu)\n",
     "m.stoch:2:12: error: concat() takes a list: concat([a, b])"},
    {"mu ~ Normal(0, 1)\nx = mu(2)\n", "m.stoch:2:5: error: 'mu' is a value, not a function"},
    {"mu ~ Normal(0, 1, transform=2)\n",
     "m.stoch:1:29: error: transform= takes a name: log, logodds, interval, simplex, ordered or "
     "none"},
    {"data J: int\nmu ~ Normal(0, 1, observed=J)\n",
     "m.stoch:2:19: error: write `NAME ~ Dist(...)` with NAME declared as data to observe it"},
    // Distributions as arguments: where a value is expected, and vice versa.
    {"mu ~ Normal(0, sigma=HalfNormal(1))\n",
     "m.stoch:1:22: error: Normal: parameter 'sigma' takes a value, not a distribution"},
    {"x ~ NormalMixture([0.5, 0.5], [Normal(0, 1), Normal(1, 1)], 1)\n",
     "m.stoch:1:32: error: NormalMixture: parameter 'mu' takes a value, not a distribution"},
    {"x ~ Normal(Normal(0, 1))\n",
     "m.stoch:1:12: error: Normal: parameter 'mu' takes a value, not a distribution"},
    {"x ~ GaussianRandomWalk(sigma=1, init_dist=3, shape=4)\n",
     "m.stoch:1:43: error: GaussianRandomWalk: parameter 'init_dist' takes a distribution, e.g. "
     "init_dist=Normal(0, 1)"},
    {"x ~ Mixture([0.5, 0.5], Exponential)\n",
     "m.stoch:1:25: error: Mixture: parameter 'comp_dists' takes a distribution, e.g. "
     "comp_dists=Normal(0, 1) or a list of them"},
    {"x ~ Mixture([0.5, 0.5], 2.5)\n",
     "m.stoch:1:25: error: Mixture: parameter 'comp_dists' takes a distribution, e.g. "
     "comp_dists=Normal(0, 1) or a list of them"},
    {"x ~ Mixture([0.5, 0.5], [Normal(0, 1), 3])\n",
     "m.stoch:1:40: error: Mixture: parameter 'comp_dists' takes a list of distributions; this "
     "item is not one"},
    {"x ~ GaussianRandomWalk(sigma=1, init_dist=[Normal(0, 1)], shape=4)\n",
     "m.stoch:1:43: error: GaussianRandomWalk: parameter 'init_dist' takes one distribution, not "
     "a list"},
    {"x ~ GaussianRandomWalk(sigma=1, init_dist=Normal(0, 1, shape=3), shape=4)\n",
     "m.stoch:1:56: error: shape= belongs to the variable, not to a distribution argument"},
    {"x ~ GaussianRandomWalk(sigma=1, init_dist=Normal(0, -1), shape=4)\n",
     "m.stoch:1:1: error: variable 'x': GaussianRandomWalk needs init_dist (Normal): sigma > 0"},
    {"x ~ GaussianRandomWalk(sigma=1, init_dist=HalfNormal(1), shape=4)\n",
     "m.stoch:1:1: error: variable 'x': GaussianRandomWalk: init_dist must be a continuous "
     "distribution on the real line (HalfNormal is not)"},
    {"x ~ GaussianRandomWalk(sigma=1, init_dist=Normal(0, 1))\n",
     "m.stoch:1:5: error: GaussianRandomWalk needs steps= or shape= for the length of the series"},
    {"x ~ Mixture([0.5, 0.5], [Normal(0, 1), HalfNormal(1)])\n",
     "m.stoch:1:1: error: variable 'x': Mixture: components must have one support (Normal and "
     "HalfNormal do not)"},
    {"x ~ Mixture([0.2, 0.5, 0.3], [Normal(0, 1), Normal(1, 1)])\n",
     "m.stoch:1:1: error: variable 'x': Mixture: 3 weights for 2 components"},
    {"x ~ Multinomial(5, [0.5, 0.5])\n",
     "m.stoch:1:1: error: variable 'x': Multinomial is a multivariate discrete family, which no "
     "step method moves (observe it instead)"},
    {"x ~ Poisson(3, transform=log)\n",
     "m.stoch:1:1: error: variable 'x': Poisson is discrete; transform= applies to continuous "
     "variables only"},
    {"x ~ AR([0.5], 1, ar_order=2, steps=3)\n",
     "m.stoch:1:1: error: variable 'x': AR: ar_order=2 but rho has 1 coefficient"},
    {"x ~ AR([0.5], 1, constant=True, steps=3)\n",
     "m.stoch:1:1: error: variable 'x': AR: rho needs at least one coefficient after the "
     "constant"},
    {"data J: int\ndata y: real[J]\ny ~ AR([0.5, 0.2, 0.1, 0.3], 1)\n",
     "m.stoch:3:1: error: variable 'y': AR: a series of 3 values is too short for order "
     "4"},
    {"x ~ NormalMixture([0.5, 0.5], [Normall(0, 1)], 1)\n",
     "m.stoch:1:32: error: unknown distribution 'Normall'; did you mean 'Normal'?"},
    {"x ~ Normal(0, sigma=HalfNormal(sigmaa=1))\n",
     "m.stoch:1:32: error: HalfNormal has no parameter 'sigmaa'; did you mean 'sigma'?"},
    // Lexer and brackets.
    {"x = (1]\n", "m.stoch:1:7: error: ']' has no matching opening bracket"},
    {"x = [1, 2\n", "m.stoch:1:5: error: '[' is never closed"},
    {"x = 1\n)\n", "m.stoch:2:1: error: ')' has no matching opening bracket"},
    {"x = 1.2.3\n", "m.stoch:1:8: error: expected the end of the statement, found '.3'"},
    {"x = @\n", "m.stoch:1:5: error: expected an expression, found '@'"},
    {"~ Normal(0, 1)\n", "m.stoch:1:1: error: expected a statement, found '~'"},
    {"123 = 1\n", "m.stoch:1:1: error: expected a statement, found '123'"},
    {"mu ~ Normal(0, 1)\nmu.x = 2\n", "m.stoch:2:3: error: unexpected character '.'"},
    {"mu ~ Normal(0, 1, shape=3)\nx = mu[1:2:3:4]\n",
     "m.stoch:2:13: error: expected ',' or ']' in the subscript, found ':'"},
    // Tabs count as one column; CRLF line endings are line endings.
    {"mu ~ Normal(0, 1)\r\n\tx = muu\r\n",
     "m.stoch:2:6: error: unknown name 'muu'; did you mean 'mu'?"},
    // Data declarations against the data.
    {"data J: int\ndata y: real[J, J]\n",
     "m.stoch:2:1: error: data 'y' is declared real[3, 3] but the data file gives shape [3]"},
    {"data N: int\n",
     "m.stoch:1:6: error: data 'N' is missing from the data file; did you mean 'n'?"},
    {"data y: real[3]\ndata J: int\ndata idx: int[y]\n",
     "m.stoch:3:15: error: a dimension must be an integer or int data declared earlier"},
    {"data J: int\ndata idx: int[J - 4]\n",
     "m.stoch:2:17: error: a dimension must not be negative"},
    // Index arrays are checked against the axis they index, computed ones included.
    {"data idx: int[4]\nmu ~ Normal(0, 1, shape=3)\nx = mu[idx + 1]\n",
     "m.stoch:3:8: error: index 3 at (idx + 1)[0] is out of range for mu (axis 0 has length 3)"},
    {"mu ~ Normal(0, 1, shape=3)\nx = mu[[0, 3]]\n",
     "m.stoch:2:8: error: index 3 at [0, 3][1] is out of range for mu (axis 0 has length 3)"},
    {"data idx: int[4]\nmu ~ Normal(0, 1, shape=3)\nx = mu[-idx - 2]\n",
     "m.stoch:3:8: error: index -4 at (-idx - 2)[0] is out of range for mu (axis 0 has length 3)"},
    {"data idx: int[4]\nmu ~ Normal(0, 1, shape=2)\nx = mu[idx[1:] + 1]\n",
     "m.stoch:3:8: error: index 3 at (idx[1:] + 1)[1] is out of range for mu (axis 0 has length "
     "2)"},
    {"mu ~ Normal(0, 1, shape=(2, 3))\nx = mu[:, [0, 2]]\n",
     "m.stoch:2:11: error: an index array can only index the first axis"},
};

class GoldenErrors : public Lang, public ::testing::WithParamInterface<Golden> {};

TEST_P(GoldenErrors, FirstLineIsExact) {
  const std::string got = error_of(GetParam().source);
  EXPECT_EQ(got, GetParam().error);
  EXPECT_EQ(got.find('\n'), std::string::npos);  // one line
}

TEST_F(Lang, GoldenTableIsLarge) {
  EXPECT_GE(std::size(kGolden), 80u);
}

INSTANTIATE_TEST_SUITE_P(Malformed, GoldenErrors, ::testing::ValuesIn(kGolden));

TEST_F(Lang, NothingCrashesOnDeepNestingOrGarbage) {
  const std::string deep = "x = " + std::string(1000, '(') + "1" + std::string(1000, ')') + "\n";
  EXPECT_NE(error_of(deep).find("nested too deeply"), std::string::npos);
  const std::string minus = "x = " + std::string(5000, '-') + "1\n";
  EXPECT_NE(error_of(minus).find("nested too deeply"), std::string::npos);
  std::string garbage;
  for (int i = 0; i < 256; ++i) garbage.push_back(static_cast<char>(i));
  EXPECT_NE(error_of(garbage).find("error:"), std::string::npos);
  EXPECT_EQ(error_of(""), "(no error)");  // an empty model is a model (with nothing to sample)
  EXPECT_EQ(error_of("# only a comment\n\n\r\n"), "(no error)");
  EXPECT_EQ(error_of("x = (1 +\n  2)\n"), "(no error)");  // a statement continues in brackets
}

std::string repeat(const std::string& s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

TEST_F(Lang, LongChainsAreBoundedNotCrashes) {
  // Flat chains the parser builds in loops: the tree's height is bounded (the builder recurses).
  EXPECT_EQ(error_of("x = 1" + repeat(" + 1", 100000) + "\n"),
            "m.stoch:1:2003: error: expression too long (over 500 operations in a chain); split it "
            "with let");
  EXPECT_NE(error_of("data y: real[3]\nx = y" + repeat("[::1]", 100000) + "\n")
                .find("expression too long"),
            std::string::npos);
  EXPECT_EQ(error_of("x = 1" + repeat(" + 1", 400) + "\n"), "(no error)");
  EXPECT_NE(error_of("x = " + repeat("2**", 5000) + "2\n").find("nested too deeply"),
            std::string::npos);
  EXPECT_NE(error_of("x = " + repeat("[", 5000) + "1" + repeat("]", 5000) + "\n")
                .find("nested too deeply"),
            std::string::npos);
  // A long program is fine: 20 000 statements, each one level deeper in the graph.
  std::string lines = "mu ~ Normal(0, 1)\nlet x0 = mu\n";
  for (int i = 1; i < 20000; ++i)
    lines += "let x" + std::to_string(i) + " = x" + std::to_string(i - 1) + " * 1.0001\n";
  EXPECT_EQ(error_of(lines + "potential p = -x19999 * x19999\n"), "(no error)");
  // A megabyte identifier, a 400-digit number.
  EXPECT_EQ(error_of("x = " + std::string(1 << 20, 'a') + "\n").substr(0, 33),
            "m.stoch:1:5: error: unknown name ");
  EXPECT_EQ(error_of("x = " + std::string(400, '9') + "\n"),
            "m.stoch:1:5: error: number '" + std::string(400, '9') + "' is too large");
}

TEST_F(Lang, SourceTextShowsPrecedence) {
  const auto round = [](const std::string& expr) {
    const Program p = parse("x = " + expr + "\n", "m.stoch");
    return to_source(*p.statements.at(0).value);
  };
  EXPECT_EQ(round("-a**2"), "-a**2");
  EXPECT_EQ(round("(-a)**2"), "(-a)**2");
  EXPECT_EQ(round("2**3**2"), "2**3**2");
  EXPECT_EQ(round("(2**3)**2"), "(2**3)**2");
  EXPECT_EQ(round("a - (b - c)"), "a - (b - c)");
  EXPECT_EQ(round("(a - b) - c"), "a - b - c");
  EXPECT_EQ(round("a + b * c"), "a + b * c");
  EXPECT_EQ(round("(a + b) * c"), "(a + b) * c");
  EXPECT_EQ(round("a @ b @ c"), "a @ b @ c");
  EXPECT_EQ(round("a < b + 1"), "a < b + 1");
  EXPECT_EQ(round("x ** -1"), "x**-1");
  EXPECT_EQ(round("a[idx - 1, ::-1]"), "a[idx - 1, ::-1]");
  EXPECT_EQ(round("f(a, k=[1, 2.5])"), "f(a, k=[1, 2.5])");
  EXPECT_EQ(round("a * -b"), "a * -b");
  EXPECT_EQ(round("- - a"), "--a");
}

TEST_F(Lang, DeclarationsForTheCli) {
  const Program p = parse(
      "data N: int\ndata X: real[N, 3]\ndata k: int[N - 1]\nmu ~ Normal(0, 1)\n"
      "theta = mu * 2\nlet z = 1\nw = theta + z\n",
      "m.stoch");
  const auto d = data_declarations(p);
  ASSERT_EQ(d.size(), 3u);
  EXPECT_EQ(d[0].name, "N");
  EXPECT_EQ(d[0].type, "int");
  EXPECT_TRUE(d[0].dims.empty());
  EXPECT_EQ(d[1].dims, (std::vector<std::string>{"N", "3"}));
  EXPECT_EQ(d[2].dims, (std::vector<std::string>{"N - 1"}));
  EXPECT_EQ(d[2].loc.line, 3);
  EXPECT_EQ(deterministic_names(p), (std::vector<std::string>{"theta", "w"}));
  EXPECT_EQ(random_variable_names(p), (std::vector<std::string>{"mu"}));
}

TEST_F(Lang, IntDataTakesIntegralValuesOnly) {
  EXPECT_EQ(error_of("data J: int\n", R"({"J": 3.0})"), "(no error)");  // integral, however written
  EXPECT_EQ(error_of("data J: int\n", R"({"J": 2.5})"),
            "m.stoch:1:1: error: data 'J' is declared int but J is 2.5 in the data file");
  EXPECT_EQ(error_of("data J: int\n", R"({"J": 1e17})"),
            "m.stoch:1:1: error: data 'J': J is 1e+17, an integer too large to be exact");
  EXPECT_EQ(error_of("data X: int[2, 2]\n", R"({"X": [[1, 2], [3, 4.5]]})"),
            "m.stoch:1:1: error: data 'X' is declared int but X[1][1] is 4.5 in the data file");
  EXPECT_EQ(error_of("data J: real\n", R"({"J": 3})"), "(no error)");  // ints are reals
  EXPECT_EQ(error_of("data e: real[0]\n", R"({"e": []})"), "(no error)");
  EXPECT_EQ(error_of("data J: int\ndata y: real[J]\n", R"({"J": 0, "y": []})"), "(no error)");
}

TEST_F(Lang, DataErrorsNameTheFileAndKey) {
  const auto data_error = [](const char* json) {
    try {
      io::parse_data(json, "d.json");
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("(no error)");
  };
  EXPECT_EQ(data_error("{\"y\": [[1, 2], [3]]}"),
            "d.json: error: data 'y'[1]: 1 elements where 2 were expected (rows must have equal "
            "lengths)");
  EXPECT_EQ(data_error("{\"y\": [1, \"a\"]}"),
            "d.json: error: data 'y'[1]: a string where a number was expected");
  EXPECT_EQ(data_error("{\"y\": true}"),
            "d.json: error: data 'y': a boolean where a number was expected");
  EXPECT_EQ(data_error("{\"y\": [1, [2]]}"),
            "d.json: error: data 'y'[1]: a list where a number was expected (ragged nesting)");
  EXPECT_EQ(data_error("[1, 2]"), "d.json: error: data must be a JSON object of named values");
  EXPECT_NE(data_error("{\"y\": ").find("d.json: error: invalid JSON"), std::string::npos);
  EXPECT_NE(data_error("").find("d.json: error: the data file is empty"), std::string::npos);
  const auto d =
      io::parse_data("{\"a\": 1, \"b\": 2.5, \"m\": [[1, 2, 3], [4, 5, 6]], \"e\": []}", "d.json");
  EXPECT_TRUE(d.at("a").integer);
  EXPECT_FALSE(d.at("b").integer);
  EXPECT_EQ(d.at("m").shape, (graph::Shape{2, 3}));
  EXPECT_EQ(d.at("m").values[4], 5);
  EXPECT_EQ(d.at("e").shape, (graph::Shape{0}));
}

// log p of a built model at a packed point (constrained = unconstrained for Normal variables).
double logp_at(const std::string& src, const std::vector<double>& theta, const char* data = kData) {
  const auto m = build(parse(src, "m.stoch"), io::parse_data(data, "d.json"));
  const auto d = m->compile({.jacobian = false});
  auto ws = d.make_workspace();
  std::vector<double> g(theta.size());
  return d(*ws, theta.data(), g.data());
}

double normal_lpdf(double x, double mu, double s) {
  return -0.5 * std::pow((x - mu) / s, 2) - std::log(s) - 0.5 * std::log(2 * std::numbers::pi);
}

TEST_F(Lang, PrecedenceAndAssociativity) {
  // mu ~ Normal(m, 1) with m an expression of constants: the density at 0 reveals m.
  const auto mean_of = [](const std::string& expr) {
    const double lp = logp_at("let m = " + expr + "\nmu ~ Normal(m, 1)\n", {0.0});
    return std::sqrt(-2 * (lp + 0.5 * std::log(2 * std::numbers::pi)));  // |m|
  };
  EXPECT_NEAR(mean_of("-2**2"), 4, 1e-12);     // -(2**2)
  EXPECT_NEAR(mean_of("2**3**2"), 512, 1e-9);  // 2**(3**2)
  EXPECT_NEAR(mean_of("2**-1"), 0.5, 1e-12);
  EXPECT_NEAR(mean_of("1 + 2 * 3"), 7, 1e-12);
  EXPECT_NEAR(mean_of("(1 + 2) * 3"), 9, 1e-12);
  EXPECT_NEAR(mean_of("8 / 4 / 2"), 1, 1e-12);  // left-associative
  EXPECT_NEAR(mean_of("10 - 4 - 3"), 3, 1e-12);
  EXPECT_NEAR(mean_of("sum([1, 2, 3]) * pi"), 6 * std::numbers::pi, 1e-12);
  EXPECT_NEAR(mean_of("where(2 > 1, 5, 7)"), 5, 1e-12);
  EXPECT_NEAR(mean_of("dot([1, 2], [3, 4])"), 11, 1e-12);
  EXPECT_NEAR(mean_of("sum([[1, 2], [3, 4]] @ [1, 1])"), 10, 1e-12);
  EXPECT_NEAR(mean_of("sum(cumsum([1, 2, 3]))"), 10, 1e-12);
  EXPECT_NEAR(mean_of("logsumexp([0, 0])"), std::log(2.0), 1e-12);
  EXPECT_NEAR(mean_of("sum(concat([[1, 2], [3]]))"), 6, 1e-12);
}

TEST_F(Lang, IndexingSlicingAndGather) {
  const auto mean_of = [](const std::string& expr) {
    const double lp = logp_at(
        "data J: int\ndata y: real[J]\ndata X: real[3, 2]\ndata idx: int[4]\nlet m = " + expr +
            "\nmu ~ Normal(m, 1)\n",
        {0.0});
    return std::sqrt(-2 * (lp + 0.5 * std::log(2 * std::numbers::pi)));
  };
  EXPECT_NEAR(mean_of("y[0]"), 1.5, 1e-12);
  EXPECT_NEAR(mean_of("y[-1]"), 2.0, 1e-12);
  EXPECT_NEAR(mean_of("sum(y[1:])"), 1.5, 1e-12);
  EXPECT_NEAR(mean_of("sum(y[:-1])"), 1.0, 1e-12);
  EXPECT_NEAR(mean_of("y[::-1][0]"), 2.0, 1e-12);
  EXPECT_NEAR(mean_of("sum(y[::2])"), 3.5, 1e-12);
  EXPECT_NEAR(mean_of("sum(X[:, 1])"), 12, 1e-12);
  EXPECT_NEAR(mean_of("X[2, 0]"), 5, 1e-12);
  EXPECT_NEAR(mean_of("sum(y[idx])"), 2.0 + 1.5 + 2.0 - 0.5, 1e-12);  // repeated indices
  EXPECT_NEAR(mean_of("sum(X[idx][:, 0])"), 5 + 1 + 5 + 3, 1e-12);
  EXPECT_NEAR(mean_of("y[J - 1]"), 2.0, 1e-12);
  // Integer arithmetic on int data stays int (1-based data, as posteriordb's), and negative
  // entries of a known index array count from the end, as NumPy's do.
  EXPECT_NEAR(mean_of("sum(y[idx - 1])"), -0.5 + 2.0 - 0.5 + 1.5, 1e-12);
  EXPECT_NEAR(mean_of("sum(y[[0, -1]])"), 1.5 + 2.0, 1e-12);
  EXPECT_NEAR(mean_of("sum(y[-idx])"), -0.5 + 1.5 - 0.5 + 2.0, 1e-12);
  EXPECT_NEAR(mean_of("sum(X[[2, 0]][:, 1])"), 6 + 2, 1e-12);
  EXPECT_NEAR(mean_of("sum(y[idx * 0 + 1])"), 4 * 0.5, 1e-12);      // |4 * -0.5|
  EXPECT_NEAR(mean_of("sum(y[idx[1:]])"), 1.5 + 2.0 - 0.5, 1e-12);  // [0, 2, 1]: all in range
  EXPECT_NEAR(mean_of("sum(X[idx[:2] - 1][:, 0])"), 3 + 5, 1e-12);  // [1, -1]
}

TEST_F(Lang, EightSchoolsMatchesTheCppApi) {
  const char* src = R"(data J: int
data y: real[J]
data sigma: real[J]
mu ~ Normal(0, 5)
tau ~ HalfCauchy(5)
theta_z ~ Normal(0, 1, shape=J)
theta = mu + tau * theta_z
y ~ Normal(theta, sigma)
)";
  const auto m = build(parse(src, "m.stoch"), io::parse_data(kData, "d.json"));
  const auto d = m->compile();
  auto ws = d.make_workspace();
  const std::vector<double> t = {0.4, -0.3, 0.1, -1.2, 0.8};  // mu, tau_log__, theta_z
  std::vector<double> g(5);
  const double tau = std::exp(-0.3);
  double want = normal_lpdf(0.4, 0, 5) + std::log(2 / std::numbers::pi / 5) -
                std::log1p(tau * tau / 25) - 0.3;
  const double y[] = {1.5, -0.5, 2.0}, sigma[] = {1, 2, 1.5};
  for (int j = 0; j < 3; ++j)
    want += normal_lpdf(t[2 + j], 0, 1) + normal_lpdf(y[j], 0.4 + tau * t[2 + j], sigma[j]);
  EXPECT_NEAR(d(*ws, t.data(), g.data()), want, 1e-12);
  EXPECT_EQ(d.layout().vars[1].value_name, "tau_log__");
  ASSERT_EQ(m->deterministics().size(), 1u);
  EXPECT_EQ(m->deterministics()[0].first, "theta");
}

// The example's model built with the C++ API (include/stochos/model.hpp), as SPEC.md §1.2 writes
// it, against the same model from examples/eight_schools.stoch: log density and gradient at
// random points, with and without the Jacobian.
// Two models, the same log density and gradient at `points` random unconstrained points,
// uniform in (-range, range).
void expect_same_density(const model::Model& a_model, const model::Model& b_model,
                         bool jacobian = true, int points = 20, std::uint64_t seed = 3,
                         double range = 2) {
  const auto a = a_model.compile({.backend = "native", .jacobian = jacobian});
  const auto b = b_model.compile({.backend = "native", .jacobian = jacobian});
  ASSERT_EQ(a.dim(), b.dim());
  auto wa = a.make_workspace();
  auto wb = b.make_workspace();
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(-range, range);
  const auto n = static_cast<std::size_t>(a.dim());
  for (int k = 0; k < points; ++k) {
    std::vector<double> t(n), ga(n), gb(n);
    for (double& v : t) v = u(rng);
    const double la = a(*wa, t.data(), ga.data()), lb = b(*wb, t.data(), gb.data());
    EXPECT_NEAR(la, lb, 1e-12 * std::max(1.0, std::abs(lb)));
    for (std::size_t i = 0; i < n; ++i)
      EXPECT_NEAR(ga[i], gb[i], 1e-12 * std::max(1.0, std::abs(gb[i])));
  }
  EXPECT_EQ(a_model.initial_point(), b_model.initial_point());
}

TEST_F(Lang, EightSchoolsExampleMatchesTheCppApiAtRandomPoints) {
  const fs::path dir = fs::path(STOCHOS_SOURCE_DIR) / "examples";
  const io::DataSet data = io::load_data((dir / "eight_schools.data.json").string());
  const auto from_file = build(parse_file((dir / "eight_schools.stoch").string()), data);

  const std::vector<double>& y = data.at("y").values;
  const std::vector<double>& sigma = data.at("sigma").values;
  const auto J = static_cast<std::int64_t>(y.size());
  stochos::Model api;
  auto mu = api.rv("mu", stochos::Normal(0, 5));
  auto tau = api.rv("tau", stochos::HalfCauchy(5));
  auto z = api.rv("theta_z", stochos::Normal(0, 1), {.shape = stochos::Shape{J}});
  auto theta = api.deterministic("theta", mu + tau * z);
  api.observe("y", stochos::Normal(theta, stochos::Arg(sigma, {J})), y, {J});

  for (bool jacobian : {true, false}) expect_same_density(*from_file, api, jacobian, 50, 7, 3);
}

TEST_F(Lang, ObservedLetsKeywordsAndPotentials) {
  // A let of data alone is data: y_late is observed. Normal(0, tau=4) is sigma 0.5.
  const char* src = R"(data y: real[3]
let y_late = y[1:]
mu ~ Normal(0, tau=4)
y_late ~ Normal(mu, 2)
potential p = -mu * mu
)";
  const double lp = logp_at(src, {0.3});
  const double want =
      normal_lpdf(0.3, 0, 0.5) + normal_lpdf(-0.5, 0.3, 2) + normal_lpdf(2.0, 0.3, 2) - 0.09;
  EXPECT_NEAR(lp, want, 1e-12);
}

TEST_F(Lang, ObservedVariablesTakeAShapeThatAgreesWithTheirData) {
  // PyMC accepts shape= beside observed= when the two agree: the same density as without it,
  // for a univariate family, a time series and a multivariate one.
  const std::vector<std::pair<std::string, std::string>> pairs = {
      {"y ~ GaussianRandomWalk(mu, 1, init_dist=Normal(0, 10), shape=J)\n",
       "y ~ GaussianRandomWalk(mu, 1, init_dist=Normal(0, 10))\n"},
      {"y ~ Normal(mu, sigma, shape=3)\n", "y ~ Normal(mu, sigma)\n"},
      {"X ~ Normal(mu, 2, shape=(J, 2))\n", "X ~ Normal(mu, 2)\n"},
      {"y ~ MvNormal([mu, 0, 0], [[1, 0, 0], [0, 2, 0], [0, 0, 3]], shape=(3,))\n",
       "y ~ MvNormal([mu, 0, 0], [[1, 0, 0], [0, 2, 0], [0, 0, 3]])\n"},
  };
  const std::string head =
      "data J: int\ndata y: real[J]\ndata sigma: real[J]\ndata X: real[J, 2]\nmu ~ Normal(0, 1)\n";
  for (const auto& [with, without] : pairs)
    for (double mu : {-0.7, 0.4})
      EXPECT_DOUBLE_EQ(logp_at(head + with, {mu}), logp_at(head + without, {mu})) << with;
}

TEST_F(Lang, DistributionsAsArgumentsMatchTheCppApi) {
  const char* src = R"(data J: int
data y: real[J]
s ~ HalfNormal(1)
walk ~ GaussianRandomWalk(mu=0.1, sigma=s, init_dist=Normal(1, tau=0.25), shape=4)
rho ~ Normal(0, 0.5, shape=2)
series ~ AR(rho, 0.7, constant=True, init_dist=Normal(0, 2), steps=3)
m ~ Normal(0, 5, shape=2)
y ~ Mixture(w=[0.3, 0.7], comp_dists=[Normal(m[0], 1), StudentT(4, m[1], s)])
)";
  const auto from_src = build(parse(src, "m.stoch"), io::parse_data(kData, "d.json"));
  stochos::Model api;
  const auto s = api.rv("s", stochos::HalfNormal(1));
  api.rv("walk",
         stochos::GaussianRandomWalk(0.1, s, stochos::make("Normal", {{"mu", 1}, {"tau", 0.25}})),
         {.shape = stochos::Shape{4}});
  const auto rho = api.rv("rho", stochos::Normal(0, 0.5), {.shape = stochos::Shape{2}});
  api.rv("series",
         stochos::AR(rho, 0.7, {.constant = true, .init_dist = stochos::Normal(0, 2), .steps = 3}));
  const auto m = api.rv("m", stochos::Normal(0, 5), {.shape = stochos::Shape{2}});
  api.observe(
      "y",
      stochos::Mixture(stochos::Arg({0.3, 0.7}), {stochos::Normal(graph::index(m, 0), 1),
                                                  stochos::StudentT(4, graph::index(m, 1), s)}),
      {1.5, -0.5, 2.0}, {3});
  expect_same_density(*from_src, api);
  EXPECT_EQ(from_src->layout().vars[3].shape, (stochos::Shape{4}));  // AR: steps + order
}

TEST_F(Lang, EveryExampleBuildsAndEvaluates) {
  const fs::path dir = fs::path(STOCHOS_SOURCE_DIR) / "examples";
  int n = 0;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() != ".stoch") continue;
    const fs::path data = fs::path(e.path()).replace_extension(".data.json");
    SCOPED_TRACE(e.path().string());
    const auto m = build(parse_file(e.path().string()),
                         fs::exists(data) ? io::load_data(data.string()) : io::DataSet{});
    const auto d = m->compile({.backend = "native"});
    auto ws = d.make_workspace();
    const auto p = m->initial_point();
    std::vector<double> g(p.size());
    EXPECT_TRUE(std::isfinite(d(*ws, p.data(), g.data())));
    for (double v : g) EXPECT_TRUE(std::isfinite(v));
    ++n;
  }
  // Eight schools (both), radon, four regressions, coal (both), latent classes, SV, mixture,
  // MvNormal, AR; and with recurrences ARMA, the local level filter and AR(1) SV (both forms).
  EXPECT_GE(n, 18);
}

}  // namespace
}  // namespace stochos::lang
