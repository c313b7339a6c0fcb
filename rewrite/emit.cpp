#include "rewrite/emit.hpp"

namespace stochos::rewrite {

using graph::NodeId;

namespace {

// Turns folding off for one add and back on even when the add throws.
class NoFolding {
 public:
  explicit NoFolding(graph::Graph& g) : g_(g) { g_.set_folding(false); }
  ~NoFolding() { g_.set_folding(true); }
  NoFolding(const NoFolding&) = delete;
  NoFolding& operator=(const NoFolding&) = delete;

 private:
  graph::Graph& g_;
};

}  // namespace

NodeId emit(graph::Graph& g, graph::Op op, std::vector<NodeId> inputs,
            std::vector<std::int64_t> ints) {
  if (op == graph::Op::broadcast_to && inputs.size() == 1 && g.is_constant(inputs[0]) &&
      graph::numel(ints) > kMaxBroadcastConstant) {
    NoFolding guard(g);
    return g.add(op, std::move(inputs), std::move(ints));
  }
  return g.add(op, std::move(inputs), std::move(ints));
}

NodeId conform(graph::Graph& g, NodeId x, const graph::Shape& shape) {
  if (g.node(x).shape == shape) return x;
  return emit(g, graph::Op::broadcast_to, {x}, shape);
}

NodeId reshaped(graph::Graph& g, NodeId x, const graph::Shape& shape) {
  if (g.node(x).shape == shape) return x;
  return emit(g, graph::Op::reshape, {x}, shape);
}

NodeId filled(graph::Graph& g, double value, graph::DType d, const graph::Shape& shape) {
  // A copy: shape may be a node's of g, which g.scalar moves (Note [node references] in
  // graph/graph.cpp).
  const graph::Shape target = shape;
  return conform(g, g.scalar(value, d), target);
}

}  // namespace stochos::rewrite
