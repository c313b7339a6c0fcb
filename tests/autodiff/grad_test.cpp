// The mechanics of grad and vjp: accumulation over shared subexpressions, wrt that are not
// reached or not differentiable, errors, and exact gradients of small functions.
#include <cmath>
#include <limits>

#include "check.hpp"
#include "graph/error.hpp"

namespace stochos::autodiff::test {
namespace {

using namespace stochos::graph;

TEST(Grad, NonScalarOutputIsAnErrorNamingTheShape) {
  Graph g;
  Tensor x = input(g, "x", DType::f64, {3});
  try {
    (void)grad(exp(x), {x});
    FAIL() << "expected a GraphError";
  } catch (const GraphError& e) {
    EXPECT_NE(std::string(e.what()).find("[3]"), std::string::npos) << e.what();
  }
}

TEST(Grad, VjpCotangentMustMatchTheOutputShape) {
  Graph g;
  Tensor x = input(g, "x", DType::f64, {3});
  Tensor c = input(g, "c", DType::f64, {4});
  EXPECT_THROW((void)vjp(exp(x), c, {x}), GraphError);
}

TEST(Grad, WrtFromAnotherGraphIsAnError) {
  Graph g, h;
  Tensor x = input(g, "x", DType::f64, {});
  Tensor y = input(h, "y", DType::f64, {});
  EXPECT_THROW((void)grad(exp(x), {y}), GraphError);
}

TEST(Grad, ExactGradientOfASmallFunction) {
  // f(x) = sum(x^2) + sum(exp(x) * x): x appears along three paths that must all accumulate.
  Graph g;
  Tensor x = input(g, "x", DType::f64, {3});
  Tensor f = sum(square(x)) + sum(exp(x) * x);
  const Values xv{-0.5, 0.25, 1.5};
  const Values got = eval({x}, {xv}, grad(f, {x}))[0];
  Values want;
  for (double v : xv) want.push_back(2 * v + std::exp(v) * (v + 1));
  EXPECT_TRUE(close(got, want, 1e-14, 0, "df/dx"));
}

TEST(Grad, VjpOfANonScalarOutput) {
  // out = x * y elementwise (y broadcast from a scalar): the vjp with c is c*y for x, sum(c*x)
  // for y.
  Graph g;
  Tensor x = input(g, "x", DType::f64, {3});
  Tensor y = input(g, "y", DType::f64, {});
  Tensor c = input(g, "c", DType::f64, {3});
  const auto d = vjp(x * y, c, {x, y});
  ASSERT_EQ(d[0].shape(), (Shape{3}));
  ASSERT_EQ(d[1].shape(), Shape{});
  const auto got = eval({x, y, c}, {{1, 2, 3}, {-2}, {0.5, -1, 4}}, d);
  EXPECT_TRUE(close(got[0], {-1, 2, -8}, 0, 0, "x"));
  EXPECT_TRUE(close(got[1], {0.5 - 2 + 12}, 0, 0, "y"));
}

TEST(Grad, WrtNotReachedGetsZerosOfItsDtypeAndShape) {
  Graph g;
  Tensor x = input(g, "x", DType::f64, {2});
  Tensor unused = input(g, "unused", DType::f32, {2, 3});
  Tensor f = sum(exp(x));
  Tensor later = exp(x) * 2.0;  // created after f: f cannot depend on it
  const auto d = grad(f, {unused, later, x});
  EXPECT_EQ(d[0].dtype(), DType::f32);
  EXPECT_EQ(d[0].shape(), (Shape{2, 3}));
  EXPECT_EQ(d[1].shape(), (Shape{2}));
  const auto got = eval({x, unused}, {{0.0, 1.0}, Values(6, 1.0)}, d);
  EXPECT_EQ(got[0], Values(6, 0.0));
  EXPECT_EQ(got[1], Values(2, 0.0));
  EXPECT_TRUE(close(got[2], {1.0, std::exp(1.0)}, 1e-15, 0, "x"));
}

TEST(Grad, IntAndBoolInputsAreNotDifferentiable) {
  // f = sum(where(cond, x[idx] * w, 0)): the index and the condition take float64 zeros, and
  // x collects the cotangent of every pick that the condition keeps.
  Graph g;
  Tensor x = input(g, "x", DType::f64, {4});
  Tensor idx = input(g, "idx", DType::i64, {3});
  Tensor cond = input(g, "cond", DType::boolean, {3});
  Tensor w = constant(g, {3}, {1.0, 2.0, 3.0});
  Tensor f = sum(where(cond, gather(x, idx) * w, scalar_like(x, 0.0)));
  const auto d = grad(f, {x, idx, cond});
  EXPECT_EQ(d[1].dtype(), DType::f64);
  EXPECT_EQ(d[1].shape(), (Shape{3}));
  EXPECT_EQ(d[2].dtype(), DType::f64);
  EXPECT_EQ(d[2].shape(), (Shape{3}));
  const auto got = eval({x, idx, cond}, {{5, 6, 7, 8}, {0, 2, 0}, {1, 0, 1}}, d);
  EXPECT_EQ(got[0], (Values{1 + 3, 0, 0, 0}));
  EXPECT_EQ(got[1], Values(3, 0.0));
  EXPECT_EQ(got[2], Values(3, 0.0));
}

TEST(Grad, DependenceOnlyThroughAnIntegerCastGivesZeros) {
  Graph g;
  Tensor x = input(g, "x", DType::f64, {3});
  Tensor f = sum(cast(cast(x * 3.0, DType::i64), DType::f64));
  const auto got = eval({x}, {{0.1, 0.2, 0.3}}, grad(f, {x}))[0];
  EXPECT_EQ(got, Values(3, 0.0));
}

TEST(Grad, IntegerOutputGivesZeros) {
  Graph g;
  Tensor x = input(g, "x", DType::f64, {2});
  Tensor f = sum(cast(x, DType::i64));
  const auto d = grad(f, {x});
  EXPECT_EQ(d[0].dtype(), DType::f64);
  EXPECT_EQ(eval({x}, {{1.5, 2.5}}, d)[0], Values(2, 0.0));
}

TEST(Grad, WrtTheOutputOrAnIntermediateNode) {
  // With h = 2x and f = sum(h^2): df/df = 1, df/dh = 2h = 4x, df/dx = 8x, all in one call,
  // so that the cotangent of h is complete before it is pulled back to x.
  Graph g;
  Tensor x = input(g, "x", DType::f64, {2});
  Tensor h = x * 2.0;
  Tensor f = sum(square(h));
  const auto d = grad(f, {f, x, h, x});
  const auto got = eval({x}, {{1.0, -3.0}}, d);
  EXPECT_EQ(got[0], Values{1.0});
  EXPECT_EQ(got[1], (Values{8.0, -24.0}));
  EXPECT_EQ(got[2], (Values{4.0, -12.0}));
  EXPECT_EQ(got[3], got[1]);
}

TEST(Grad, Float32GraphsGetFloat32Gradients) {
  Graph g;
  Tensor x = input(g, "x", DType::f32, {3});
  Tensor f = sum(log1p(square(x)));
  const auto d = grad(f, {x});
  EXPECT_EQ(d[0].dtype(), DType::f32);
  const Values xv{0.5, -1.0, 2.0};
  Values want;
  for (double v : xv) want.push_back(2 * v / (1 + v * v));
  EXPECT_TRUE(close(eval({x}, {xv}, d)[0], want, 1e-6, 0, "float32"));
}

TEST(Grad, MixedPrecisionThroughACast) {
  // A float32 parameter used in float64 arithmetic: the cotangent comes back as float32.
  Graph g;
  Tensor x = input(g, "x", DType::f32, {2});
  Tensor f = sum(exp(cast(x, DType::f64)) * 3.0);
  const auto d = grad(f, {x});
  EXPECT_EQ(d[0].dtype(), DType::f32);
  EXPECT_TRUE(close(eval({x}, {{0.0, 1.0}}, d)[0], {3.0, 3 * std::exp(1.0)}, 1e-6, 0, "x"));
}

TEST(Grad, PiecewiseConstantOpsTakeNoCotangent) {
  // sign and the comparison inside maximum's mask contribute nothing: d/dx sum(sign(x) * x) is
  // sign(x), and d/dx sum(x * (x > 0)) is (x > 0).
  Graph g;
  Tensor x = input(g, "x", DType::f64, {3});
  Tensor f1 = sum(sign(x) * x);
  Tensor f2 = sum(x * cast(greater(x, scalar_like(x, 0.0)), DType::f64));
  const auto got = eval({x}, {{-2.0, 0.5, 3.0}}, {grad(f1, {x})[0], grad(f2, {x})[0]});
  EXPECT_EQ(got[0], (Values{-1.0, 1.0, 1.0}));
  EXPECT_EQ(got[1], (Values{0.0, 1.0, 1.0}));
}

TEST(Grad, ReductionTiesShareTheCotangent) {
  Graph g;
  Tensor x = input(g, "x", DType::f64, {2, 3});
  const Values xv{1, 3, 3, 2, 2, -1};
  const auto got =
      eval({x}, {xv},
           {grad(max(x), {x})[0], grad(sum(max(x, 1)), {x})[0], grad(sum(min(x, 0)), {x})[0]});
  EXPECT_EQ(got[0], (Values{0, 0.5, 0.5, 0, 0, 0}));
  EXPECT_EQ(got[1], (Values{0, 0.5, 0.5, 0.5, 0.5, 0}));
  EXPECT_EQ(got[2], (Values{1, 0, 0, 0, 1, 1}));
}

TEST(Grad, MaximumAndMinimumTiesGoToTheFirstInput) {
  Graph g;
  Tensor a = input(g, "a", DType::f64, {3});
  Tensor b = input(g, "b", DType::f64, {3});
  const Values av{1, 2, 3}, bv{0, 2, 4};
  const auto mx = grad(sum(maximum(a, b)), {a, b});
  const auto mn = grad(sum(minimum(a, b)), {a, b});
  const auto got = eval({a, b}, {av, bv}, {mx[0], mx[1], mn[0], mn[1]});
  EXPECT_EQ(got[0], (Values{1, 1, 0}));
  EXPECT_EQ(got[1], (Values{0, 0, 1}));
  EXPECT_EQ(got[2], (Values{0, 1, 1}));
  EXPECT_EQ(got[3], (Values{1, 0, 0}));
}

TEST(Grad, PowWithAConstantExponentAndANonPositiveBase) {
  // The exponent is not differentiated, so its log(a) branch must not leak NaN into x's
  // gradient; x^2 at -3 is -6, x^3 at 0 is 0.
  Graph g;
  Tensor x = input(g, "x", DType::f64, {3});
  Tensor f = sum(pow(x, 2.0)) + sum(pow(x, 3.0));
  const auto got = eval({x}, {{-3.0, 0.0, 2.0}}, grad(f, {x}))[0];
  EXPECT_EQ(got, (Values{-6.0 + 27.0, 0.0, 4.0 + 12.0}));
}

TEST(Grad, PowExponentGradientIsGuardedButExactWhereTheBaseIsPositive) {
  Graph g;
  Tensor a = input(g, "a", DType::f64, {4});
  Tensor b = input(g, "b", DType::f64, {4});
  const auto d = grad(sum(pow(a, b)), {a, b});
  const Values av{-2.0, 0.0, 0.0, 1.5}, bv{2.0, 2.5, 0.0, 0.7};
  const auto got = eval({a, b}, {av, bv}, d);
  // d/da: b a^(b-1); at a = 0: 0 for b = 2.5 and, by the b = 0 guard, 0 for b = 0.
  EXPECT_TRUE(close(got[0], {-4.0, 0.0, 0.0, 0.7 * std::pow(1.5, -0.3)}, 1e-15, 0, "d/da"));
  // d/db: a^b log a for a > 0; 0 (not NaN) for a <= 0.
  EXPECT_TRUE(close(got[1], {0.0, 0.0, 0.0, std::pow(1.5, 0.7) * std::log(1.5)}, 1e-15, 0, "d/db"));
}

TEST(Grad, LogsumexpWithMinusInfinityEntries) {
  // Entries at -inf have zero weight: their gradient is exactly 0 and the others form the
  // softmax of the finite entries.
  Graph g;
  Tensor x = input(g, "x", DType::f64, {4});
  const double inf = std::numeric_limits<double>::infinity();
  const Values xv{0.5, -inf, 1.5, -inf};
  const auto got = eval({x}, {xv}, grad(logsumexp(x), {x}))[0];
  const double z = std::exp(0.5) + std::exp(1.5);
  EXPECT_TRUE(close(got, {std::exp(0.5) / z, 0.0, std::exp(1.5) / z, 0.0}, 1e-15, 0, "softmax"));
}

TEST(Grad, TrigammaHasNoGradientButLgammaHasTwo) {
  Graph g;
  Tensor x = input(g, "x", DType::f64, {});
  Tensor d1 = grad(lgamma(x), {x})[0];
  Tensor d2 = grad(d1, {x})[0];
  const auto got = eval({x}, {{2.0}}, {d1, d2});
  const double pi = 3.14159265358979323846;
  EXPECT_NEAR(got[0][0], 1 - 0.57721566490153286, 1e-13);  // digamma(2) = 1 - gamma
  EXPECT_NEAR(got[1][0], pi * pi / 6 - 1, 1e-13);          // trigamma(2)
  try {
    (void)grad(d2, {x});
    FAIL() << "expected a GraphError";
  } catch (const GraphError& e) {
    EXPECT_NE(std::string(e.what()).find("tetragamma"), std::string::npos) << e.what();
  }
}

TEST(Grad, TrigammaOffTheDifferentiatedPathIsFine) {
  // trigamma applied to data only: nothing asks for its gradient, so nothing throws.
  Graph g;
  Tensor x = input(g, "x", DType::f64, {});
  Tensor data = input(g, "data", DType::f64, {});
  Tensor f = x * trigamma(data);
  const auto got = eval({x, data}, {{3.0}, {1.0}}, grad(f, {x}));
  EXPECT_NEAR(got[0][0], 3.14159265358979323846 * 3.14159265358979323846 / 6, 1e-13);
}

TEST(Grad, NoNodesForInputsNobodyAsksAbout) {
  // d/dbeta of sum(X @ beta) with X an input: no matmul is emitted for X's cotangent.
  Graph g;
  Tensor xm = input(g, "X", DType::f64, {5, 3});
  Tensor beta = input(g, "beta", DType::f64, {3, 1});
  Tensor f = sum(matmul(xm, beta));
  const std::size_t before = g.size();
  (void)grad(f, {beta});
  int matmuls = 0;
  for (NodeId id = static_cast<NodeId>(before); id < g.size(); ++id)
    matmuls += g.node(id).op == Op::matmul;
  EXPECT_EQ(matmuls, 1);
}

TEST(Pullback, IndicesAndConditionsTakeNoCotangent) {
  Graph g;
  Tensor x = input(g, "x", DType::f64, {4, 2});
  Tensor idx = input(g, "idx", DType::i64, {3});
  Tensor cond = input(g, "cond", DType::boolean, {3, 2});
  Tensor gx = gather(x, idx);
  Tensor c = input(g, "c", DType::f64, {3, 2});
  const auto d = pullback(gx.node(), {x, idx}, gx, c);
  ASSERT_EQ(d.size(), 2u);
  EXPECT_TRUE(d[0].valid());
  EXPECT_EQ(d[0].shape(), (Shape{4, 2}));
  EXPECT_FALSE(d[1].valid());

  Tensor w = where(cond, gx, scalar_like(gx, 1.0));
  const auto dw = pullback(w.node(), {cond, gx, constant(g, 1.0)}, w, c);
  EXPECT_FALSE(dw[0].valid());
  EXPECT_TRUE(dw[1].valid());

  Tensor lt = less(gx, c);
  const auto dl = pullback(lt.node(), {gx, c}, lt, c);
  EXPECT_FALSE(dl[0].valid());
  EXPECT_FALSE(dl[1].valid());
}

TEST(Grad, OptimizedAndUnoptimizedGradientsAgree) {
  // What runs in practice goes through rewrite::optimize; it must not change the gradient.
  Graph g;
  Tensor x = input(g, "x", DType::f64, {3});
  Tensor f = sum(log(1.0 + exp(x)) * x) + log(sum(exp(x)));
  const auto d = grad(f, {x});
  const Values xv{-1.0, 0.3, 2.0};
  const auto plain = eval({x}, {xv}, d, false)[0];
  const auto optimized = eval({x}, {xv}, d, true)[0];
  EXPECT_TRUE(close(optimized, plain, 1e-13, 1e-15, "optimized"));
  EXPECT_TRUE(close(plain, fd_gradient({x}, {xv}, f, 0), kFdRtol, kFdAtol, "fd"));
}

}  // namespace
}  // namespace stochos::autodiff::test
