#include "rewrite/driver.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>
#include <string>

#include "graph/scan.hpp"
#include "rewrite/emit.hpp"

namespace stochos::rewrite {

using graph::Graph;
using graph::Node;
using graph::NodeId;

namespace {

constexpr NodeId kUnmapped = std::numeric_limits<NodeId>::max();

// Which nodes `outputs` need. Ids are topological, so one backward sweep suffices.
std::vector<bool> live_nodes(const Graph& g, std::span<const NodeId> outputs) {
  std::vector<bool> live(g.size(), false);
  for (NodeId o : outputs) live.at(o) = true;
  for (std::size_t id = g.size(); id-- > 0;) {
    if (!live[id]) continue;
    for (NodeId i : g.node(static_cast<NodeId>(id)).inputs) live[i] = true;
  }
  return live;
}

// True when some node other than an input is not needed by `outputs` (inputs always stay).
bool has_dead_nodes(const Graph& g, std::span<const NodeId> outputs) {
  const auto live = live_nodes(g, outputs);
  for (std::size_t id = 0; id < g.size(); ++id)
    if (!live[id] && g.node(static_cast<NodeId>(id)).op != graph::Op::input) return true;
  return false;
}

[[noreturn]] void bad_replacement(const Node& n, const Node& r) {
  throw std::logic_error("rewrite: a replacement for " + std::string(graph::op_name(n.op)) + " " +
                         std::string(graph::dtype_name(n.dtype)) + graph::shape_str(n.shape) +
                         " is " + std::string(graph::dtype_name(r.dtype)) +
                         graph::shape_str(r.shape));
}

// A large constant whose elements are all equal (a folded broadcast, like the ones reverse mode
// seeds with) becomes a broadcast of one scalar again: engines read it with stride 0 and the
// passes see a size-1 operand they can move.
NodeId copy_constant(Graph& g, const Node& n) {
  if (graph::numel(n.shape) > kMaxBroadcastConstant) {
    const auto& d = *n.attrs.data;
    if (std::all_of(d.begin(), d.end(), [&](double v) { return v == d[0]; }))
      return emit(g, graph::Op::broadcast_to, {g.scalar(d[0], n.dtype)}, n.shape);
  }
  return g.constant(n.dtype, n.shape, *n.attrs.data);
}

Rewritten copy(const Graph& src, std::span<const NodeId> outputs, const Hook& hook);

// A scan's body gets the same pass as the graph around it (Note [scan] in graph/scan.hpp);
// rebuilding keeps every input in order, so the body's interface is unchanged.
std::shared_ptr<const graph::ScanBody> copy_body(const graph::ScanBody& b, const Hook& hook) {
  Rewritten r = copy(b.graph, b.outputs, hook);
  if (has_dead_nodes(*r.graph, r.outputs)) r = copy(*r.graph, r.outputs, {});
  return graph::make_scan_body(std::move(*r.graph), std::move(r.outputs), b.carries, b.sequences);
}

Rewritten copy(const Graph& src, std::span<const NodeId> outputs, const Hook& hook) {
  Rewritten r;
  r.graph = std::make_unique<Graph>();
  Graph& g = *r.graph;
  std::vector<NodeId> map(src.size(), kUnmapped);
  for (NodeId id : src.inputs()) {
    const Node& n = src.node(id);
    map[id] = g.input(n.attrs.name, n.dtype, n.shape);
    r.inputs.push_back(map[id]);
  }
  const auto live = live_nodes(src, outputs);
  std::vector<NodeId> in;
  for (NodeId id = 0; id < src.size(); ++id) {
    const Node& n = src.node(id);
    if (!live[id] || n.op == graph::Op::input) continue;
    if (n.op == graph::Op::constant) {
      map[id] = copy_constant(g, n);
      continue;
    }
    in.clear();
    for (NodeId i : n.inputs) in.push_back(map[i]);
    std::optional<NodeId> rep;
    if (hook) rep = hook(Site{g, n, in});
    if (rep) {
      const Node& m = g.node(*rep);
      if (m.dtype != n.dtype || m.shape != n.shape) bad_replacement(n, m);
      map[id] = *rep;
    } else if (n.attrs.body) {
      const auto body = copy_body(*n.attrs.body, hook);
      map[id] = g.add(n.op, in, n.attrs.ints, body);
    } else {
      map[id] = emit(g, n.op, in, n.attrs.ints);
    }
  }
  for (NodeId o : outputs) r.outputs.push_back(map[o]);
  return r;
}

}  // namespace

Rewritten rebuild(const Graph& src, std::span<const NodeId> outputs, const Hook& hook) {
  Rewritten r = copy(src, outputs, hook);
  // A replacement can strand the nodes it was matched through (the add of log(1 + x), say), and
  // folding strands the constants it folded. Copying once more without a hook drops them (that
  // copy folds nothing new); input positions carry over unchanged.
  if (has_dead_nodes(*r.graph, r.outputs)) r = copy(*r.graph, r.outputs, {});
  return r;
}

}  // namespace stochos::rewrite
