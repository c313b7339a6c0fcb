#include <gtest/gtest.h>

#include <cmath>

#include "graph/error.hpp"
#include "graph/print.hpp"
#include "graph/tensor.hpp"

namespace stochos::graph {
namespace {

TEST(Graph, IdenticalNodesAreShared) {
  Graph g;
  Tensor x = input(g, "x", DType::f64, {3});
  Tensor a = exp(x) + 1.0;
  Tensor b = exp(x) + 1.0;
  EXPECT_EQ(a.id(), b.id());
}

TEST(Graph, InputsAreNeverMerged) {
  Graph g;
  Tensor x = input(g, "x", DType::f64, {3});
  Tensor y = input(g, "x", DType::f64, {3});
  EXPECT_NE(x.id(), y.id());
  EXPECT_EQ(g.inputs().size(), 2u);
}

TEST(Graph, ConstantSubexpressionsFold) {
  Graph g;
  Tensor c = log(constant(g, 2.0)) * 3.0 + 1.0;
  ASSERT_TRUE(c.is_constant());
  EXPECT_DOUBLE_EQ((*c.node().attrs.data)[0], 3.0 * std::log(2.0) + 1.0);
}

TEST(Graph, FoldsSumOfBroadcastConstant) {
  Graph g;
  Tensor c = sum(lgamma(constant(g, {3}, {1.0, 2.0, 4.0}) + 1.0));
  ASSERT_TRUE(c.is_constant());
  EXPECT_NEAR((*c.node().attrs.data)[0], std::log(1.0 * 2.0 * 24.0), 1e-12);
}

TEST(Graph, BroadcastShapes) {
  Graph g;
  Tensor a = input(g, "a", DType::f64, {4, 1});
  Tensor b = input(g, "b", DType::f64, {3});
  EXPECT_EQ((a + b).shape(), (Shape{4, 3}));
}

TEST(Graph, ShapeMismatchNamesOpAndShapes) {
  Graph g;
  Tensor a = input(g, "a", DType::f64, {4});
  Tensor b = input(g, "b", DType::f64, {3});
  try {
    (void)(a * b);
    FAIL() << "expected a GraphError";
  } catch (const GraphError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("mul"), std::string::npos) << msg;
    EXPECT_NE(msg.find("[4]"), std::string::npos) << msg;
    EXPECT_NE(msg.find("[3]"), std::string::npos) << msg;
  }
}

TEST(Graph, PromotesIntToFloat) {
  Graph g;
  Tensor i = input(g, "i", DType::i64, {3});
  EXPECT_EQ((i * 2.0).dtype(), DType::i64);
  EXPECT_EQ((i * 2.5).dtype(), DType::f64);
  EXPECT_EQ(exp(i).dtype(), DType::f64);
  EXPECT_EQ((i / 2.0).dtype(), DType::f64);
}

TEST(Graph, UnknownDtypeIsTypedError) {
  EXPECT_THROW(parse_dtype("float16"), GraphError);
  EXPECT_EQ(parse_dtype("float32"), DType::f32);
}

TEST(Graph, PythonSlices) {
  Graph g;
  Tensor x = input(g, "x", DType::f64, {10});
  EXPECT_EQ(slice(x, 0, 1, std::nullopt).shape(), (Shape{9}));
  EXPECT_EQ(slice(x, 0, std::nullopt, -1).shape(), (Shape{9}));
  EXPECT_EQ(slice(x, 0, std::nullopt, std::nullopt, -1).shape(), (Shape{10}));
  EXPECT_EQ(slice(x, 0, std::nullopt, std::nullopt, 3).shape(), (Shape{4}));
  EXPECT_EQ(slice(x, 0, 8, 2, -2).shape(), (Shape{3}));
  EXPECT_EQ(slice(x, 0, 5, 2).shape(), (Shape{0}));
}

TEST(Graph, FoldedReversedSlice) {
  Graph g;
  Tensor c = slice(constant(g, {4}, {1, 2, 3, 4}), 0, std::nullopt, std::nullopt, -1);
  ASSERT_TRUE(c.is_constant());
  EXPECT_EQ(*c.node().attrs.data, (std::vector<double>{4, 3, 2, 1}));
}

TEST(Graph, GatherRejectsOutOfRangeConstantIndex) {
  Graph g;
  Tensor x = input(g, "x", DType::f64, {3});
  EXPECT_THROW(gather(x, constant(g, {2}, {0, 3}, DType::i64)), GraphError);
}

TEST(Graph, DotExportNamesNodes) {
  Graph g;
  Tensor x = input(g, "x", DType::f64, {3});
  Tensor y = sum(exp(x));
  const NodeId outs[] = {y.id()};
  const std::string dot = to_dot(g, outs);
  EXPECT_NE(dot.find("digraph"), std::string::npos);
  EXPECT_NE(dot.find("exp"), std::string::npos);
  EXPECT_NE(to_string(g).find("sum"), std::string::npos);
}

}  // namespace
}  // namespace stochos::graph
