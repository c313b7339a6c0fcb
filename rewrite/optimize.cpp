// eliminate_dead and the optimize pipeline.
#include "rewrite/driver.hpp"

namespace stochos::rewrite {

namespace {

// Each round is two full copies of the graph; rules compose bottom-up within a pass, so rounds
// after the second rarely find anything.
constexpr int kMaxRounds = 4;

}  // namespace

Rewritten eliminate_dead(const graph::Graph& src, std::span<const graph::NodeId> outputs) {
  return rebuild(src, outputs);
}

// Every pass keeps the inputs in the source's order, so passes chain by feeding one pass's graph
// and outputs to the next; input positions never change.
Rewritten optimize(const graph::Graph& src, std::span<const graph::NodeId> outputs) {
  auto round = [](const graph::Graph& g, std::span<const graph::NodeId> outs) {
    Rewritten st = stabilize(g, outs);
    return simplify(*st.graph, st.outputs);
  };
  Rewritten cur = round(src, outputs);
  // Stabilising can expose identities and simplifying can expose unstable patterns
  // (log(sigmoid(x) * 1)), so repeat while that shrinks the graph.
  for (int i = 1; i < kMaxRounds; ++i) {
    Rewritten next = round(*cur.graph, cur.outputs);
    const bool shrank = next.graph->size() < cur.graph->size();
    if (next.graph->size() <= cur.graph->size()) cur = std::move(next);
    if (!shrank) break;
  }
  return eliminate_dead(*cur.graph, cur.outputs);
}

}  // namespace stochos::rewrite
