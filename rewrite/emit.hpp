// Small builders shared by the passes: emitting a node with the constant-size policy, filling a
// shape with one value, and bringing a replacement back to the shape of the node it replaces.
#pragma once

#include "graph/graph.hpp"

namespace stochos::rewrite {

// A broadcast of a constant is folded into a constant only up to this many elements; larger ones
// stay a broadcast_to (a stride-0 view to the engine) rather than filling memory with copies.
inline constexpr std::int64_t kMaxBroadcastConstant = 256;

// Graph::add, except that a large broadcast_to of a constant stays unfolded.
graph::NodeId emit(graph::Graph& g, graph::Op op, std::vector<graph::NodeId> inputs,
                   std::vector<std::int64_t> ints = {});

// x broadcast to `shape` (x itself when it already has that shape).
graph::NodeId conform(graph::Graph& g, graph::NodeId x, const graph::Shape& shape);

// x reshaped to `shape` (x itself when it already has that shape).
graph::NodeId reshaped(graph::Graph& g, graph::NodeId x, const graph::Shape& shape);

// `value` of dtype d broadcast to `shape`.
graph::NodeId filled(graph::Graph& g, double value, graph::DType d, const graph::Shape& shape);

}  // namespace stochos::rewrite
