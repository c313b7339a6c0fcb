// Recurrences in the language (Note [recurrences] in lang/recurrence.hpp): the arrays a loop
// defines against the same recurrence written as a C++ loop, at random points; the gradient
// through them against central differences; and a located, exact message for each malformed
// recurrence.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "io/data.hpp"
#include "lang/lang.hpp"
#include "stochos/error.hpp"
#include "stochos/model.hpp"

namespace stochos::lang {
namespace {

const char* kData = R"({"T": 6, "y": [0.5, -1.25, 2.0, 0.75, -0.5, 1.5]})";

using Values = std::map<std::string, std::vector<double>>;

// The model's variables (free and deterministic) at `points` random points, with the point.
struct Evaluated {
  std::vector<double> theta;
  Values v;
};
std::vector<Evaluated> evaluate(const std::string& src, int points = 4) {
  const auto m = build(parse(src, "m.stoch"), io::parse_data(kData, "d.json"));
  const auto values = m->compile_values({.backend = "native"});
  const auto dim = m->compile({.backend = "native"}).dim();
  auto w = values.make_workspace();
  std::mt19937_64 rng(5);
  std::uniform_real_distribution<double> u(-1, 1);
  std::vector<Evaluated> out;
  for (int p = 0; p < points; ++p) {
    Evaluated e;
    e.theta.resize(static_cast<std::size_t>(dim));
    for (double& t : e.theta) t = u(rng);
    std::vector<double> all(static_cast<std::size_t>(values.size()));
    values(*w, e.theta.data(), all.data());
    for (const auto& var : values.variables()) {
      const auto begin = all.begin() + var.offset;
      e.v[var.name] = {begin, begin + static_cast<std::ptrdiff_t>(graph::numel(var.shape))};
    }
    out.push_back(std::move(e));
  }
  return out;
}

std::vector<double> data_y() {
  return io::parse_data(kData, "d.json").at("y").values;
}

void expect_array(const std::vector<double>& got, const std::vector<double>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t k = 0; k < want.size(); ++k)
    EXPECT_NEAR(got[k], want[k], 1e-12 * (1 + std::abs(want[k]))) << "at [" << k << "]";
}

// The log density's gradient at x against central differences of the density.
void expect_gradient_matches_differences(const model::Model& m, const std::vector<double>& x) {
  const auto logp = m.compile({.backend = "native"});
  auto w = logp.make_workspace();
  const auto n = static_cast<std::size_t>(logp.dim());
  ASSERT_EQ(n, x.size());
  std::vector<double> g(n), scratch(n);
  logp(*w, x.data(), g.data());
  for (std::size_t k = 0; k < n; ++k) {
    const double h = 1e-6;
    auto xp = x, xm = x;
    xp[k] += h;
    xm[k] -= h;
    const double fd =
        (logp(*w, xp.data(), scratch.data()) - logp(*w, xm.data(), scratch.data())) / (2 * h);
    EXPECT_NEAR(g[k], fd, 1e-6 * (1 + std::abs(fd))) << "coordinate " << k;
  }
}

TEST(Recurrence, GarchVarianceMatchesTheLoop) {
  const auto points = evaluate(R"(
data T: int
data y: real[T]
a0 ~ HalfNormal(1)
a1 ~ Uniform(0, 1)
b1 ~ Uniform(0, 1 - a1)
s2[0] = 0.8
s2[t] = a0 + a1 * (y[t-1] - 0.25) ** 2 + b1 * s2[t-1]   for t in 1:T
)");
  const auto y = data_y();
  for (const auto& p : points) {
    const double a0 = p.v.at("a0")[0], a1 = p.v.at("a1")[0], b1 = p.v.at("b1")[0];
    std::vector<double> want{0.8};
    for (std::size_t t = 1; t < y.size(); ++t)
      want.push_back(a0 + a1 * (y[t - 1] - 0.25) * (y[t - 1] - 0.25) + b1 * want.back());
    expect_array(p.v.at("s2"), want);
  }
}

TEST(Recurrence, SecondOrderLagsFutureSequencesAndTheIndex) {
  // x reads two lags; y is read ahead (t + 1) and behind; t itself is a value.
  const auto points = evaluate(R"(
data T: int
data y: real[T]
a ~ Normal(0, 1)
b ~ Normal(0, 1)
x[0] = 1
x[1] = a
x[t] = a * x[t-1] + b * x[t-2] + y[t+1] - y[t-2] + 0.5 * t   for t in 2:T-1
)");
  const auto y = data_y();
  for (const auto& p : points) {
    const double a = p.v.at("a")[0], b = p.v.at("b")[0];
    std::vector<double> want{1, a};
    for (std::size_t t = 2; t + 1 < y.size(); ++t)
      want.push_back(a * want[t - 1] + b * want[t - 2] + y[t + 1] - y[t - 2] + 0.5 * t);
    expect_array(p.v.at("x"), want);
  }
}

TEST(Recurrence, ArraysOfOneLoopReadEachOtherStepByStep) {
  // A Kalman filter for a local level: the mean m and variance P read each other at t-1, the
  // innovation variance F is read at t by a later line and carries nothing.
  const auto points = evaluate(R"(
data T: int
data y: real[T]
q ~ HalfNormal(1)
r ~ HalfNormal(1)
let m[0] = 0
P[0] = 2
F[0] = 2 + r
P[t] = P[t-1] * r / (P[t-1] + r) + q                  for t in 1:T
F[t] = P[t] + r                                       for t in 1:T
let m[t] = m[t-1] + P[t-1] / F[t-1] * (y[t-1] - m[t-1])   for t in 1:T
F_again = F
)");
  const auto y = data_y();
  for (const auto& p : points) {
    const double q = p.v.at("q")[0], r = p.v.at("r")[0];
    std::vector<double> m{0}, P{2}, F{2 + r};
    for (std::size_t t = 1; t < y.size(); ++t) {
      P.push_back(P[t - 1] * r / (P[t - 1] + r) + q);
      F.push_back(P[t] + r);
      m.push_back(m[t - 1] + P[t - 1] / F[t - 1] * (y[t - 1] - m[t - 1]));
    }
    expect_array(p.v.at("P"), P);
    expect_array(p.v.at("F"), F);
    expect_array(p.v.at("F_again"), F);
    EXPECT_EQ(p.v.count("m"), 0u);  // a let
  }
}

TEST(Recurrence, VectorStatesAndARangeFromZero) {
  // A vector state, and a loop from 0 with no start values (no lags).
  const auto points = evaluate(R"(
data T: int
data y: real[T]
w ~ Normal(0, 1, shape=2)
h[0] = [0.5, -0.5]
h[t] = tanh(w * h[t-1] + y[t])                         for t in 1:T
z[t] = sum(h[t]) * y[t] + t + (2 * y)[t]               for t in 0:T
)");
  const auto y = data_y();
  for (const auto& p : points) {
    const auto& w = p.v.at("w");
    std::vector<double> h{0.5, -0.5}, z;
    for (std::size_t t = 1; t < y.size(); ++t)
      for (std::size_t k = 0; k < 2; ++k) h.push_back(std::tanh(w[k] * h[2 * (t - 1) + k] + y[t]));
    for (std::size_t t = 0; t < y.size(); ++t)
      z.push_back((h[2 * t] + h[2 * t + 1]) * y[t] + static_cast<double>(t) + 2 * y[t]);
    expect_array(p.v.at("h"), h);
    expect_array(p.v.at("z"), z);
  }
}

TEST(Recurrence, GradientOfADensityThroughARecurrenceMatchesDifferences) {
  const auto m = build(parse(R"(
data T: int
data y: real[T]
mu ~ Normal(0, 1)
phi ~ Uniform(-1, 1)
theta ~ Uniform(-1, 1)
sigma ~ HalfNormal(1)
let e[0] = y[0] - mu - phi * mu
let e[t] = y[t] - mu - phi * y[t-1] - theta * e[t-1]   for t in 1:T
potential arma = sum(-0.5 * square(e / sigma) - log(sigma))
)",
                             "m.stoch"),
                       io::parse_data(kData, "d.json"));
  expect_gradient_matches_differences(*m, {0.3, -0.4, 0.2, 0.1});
}

