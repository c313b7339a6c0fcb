// The language's functions (lang/functions.cpp): each one's values against closed forms computed
// here in long double, gradients of the composed ones where they must stay finite, and the
// golden first line of each argument error.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <numbers>
#include <string>
#include <vector>

#include "io/data.hpp"
#include "lang/lang.hpp"
#include "stochos/error.hpp"

namespace stochos::lang {
namespace {

namespace fs = std::filesystem;
using LD = long double;

// Runs with the test programs' own configuration (tests/support/main.cpp).
class Functions : public ::testing::Test {};

const char* kData = R"({"N": 3, "x": [0, 1, 3], "k": [2, 0]})";

// The values of `z = expr` (row-major) in a model with one free variable mu, at mu = `at`.
std::vector<double> values_of(const std::string& expr, double at = 0.0) {
  const std::string src = "data N: int\ndata x: real[N]\nmu ~ Normal(0, 1)\nz = " + expr + "\n";
  const auto m = build(parse(src, "m.stoch"), io::parse_data(kData, "d.json"));
  const auto f = m->compile_values({.backend = "native"});
  auto ws = f.make_workspace();
  std::vector<double> out(static_cast<std::size_t>(f.size()));
  f(*ws, &at, out.data());
  for (const auto& v : f.variables())
    if (v.name == "z") {
      const auto begin = out.begin() + v.offset;
      return {begin, begin + static_cast<std::ptrdiff_t>(graph::numel(v.shape))};
    }
  ADD_FAILURE() << "no z";
  return {};
}

double value_of(const std::string& expr, double at = 0.0) {
  const auto v = values_of(expr, at);
  EXPECT_EQ(v.size(), 1u) << expr;
  return v.empty() ? NAN : v[0];
}

// log p and d log p / d mu of `potential p = expr` with mu ~ Flat(), at mu = `at`.
std::pair<double, double> potential_at(const std::string& expr, double at) {
  const std::string src = "mu ~ Flat()\npotential p = " + expr + "\n";
  const auto m = build(parse(src, "m.stoch"), io::parse_data("{}", "d.json"));
  const auto d = m->compile({.backend = "native"});
  auto ws = d.make_workspace();
  double g = 0;
  const double lp = d(*ws, &at, &g);
  return {lp, g};
}

void expect_all_near(const std::vector<double>& got, const std::vector<LD>& want, double tol,
                     const std::string& what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  for (std::size_t i = 0; i < got.size(); ++i)
    EXPECT_NEAR(got[i], static_cast<double>(want[i]), tol) << what << " [" << i << "]";
}

TEST_F(Functions, ElementwiseAgainstClosedForms) {
  const LD pi = std::numbers::pi_v<LD>;
  // trigamma(1) = pi^2/6, trigamma(1/2) = pi^2/2, trigamma(x + 1) = trigamma(x) - 1/x^2.
  EXPECT_NEAR(value_of("trigamma(1)"), static_cast<double>(pi * pi / 6), 1e-13);
  EXPECT_NEAR(value_of("trigamma(0.5)"), static_cast<double>(pi * pi / 2), 1e-13);
  EXPECT_NEAR(value_of("trigamma(3)"), static_cast<double>(pi * pi / 6 - 1 - 0.25L), 1e-13);
  EXPECT_NEAR(value_of("inv_logit(0.3)"), static_cast<double>(1 / (1 + std::exp(-0.3L))), 1e-15);
  EXPECT_NEAR(value_of("log_inv_logit(-40)"), static_cast<double>(-std::log1p(std::exp(40.0L))),
              1e-13);
  EXPECT_NEAR(value_of("log1m(0.25)"), static_cast<double>(std::log(0.75L)), 1e-15);
  // log1mexp on both sides of -log 2 and far out, where log(1 - exp(x)) would lose everything.
  for (double x : {-1e-20, -1e-5, -0.1, -0.69, -0.7, -1.0, -50.0}) {
    const LD lx = static_cast<LD>(x);
    const LD want = x > -0.5 ? std::log(-std::expm1(lx)) : std::log1p(-std::exp(lx));
    char text[32];
    std::snprintf(text, sizeof text, "%.17g", x);
    const double got = value_of(std::string("log1mexp(") + text + ")");
    EXPECT_NEAR(got, static_cast<double>(want), 1e-13 * std::abs(static_cast<double>(want))) << x;
    EXPECT_EQ(value_of(std::string("log1m_exp(") + text + ")"), got);
  }
  EXPECT_NEAR(value_of("log1mexp(-1e-20)"), -20 * std::log(10.0), 1e-12);
  EXPECT_TRUE(std::isnan(value_of("log1mexp(0.5)")));  // outside the domain, as Stan's
  EXPECT_NEAR(value_of("pow(2, 10)"), 1024, 0);
  expect_all_near(values_of("pow([4, 9], 0.5)"), {2, 3}, 1e-15, "pow");
  expect_all_near(values_of("maximum([1, 5], [3, 2])"), {3, 5}, 0, "maximum");
  expect_all_near(values_of("minimum([1, 5], 2)"), {1, 2}, 0, "minimum");
  expect_all_near(values_of("clip([-2, 0.5, 7], 0, 1)"), {0, 0.5, 1}, 0, "clip");
  expect_all_near(values_of("clip(x, [1, 1, 1], 2)"), {1, 1, 2}, 0, "clip with array bounds");
}

TEST_F(Functions, LogAddExpIsStable) {
  EXPECT_NEAR(value_of("logaddexp(1, 2)"), static_cast<double>(2 + std::log1p(std::exp(-1.0L))),
              1e-15);
  EXPECT_NEAR(value_of("logaddexp(1000, 1000)"), static_cast<double>(1000 + std::log(2.0L)), 1e-12);
  EXPECT_NEAR(value_of("logaddexp(-inf, 2)"), 2, 0);
  expect_all_near(values_of("logaddexp([0, -800], 0)"),
                  {std::log(2.0L), std::log1p(std::exp(-800.0L))}, 1e-15, "broadcast");
}

TEST_F(Functions, SoftmaxAndLogSoftmax) {
  const LD s = std::exp(1.0L) + std::exp(2.0L) + std::exp(3.0L);
  expect_all_near(values_of("softmax([1, 2, 3])"),
                  {std::exp(1.0L) / s, std::exp(2.0L) / s, std::exp(3.0L) / s}, 1e-15, "softmax");
  expect_all_near(values_of("log_softmax([1, 2, 3])"),
                  {1 - std::log(s), 2 - std::log(s), 3 - std::log(s)}, 1e-14, "log_softmax");
  expect_all_near(values_of("softmax([1000, 1000])"), {0.5, 0.5}, 0, "no overflow");
  // Along axis 0 of a matrix (columns sum to one), and along the last by default (rows).
  const LD c = std::log(std::exp(1.0L) + std::exp(3.0L));
  expect_all_near(values_of("log_softmax([[1, 5], [3, 5]], 0)"),
                  {1 - c, -std::log(2.0L), 3 - c, -std::log(2.0L)}, 1e-14, "axis 0");
  const LD r = std::log(std::exp(1.0L) + std::exp(5.0L));
  expect_all_near(values_of("log_softmax([[1, 5], [3, 5]])"),
                  {1 - r, 5 - r, 3 - std::log(std::exp(3.0L) + std::exp(5.0L)),
                   5 - std::log(std::exp(3.0L) + std::exp(5.0L))},
                  1e-14, "last axis");
}

TEST_F(Functions, LinearAlgebra) {
  // [[4, 2], [2, 3]] = L L^T with L = [[2, 0], [1, sqrt 2]].
  expect_all_near(values_of("cholesky([[4, 2], [2, 3]])"), {2, 0, 1, std::sqrt(2.0L)}, 1e-15,
                  "cholesky");
  expect_all_near(values_of("diag([1, 2])"), {1, 0, 0, 2}, 0, "diag of a vector");
  expect_all_near(values_of("diag([[1, 2], [3, 4]])"), {1, 4}, 0, "diag of a matrix");
  expect_all_near(values_of("diag_part([[1, 2, 3], [4, 5, 6]])"), {1, 5}, 0, "diag_part");
  expect_all_near(values_of("eye(N)"), {1, 0, 0, 0, 1, 0, 0, 0, 1}, 0, "eye");
  expect_all_near(values_of("tril([[1, 2], [3, 4]])"), {1, 0, 3, 4}, 0, "tril");
  expect_all_near(values_of("tril([[1, 2], [3, 4]], -1)"), {0, 0, 3, 0}, 0, "tril below");
  expect_all_near(values_of("triu([[1, 2], [3, 4]])"), {1, 2, 0, 4}, 0, "triu");
  expect_all_near(values_of("triu([[1, 2], [3, 4]], 1)"), {0, 2, 0, 0}, 0, "triu above");
  // LKJCholeskyCov's layout: the lower triangle row by row.
  expect_all_near(values_of("expand_packed_triangular([1, 2, 3])"), {1, 0, 2, 3}, 0, "expand");
  expect_all_near(values_of("expand_packed_triangular(3, [1, 2, 3, 4, 5, 6])"),
                  {1, 0, 0, 2, 3, 0, 4, 5, 6}, 0, "expand with PyMC's n");
  // 2 a = 2, a + 4 b = 9; and the upper system 2 a + b = 4, 4 b = 8.
  expect_all_near(values_of("solve_triangular([[2, 0], [1, 4]], [2, 9])"), {1, 2}, 1e-15, "lower");
  expect_all_near(values_of("solve_triangular([[2, 1], [0, 4]], [4, 8], 0)"), {1, 2}, 1e-15,
                  "upper");
}

TEST_F(Functions, ArraysFromIntegers) {
  expect_all_near(values_of("arange(4)"), {0, 1, 2, 3}, 0, "arange(n)");
  expect_all_near(values_of("arange(1, 7, 2)"), {1, 3, 5}, 0, "arange with a step");
  expect_all_near(values_of("arange(3, 0, -1)"), {3, 2, 1}, 0, "arange down");
  expect_all_near(values_of("x[arange(N - 1) + 1]"), {1, 3}, 0, "arange as an index array");
  expect_all_near(values_of("zeros(2, 2) + ones(2)"), {1, 1, 1, 1}, 0, "zeros, ones");
  expect_all_near(values_of("reshape(arange(6), 2, 3)[1]"), {3, 4, 5}, 0, "reshape");
  expect_all_near(values_of("reshape(x, -1, 1) - x"), {0, -1, -3, 1, 0, -2, 3, 2, 0}, 0,
                  "reshape with -1, broadcast to an outer difference");
}

TEST_F(Functions, GpExpQuadCov) {
  // alpha^2 exp(-(x_i - x_j)^2 / (2 rho^2)) with alpha 2, rho 1.5.
  const LD xs[] = {0, 1, 3};
  std::vector<LD> want;
  for (LD a : xs)
    for (LD b : xs) want.push_back(4 * std::exp(-(a - b) * (a - b) / (2 * 2.25L)));
  expect_all_near(values_of("gp_exp_quad_cov(x, 2, 1.5)"), want, 1e-15, "vector x");
  // Points in two dimensions: the squared distance sums over the coordinates.
  const LD d2 = 1 + 4;
  expect_all_near(values_of("gp_exp_quad_cov([[0, 0], [1, 2]], 1, 2)"),
                  {1, std::exp(-d2 / 8), std::exp(-d2 / 8), 1}, 1e-15, "points in 2-D");
  // The parameters may be variables: d/dmu of the sum at alpha = mu = 1.3, rho 1.
  const double lp = value_of("sum(gp_exp_quad_cov(x, mu, 1))", 1.3);
  LD s = 0;
  for (LD a : xs)
    for (LD b : xs) s += std::exp(-(a - b) * (a - b) / 2);
  EXPECT_NEAR(lp, static_cast<double>(1.69L * s), 1e-13);
}

// Stan's hmm_marginal against the forward recursion written out here, for lengths that leave an
// odd matrix over at different levels of the pairwise product (1, 2, 5, 7, 8 steps).
TEST_F(Functions, HmmMarginalIsTheForwardAlgorithm) {
  const LD log_omega[3][8] = {{-1.0L, -2.5L, -0.3L, -4.0L, -1.2L, -0.7L, -3.3L, -2.0L},
                              {-2.2L, -0.4L, -1.9L, -0.8L, -2.6L, -1.5L, -0.2L, -1.1L},
                              {-0.6L, -3.1L, -2.4L, -1.7L, -0.5L, -2.8L, -1.4L, -0.9L}};
  const LD gamma[3][3] = {{0.8L, 0.15L, 0.05L}, {0.1L, 0.7L, 0.2L}, {0.25L, 0.25L, 0.5L}};
  const LD rho[3] = {0.5L, 0.3L, 0.2L};
  const std::string omega =
      "[[-1.0, -2.5, -0.3, -4.0, -1.2, -0.7, -3.3, -2.0], [-2.2, -0.4, -1.9, -0.8, -2.6, -1.5, "
      "-0.2, -1.1], [-0.6, -3.1, -2.4, -1.7, -0.5, -2.8, -1.4, -0.9]]";
  const std::string args =
      ", [[0.8, 0.15, 0.05], [0.1, 0.7, 0.2], [0.25, 0.25, 0.5]], [0.5, 0.3, 0.2])";
  for (int n : {1, 2, 5, 7, 8}) {
    LD alpha[3];  // probabilities, not logs: these values stay far from underflow
    for (int k = 0; k < 3; ++k) alpha[k] = rho[k] * std::exp(log_omega[k][0]);
    for (int t = 1; t < n; ++t) {
      LD next[3] = {0, 0, 0};
      for (int k = 0; k < 3; ++k) {
        for (int j = 0; j < 3; ++j) next[k] += alpha[j] * gamma[j][k];
        next[k] *= std::exp(log_omega[k][t]);
      }
      std::copy(next, next + 3, alpha);
    }
    const LD want = std::log(alpha[0] + alpha[1] + alpha[2]);
    const std::string expr = "hmm_marginal(" + omega + "[:, :" + std::to_string(n) + "]" + args;
    EXPECT_NEAR(value_of(expr), static_cast<double>(want), 1e-13) << n << " steps";
  }
  // Far below double's range in probabilities (log p about -200 000), still exact in logs.
  EXPECT_NEAR(value_of("hmm_marginal([[-1e5, -1e5]], [[1.0]], [1.0])"), -2e5, 1e-9);
}

TEST_F(Functions, GradientsStayFinite) {
  // d/dx log1mexp(x) = -1 / expm1(-x), on both branches; the other branch never leaks a NaN.
  for (double x : {-1e-8, -0.3, -5.0, -40.0}) {
    const auto [lp, g] = potential_at("log1mexp(mu)", x);
    EXPECT_NEAR(lp, static_cast<double>(std::log(-std::expm1(static_cast<LD>(x)))),
                1e-12 * std::max(1.0, std::abs(lp)));
    const double want = static_cast<double>(-1 / std::expm1(-static_cast<LD>(x)));
    EXPECT_NEAR(g, want, 1e-9 * std::max(1.0, std::abs(want))) << x;
  }
  // logaddexp splits a tie evenly; far apart, the larger takes the whole gradient.
  EXPECT_NEAR(potential_at("logaddexp(mu, 2)", 2).second, 0.5, 1e-15);
  EXPECT_NEAR(potential_at("logaddexp(mu, -inf)", 3).second, 1, 0);
  // softmax's gradient: d/dmu softmax([mu, 0])[0] = s (1 - s).
  const LD s0 = 1 / (1 + std::exp(-0.4L));
  EXPECT_NEAR(potential_at("softmax(stack([mu, 0 * mu]))[0]", 0.4).second,
              static_cast<double>(s0 * (1 - s0)), 1e-15);
}

struct Golden {
  const char* source;
  const char* error;
};

const Golden kGolden[] = {
    {"x = eye(-1)\n", "m.stoch:1:5: error: eye(): a dimension must not be negative, got -1"},
    {"x = eye(2.5)\n", "m.stoch:1:9: error: eye(): argument 1 must be an integer"},
    {"mu ~ Normal(0, 1)\nx = eye(mu)\n",
     "m.stoch:2:9: error: eye(): argument 1 must be an integer"},
    {"x = zeros(2, -3)\n", "m.stoch:1:5: error: zeros(): a dimension must not be negative, got -3"},
    {"x = ones(1000000, 1000000, 1000000)\n",
     "m.stoch:1:5: error: ones(): shape [1000000, 1000000, 1000000] is too large"},
    {"x = zeros(1000000000000)\n",
     "m.stoch:1:5: error: zeros(): shape [1000000000000] needs 8000000000000 bytes (7.3 TiB), "
     "more than this machine's memory"},
    {"x = arange(0, 5, 0)\n", "m.stoch:1:5: error: arange(): step must not be zero"},
    {"x = arange()\n", "m.stoch:1:5: error: arange() takes 1 to 3 arguments, 0 given"},
    {"x = reshape([1, 2, 3], 2, -1)\n",
     "m.stoch:1:5: error: reshape(): cannot reshape [3] to [2, -1]"},
    {"x = reshape([1, 2, 3], 2)\n", "m.stoch:1:5: error: reshape(): cannot reshape [3] to [2]"},
    {"x = reshape([1, 2], -1, -1)\n",
     "m.stoch:1:5: error: reshape(): a dimension must be a size or one -1, got [-1, -1]"},
    {"x = reshape([1, 2])\n", "m.stoch:1:5: error: reshape() takes 2 to 9 arguments, 1 given"},
    {"x = diag(1)\n",
     "m.stoch:1:5: error: diag(): needs a vector (for a diagonal matrix) or a matrix (for its "
     "diagonal), got []"},
    {"x = diag_part([1, 2])\n", "m.stoch:1:5: error: diag_part(): needs a matrix, got [2]"},
    {"x = tril([1, 2])\n", "m.stoch:1:5: error: tril(): needs a matrix, got [2]"},
    {"x = triu([1, 2], 1)\n", "m.stoch:1:5: error: triu(): needs a matrix, got [2]"},
    {"x = expand_packed_triangular([1, 2])\n",
     "m.stoch:1:5: error: expand_packed_triangular(): 2 values do not pack the lower triangle "
     "(with its diagonal) of a square matrix (n(n+1)/2 values for side n)"},
    {"x = expand_packed_triangular(3, [1, 2, 3])\n",
     "m.stoch:1:5: error: expand_packed_triangular(): n must be the integer 2 that 3 packed values "
     "make"},
    {"x = cholesky([1, 2])\n",
     "m.stoch:1:5: error: cholesky: input 0 must be a matrix (inputs: float64[2])"},
    {"x = cholesky([[1, 2, 3], [4, 5, 6]])\n",
     "m.stoch:1:5: error: cholesky: matrix must be square (inputs: float64[2, 3])"},
    {"x = softmax(1)\n", "m.stoch:1:5: error: softmax(): needs a vector or an array, not a scalar"},
    {"x = log_softmax([1, 2], 1)\n",
     "m.stoch:1:5: error: log_softmax(): axis 1 is out of range for shape [2]"},
    {"x = logaddexp([1, 2], [1, 2, 3])\n",
     "m.stoch:1:5: error: logaddexp(): shapes [2] and [3] do not broadcast"},
    {"x = pow(2)\n", "m.stoch:1:5: error: pow() takes 2 arguments, 1 given"},
    {"x = clip([1, 2], 0)\n", "m.stoch:1:5: error: clip() takes 3 arguments, 2 given"},
    {"x = gp_exp_quad_cov([1, 2], [1, 2], 1)\n",
     "m.stoch:1:5: error: gp_exp_quad_cov(): alpha must be a scalar, got [2]"},
    {"x = gp_exp_quad_cov([1, 2], 1, [1, 2])\n",
     "m.stoch:1:5: error: gp_exp_quad_cov(): rho must be a scalar, got [2]"},
    {"x = gp_exp_quad_cov(1, 1, 1)\n",
     "m.stoch:1:5: error: gp_exp_quad_cov(): x must be a vector or an [N, D] matrix of points, "
     "got []"},
    {"x = solve_triangular([[1, 0], [0, 1]], [1, 2, 3])\n",
     "m.stoch:1:5: error: trsolve: right-hand side rows differ from the matrix (inputs: "
     "float64[2, 2], "
     "float64[3, 1])"},
    {"x = solve_triangular([[1, 0], [0, 1]], [1, 2], 0.5)\n",
     "m.stoch:1:48: error: solve_triangular(): argument 3 must be an integer"},
    {"x = hmm_marginal([1, 2], [[1]], [1])\n",
     "m.stoch:1:5: error: hmm_marginal(): log_omega must be a [K, N] matrix (K states, N >= 1 "
     "steps), got [2]"},
    {"x = hmm_marginal([[1, 2], [3, 4]], [[1]], [1, 1])\n",
     "m.stoch:1:5: error: hmm_marginal(): Gamma must be [2, 2] for 2 states, got [1, 1]"},
    {"x = hmm_marginal([[1, 2], [3, 4]], [[1, 0], [0, 1]], [1, 1, 1])\n",
     "m.stoch:1:5: error: hmm_marginal(): rho must be [2] for 2 states, got [3]"},
    {"x = trigammma(1)\n",
     "m.stoch:1:5: error: unknown function 'trigammma'; did you mean 'trigamma'?"},
};

class FunctionErrors : public Functions, public ::testing::WithParamInterface<Golden> {};

TEST_P(FunctionErrors, FirstLineIsExact) {
  std::string got = "(no error)";
  try {
    build(parse(GetParam().source, "m.stoch"), io::parse_data("{}", "d.json"));
  } catch (const InputError& e) {
    got = e.what();
  }
  EXPECT_EQ(got, GetParam().error);
  EXPECT_EQ(got.find('\n'), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(BadArguments, FunctionErrors, ::testing::ValuesIn(kGolden));

}  // namespace
}  // namespace stochos::lang
