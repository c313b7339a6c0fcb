// The graph: an append-only arena of nodes in topological order (an input always precedes its
// users). Adding a node infers and checks its dtype and shape, shares it with an identical node
// already present, and folds it when every input is a constant.
#pragma once

#include <optional>
#include <span>
#include <unordered_map>
#include <vector>

#include "graph/node.hpp"

namespace stochos::graph {

class Graph {
 public:
  Graph() = default;
  Graph(const Graph&) = delete;  // Tensor handles point at their graph
  Graph& operator=(const Graph&) = delete;
  Graph(Graph&&) = default;
  Graph& operator=(Graph&&) = default;

  // Adds op(inputs) with integer attributes (and, for scan alone, its body); throws GraphError
  // naming the op and shapes when the inputs do not fit.
  NodeId add(Op op, std::vector<NodeId> inputs, std::vector<std::int64_t> ints = {},
             std::shared_ptr<const ScanBody> body = nullptr);
  NodeId constant(DType dtype, Shape shape, std::vector<double> values);
  NodeId scalar(double value, DType dtype = DType::f64) { return constant(dtype, {}, {value}); }
  // A new named input; two inputs are never merged, even with the same name.
  NodeId input(std::string name, DType dtype, Shape shape);

  const Node& node(NodeId id) const { return nodes_[id]; }
  std::size_t size() const { return nodes_.size(); }
  const std::vector<NodeId>& inputs() const { return inputs_; }

  bool is_constant(NodeId id) const { return nodes_[id].op == Op::constant; }
  // True when id is a constant whose every element equals v.
  bool is_constant_value(NodeId id, double v) const;

  // Sets whether add() folds constant subexpressions (on by default).
  void set_folding(bool on) { folding_ = on; }

 private:
  NodeId intern(Node n);

  std::vector<Node> nodes_;
  std::vector<NodeId> inputs_;
  std::unordered_multimap<std::size_t, NodeId> index_;
  bool folding_ = true;
};

// Shape and dtype inference (shape_rules.cpp): fills n.dtype and n.shape from its inputs and
// attributes, or throws GraphError.
void infer(const Graph& g, Node& n);

// Evaluates op over constant inputs when that is cheap (fold.cpp); nothing when it is not.
std::optional<std::vector<double>> fold(const Graph& g, const Node& n);

}  // namespace stochos::graph