TEST(Recurrence, GradientReachesSequencesThatAreVariables) {
  // A non-centred AR(1) state: the innovations z are a variable read at t, the coefficients a
  // vector read through an index, and `where` on t switches the scale half-way.
  const auto m = build(parse(R"(
data T: int
data y: real[T]
z ~ Normal(0, 1, shape=T)
phi ~ Uniform(-1, 1)
s ~ HalfNormal(1, shape=2)
let h[0] = s[0] * z[0]
let h[t] = phi * h[t-1] + where(t < 3, s[0], s[1]) * z[t]   for t in 1:T
y ~ Normal(h, 0.5)
)",
                             "m.stoch"),
                       io::parse_data(kData, "d.json"));
  std::mt19937_64 rng(9);
  std::uniform_real_distribution<double> u(-1, 1);
  std::vector<double> x(static_cast<std::size_t>(m->compile({.backend = "native"}).dim()));
  for (double& v : x) v = u(rng);
  expect_gradient_matches_differences(*m, x);
}

TEST(Recurrence, TheCppApiBuildsTheSameDensity) {
  // GARCH(1, 1) through stochos::scan and through the language: one log density.
  const char* src = R"(
data T: int
data y: real[T]
mu ~ Normal(0, 10)
alpha0 ~ HalfNormal(1)
alpha1 ~ Uniform(0, 1)
beta1 ~ Uniform(0, 1 - alpha1)
let s2[0] = 0.8
let s2[t] = alpha0 + alpha1 * (y[t-1] - mu) ** 2 + beta1 * s2[t-1]   for t in 1:T
y ~ Normal(mu, sqrt(s2))
)";
  const auto from_lang = build(parse(src, "m.stoch"), io::parse_data(kData, "d.json"));
  const std::vector<double> y = data_y();
  const auto t = static_cast<std::int64_t>(y.size());
  Model m;
  auto mu = m.rv("mu", Normal(0, 10));
  auto alpha0 = m.rv("alpha0", HalfNormal(1));
  auto alpha1 = m.rv("alpha1", Uniform(0, 1));
  auto beta1 = m.rv("beta1", Uniform(0, 1 - alpha1));
  Tensor ys = graph::constant(m.graph(), Shape{t}, y);
  Tensor start = graph::constant(m.graph(), 0.8);
  const ScanResult r = scan(
      [&](const ScanArgs& a) -> ScanStep {
        Tensor d = a.sequences[0] - a.capture(mu);
        return {{a.capture(alpha0) + a.capture(alpha1) * d * d + a.capture(beta1) * a.carries[0]},
                {}};
      },
      std::vector<Tensor>{start}, std::vector<Tensor>{graph::slice(ys, 0, 0, t - 1)}, {});
  Tensor s2 = graph::concat({graph::reshape(start, {1}), r.carries[0]}, 0);
  m.observe("y", Normal(mu, graph::sqrt(s2)), y, {t});

  const auto a = from_lang->compile({.backend = "native"}), b = m.compile({.backend = "native"});
  ASSERT_EQ(a.dim(), b.dim());
  auto wa = a.make_workspace();
  auto wb = b.make_workspace();
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> u(-1, 1);
  const auto n = static_cast<std::size_t>(a.dim());
  for (int point = 0; point < 4; ++point) {
    std::vector<double> x(n), ga(n), gb(n);
    for (double& v : x) v = u(rng);
    EXPECT_NEAR(a(*wa, x.data(), ga.data()), b(*wb, x.data(), gb.data()), 1e-12);
    for (std::size_t k = 0; k < n; ++k) EXPECT_NEAR(ga[k], gb[k], 1e-10);
  }
}

