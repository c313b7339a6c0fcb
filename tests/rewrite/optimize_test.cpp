// optimize: the passes together, to a fixed point, on graphs shaped like what autodiff emits, and
// through the compile pipeline.
#include <cmath>

#include "rewrite_test_util.hpp"

namespace stochos::rewrite::test {
namespace {

// f(w) = sum(log(1 + exp(x w))) - w^2 / 2 and its derivative written the way reverse mode
// emits it: seeds of ones, pull-backs multiplying by 1, sums to shape, negations of negations,
// an accumulator that starts at zero.
struct GradientLike {
  Graph g;
  Tensor w = input(g, "w", DType::f64, {});
  Tensor x = input(g, "x", DType::f64, {5});
  Tensor f, df;

  GradientLike() {
    Tensor z = x * w;
    Tensor e = exp(z);
    Tensor p = 1.0 + e;
    f = sum(log(p)) - 0.5 * square(w);
    Tensor seed = constant(g, 1.0);
    Tensor ct_sum = seed * 1.0;                               // d f / d (the sum)
    Tensor ct_log = broadcast_to(ct_sum, {5});                // sum's pull-back
    Tensor ct_p = ct_log / p;                                 // log's
    Tensor ct_e = reshape(reshape(ct_p * 1.0, {5, 1}), {5});  // add's, through sum_to
    Tensor ct_z = ct_e * e;                                   // exp's
    Tensor dw1 = sum(ct_z * x);                               // mul's, summed to w's shape
    Tensor ct_sq = -(seed * 0.5);                             // the subtraction's
    Tensor dw2 = -(-(ct_sq * (2.0 * w)));                     // square's
    Tensor acc = constant(g, 0.0) + dw1;
    df = (acc + dw2) + 0.0 * w;
  }
};

TEST(RewriteOptimize, ShrinksAGradientLikeGraphAndKeepsItsValues) {
  GradientLike m;
  const NodeId outs[] = {m.f.id(), m.df.id()};
  const int source = live_size(m.g, outs);
  const Rewritten r = run_pass(&optimize, {m.f, m.df});
  EXPECT_LE(live_size(r), source - 8) << "from " << source;
  EXPECT_EQ(count(r, Op::softplus), 1);
  EXPECT_EQ(count(r, Op::reshape) + count(r, Op::broadcast_to) + count(r, Op::neg), 0);
  const Values x = {-1, -0.5, 0, 0.5, 2};
  for (double w : {-3.0, 0.0, 0.7, 10.0})
    expect_preserved(r, {m.w, m.x}, {{w}, x}, {m.f, m.df}, 1e-14);
  // Where exp(x w) overflows the source's log(1 + exp) is inf; softplus is not. At w = 500 the
  // terms are softplus(-500), softplus(-250) (both below 1e-100), log 2, 250 and 1000.
  const auto v = after(r, {m.w, m.x}, {{500}, x});
  EXPECT_TRUE(std::isfinite(v[0][0]));
  EXPECT_PRED3(close, v[0][0], std::log(2.0) + 500 * (0.5 + 2) - 0.5 * 500 * 500, 1e-14);
}

TEST(RewriteOptimize, RepeatsUntilNothingShrinks) {
  Graph g;
  Tensor x = input(g, "x", DType::f64, {3});
  // Simplifying first exposes log(sigmoid(x)) to the second round's stabilisation.
  Tensor y = log(sigmoid(x) * 1.0) + log(1.0 + (exp(x * 1.0) - 0.0));
  const Rewritten r = run_pass(&optimize, {y});
  EXPECT_EQ(count(r, Op::log_sigmoid), 1);
  EXPECT_EQ(count(r, Op::softplus), 1);
  EXPECT_EQ(count(r, Op::log) + count(r, Op::mul) + count(r, Op::sub), 0);
  expect_preserved(r, {x}, {{-2, 0, 3}}, {y}, 1e-14);
  const auto v = after(r, {x}, {{-800, 0, 800}});
  EXPECT_PRED3(close, v[0][0], -800, 1e-15);
  EXPECT_PRED3(close, v[0][2], 800, 1e-15);
}

TEST(RewriteOptimize, IsIdempotent) {
  GradientLike m;
  const Rewritten once = run_pass(&optimize, {m.f, m.df});
  const Rewritten twice = optimize(*once.graph, once.outputs);
  EXPECT_EQ(twice.graph->size(), once.graph->size());
  EXPECT_EQ(live_size(twice), live_size(once));
}

TEST(RewriteOptimize, LongChainsCollapseInOnePass) {
  Graph g;
  Tensor x = input(g, "x", DType::f64, {2});
  Tensor y = x, z = x;
  for (int i = 0; i < 1000; ++i) y = -y;
  for (int i = 0; i < 500; ++i) z = (z + 0.0) * 1.0;
  const Rewritten r = run_pass(&optimize, {y, z});
  EXPECT_EQ(r.outputs[0], r.inputs[0]);
  EXPECT_EQ(r.outputs[1], r.inputs[0]);
  EXPECT_EQ(r.graph->size(), 1u);
}

TEST(RewriteOptimize, TheCompilePipelineRunsIt) {
  Graph g;
  Tensor x = input(g, "x", DType::f64, {3});
  Tensor y = log(1.0 + x) + log(sigmoid(x));
  const Values v = {1e-20, -800, 0};
  const auto plain = testing::evaluate(native(), {x}, {v}, {y}, /*optimize=*/false);
  const auto opt = testing::evaluate(native(), {x}, {v}, {y}, /*optimize=*/true);
  EXPECT_EQ(plain[0][0], std::log(0.5));  // the 1e-20 is lost
  EXPECT_PRED3(close, opt[0][0], 1e-20 + std::log(0.5), 1e-16);
  EXPECT_TRUE(std::isnan(plain[0][1]));  // log(1 - 800) is NaN either way
  EXPECT_TRUE(std::isnan(opt[0][1]));
  EXPECT_EQ(opt[0][2], plain[0][2]);
}

}  // namespace
}  // namespace stochos::rewrite::test
