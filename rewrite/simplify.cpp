// Algebraic simplification. Every rule gives the same value as the node it replaces for every
// finite input, with the node's dtype and shape (broadcasting the replacement when an operand
// was smaller than the result). Two rules, x * 0 -> 0 and x - x -> 0, assume x is finite: they
// would turn an inf or NaN into 0. PyTensor makes the same assumption; a log density that is
// inf or NaN is rejected by the sampler either way. Rules that are wrong for some finite input
// are left out on purpose: square(sqrt(x)) -> x (x < 0 gives NaN before), exp(log(x)) -> x.
#include <cmath>

#include "rewrite/driver.hpp"
#include "rewrite/emit.hpp"
#include "rewrite/match.hpp"

namespace stochos::rewrite {

using graph::Graph;
using graph::Node;
using graph::NodeId;
using graph::Op;

namespace {

using Result = std::optional<NodeId>;

struct Simplifier {
  const Site& s;
  Graph& g = s.g;
  const Node& n = s.node;

  NodeId in(std::size_t i) const { return s.in[i]; }
  const Node& node(NodeId id) const { return g.node(id); }
  bool is(NodeId id, double v) const { return is_value(g, id, v); }
  // x brought to the replaced node's shape.
  NodeId same(NodeId x) const { return conform(g, x, n.shape); }
  NodeId zeros() const { return filled(g, 0.0, n.dtype, n.shape); }
  NodeId ones() const { return filled(g, 1.0, n.dtype, n.shape); }
  NodeId neg(NodeId x) const { return same(emit(g, Op::neg, {x})); }
  // The operand of neg(x), when id is one.
  std::optional<NodeId> negated(NodeId id) const {
    if (const Node* m = match(g, id, Op::neg)) return m->inputs[0];
    return std::nullopt;
  }

  Result add() const {
    const NodeId a = in(0), b = in(1);
    if (is(b, 0)) return same(a);
    if (is(a, 0)) return same(b);
    if (auto y = negated(b)) return emit(g, Op::sub, {a, *y});  // x + -y -> x - y
    if (auto y = negated(a)) return emit(g, Op::sub, {b, *y});  // -y + x -> x - y
    return std::nullopt;
  }

  Result sub() const {
    const NodeId a = in(0), b = in(1);
    if (is(b, 0)) return same(a);
    if (a == b) return zeros();                                 // finite x only
    if (auto y = negated(b)) return emit(g, Op::add, {a, *y});  // x - -y -> x + y
    if (is(a, 0)) return neg(b);
    return std::nullopt;
  }

  Result mul() const {
    const NodeId a = in(0), b = in(1);
    if (is(b, 1)) return same(a);
    if (is(a, 1)) return same(b);
    if (is(a, 0) || is(b, 0)) return zeros();  // finite x only
    if (is(b, -1)) return neg(a);
    if (is(a, -1)) return neg(b);
    auto x = negated(a), y = negated(b);
    if (x && y) return emit(g, Op::mul, {*x, *y});
    return std::nullopt;
  }

  Result div() const {
    const NodeId a = in(0), b = in(1);
    if (is(b, 1)) return same(a);
    if (is(b, -1)) return neg(a);
    auto x = negated(a), y = negated(b);
    if (x && y) return emit(g, Op::div, {*x, *y});
    return std::nullopt;
  }

  Result pow() const {
    const NodeId a = in(0), b = in(1);
    if (is(b, 1)) return same(a);
    if (is(b, 0)) return ones();  // pow(x, 0) is 1 for every x, NaN included
    // x * x is correctly rounded; pow(x, 2) is within an ulp of it.
    if (is(b, 2)) return same(emit(g, Op::square, {a}));
    return std::nullopt;
  }

  Result select() const {
    const NodeId c = in(0), a = in(1), b = in(2);
    if (a == b) return same(a);
    if (is(c, 1)) return same(a);
    if (is(c, 0)) return same(b);
    return std::nullopt;
  }

  // reshape(reshape(x)) -> reshape(x); a reshape to x's own shape -> x.
  Result reshape() const {
    NodeId x = in(0);
    if (const Node* r = match(g, x, Op::reshape)) x = r->inputs[0];
    if (node(x).shape == n.shape) return x;
    if (x != in(0)) return emit(g, Op::reshape, {x}, n.shape);
    return std::nullopt;
  }

