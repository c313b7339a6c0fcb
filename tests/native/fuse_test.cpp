// Loop fusion in the native plan (Note [native fusion]): which producers are folded into their
// reader, and that fused plans compute what the reference arithmetic gives.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "backends/native/executable.hpp"
#include "backends/registry.hpp"
#include "graph/tensor.hpp"
#include "stochos/error.hpp"
#include "support/evaluate.hpp"

namespace stochos::backends::native {
namespace {

using namespace graph;
using testing::Values;

std::size_t steps(const std::vector<Tensor>& inputs, const std::vector<Tensor>& outputs) {
  std::vector<NodeId> in, out;
  for (const auto& t : inputs) in.push_back(t.id());
  for (const auto& t : outputs) out.push_back(t.id());
  return NativeExecutable(inputs.at(0).graph(), in, out).step_count();
}

std::vector<Values> run(const std::vector<Tensor>& inputs, const std::vector<Values>& values,
                        const std::vector<Tensor>& outputs) {
  return testing::evaluate(get_backend("native"), inputs, values, outputs, /*optimize=*/false);
}

const Values kA = {0.5, -1.25, 3.0};
const std::vector<double> kIdx = {2, 0, 1, 1, 2, 0, 0};
const Values kY = {1, 2, 3, 4, 5, 6, 7};

TEST(NativeFusion, GatherIsReadInPlaceByTheOpThatUsesIt) {
  for (bool gathered_first : {true, false}) {
    Graph g;
    Tensor a = input(g, "a", DType::f64, {3});
    Tensor y = input(g, "y", DType::f64, {7});
    Tensor ga = gather(a, constant(g, {7}, kIdx, DType::i64));
    Tensor r = gathered_first ? ga - y : y - ga;
    EXPECT_EQ(steps({a, y}, {r}), 1u);  // one fused step, no gathered copy
    const auto v = run({a, y}, {kA, kY}, {r});
    for (std::size_t i = 0; i < kY.size(); ++i) {
      const double ai = kA[static_cast<std::size_t>(kIdx[i])];
      EXPECT_EQ(v[0][i], gathered_first ? ai - kY[i] : kY[i] - ai) << i;
    }
  }
}

TEST(NativeFusion, GatherWithAScalarOperandAndInFloat32) {
  Graph g;
  Tensor a = input(g, "a", DType::f32, {3});
  Tensor s = input(g, "s", DType::f32, {});
  Tensor r = gather(a, constant(g, {7}, kIdx, DType::i64)) / s;
  EXPECT_EQ(steps({a, s}, {r}), 1u);
  const auto v = run({a, s}, {kA, {4.0}}, {r});
  for (std::size_t i = 0; i < kIdx.size(); ++i)
    EXPECT_EQ(v[0][i], static_cast<double>(
                           static_cast<float>(kA[static_cast<std::size_t>(kIdx[i])]) / 4.0f));
}

TEST(NativeFusion, AGatherReadTwiceOrReturnedIsStored) {
  Graph g;
  Tensor a = input(g, "a", DType::f64, {3});
  Tensor ga = gather(a, constant(g, {7}, kIdx, DType::i64));
  Tensor twice = ga * ga;
  EXPECT_EQ(steps({a}, {twice}), 2u);
  Tensor plus = ga + 1.0;
  EXPECT_EQ(steps({a}, {plus, ga}), 2u);
  const auto v = run({a}, {kA}, {twice, plus, ga});
  for (std::size_t i = 0; i < kIdx.size(); ++i) {
    const double ai = kA[static_cast<std::size_t>(kIdx[i])];
    EXPECT_EQ(v[0][i], ai * ai);
    EXPECT_EQ(v[1][i], ai + 1.0);
    EXPECT_EQ(v[2][i], ai);
  }
}

// Indices that are not constants stay with the checked gather: a bad index is an error, never a
// read outside the array.
TEST(NativeFusion, OnlyConstantInRangeIndicesAreFused) {
  Graph g;
  Tensor a = input(g, "a", DType::f64, {3});
  Tensor i = input(g, "i", DType::i64, {2});
  Tensor r = gather(a, i) + 1.0;
  EXPECT_EQ(steps({a, i}, {r}), 2u);
  EXPECT_THROW(run({a, i}, {kA, {0, 3}}, {r}), RuntimeError);
  // Constant indices out of range are refused when the graph is built.
  Graph h;
  Tensor b = input(h, "b", DType::f64, {3});
  EXPECT_THROW(gather(b, constant(h, {2}, {0, 5}, DType::i64)), InputError);
}

TEST(NativeFusion, SumAppliesAUnaryOpAsItAdds) {
  Graph g;
  Tensor x = input(g, "x", DType::f64, {2, 9});
  Tensor all = sum(square(x));
  Tensor rows = sum(log1p(exp(x)), 1, /*keepdims=*/true);
  EXPECT_EQ(steps({x}, {all}), 1u);
  EXPECT_EQ(steps({x}, {rows}), 2u);  // exp, then log1p fused into the sum
  Values xs(18);
  for (std::size_t k = 0; k < xs.size(); ++k) xs[k] = std::cos(1.7 * static_cast<double>(k));
  const auto v = run({x}, {xs}, {all, rows});
  double want_all = 0, want_rows[2] = {0, 0};
  for (std::size_t k = 0; k < xs.size(); ++k) {
    want_all += xs[k] * xs[k];
    want_rows[k / 9] += std::log1p(std::exp(xs[k]));
  }
  EXPECT_NEAR(v[0][0], want_all, 1e-14 * want_all);
  ASSERT_EQ(v[1].size(), 2u);
  for (int r = 0; r < 2; ++r) EXPECT_NEAR(v[1][r], want_rows[r], 1e-14 * std::abs(want_rows[r]));
}

TEST(NativeFusion, SumsOverOtherAxesAndEmptyArraysAreNotFused) {
  Graph g;
  Tensor x = input(g, "x", DType::f64, {2, 3});
  Tensor cols = sum(square(x), 0);
  EXPECT_EQ(steps({x}, {cols}), 2u);
  const auto v = run({x}, {{1, 2, 3, 4, 5, 6}}, {cols});
  EXPECT_EQ(v[0], (Values{17, 29, 45}));
  Graph h;
  Tensor e = input(h, "e", DType::f64, {3, 0});
  Tensor per_row = sum(exp(e), 1);
  const auto w = run({e}, {{}}, {per_row});
  EXPECT_EQ(w[0], (Values{0, 0, 0}));
}

// Scatter-adds of many values into few rows use split partial sums; the result is the same sum.
TEST(NativeFusion, ScatterAddIntoFewRows) {
  Graph g;
  Tensor x = input(g, "x", DType::f64, {1001});
  std::vector<double> idx(1001);
  Values xs(1001), want(7, 0.0);
  for (std::size_t k = 0; k < idx.size(); ++k) {
    idx[k] = static_cast<double>((k * 5) % 7);
    xs[k] = 1.0 / static_cast<double>(k + 1);
    want[static_cast<std::size_t>(idx[k])] += xs[k];
  }
  Tensor s = scatter_add(x, constant(g, {1001}, idx, DType::i64), 7);
  const auto v = run({x}, {xs}, {s});
  for (std::size_t r = 0; r < 7; ++r) EXPECT_NEAR(v[0][r], want[r], 1e-15 * want[r]) << r;
}

// Runs each output in a graph of its own, where nothing is fused with another output: the
// reference a multi-output step must reproduce bit for bit.
template <class Build>
std::vector<Values> separately(const Values& xs, std::size_t outputs, Build build) {
  std::vector<Values> want;
  for (std::size_t k = 0; k < outputs; ++k) {
    Graph g;
    Tensor x = input(g, "x", DType::f64, {static_cast<std::int64_t>(xs.size())});
    want.push_back(run({x}, {xs}, {build(x).at(k)})[0]);
  }
  return want;
}

void expect_same_bits(const std::vector<Values>& got, const std::vector<Values>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t k = 0; k < got.size(); ++k) {
    ASSERT_EQ(got[k].size(), want[k].size()) << k;
    for (std::size_t i = 0; i < got[k].size(); ++i) {
      if (std::isnan(got[k][i]) && std::isnan(want[k][i])) continue;
      EXPECT_EQ(got[k][i], want[k][i]) << "output " << k << " element " << i;
    }
  }
}

TEST(NativeFusion, TheExpFamilyOfOneArrayIsOneStep) {
  const double inf = std::numeric_limits<double>::infinity();
  Values xs = {0.0,   -0.0,  1e-300, -3.5, 2.25, 40.0,
               -40.0, 800.0, -800.0, inf,  -inf, std::numeric_limits<double>::quiet_NaN()};
  for (int k = 0; k < 300; ++k) xs.push_back(std::sin(0.37 * k) * 30.0);  // past one chunk
  auto build = [](const Tensor& x) {
    return std::vector<Tensor>{softplus(x), sigmoid(x),   log_sigmoid(x),
                               sigmoid(-x), softplus(-x), log_sigmoid(-x)};
  };
  Graph g;
  Tensor x = input(g, "x", DType::f64, {static_cast<std::int64_t>(xs.size())});
  const auto outs = build(x);
  EXPECT_EQ(steps({x}, outs), 1u);  // one exponential per element; neg(x) never stored
  expect_same_bits(run({x}, {xs}, outs), separately(xs, outs.size(), build));
}

TEST(NativeFusion, ABernoulliLikelihoodAndItsGradientShareTheFamily) {
  // x log sigmoid(l) + (1 - x) log sigmoid(-l), and its derivative x sigmoid(-l) - (1 - x)
  // sigmoid(l): the four family members of l in one step, beside the arithmetic.
  Values ls(50);
  for (std::size_t k = 0; k < ls.size(); ++k) ls[k] = 0.8 * static_cast<double>(k) - 20.0;
  Graph g;
  Tensor l = input(g, "l", DType::f64, {50});
  Tensor y = constant(g, {50}, std::vector<double>(50, 1.0));
  Tensor lp = sum(y * log_sigmoid(l) + (1.0 - y) * log_sigmoid(-l));
  Tensor d = y * sigmoid(-l) - (1.0 - y) * sigmoid(l);
  // One family step (neg(l) absorbed) where there would be five; the two products and the sum
  // of their sum (a row sink); the gradient's two products and their difference.
  EXPECT_EQ(steps({l}, {lp, d}), 7u);
  const auto v = run({l}, {ls}, {lp, d});
  double want = 0;
  for (std::size_t k = 0; k < ls.size(); ++k) {
    want += -std::log1p(std::exp(-ls[k]));
    EXPECT_NEAR(v[1][k], 1.0 / (1.0 + std::exp(ls[k])), 1e-15) << k;
  }
  EXPECT_NEAR(v[0][0], want, 1e-12 * std::abs(want));
}

TEST(NativeFusion, AFamilyOfFewElementsOrOneMemberIsNotGrouped) {
  Graph g;
  Tensor x = input(g, "x", DType::f64, {7});
  EXPECT_EQ(steps({x}, {softplus(x), sigmoid(x)}), 2u);  // the scalar loop is cheaper below 8
  Graph h;
  Tensor z = input(h, "z", DType::f64, {9});
  EXPECT_EQ(steps({z}, {sigmoid(z), exp(z)}), 2u);
}

// The hierarchical likelihood's pass: the residual against a gathered mean, its sum of squares
// and its scatter-add into the groups, as one loop that never stores the residual.
TEST(NativeFusion, RowSinksWriteTheSumAndTheScatterInOneLoop) {
  for (std::int64_t rows : {3, 700}) {  // few rows: split partial sums; many: one array
    const std::int64_t n = 1003;
    std::vector<double> idx(static_cast<std::size_t>(n));
    Values ys(static_cast<std::size_t>(n)), as(static_cast<std::size_t>(rows));
    for (std::int64_t k = 0; k < n; ++k) {
      idx[static_cast<std::size_t>(k)] = static_cast<double>((k * 7 + 3) % rows);
      ys[static_cast<std::size_t>(k)] = std::cos(0.1 * static_cast<double>(k));
    }
    for (std::int64_t r = 0; r < rows; ++r) as[static_cast<std::size_t>(r)] = 0.01 * r - 0.5;
    auto build = [&](Graph& g, bool keep_residual) {
      Tensor a = input(g, "a", DType::f64, {rows});
      Tensor i = constant(g, {n}, idx, DType::i64);
      Tensor r = constant(g, {n}, ys) - gather(a, i);
      std::vector<Tensor> out = {a, sum(square(r)), scatter_add(r, i, rows)};
      if (keep_residual) out.push_back(r);  // an output is stored: no row sinks
      return out;
    };
    Graph g, h;
    const auto f = build(g, false), u = build(h, true);
    EXPECT_EQ(steps({f[0]}, {f[1], f[2]}), 1u);
    EXPECT_EQ(steps({u[0]}, {u[1], u[2], u[3]}), 3u);
    const auto got = run({f[0]}, {as}, {f[1], f[2]});
    auto want = run({u[0]}, {as}, {u[1], u[2], u[3]});
    want.pop_back();
    expect_same_bits(got, want);
  }
}

TEST(NativeFusion, RowSinksTakeWholeAndScalarOperandsAndEitherSink) {
  Values xs(37);
  for (std::size_t k = 0; k < xs.size(); ++k) xs[k] = 0.5 * std::sin(static_cast<double>(k));
  std::vector<double> idx(37);
  for (std::size_t k = 0; k < idx.size(); ++k) idx[k] = static_cast<double>(k % 4);
  auto build = [&](const Tensor& x) {
    Graph& g = x.graph();
    Tensor i = constant(g, {37}, idx, DType::i64);
    Tensor w = constant(g, {37}, xs);
    return std::vector<Tensor>{sum(x * w), scatter_add(2.0 / x, i, 4), sum(square(x - 1.5))};
  };
  Graph g;
  Tensor x = input(g, "x", DType::f64, {37});
  const auto outs = build(x);
  EXPECT_EQ(steps({x}, outs), 3u);  // each a loop of its own, no stored intermediate
  Values x1(37);
  for (std::size_t k = 0; k < x1.size(); ++k) x1[k] = 1.0 + 0.1 * static_cast<double>(k);
  expect_same_bits(run({x}, {x1}, outs), separately(x1, outs.size(), build));
}

TEST(NativeFusion, AProducerWithAnotherReaderIsStored) {
  Graph g;
  Tensor x = input(g, "x", DType::f64, {20});
  Tensor r = x - 1.0;
  Tensor s = sum(r);
  Tensor e = exp(r);  // not a sink: r is stored, and the sum reads it
  EXPECT_EQ(steps({x}, {s, e}), 3u);
}

}  // namespace
}  // namespace stochos::backends::native
