// The rebuild driver every pass is written with. The graph is append-only, so a pass copies the
// nodes the outputs need, in id (topological) order, into a fresh graph; at each node a hook may
// emit a replacement instead of the plain copy.
#pragma once

#include <functional>
#include <optional>
#include <span>

#include "rewrite/rewrite.hpp"

namespace stochos::rewrite {

// One node as a hook sees it: the source node (its op, dtype, shape and attributes) and the ids
// its inputs already have in the graph being built. Matching on the mapped inputs means a hook
// sees its operands after they were rewritten themselves, so patterns compose bottom-up.
struct Site {
  graph::Graph& g;                    // the graph being built
  const graph::Node& node;            // the source node
  std::span<const graph::NodeId> in;  // node.inputs, mapped into g
};

// Returns a node of `g` computing the same values as `node` (same dtype and shape), or nothing
// to let the driver copy the node as it is.
using Hook = std::function<std::optional<graph::NodeId>(const Site&)>;

// Rebuilds what `outputs` need. Every source input is recreated first, in order, dead or not.
// Nodes are re-emitted through Graph::add, so identical nodes are shared and constant
// subexpressions fold. Nodes that replacements or folding left dead are dropped before
// returning. Throws std::logic_error when a hook changes a node's dtype or shape.
Rewritten rebuild(const graph::Graph& src, std::span<const graph::NodeId> outputs,
                  const Hook& hook = {});

}  // namespace stochos::rewrite