  // broadcast_to(broadcast_to(x)) -> broadcast_to(x): broadcasting composes.
  Result broadcast() const {
    NodeId x = in(0);
    if (const Node* r = match(g, x, Op::broadcast_to)) x = r->inputs[0];
    if (x != in(0) || node(x).shape == n.shape) return same(x);
    return std::nullopt;
  }

  // transpose(transpose(x, p), q) -> transpose(x, p o q); the identity permutation -> x.
  Result transpose() const {
    NodeId x = in(0);
    std::vector<std::int64_t> perm = n.attrs.ints;
    if (const Node* t = match(g, x, Op::transpose)) {
      x = t->inputs[0];
      for (auto& p : perm) p = t->attrs.ints[static_cast<std::size_t>(p)];
    }
    bool identity = true;
    for (std::size_t i = 0; i < perm.size(); ++i)
      identity = identity && perm[i] == static_cast<std::int64_t>(i);
    if (identity) return x;
    if (x != in(0)) return emit(g, Op::transpose, {x}, perm);
    return std::nullopt;
  }

  Result reduce() const {
    const NodeId x = in(0);
    const Node& xn = node(x);
    const bool all = n.attrs.ints[0] == graph::kAllAxes;
    const std::int64_t count =
        all ? graph::numel(xn.shape) : xn.shape[static_cast<std::size_t>(n.attrs.ints[0])];
    // Reducing one element is that element (logsumexp left out: its inf handling differs).
    if (count == 1 && n.op != Op::logsumexp) return reshaped(g, x, n.shape);
    // Reducing the only axis is reducing all axes: one spelling, so the two share a node.
    if (!all && xn.shape.size() == 1 && n.attrs.ints[1] == 0)
      return emit(g, n.op, {x}, {graph::kAllAxes, 0});
    // sum of a broadcast scalar s over `count` elements -> s * count.
    if (n.op == Op::sum) {
      const Node* b = match(g, x, Op::broadcast_to);
      if (b && graph::numel(node(b->inputs[0]).shape) == 1) {
        NodeId s = b->inputs[0];
        s = reshaped(g, s, {});
        const NodeId c = g.scalar(static_cast<double>(count), n.dtype);
        return same(emit(g, Op::mul, {s, c}));
      }
    }
    return std::nullopt;
  }

  Result run() const {
    switch (graph::op_kind(n.op)) {
      case graph::OpKind::Unary:
        if (n.op == Op::neg) return negated(in(0));   // --x -> x
        if (n.op == Op::abs || n.op == Op::square) {  // |-x| -> |x|, (-x)^2 -> x^2, ||x|| -> |x|
          if (auto y = negated(in(0))) return emit(g, n.op, {*y});
          if (n.op == Op::abs && match(g, in(0), Op::abs)) return in(0);
        }
        return std::nullopt;
      case graph::OpKind::Binary:
        if (n.op == Op::add) return add();
        if (n.op == Op::sub) return sub();
        if (n.op == Op::mul) return mul();
        if (n.op == Op::div) return div();
        if (n.op == Op::pow) return pow();
        if (in(0) == in(1)) return in(0);  // maximum(x, x), minimum(x, x)
        return std::nullopt;
      case graph::OpKind::Select:
        return select();
      case graph::OpKind::Cast:
        if (node(in(0)).dtype == n.dtype) return in(0);
        return std::nullopt;
      case graph::OpKind::Reduce:
        return reduce();
      case graph::OpKind::Shape:
        if (n.op == Op::reshape) return reshape();
        if (n.op == Op::broadcast_to) return broadcast();
        if (n.op == Op::transpose) return transpose();
        return std::nullopt;
      case graph::OpKind::Source:
      case graph::OpKind::Compare:
      case graph::OpKind::Logical:
      case graph::OpKind::LinAlg:
      case graph::OpKind::Loop:  // its body is simplified by the driver
        return std::nullopt;
    }
    return std::nullopt;
  }
};

}  // namespace

Rewritten simplify(const Graph& src, std::span<const NodeId> outputs) {
  return rebuild(src, outputs, [](const Site& s) { return Simplifier{s}.run(); });
}

}  // namespace stochos::rewrite
