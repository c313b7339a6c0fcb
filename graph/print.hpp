// Human-readable listings and Graphviz DOT export of a graph (or of what some outputs need).
#pragma once

#include <span>
#include <string>

#include "graph/graph.hpp"

namespace stochos::graph {

// One line per node: "%7 = mul(%3, %5) : float64[8]".
std::string to_string(const Graph& g);
// The nodes that `outputs` depend on, as a DOT digraph; outputs are drawn double-bordered.
std::string to_dot(const Graph& g, std::span<const NodeId> outputs);
// The ids of every node `outputs` depend on, in topological (ascending) order.
std::vector<NodeId> reachable(const Graph& g, std::span<const NodeId> outputs);

}  // namespace stochos::graph
