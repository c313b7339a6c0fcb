// Graph-to-graph passes. The graph is append-only, so a pass rebuilds the part of the source that
// the outputs need into a fresh graph, node by node, deciding at each node what to emit.
#pragma once

#include <memory>
#include <span>
#include <vector>

#include "graph/graph.hpp"

namespace stochos::rewrite {

struct Rewritten {
  std::unique_ptr<graph::Graph> graph;
  std::vector<graph::NodeId> inputs;   // the new id of each of the source's inputs, in order
  std::vector<graph::NodeId> outputs;  // the new id of each requested output, in order
};

// Copies only what `outputs` need (every input is kept, so positions stay stable).
Rewritten eliminate_dead(const graph::Graph& src, std::span<const graph::NodeId> outputs);
// Algebraic identities: x+0, x*1, x*0 (float-safe cases only), --x, x-x, reshape chains, ...
Rewritten simplify(const graph::Graph& src, std::span<const graph::NodeId> outputs);
// Numerically stable forms: log(1+x) -> log1p(x), log(sigmoid(x)) -> log_sigmoid(x),
// log(exp(x)) -> x, log(sum(exp(x))) -> logsumexp(x), log(1 + exp(x)) -> softplus(x), ...
Rewritten stabilize(const graph::Graph& src, std::span<const graph::NodeId> outputs);
// Size-1 factors and offsets moved out of whole-array arithmetic: a / s -> a * (1 / s),
// (a * k) * s -> a * (k * s), sum(a * k) -> sum(a) * k, ... (fewer passes over large arrays).
Rewritten hoist(const graph::Graph& src, std::span<const graph::NodeId> outputs);
// Every pass above, to a fixed point (constant folding happens as the new graph is built).
Rewritten optimize(const graph::Graph& src, std::span<const graph::NodeId> outputs);

}  // namespace stochos::rewrite
