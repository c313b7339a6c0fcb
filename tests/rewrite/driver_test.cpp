// The rebuild driver and dead-node elimination: inputs keep their positions, dead nodes go,
// constants fold and identical nodes merge as the new graph is built, and a hook cannot change
// a node's dtype or shape.
#include <stdexcept>

#include "rewrite/driver.hpp"
#include "rewrite_test_util.hpp"

namespace stochos::rewrite::test {
namespace {

TEST(RewriteDriver, InputsKeepTheirPositionsWhenSomeAreDead) {
  Graph g;
  Tensor a = input(g, "a", DType::f64, {3});
  Tensor unused = input(g, "unused", DType::f32, {2, 2});
  Tensor b = input(g, "b", DType::f64, {3});
  Tensor y = exp(unused);  // a dead branch built between the inputs
  (void)y;
  Tensor out = a * b + 1.0;
  for (Pass pass : {&eliminate_dead, &simplify, &stabilize, &optimize}) {
    const Rewritten r = run_pass(pass, {out});
    ASSERT_EQ(r.inputs.size(), 3u);
    EXPECT_EQ(r.graph->inputs(), r.inputs);
    EXPECT_EQ(r.graph->node(r.inputs[0]).attrs.name, "a");
    EXPECT_EQ(r.graph->node(r.inputs[1]).attrs.name, "unused");
    EXPECT_EQ(r.graph->node(r.inputs[1]).dtype, DType::f32);
    EXPECT_EQ(r.graph->node(r.inputs[1]).shape, (graph::Shape{2, 2}));
    EXPECT_EQ(r.graph->node(r.inputs[2]).attrs.name, "b");
    EXPECT_EQ(count(r, Op::exp), 0);
    expect_preserved(r, {b, a, unused}, {{1, 2, 3}, {4, 5, 6}, {0, 0, 0, 0}}, {out});
  }
}

TEST(RewriteDriver, CompilingWithOptimizeMapsACallersSubsetOfInputs) {
  Graph g;
  Tensor a = input(g, "a", DType::f64, {});
  Tensor dead = input(g, "dead", DType::f64, {});
  Tensor b = input(g, "b", DType::f64, {});
  (void)dead;
  Tensor out = a - b;
  // Inputs in the caller's order, not the graph's, and one of the graph's inputs left out.
  const auto v = testing::evaluate(native(), {b, a}, {{2}, {7}}, {out}, /*optimize=*/true);
  EXPECT_EQ(v[0][0], 5.0);
}

TEST(RewriteDriver, DropsWhatTheOutputsDoNotNeed) {
  Graph g;
  Tensor x = input(g, "x", DType::f64, {4});
  Tensor keep = sin(x) * 2.0;
  Tensor dead = cos(x) + tanh(x);
  (void)dead;
  const Rewritten r = run_pass(&eliminate_dead, {keep});
  EXPECT_EQ(r.graph->size(), 4u);  // x, sin, 2, mul
  EXPECT_EQ(count(r, Op::cos), 0);
  EXPECT_EQ(count(r, Op::tanh), 0);
  EXPECT_EQ(count(r, Op::sin), 1);
  expect_preserved(r, {x}, {{-1, 0, 0.5, 3}}, {keep});
}

TEST(RewriteDriver, FoldsConstantsOfASourceBuiltWithoutFolding) {
  Graph g;
  g.set_folding(false);
  Tensor x = input(g, "x", DType::f64, {2});
  Tensor c = exp(constant(g, 0.0)) + constant(g, 2.0);  // 3, once folded
  Tensor y = x * c;
  ASSERT_FALSE(c.is_constant());
  const Rewritten r = run_pass(&eliminate_dead, {y});
  EXPECT_EQ(count(r, Op::exp), 0);
  EXPECT_EQ(count(r, Op::add), 0);
  EXPECT_EQ(r.graph->size(), 3u);  // x, the constant 3 and the mul: folded constants are gone
  expect_preserved(r, {x}, {{1.5, -2}}, {y});
}

TEST(RewriteDriver, NodesMadeIdenticalByARewriteAreShared) {
  Graph g;
  Tensor x = input(g, "x", DType::f64, {3});
  Tensor y = exp(x * 1.0) + exp(x);  // two exps until x * 1 becomes x
  const Rewritten r = run_pass(&simplify, {y});
  EXPECT_EQ(count(r, Op::exp), 1);
  EXPECT_EQ(count(r, Op::mul), 0);
  expect_preserved(r, {x}, {{-1, 0, 2}}, {y});
}

TEST(RewriteDriver, OutputsMayBeInputsConstantsOrRepeated) {
  Graph g;
  Tensor x = input(g, "x", DType::f64, {2});
  Tensor c = constant(g, {2}, {3, 4});
  Tensor y = x + c;
  const Rewritten r = run_pass(&optimize, {x, c, y, x});
  ASSERT_EQ(r.outputs.size(), 4u);
  EXPECT_EQ(r.outputs[0], r.inputs[0]);
  EXPECT_EQ(r.outputs[3], r.inputs[0]);
  EXPECT_TRUE(r.graph->is_constant(r.outputs[1]));
  expect_preserved(r, {x}, {{1, 2}}, {x, c, y, x});
}

TEST(RewriteDriver, AHookThatChangesShapeOrDtypeIsABug) {
  Graph g;
  Tensor x = input(g, "x", DType::f64, {3});
  Tensor y = exp(x);
  const NodeId out[] = {y.id()};
  const Hook wrong_shape = [](const Site& s) -> std::optional<NodeId> {
    if (s.node.op != Op::exp) return std::nullopt;
    return s.g.add(Op::sum, {s.in[0]}, {graph::kAllAxes, 0});
  };
  EXPECT_THROW(rebuild(g, out, wrong_shape), std::logic_error);
  const Hook wrong_dtype = [](const Site& s) -> std::optional<NodeId> {
    if (s.node.op != Op::exp) return std::nullopt;
    return s.g.add(Op::cast, {s.in[0]}, {static_cast<std::int64_t>(DType::f32)});
  };
  EXPECT_THROW(rebuild(g, out, wrong_dtype), std::logic_error);
}

TEST(RewriteDriver, AHookSeesItsOperandsAlreadyRewritten) {
  Graph g;
  Tensor x = input(g, "x", DType::f64, {3});
  Tensor y = sin(cos(x));
  const NodeId out[] = {y.id()};
  // cos -> tanh; sin of a tanh -> neg: the second replacement matches the first one's result.
  const Hook hook = [](const Site& s) -> std::optional<NodeId> {
    if (s.node.op == Op::cos) return s.g.add(Op::tanh, {s.in[0]});
    if (s.node.op == Op::sin && s.g.node(s.in[0]).op == Op::tanh)
      return s.g.add(Op::neg, {s.in[0]});
    return std::nullopt;
  };
  const Rewritten r = rebuild(g, out, hook);
  EXPECT_EQ(count(r, Op::neg), 1);
  EXPECT_EQ(count(r, Op::tanh), 1);
  EXPECT_EQ(count(r, Op::sin) + count(r, Op::cos), 0);
}

}  // namespace
}  // namespace stochos::rewrite::test
