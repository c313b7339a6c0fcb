// model_to_dot (Note [model graph] in model/model_graph.cpp): the nodes, kinds and shapes of
// PyMC's model_to_graphviz, edges only from the variables a value uses directly, plates by shape
// and by dimension names, data containers, potentials, missing data, nested distributions, names
// that need quoting, and Graphviz's `dot` accepting the output where it is installed.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <tuple>

#include "model/model.hpp"
#include "model/model_graph.hpp"

namespace stochos::model {
namespace {

using namespace distributions;
using Kind = GraphNode::Kind;

const std::vector<double> kY = {28, 8, -3, 7, -1, 1, 18, 12};
const std::vector<double> kSigma = {15, 10, 16, 11, 9, 11, 10, 18};

void build_eight_schools(Model& m) {
  Tensor mu = m.rv("mu", Normal(0, 5));
  Tensor tau = m.rv("tau", HalfCauchy(5));
  Tensor z = m.rv("theta_z", Normal(0, 1), {.shape = Shape{8}});
  Tensor theta = m.deterministic("theta", mu + tau * z);
  m.observe("y", Normal(theta, Arg(kSigma, {8})), kY, {8});
}

using NodeRow = std::tuple<std::string, Kind, std::string, Shape, std::string>;
std::vector<NodeRow> rows(const std::vector<GraphNode>& nodes) {
  std::vector<NodeRow> out;
  for (const GraphNode& n : nodes) out.emplace_back(n.name, n.kind, n.type, n.shape, n.plate);
  return out;
}
using Edges = std::set<std::pair<std::string, std::string>>;
Edges edge_set(const std::vector<std::pair<std::string, std::string>>& edges) {
  return Edges(edges.begin(), edges.end());
}

// Whether `line` is a line of `dot` at `depth` tabs (2: inside a plate).
bool has_line(const std::string& dot, const std::string& line, std::size_t depth = 1) {
  std::string want = "\n";
  want.append(depth, '\t');
  want += line;
  want += '\n';
  return dot.find(want) != std::string::npos;
}

// Whether Graphviz's dot renders `text` as SVG; skips the test where dot is not installed.
#define EXPECT_DOT_ACCEPTS(text)                                                               \
  do {                                                                                         \
    if (std::system("dot -V >/dev/null 2>&1") != 0) GTEST_SKIP() << "no graphviz `dot`";       \
    /* one file per test: CTest runs the tests of this program in parallel */                  \
    const std::string path = ::testing::TempDir() + "model_graph_" +                           \
                             ::testing::UnitTest::GetInstance()->current_test_info()->name() + \
                             ".dot";                                                           \
    std::ofstream(path) << (text);                                                             \
    const std::string command = "dot -Tsvg " + path + " -o /dev/null";                         \
    EXPECT_EQ(std::system(command.c_str()), 0) << (text);                                      \
    std::filesystem::remove(path);                                                             \
  } while (0)

TEST(ModelGraph, EightSchoolsNodesEdgesAndPlates) {
  Model m;
  build_eight_schools(m);
  const auto g = model_graph(m);
  const std::vector<NodeRow> want = {
      {"mu", Kind::free, "Normal", {}, ""},
      {"tau", Kind::free, "HalfCauchy", {}, ""},
      {"theta_z", Kind::free, "Normal", {8}, "8"},
      {"theta", Kind::deterministic, "Deterministic", {8}, "8"},
      {"y", Kind::observed, "Normal", {8}, "8"},
  };
  EXPECT_EQ(rows(g.nodes), want);
  // theta stands between mu, tau, theta_z and y: no mu -> y.
  const Edges edges = {{"mu", "theta"}, {"tau", "theta"}, {"theta_z", "theta"}, {"theta", "y"}};
  EXPECT_EQ(edge_set(g.edges), edges);
  EXPECT_EQ(g.edges.size(), edges.size());  // no duplicates
}

TEST(ModelGraph, EightSchoolsDot) {
  Model m;
  build_eight_schools(m);
  const std::string dot = model_to_dot(m);
  EXPECT_EQ(dot.rfind("digraph {\n", 0), 0u) << dot;
  EXPECT_TRUE(has_line(dot, R"("mu" [label="mu\n~\nNormal" shape=ellipse])")) << dot;
  EXPECT_TRUE(has_line(dot, R"("tau" [label="tau\n~\nHalfCauchy" shape=ellipse])")) << dot;
  EXPECT_TRUE(has_line(dot, R"(subgraph "cluster8" {)")) << dot;
  EXPECT_TRUE(has_line(dot, R"("theta" [label="theta\n~\nDeterministic" shape=box])", 2)) << dot;
  EXPECT_TRUE(
      has_line(dot, R"("y" [label="y\n~\nNormal" shape=ellipse style=filled fillcolor=gray])", 2))
      << dot;
  for (const char* attr : {R"(label="8")", "labeljust=r", "labelloc=b", "style=rounded"})
    EXPECT_TRUE(has_line(dot, attr, 2)) << attr;
  EXPECT_TRUE(has_line(dot, R"("mu" -> "theta")")) << dot;
  EXPECT_TRUE(has_line(dot, R"("theta" -> "y")")) << dot;
  EXPECT_FALSE(has_line(dot, R"("mu" -> "y")")) << dot;
  // Deterministic: the same model draws the same text.
  Model again;
  build_eight_schools(again);
  EXPECT_EQ(model_to_dot(again), dot);
  EXPECT_DOT_ACCEPTS(dot);
}

TEST(ModelGraph, PlatesByDimensionNames) {
  Model m;
  build_eight_schools(m);
  const DimNames dims = {{"theta_z", {"school"}}, {"theta", {"school"}}, {"y", {"school"}}};
  const auto g = model_graph(m, dims);
  for (const GraphNode& n : g.nodes) EXPECT_EQ(n.plate, n.shape.empty() ? "" : "school (8)");
  const std::string dot = model_to_dot(m, dims);
  EXPECT_TRUE(has_line(dot, R"x(subgraph "clusterschool (8)" {)x")) << dot;
  EXPECT_TRUE(has_line(dot, R"x(label="school (8)")x", 2)) << dot;
  EXPECT_DOT_ACCEPTS(dot);
  // Per-variable lengths replace the shape's; dims of another rank are ignored.
  const auto sized =
      model_graph(m, {{"theta", {"school"}}, {"y", {"a", "b"}}}, {{"theta", {9}}, {"y", {1, 2}}});
  EXPECT_EQ(sized.nodes[3].plate, "school (9)");
  EXPECT_EQ(sized.nodes[4].plate, "8");
}

TEST(ModelGraph, MatrixPlates) {
  Model m;
  Tensor x = m.rv("x", Normal(0, 1), {.shape = Shape{3, 2}});
  m.rv("w", Normal(x, 1));
  m.rv("v", Normal(0, 1), {.shape = Shape{3, 2}});
  const auto g = model_graph(m, {{"w", {"obs", "group"}}, {"v", {"", "group"}}});
  EXPECT_EQ(g.nodes[0].plate, "3 x 2");
  EXPECT_EQ(g.nodes[1].plate, "obs (3) x group (2)");
  EXPECT_EQ(g.nodes[2].plate, "3 x group (2)");
  EXPECT_EQ(edge_set(g.edges), (Edges{{"x", "w"}}));
  EXPECT_DOT_ACCEPTS(model_to_dot(m, {{"w", {"obs", "group"}}}));
}

TEST(ModelGraph, DataContainers) {
  Model m;
  Tensor x = m.data("x", {1, 2, 3, 4, 5}, {5});
  Tensor y_data = m.data("y_data", {1, 3, 2, 5, 4}, {5});
  Tensor a = m.rv("a", Normal(0, 1));
  Tensor b = m.rv("b", Normal(0, 1));
  Tensor s = m.rv("s", HalfNormal(1));
  Tensor y = m.observe("y", Normal(a + b * x, s), y_data);
  m.deterministic("resid", y - a - b * x);
  const auto g = model_graph(m);
  const std::vector<NodeRow> want = {
      {"x", Kind::data, "Data", {5}, "5"},
      {"y_data", Kind::data, "Data", {5}, "5"},
      {"a", Kind::free, "Normal", {}, ""},
      {"b", Kind::free, "Normal", {}, ""},
      {"s", Kind::free, "HalfNormal", {}, ""},
      {"y", Kind::observed, "Normal", {5}, "5"},
      {"resid", Kind::deterministic, "Deterministic", {5}, "5"},
  };
  EXPECT_EQ(rows(g.nodes), want);
  // The observed value is the data container: data -> y; a later use of that node names the
  // data container, the first variable it stands for.
  const Edges edges = {{"x", "y"},     {"y_data", "y"}, {"a", "y"},
                       {"b", "y"},     {"s", "y"},      {"a", "resid"},
                       {"b", "resid"}, {"x", "resid"},  {"y_data", "resid"}};
  EXPECT_EQ(edge_set(g.edges), edges);
  const std::string dot = model_to_dot(m);
  EXPECT_TRUE(has_line(
      dot, R"("x" [label="x\n~\nData" shape=box style="rounded, filled" fillcolor=white])", 2))
      << dot;
  EXPECT_TRUE(has_line(dot, R"("y_data" -> "y")")) << dot;
  EXPECT_DOT_ACCEPTS(dot);
}

TEST(ModelGraph, Potential) {
  Model m;
  Tensor mu = m.rv("mu", Normal(0, 1));
  Tensor z = m.rv("z", Normal(0, 1), {.shape = Shape{4}});
  m.potential("pen", graph::sum(graph::square(z - mu)));
  const auto g = model_graph(m);
  EXPECT_EQ(rows(g.nodes).back(), NodeRow("pen", Kind::potential, "Potential", {}, ""));
  EXPECT_EQ(edge_set(g.edges), (Edges{{"mu", "pen"}, {"z", "pen"}}));
  const std::string dot = model_to_dot(m);
  EXPECT_TRUE(has_line(dot, R"("pen" [label="pen\n~\nPotential" shape=octagon])")) << dot;
  EXPECT_DOT_ACCEPTS(dot);
}

TEST(ModelGraph, MissingData) {
  Model m;
  Tensor mu = m.rv("mu", Normal(0, 10));
  Tensor s = m.rv("sigma", HalfNormal(5));
  const double nan = std::numeric_limits<double>::quiet_NaN();
  m.observe("y", Normal(mu, s), {1, nan, 3, 4, nan, 6}, {6});
  const auto g = model_graph(m);
  std::set<std::string> names;
  for (const GraphNode& n : g.nodes) names.insert(n.name);
  EXPECT_EQ(names, (std::set<std::string>{"mu", "sigma", "y", "y_unobserved", "y_observed"}));
  const Edges edges = {{"mu", "y_unobserved"},
                       {"sigma", "y_unobserved"},
                       {"mu", "y_observed"},
                       {"sigma", "y_observed"},
                       {"y_unobserved", "y"}};
  EXPECT_EQ(edge_set(g.edges), edges);
  EXPECT_DOT_ACCEPTS(model_to_dot(m));
}

TEST(ModelGraph, NestedDistributionArguments) {
  Model m;
  Tensor w = m.rv("w", Dirichlet({1, 1}));
  Tensor m0 = m.rv("m0", Normal(-2, 1));
  Tensor m1 = m.rv("m1", Normal(2, 1));
  Tensor s = m.rv("s", HalfNormal(1));
  m.observe("x", Mixture(w, {Normal(m0, s), Normal(m1, s)}), {-2, -1, 1, 2, 3}, {5});
  const auto g = model_graph(m);
  const Edges edges = {{"w", "x"}, {"m0", "x"}, {"m1", "x"}, {"s", "x"}};
  EXPECT_EQ(edge_set(g.edges), edges);
  EXPECT_EQ(g.nodes.back().type, "Mixture");
}

TEST(ModelGraph, SharedNodes) {
  Model m;
  Tensor x = m.rv("x", Normal(0, 1));
  // A deterministic that is x itself; one named later for an expression already used.
  Tensor alias = m.deterministic("alias", x);
  Tensor shifted = x + 1.0;
  m.observe("y", Normal(shifted, 1), {0.5}, {});
  m.deterministic("shifted", shifted);
  m.observe("z", Normal(alias, 1), {0.5}, {});
  const auto g = model_graph(m);
  // alias's node is x's: a use of it names x, the variable that made it. shifted, named after
  // y used it, is no parent of y.
  const Edges edges = {{"x", "alias"}, {"x", "y"}, {"x", "shifted"}, {"x", "z"}};
  EXPECT_EQ(edge_set(g.edges), edges);
  // The observed constant 0.5 and 1 are no variables' nodes.
  for (const auto& [parent, child] : g.edges) EXPECT_NE(parent, "y");
}

TEST(ModelGraph, NamesAreQuoted) {
  Model m;
  Tensor a = m.rv("a \"quoted\" name", Normal(0, 1));
  m.deterministic("back\\slash", a * 2.0);
  const std::string dot = model_to_dot(m);
  EXPECT_TRUE(has_line(dot, R"("a \"quoted\" name" -> "back\\slash")")) << dot;
  EXPECT_DOT_ACCEPTS(dot);
}

TEST(ModelGraph, EmptyModel) {
  Model m;
  EXPECT_EQ(model_to_dot(m), "digraph {\n}\n");
  EXPECT_DOT_ACCEPTS(model_to_dot(m));
}

}  // namespace
}  // namespace stochos::model
