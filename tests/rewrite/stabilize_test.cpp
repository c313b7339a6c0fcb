// stabilize: each rule's structure; values equal to the source where the source is accurate,
// and accurate where the source is not (the extremes each rule exists for).
#include <cmath>
#include <numbers>

#include "rewrite_test_util.hpp"

namespace stochos::rewrite::test {
namespace {

// Ordinary points, where source and rewrite agree to a few ulps.
constexpr double kRel = 1e-14;

TEST(RewriteStabilize, LogOfOnePlusIsLog1p) {
  Graph g;
  Tensor x = input(g, "x", DType::f64, {5});
  Tensor a = log(1.0 + x), b = log(x + 1.0);
  const Rewritten r = run_pass(&stabilize, {a, b});
  EXPECT_EQ(count(r, Op::log1p), 1);
  EXPECT_EQ(count(r, Op::log), 0);
  EXPECT_EQ(count(r, Op::add), 0);
  expect_preserved(r, {x}, {{-0.5, 0.25, 3, 1e6, 1e300}}, {a, b}, kRel);
  // Below the ulp of 1 the source rounds 1 + x to 1 and returns 0.
  const Values tiny = {1e-20, -1e-20, 1e-300, 2e-17, -3e-17};
  EXPECT_EQ(before({x}, {tiny}, {a})[0], Values(5, 0.0));
  const auto v = after(r, {x}, {tiny});
  for (std::size_t i = 0; i < tiny.size(); ++i)
    EXPECT_PRED3(close, v[0][i], std::log1p(tiny[i]), 0);
}

TEST(RewriteStabilize, LogOfOnePlusALargerConstantBroadcasts) {
  Graph g;
  Tensor x = input(g, "x", DType::f64, {3});
  Tensor y = log(x + graph::full(g, {2, 3}, 1.0));
  const Rewritten r = run_pass(&stabilize, {y});
  EXPECT_EQ(count(r, Op::log1p), 1);
  EXPECT_EQ(r.graph->node(r.outputs[0]).op, Op::broadcast_to);
  expect_preserved(r, {x}, {{-0.5, 2, 10}}, {y}, kRel);
}

TEST(RewriteStabilize, LogOfOneMinusIsLog1pOfTheNegation) {
  Graph g;
  Tensor x = input(g, "x", DType::f64, {4});
  Tensor y = log(1.0 - x);
  const Rewritten r = run_pass(&stabilize, {y});
  EXPECT_EQ(count(r, Op::log1p), 1);
  EXPECT_EQ(count(r, Op::sub), 0);
  expect_preserved(r, {x}, {{-3, 0.25, 0.5, 0.9}}, {y}, kRel);
  EXPECT_EQ(before({x}, {{1e-20, 0, 0, 0}}, {y})[0][0], 0.0);
  EXPECT_EQ(after(r, {x}, {{1e-20, 0, 0, 0}})[0][0], -1e-20);
}

TEST(RewriteStabilize, LogOfSigmoidIsLogSigmoid) {
  Graph g;
  Tensor x = input(g, "x", DType::f64, {5});
  Tensor y = log(sigmoid(x));
  const Rewritten r = run_pass(&stabilize, {y});
  EXPECT_EQ(count(r, Op::log_sigmoid), 1);
  EXPECT_EQ(count(r, Op::sigmoid) + count(r, Op::log), 0);
  expect_preserved(r, {x}, {{-30, -1, 0, 2, 800}}, {y}, kRel);
  // sigmoid(-800) underflows to 0 and its log is -inf; log_sigmoid(-800) is -800.
  EXPECT_EQ(before({x}, {{-800, 0, 0, 0, 0}}, {y})[0][0], -INFINITY);
  const auto v = after(r, {x}, {{-800, -1e5, -40, 40, 1e5}});
  EXPECT_PRED3(close, v[0][0], -800, 1e-15);
  EXPECT_PRED3(close, v[0][1], -1e5, 1e-15);
  EXPECT_PRED3(close, v[0][2], -40 - std::log1p(std::exp(-40.0)), 1e-15);
  EXPECT_PRED3(close, v[0][3], -std::exp(-40.0), 1e-12);  // -log1p(e^-40), not 0
  EXPECT_EQ(v[0][4], -0.0);
}

TEST(RewriteStabilize, OneMinusSigmoidIsSigmoidOfTheNegation) {
  Graph g;
  Tensor x = input(g, "x", DType::f64, {4});
  Tensor y = 1.0 - sigmoid(x);
  const Rewritten r = run_pass(&stabilize, {y});
  EXPECT_EQ(count(r, Op::sub), 0);
  EXPECT_EQ(count(r, Op::sigmoid), 1);
  expect_preserved(r, {x}, {{-5, 0, 0.5, 3}}, {y}, 1e-13);
  EXPECT_EQ(before({x}, {{40, 0, 0, 0}}, {y})[0][0], 0.0);
  EXPECT_PRED3(close, after(r, {x}, {{40, 0, 0, 0}})[0][0], std::exp(-40.0), 1e-14);
}

TEST(RewriteStabilize, LogOfOneMinusSigmoidIsLogSigmoidOfTheNegation) {
  Graph g;
  Tensor x = input(g, "x", DType::f64, {4});
  Tensor y = log(1.0 - sigmoid(x));
  const Rewritten r = run_pass(&stabilize, {y});
  EXPECT_EQ(count(r, Op::log_sigmoid), 1);
  EXPECT_EQ(count(r, Op::log) + count(r, Op::log1p) + count(r, Op::sigmoid), 0);
  expect_preserved(r, {x}, {{-5, 0, 0.5, 3}}, {y}, 1e-13);
  EXPECT_EQ(before({x}, {{800, 40, 0, 0}}, {y})[0][0], -INFINITY);
  const auto v = after(r, {x}, {{800, 40, 0, 0}});
  EXPECT_PRED3(close, v[0][0], -800, 1e-15);
  EXPECT_PRED3(close, v[0][1], -40 - std::log1p(std::exp(-40.0)), 1e-15);
}

TEST(RewriteStabilize, Log1pOfMinusSigmoidIsLogSigmoidOfTheNegation) {
  Graph g;
  Tensor x = input(g, "x", DType::f64, {3});
  Tensor y = log1p(-sigmoid(x));
  const Rewritten r = run_pass(&stabilize, {y});
  EXPECT_EQ(count(r, Op::log_sigmoid), 1);
  EXPECT_EQ(count(r, Op::log1p), 0);
  expect_preserved(r, {x}, {{-5, 0, 3}}, {y}, 1e-13);
  EXPECT_PRED3(close, after(r, {x}, {{800, 0, 0}})[0][0], -800, 1e-15);
}

TEST(RewriteStabilize, LogOfExpIsX) {
  Graph g;
  Tensor x = input(g, "x", DType::f64, {4});
  Tensor y = log(exp(x));
  const Rewritten r = run_pass(&stabilize, {y});
  EXPECT_EQ(r.outputs[0], r.inputs[0]);
  expect_preserved(r, {x}, {{-3, 0, 0.5, 20}}, {y}, kRel);
  EXPECT_EQ(before({x}, {{800, -800, 0, 0}}, {y})[0][0], INFINITY);
  EXPECT_EQ(after(r, {x}, {{800, -800, 0, 0}})[0], (Values{800, -800, 0, 0}));
}

TEST(RewriteStabilize, ExpOfLogIsKeptBecauseItIsNaNBelowZero) {
  Graph g;
  Tensor x = input(g, "x", DType::f64, {3});
  Tensor y = exp(log(x));
  for (Pass pass : {&stabilize, &simplify, &optimize}) {
    const Rewritten r = run_pass(pass, {y});
    EXPECT_EQ(count(r, Op::exp), 1);
    EXPECT_EQ(count(r, Op::log), 1);
    expect_preserved(r, {x}, {{-1, 0, 2}}, {y});
    EXPECT_TRUE(std::isnan(after(r, {x}, {{-1, 0, 2}})[0][0]));
  }
}

TEST(RewriteStabilize, LogOfSumOfExpIsLogSumExpOverAllAxes) {
  Graph g;
  Tensor x = input(g, "x", DType::f64, {4});
  Tensor y = log(sum(exp(x)));
  const Rewritten r = run_pass(&stabilize, {y});
  EXPECT_EQ(count(r, Op::logsumexp), 1);
  EXPECT_EQ(count(r, Op::exp) + count(r, Op::log) + count(r, Op::sum), 0);
  expect_preserved(r, {x}, {{-2, 0, 1.5, 3}}, {y}, kRel);
  const Values big = {1000, 1000, 999, -INFINITY};
  EXPECT_EQ(before({x}, {big}, {y})[0][0], INFINITY);
  EXPECT_PRED3(close, after(r, {x}, {big})[0][0], 1000 + std::log(2 + std::exp(-1.0)), 1e-15);
  const Values small = {-1000, -1001, -INFINITY, -INFINITY};
  EXPECT_EQ(before({x}, {small}, {y})[0][0], -INFINITY);
  EXPECT_PRED3(close, after(r, {x}, {small})[0][0], -1000 + std::log1p(std::exp(-1.0)), 1e-15);
}

TEST(RewriteStabilize, LogOfSumOfExpOverOneAxisKeepsAxisAndKeepdims) {
  Graph g;
  Tensor x = input(g, "x", DType::f64, {2, 3});
  Tensor a = log(sum(exp(x), 1, true)), b = log(sum(exp(x), 0));
  const Rewritten r = run_pass(&stabilize, {a, b});
  EXPECT_EQ(count(r, Op::logsumexp), 2);
  EXPECT_EQ(count(r, Op::exp), 0);
  for (NodeId o : r.outputs) EXPECT_EQ(r.graph->node(o).op, Op::logsumexp);
  EXPECT_EQ(r.graph->node(r.outputs[0]).attrs.ints, (std::vector<std::int64_t>{1, 1}));
  EXPECT_EQ(r.graph->node(r.outputs[1]).attrs.ints, (std::vector<std::int64_t>{0, 0}));
  expect_preserved(r, {x}, {{-1, 0, 1, 2, 3, 4}}, {a, b}, kRel);
  const auto v = after(r, {x}, {{800, 800, 800, -800, -800, 0}});
  EXPECT_PRED3(close, v[0][0], 800 + std::log(3.0), 1e-15);
  EXPECT_EQ(v[0][1], 0.0);  // log(2 e^-800 + e^0)
  EXPECT_EQ(v[1], (Values{800, 800, 800}));
}

TEST(RewriteStabilize, LogOfOnePlusExpIsSoftplus) {
  Graph g;
  Tensor x = input(g, "x", DType::f64, {4});
  Tensor a = log(1.0 + exp(x)), b = log(exp(x) + 1.0), c = log1p(exp(x));
  const Rewritten r = run_pass(&stabilize, {a, b, c});
  EXPECT_EQ(count(r, Op::softplus), 1);
  EXPECT_EQ(count(r, Op::exp) + count(r, Op::log) + count(r, Op::log1p), 0);
  expect_preserved(r, {x}, {{-3, 0, 0.5, 20}}, {a, b, c}, kRel);
  const Values ext = {800, -40, 1e5, -1e5};
  EXPECT_EQ(before({x}, {ext}, {a})[0][0], INFINITY);
  EXPECT_EQ(before({x}, {ext}, {a})[0][1], 0.0);
  const auto v = after(r, {x}, {ext});
  for (std::size_t j = 0; j < 3; ++j) {
    EXPECT_PRED3(close, v[j][0], 800, 1e-15);
    EXPECT_PRED3(close, v[j][1], std::exp(-40.0), 1e-14);
    EXPECT_PRED3(close, v[j][2], 1e5, 1e-15);
    EXPECT_GE(v[j][3], 0.0);
  }
}

TEST(RewriteStabilize, ExpMinusOneIsExpm1) {
  Graph g;
  Tensor x = input(g, "x", DType::f64, {4});
  Tensor a = exp(x) - 1.0, b = exp(x) + -1.0, c = -1.0 + exp(x);
  const Rewritten r = run_pass(&stabilize, {a, b, c});
  EXPECT_EQ(count(r, Op::expm1), 1);
  EXPECT_EQ(count(r, Op::exp), 0);
  expect_preserved(r, {x}, {{-3, 0.5, 2, 30}}, {a, b, c}, kRel);
  const Values tiny = {1e-10, -1e-20, 1e-300, 0};
  const auto w = before({x}, {tiny}, {a});
  EXPECT_FALSE(close(w[0][0], std::expm1(1e-10), 1e-9));  // cancellation in the source
  EXPECT_EQ(w[0][1], 0.0);
  const auto v = after(r, {x}, {tiny});
  for (std::size_t i = 0; i < tiny.size(); ++i)
    EXPECT_PRED3(close, v[0][i], std::expm1(tiny[i]), 0);
}

TEST(RewriteStabilize, LogOfHalfErfcIsLogNdtr) {
  Graph g;
  Tensor x = input(g, "x", DType::f64, {4});
  Tensor a = log(erfc(-x / std::numbers::sqrt2) / 2.0);
  Tensor b = log(0.5 * erfc(x * (-1 / std::numbers::sqrt2)));
  const Rewritten r = run_pass(&stabilize, {a, b});
  EXPECT_EQ(count(r, Op::log_ndtr), 1);  // the argument is recovered as x itself
  EXPECT_EQ(count(r, Op::erfc) + count(r, Op::log) + count(r, Op::mul), 0);
  expect_preserved(r, {x}, {{-3, 0, 0.5, 2}}, {a, b}, 1e-13);
  // Far in the left tail erfc underflows; log Phi(-40) = -804.608442013754.
  EXPECT_EQ(before({x}, {{-40, 0, 0, 0}}, {a})[0][0], -INFINITY);
  EXPECT_PRED3(close, after(r, {x}, {{-40, 0, 0, 0}})[0][0], -804.6084420137538, 1e-13);
}

TEST(RewriteStabilize, ReplacementsKeepFloat32) {
  Graph g;
  Tensor x = input(g, "x", DType::f32, {3});
  Tensor a = log(1.0 + x), b = log(sigmoid(x)), c = log(sum(exp(x))), d = exp(x) - 1.0;
  Tensor e = log(erfc(-x / std::numbers::sqrt2) / 2.0);
  const Rewritten r = run_pass(&stabilize, {a, b, c, d, e});
  EXPECT_EQ(count(r, Op::log1p) + count(r, Op::log_sigmoid) + count(r, Op::logsumexp) +
                count(r, Op::expm1) + count(r, Op::log_ndtr),
            5);
  expect_preserved(r, {x}, {{-0.5, 0.25, 2}}, {a, b, c, d, e}, 1e-5);
}

}  // namespace
}  // namespace stochos::rewrite::test
