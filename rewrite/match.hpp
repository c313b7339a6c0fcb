// Pattern helpers for hooks: looking through one node of the graph being built.
#pragma once

#include <optional>

#include "graph/graph.hpp"

namespace stochos::rewrite {

// The node `id` when its op is `op`, else null.
const graph::Node* match(const graph::Graph& g, graph::NodeId id, graph::Op op);

// The one value every element of `id` takes, when `id` is a non-empty constant (or a reshape or
// broadcast of one) whose elements all equal it; nothing otherwise, and for NaN.
std::optional<double> uniform_value(const graph::Graph& g, graph::NodeId id);

// True when `id` is a constant-valued node whose every element equals v (-0.0 counts as 0).
inline bool is_value(const graph::Graph& g, graph::NodeId id, double v) {
  const auto u = uniform_value(g, id);
  return u && *u == v;
}

}  // namespace stochos::rewrite
