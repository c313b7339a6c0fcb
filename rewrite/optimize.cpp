// eliminate_dead and the optimize pipeline.
#include "graph/scan.hpp"
#include "rewrite/driver.hpp"

namespace stochos::rewrite {

namespace {

// Rules compose bottom-up within a pass, but a replacement is not itself revisited, so a few
// rounds may be needed; real graphs settle in two or three.
constexpr int kMaxRounds = 6;

// True when a round changed nothing: the driver rebuilds deterministically, so an unchanged
// graph comes back node for node (constants compared by value).
bool same_graph(const graph::Graph& a, const graph::Graph& b) {
  if (a.size() != b.size()) return false;
  for (graph::NodeId id = 0; id < a.size(); ++id) {
    const graph::Node& x = a.node(id);
    const graph::Node& y = b.node(id);
    if (x.op != y.op || x.dtype != y.dtype || x.shape != y.shape || x.inputs != y.inputs ||
        x.attrs.ints != y.attrs.ints || x.attrs.name != y.attrs.name)
      return false;
    if (x.attrs.data != y.attrs.data &&
        (!x.attrs.data || !y.attrs.data || *x.attrs.data != *y.attrs.data))
      return false;
    if (x.attrs.body != y.attrs.body &&
        (!x.attrs.body || !y.attrs.body || !graph::same_body(*x.attrs.body, *y.attrs.body)))
      return false;
  }
  return true;
}

}  // namespace

Rewritten eliminate_dead(const graph::Graph& src, std::span<const graph::NodeId> outputs) {
  return rebuild(src, outputs);
}

// Every pass keeps the inputs in the source's order, so passes chain by feeding one pass's graph
// and outputs to the next; input positions never change.
Rewritten optimize(const graph::Graph& src, std::span<const graph::NodeId> outputs) {
  auto round = [](const graph::Graph& g, std::span<const graph::NodeId> outs) {
    Rewritten st = stabilize(g, outs);
    Rewritten ho = hoist(*st.graph, st.outputs);
    return simplify(*ho.graph, ho.outputs);
  };
  Rewritten cur = round(src, outputs);
  // Stabilising can expose identities and simplifying can expose unstable patterns
  // (log(sigmoid(x) * 1)), so repeat until a round changes nothing.
  for (int i = 1; i < kMaxRounds; ++i) {
    Rewritten next = round(*cur.graph, cur.outputs);
    const bool settled = same_graph(*next.graph, *cur.graph);
    cur = std::move(next);
    if (settled) break;
  }
  return eliminate_dead(*cur.graph, cur.outputs);
}

}  // namespace stochos::rewrite
