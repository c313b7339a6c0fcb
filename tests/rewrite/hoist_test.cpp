// hoist: size-1 factors and offsets leave whole-array arithmetic, values are kept (to a few ulps,
// since the arithmetic is reordered), and the passes over large arrays go down.
#include <cmath>
#include <string>

#include "autodiff/grad.hpp"
#include "rewrite_test_util.hpp"

namespace stochos::rewrite::test {
namespace {

// Nodes the outputs need whose result has more than `min_elements` elements: the passes over
// large arrays an engine makes.
int large_nodes(const Rewritten& r, std::int64_t min_elements) {
  const auto live = needed(*r.graph, r.outputs);
  int k = 0;
  for (std::size_t id = 0; id < r.graph->size(); ++id) {
    const auto& n = r.graph->node(static_cast<NodeId>(id));
    k += live[id] && n.op != Op::input && n.op != Op::constant &&
         graph::numel(n.shape) > min_elements;
  }
  return k;
}

const Values kX = {-2.5, -1, 0, 0.25, 1, 3.5};

TEST(RewriteHoist, DivisionByAScalarBecomesAMultiplication) {
  Graph g;
  Tensor x = input(g, "x", DType::f64, {6});
  Tensor s = input(g, "s", DType::f64, {});
  Tensor y = x / s;
  const Rewritten r = run_pass(&hoist, {y});
  EXPECT_EQ(count(r, Op::mul), 1);
  // The one division left is 1 / s, on a scalar.
  EXPECT_EQ(count(r, Op::div), 1);
  EXPECT_EQ(large_nodes(r, 1), 1);
  expect_preserved(r, {x, s}, {kX, {0.3}}, {y}, 4e-16);
}

TEST(RewriteHoist, ChainsOfScalarFactorsCollapseToOneMultiplication) {
  Graph g;
  Tensor x = input(g, "x", DType::f64, {6});
  Tensor s = input(g, "s", DType::f64, {});
  Tensor t = input(g, "t", DType::f64, {1});
  Tensor y = -((2.0 * (x / s)) * t) / s;
  const Rewritten r = run_pass(&optimize, {y});
  EXPECT_EQ(large_nodes(r, 1), 1);
  expect_preserved(r, {x, s, t}, {kX, {0.7}, {-1.5}}, {y}, 1e-15);
}

TEST(RewriteHoist, ProductsOfChainsOnOneArrayBecomeASquare) {
  Graph g;
  Tensor x = input(g, "x", DType::f64, {6});
  Tensor s = input(g, "s", DType::f64, {});
  Tensor y = (x * s) * (-x / 3.0);
  const Rewritten r = run_pass(&optimize, {y});
  EXPECT_EQ(count(r, Op::square), 1);
  EXPECT_EQ(large_nodes(r, 1), 2);  // square(x), then times one scalar
  expect_preserved(r, {x, s}, {kX, {1.7}}, {y}, 1e-15);
}

TEST(RewriteHoist, SumsTakeFactorsAndOffsetsOutside) {
  Graph g;
  Tensor x = input(g, "x", DType::f64, {6});
  Tensor s = input(g, "s", DType::f64, {});
  Tensor y = sum(-0.5 * square((x - 1.0) / s) - log(s) - 0.9189385332046727);
  const Rewritten r = run_pass(&optimize, {y});
  // x - 1, its square and the sum; everything else is scalar arithmetic.
  EXPECT_EQ(large_nodes(r, 1), 2);
  EXPECT_EQ(count(r, Op::sum), 1);
  for (double sv : {0.2, 1.0, 13.0}) expect_preserved(r, {x, s}, {kX, {sv}}, {y}, 1e-14);
}

TEST(RewriteHoist, OffsetsLeaveSumsOverOneAxisCountedPerSlice) {
  Graph g;
  Tensor x = input(g, "x", DType::f64, {2, 3});
  Tensor s = input(g, "s", DType::f64, {});
  Tensor a = sum(x - s, 0), b = sum(s + x, 1, /*keepdims=*/true), c = sum(s - x * s, 1);
  const Rewritten r = run_pass(&optimize, {a, b, c});
  EXPECT_EQ(count(r, Op::sub) + count(r, Op::add), 3);  // each offset now added to a sum
  expect_preserved(r, {x, s}, {kX, {0.6}}, {a, b, c}, 1e-15);
}

TEST(RewriteHoist, ScatterAddTakesTheFactorOutside) {
  Graph g;
  Tensor x = input(g, "x", DType::f64, {6});
  Tensor s = input(g, "s", DType::f64, {});
  Tensor idx = constant(g, {6}, {0, 2, 1, 2, 0, 2}, DType::i64);
  Tensor y = scatter_add(-(x * s), idx, 3);
  const Rewritten r = run_pass(&optimize, {y});
  EXPECT_EQ(large_nodes(r, 3), 0);  // only the scatter itself reads the six values
  expect_preserved(r, {x, s}, {kX, {2.5}}, {y}, 1e-15);
}

TEST(RewriteHoist, BroadcastScalarsAreComputedOnce) {
  Graph g;
  Tensor x = input(g, "x", DType::f64, {6});
  Tensor s = input(g, "s", DType::f64, {});
  Tensor b = broadcast_to(exp(s), {6});
  Tensor y = (b * 2.0 + x) * broadcast_to(s, {6});
  const Rewritten r = run_pass(&hoist, {y});
  EXPECT_EQ(count(r, Op::broadcast_to), 0);
  EXPECT_EQ(large_nodes(r, 1), 2);  // x + (2 exp(s)), then times s
  expect_preserved(r, {x, s}, {kX, {-0.4}}, {y}, 1e-15);
}

// A large uniform constant, the kind reverse mode seeds its pull-backs with, is read back as a
// broadcast scalar, so the rules can move it.
TEST(RewriteHoist, LargeUniformConstantsBecomeBroadcastScalars) {
  Graph g;
  Tensor x = input(g, "x", DType::f64, {1000});
  Tensor y = sum(constant(g, {1000}, Values(1000, -0.5)) * square(x));
  const Rewritten r = run_pass(&optimize, {y});
  EXPECT_EQ(large_nodes(r, 1), 1);  // square(x); the -0.5 multiplies the sum
  Values xs(1000);
  for (std::size_t i = 0; i < xs.size(); ++i) xs[i] = std::sin(static_cast<double>(i));
  expect_preserved(r, {x}, {xs}, {y}, 1e-14);
}

// Empty arrays: sum(a * k) is 0 even for an infinite k, so the factor stays inside.
TEST(RewriteHoist, EmptySumsKeepTheirFactors) {
  Graph g;
  Tensor x = input(g, "x", DType::f64, {0});
  Tensor s = input(g, "s", DType::f64, {});
  Tensor y = sum(x * s);
  const Rewritten r = run_pass(&optimize, {y});
  const auto v = after(r, {x, s}, {{}, {INFINITY}});
  EXPECT_EQ(v[0][0], 0.0);
}

// The rules read nodes of the graph being built while they add to it (Note [node references] in
// graph/graph.cpp). Padding the graph with more and more inputs puts the moment its node storage
// grows, and moves, at every step of these rewrites: sum(k * x + s) takes the offset out, then
// the factor of a uniform constant. A rule that kept a reference across the move reads freed
// memory, which a release build usually survives (the freed nodes still hold their values);
// `make sanitize` is what catches it.
TEST(RewriteHoist, RulesSurviveTheGraphGrowingUnderThem) {
  for (int pad = 0; pad <= 40; ++pad) {
    SCOPED_TRACE(pad);
    Graph g;
    for (int i = 0; i < pad; ++i) input(g, "pad" + std::to_string(i), DType::f64, {});
    Tensor x = input(g, "x", DType::f64, {6});
    Tensor s = input(g, "s", DType::f64, {});
    Tensor y = sum(constant(g, {6}, Values(6, 3.0)) * x + s);
    Tensor z = sum(s - x * 2.0, 0);
    const Rewritten r = run_pass(&hoist, {y, z});
    expect_preserved(r, {x, s}, {kX, {0.6}}, {y, z}, 1e-14);
  }
}

// The normal log density of a hierarchical model and its gradient: the only arrays as long as
// the data left are the gather, the residual and its square (the sum and the scatter read them).
TEST(RewriteHoist, HierarchicalNormalGradientMakesFewPassesOverTheData) {
  Graph g;
  Tensor a = input(g, "a", DType::f64, {3});
  Tensor sigma = input(g, "sigma", DType::f64, {});
  Tensor idx = constant(g, {8}, {0, 1, 2, 2, 1, 0, 0, 1}, DType::i64);
  Tensor y = constant(g, {8}, {0.5, -1, 2, 2.5, 0, 1, -0.5, 3});
  Tensor lp = sum(-0.5 * square((y - gather(a, idx)) / sigma) - log(sigma) - 0.9189385332046727);
  const auto grads = autodiff::grad(lp, {a, sigma});
  const Rewritten r = run_pass(&stochos::rewrite::optimize, {lp, grads[0], grads[1]});
  EXPECT_EQ(large_nodes(r, 3), 3);
  expect_preserved(r, {a, sigma}, {{0.1, -0.2, 0.3}, {0.8}}, {lp, grads[0], grads[1]}, 1e-14);
}

}  // namespace
}  // namespace stochos::rewrite::test