struct Golden {
  const char* source;
  const char* error;  // the expected message, exactly
};

const char* kHead = "data T: int\ndata y: real[T]\nmu ~ Normal(0, 1)\n";

const Golden kGolden[] = {
    // A missing start value, and a lag reaching before x[0].
    {"let x[t] = x[t-1] + mu for t in 1:T\n",
     "m.stoch:4:5: error: missing start value: x[t] for t in 1:6 starts at 1, so x[0] needs a "
     "value first: `let x[0] = ...`"},
    {"let x[t] = x[t-1] + mu for t in 0:T\n",
     "m.stoch:4:14: error: x[t - 1] at t = 0 reads x[-1], before its first value: give start "
     "values (`let x[0] = ...`) and start the range at 1 or later"},
    {"x[0] = 0\nx[t] = x[t-2] + mu for t in 1:T\n",
     "m.stoch:5:10: error: x[t - 2] at t = 1 reads x[-1], before its first value: give start "
     "values (`x[0] = ...`) and start the range at 2 or later"},
    // References to the future.
    {"let x[0] = 0\nlet x[t] = x[t+1] + mu for t in 1:T\n",
     "m.stoch:5:14: error: x[t + 1] reads the future: a recurrence reads its arrays at t or "
     "before"},
    {"let x[0] = 0\nlet x[t] = x[t] + mu for t in 1:T\n",
     "m.stoch:5:14: error: x[t] is what this line defines; read its past, x[t - 1]"},
    {"let x[0] = 0\nlet z[0] = 0\nlet x[t] = z[t] + x[t-1] for t in 1:T\n"
     "let z[t] = x[t-1] for t in 1:T\n",
     "m.stoch:6:14: error: z[t] reads the future: z[t] is defined on a later line (line 7); move "
     "that line above this one"},
    // Sequences read outside their array.
    {"let x[0] = 0\nlet x[t] = y[t+1] + x[t-1] for t in 1:T\n",
     "m.stoch:5:14: error: y[t + 1] at t = 5 reads y[6], past its end (y has length 6)"},
    {"let x[0] = 0\nlet x[t] = y[t-2] + x[t-1] for t in 1:T\n",
     "m.stoch:5:14: error: y[t - 2] at t = 1 reads y[-1], before its start; start the range at 2 "
     "or later"},
    // Wrong ranges.
    {"let x[0] = 0\nlet x[t] = y[t] + x[t-1] for t in 1:T+1\n",
     "m.stoch:5:14: error: y[t] at t = 6 reads y[6], past its end (y has length 6)"},
    {"let x[0] = 0\nlet x[t] = x[t-1] for t in 3:1\n",
     "m.stoch:5:30: error: the range 3:1 ends before it starts (`for t in START:STOP` runs START, "
     "..., STOP - 1)"},
    {"let x[0] = 0\nlet x[t] = x[t-1] for t in 1:mu\n",
     "m.stoch:5:30: error: a recurrence's range must be integers known when the model is built"},
    {"let x[0] = 0\nlet x[t] = x[t-1] for t in -1:T\n",
     "m.stoch:5:28: error: a recurrence's range must not start below 0"},
    // Start values that do not fit the range.
    {"let x[0] = 0\nlet x[1] = 0\nlet x[t] = x[t-1] for t in 1:T\n",
     "m.stoch:5:1: error: 'x[1]' is given a start value, but the recurrence on line 6 defines "
     "x[t] for t in 1:6"},
    {"let x[0] = 0\n",
     "m.stoch:4:1: error: 'x[0]' is a start value, but no recurrence follows: `let x[t] = ... for "
     "t in 1:N` defines the rest"},
    {"let x[0] = 0\nlet x[0] = 1\n", "m.stoch:5:5: error: 'x[0]' is already defined"},
    {"let x[mu] = 0\n",
     "m.stoch:4:7: error: a start value's index must be an integer known when the model is built "
     "(a recurrence's line ends with `for mu in 1:T`)"},
    {"let x[-1] = 0\n", "m.stoch:4:7: error: a start value's index must not be negative"},
    {"let x[0] = zeros(2)\nlet x[t] = x[t-1] + ones(3) for t in 1:T\n",
     "m.stoch:5:19: error: add: shapes do not broadcast (inputs: float64[2], float64[3])"},
    {"let x[0] = 0\nlet x[t] = x[t-1] + ones(2) for t in 1:T\n",
     "m.stoch:5:1: error: x[t] has shape [2] but its start values have shape []"},
    // The shape of a line.
    {"let x[0] = 0\nx[t] = x[t-1] for t in 1:T\n",
     "m.stoch:5:1: error: 'x' has start values written with `let`; write all of an array's lines "
     "alike"},
    {"let x[0] = 0\nlet x[s] = x[t-1] for t in 1:T\n",
     "m.stoch:5:7: error: a recurrence's line defines x[t] (the index of its `for` clause), not "
     "x[s]"},
    {"let x = mu for t in 1:T\n",
     "m.stoch:4:12: error: a recurrence defines elements: `let x[t] = ... for t in ...`"},
    {"y ~ Normal(0, 1) for t in 1:T\n",
     "m.stoch:4:18: error: `for` ends a recurrence's line only: `let x[t] = ... for t in 1:T`"},
    {"x[t] ~ Normal(0, 1) for t in 1:T\n",
     "m.stoch:4:6: error: a random variable is declared whole, `x ~ Dist(...)`; only a `let` or a "
     "deterministic defines elements"},
    {"let x[0] = 0\nlet x[t] = x[t-1] for t 1:T\n",
     "m.stoch:5:25: error: expected 'in' after `for t`, found '1'"},
    {"let x[0] = 0\nlet x[t] = x[t-1] for t in 1\n",
     "m.stoch:5:29: error: expected ':' between the range's start and stop (`for t in 1:T`), "
     "found the end of the line"},
    {"let x[0, 1] = 0\n",
     "m.stoch:4:8: error: a recurrence defines one element at a time: `x[t] = ...`"},
    // Names.
    {"let x[0] = 0\nlet x[t] = x[t-1] + mu for mu in 1:T\n",
     "m.stoch:5:28: error: 'mu' is already defined; name the recurrence's index otherwise"},
    {"let x[0] = 0\nlet x[t] = x + mu for t in 1:T\n",
     "m.stoch:5:12: error: inside its loop, 'x' is read at a step: x[t - 1]"},
    {"let x[0] = 0\nlet x[t] = x[2 * t] + mu for t in 1:T\n",
     "m.stoch:5:14: error: inside its loop, 'x' is read at a step minus a constant, x[t - 1], not "
     "at 2 * t"},
    {"let x[0] = 0\nlet w = x\n",
     "m.stoch:5:9: error: 'x' is defined by a recurrence below; before it, only its start values "
     "can be read (x[0], ...)"},
    {"let x[0] = 0\nlet x[t] = x[t-1] + mu for t in 1:T\nlet x[1] = 2\n",
     "m.stoch:6:5: error: 'x' is already defined"},
    {"let z[0] = 0\nlet x[0] = 0\nlet x[t] = x[t-1] + z[t-1] for t in 1:T\n"
     "let z[t] = z[t-1] for t in 1:5\n",
     "m.stoch:6:23: error: 'z' is defined by a recurrence of another loop; put its line with the "
     "same `for` clause next to this one"},
    {"let x[0] = 0\nlet x[t] = x[t-1] + z[t-1] for t in 1:T\nlet z[t] = mu for t in 0:T\n",
     "m.stoch:5:21: error: 'z' is used before it is defined (on line 6); a name is defined before "
     "its use"},
    {"let x[0] = 0\nlet x[t] = x[t-1] + mu[t] for t in 1:T\n",
     "m.stoch:5:24: error: 'mu' is a scalar; it has no element mu[t]"},
};

class RecurrenceErrors : public ::testing::TestWithParam<Golden> {};

TEST_P(RecurrenceErrors, FirstLineIsExact) {
  std::string got = "(no error)";
  try {
    build(parse(std::string(kHead) + GetParam().source, "m.stoch"),
          io::parse_data(kData, "d.json"));
  } catch (const InputError& e) {
    got = e.what();
  }
  EXPECT_EQ(got, GetParam().error);
}

INSTANTIATE_TEST_SUITE_P(Malformed, RecurrenceErrors, ::testing::ValuesIn(kGolden));

}  // namespace
}  // namespace stochos::lang
