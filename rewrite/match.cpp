#include "rewrite/match.hpp"

#include <algorithm>

namespace stochos::rewrite {

const graph::Node* match(const graph::Graph& g, graph::NodeId id, graph::Op op) {
  const graph::Node& n = g.node(id);
  return n.op == op ? &n : nullptr;
}

std::optional<double> uniform_value(const graph::Graph& g, graph::NodeId id) {
  const graph::Node* n = &g.node(id);
  // Large fills stay broadcasts of a scalar (emit.hpp), so look through shape-only ops.
  while (n->op == graph::Op::broadcast_to || n->op == graph::Op::reshape) n = &g.node(n->inputs[0]);
  if (n->op != graph::Op::constant) return std::nullopt;
  const auto& d = *n->attrs.data;
  if (d.empty() || d[0] != d[0]) return std::nullopt;
  if (!std::all_of(d.begin(), d.end(), [&](double v) { return v == d[0]; })) return std::nullopt;
  return d[0];
}

}  // namespace stochos::rewrite
