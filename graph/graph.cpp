#include "graph/graph.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>

#include "graph/error.hpp"
#include "graph/scan.hpp"

namespace stochos::graph {
namespace {

void mix(std::size_t& h, std::size_t v) {
  h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
}

std::size_t hash_node(const Node& n) {
  std::size_t h = static_cast<std::size_t>(n.op);
  for (auto i : n.inputs) mix(h, i);
  for (auto i : n.attrs.ints) mix(h, std::hash<std::int64_t>{}(i));
  if (n.op == Op::constant) {
    mix(h, static_cast<std::size_t>(n.dtype));
    for (auto d : n.shape) mix(h, static_cast<std::size_t>(d));
    for (double v : *n.attrs.data) mix(h, std::hash<double>{}(v));
  }
  if (n.attrs.body) mix(h, n.attrs.body->hash);
  return h;
}

bool same_node(const Node& a, const Node& b) {
  if (a.op != b.op || a.inputs != b.inputs || a.attrs.ints != b.attrs.ints) return false;
  // Two scans are one node only when their bodies compute the same thing (Note [scan]).
  if (a.attrs.body != b.attrs.body &&
      (!a.attrs.body || !b.attrs.body || !same_body(*a.attrs.body, *b.attrs.body)))
    return false;
  if (a.op == Op::constant) {
    if (a.dtype != b.dtype || a.shape != b.shape) return false;
    const auto& x = *a.attrs.data;
    const auto& y = *b.attrs.data;
    // Bitwise comparison so that NaN payloads and signed zeros are kept apart.
    return std::equal(x.begin(), x.end(), y.begin(), y.end(),
                      [](double p, double q) { return std::memcmp(&p, &q, sizeof p) == 0; });
  }
  return true;
}

}  // namespace

// Note [node references]: the nodes live in one vector, which moves when it grows (the push_back
// below), so a reference or pointer to a node, or to its shape or inputs (node(), and a Tensor's
// node() and shape(), give such references), is good only until the next node is added. add,
// constant, scalar and input add nodes, and so do the Tensor functions and the passes' emit: copy
// what is needed (the op, ids, shape, or the whole node) before calling one. Code that gets this
// wrong usually works, until the vector happens to move; `make sanitize` catches it.
NodeId Graph::intern(Node n) {
  n.hash = hash_node(n);
  auto [lo, hi] = index_.equal_range(n.hash);
  for (auto it = lo; it != hi; ++it)
    if (same_node(nodes_[it->second], n)) return it->second;
  const auto id = static_cast<NodeId>(nodes_.size());
  index_.emplace(n.hash, id);
  nodes_.push_back(std::move(n));
  return id;
}

NodeId Graph::add(Op op, std::vector<NodeId> inputs, std::vector<std::int64_t> ints,
                  std::shared_ptr<const ScanBody> body) {
  if (op == Op::constant || op == Op::input)
    throw GraphError(std::string(op_name(op)) + ": use Graph::constant or Graph::input");
  if ((op == Op::scan) != (body != nullptr))
    throw GraphError(std::string(op_name(op)) +
                     (body ? ": only scan takes a body" : ": needs a body (graph::scan)"));
  for (auto i : inputs)
    if (i >= nodes_.size())
      throw GraphError(std::string(op_name(op)) + ": input node " + std::to_string(i) +
                       " does not exist in this graph");
  Node n{
      op, DType::f64, {}, std::move(inputs), Attrs{std::move(ints), {}, nullptr, std::move(body)}};
  infer(*this, n);
  if (folding_ && !n.inputs.empty() &&
      std::all_of(n.inputs.begin(), n.inputs.end(), [&](NodeId i) { return is_constant(i); })) {
    if (auto values = fold(*this, n)) return constant(n.dtype, n.shape, std::move(*values));
  }
  return intern(std::move(n));
}

NodeId Graph::constant(DType dtype, Shape shape, std::vector<double> values) {
  for (auto d : shape)
    if (d < 0) throw GraphError("constant: negative dimension in shape " + shape_str(shape));
  if (static_cast<std::int64_t>(values.size()) != numel(shape))
    throw GraphError("constant: " + std::to_string(values.size()) + " values do not fill shape " +
                     shape_str(shape));
  // Values are stored as the dtype rounds them, so folding and engines see the same numbers.
  for (double& v : values) {
    switch (dtype) {
      case DType::f64:
        break;
      case DType::f32:
        v = static_cast<float>(v);
        break;
      case DType::i64:
        v = std::trunc(v);
        break;
      case DType::boolean:
        v = v != 0.0 ? 1.0 : 0.0;
        break;
    }
  }
  Node n{Op::constant,
         dtype,
         std::move(shape),
         {},
         Attrs{{}, {}, std::make_shared<const std::vector<double>>(std::move(values))}};
  return intern(std::move(n));
}

NodeId Graph::input(std::string name, DType dtype, Shape shape) {
  for (auto d : shape)
    if (d < 0)
      throw GraphError("input '" + name + "': negative dimension in shape " + shape_str(shape));
  const auto id = static_cast<NodeId>(nodes_.size());
  Node n{Op::input,
         dtype,
         std::move(shape),
         {},
         Attrs{{static_cast<std::int64_t>(id)}, std::move(name), nullptr}};
  n.hash = hash_node(n);
  nodes_.push_back(std::move(n));  // never interned: every input is distinct
  inputs_.push_back(id);
  return id;
}

bool Graph::is_constant_value(NodeId id, double v) const {
  const Node& n = nodes_[id];
  if (n.op != Op::constant) return false;
  return std::all_of(n.attrs.data->begin(), n.attrs.data->end(), [v](double x) { return x == v; });
}

}  // namespace stochos::graph
