// Loop fusion in the native plan (Note [native fusion]): which producers are folded into their
// reader, and that fused plans compute what the reference arithmetic gives.
#include <gtest/gtest.h>

#include <cmath>
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

}  // namespace
}  // namespace stochos::backends::native
