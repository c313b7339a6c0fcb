// Scalar hoisting: moves size-1 factors and offsets out of whole-array arithmetic, so that a
// log density and its reverse-mode gradient make fewer passes over their large arrays. The
// gradient of sum(-0.5 * square((y - m) / s) - log(s)) as emitted computes (y - m) / s, then
// multiplies by a broadcast -0.5, by 2, divides by s again, negates...; after this pass it is
// one multiplication of (y - m) by a scalar worked out once, and the density's sum is
// sum(square(y - m)) times a scalar, shared with the gradient.
//
// The canonical form of "array times scalar" is mul(a, k) with k of size 1 (a "chain"). Rules,
// for floating dtypes, where a is an array larger than one element and s, k, j are size 1:
//   op(broadcast(s1), s2, ...)  -> broadcast(op(s1, s2, ...))  every operand of size 1
//   op(broadcast(s), x)         -> op(s, x)                  x already has the result's shape
//   a / s             -> a * (1 / s)          a division per element becomes a multiplication
//   (a * k) * s       -> a * (k * s)          -(a * k) -> a * -k,   -a is the chain a * -1
//   (a * k) * (b * j) -> (a * b) * (k * j)    and square(a) * (k * j) when a is b
//   (a * k) / b       -> (a / b) * k
//   square(a * k)     -> square(a) * square(k)
//   sum(a * k)        -> sum(a) * k           any axis, with or without keepdims
//   sum(a + s)        -> sum(a) + n * s       n = elements per reduced slice; also a - s, s - a
//   scatter_add(a * k, i) -> scatter_add(a, i) * k
// Each rule is exact in real arithmetic; in floating point the reordering changes results by a
// few ulps. square(a) * square(k) overflows where square(a * k) does not only when |a| exceeds
// 1e154, which no log density's data or parameters reach.
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

struct Chain {
  NodeId a;  // the array, with the chain's shape
  NodeId k;  // the factor, a scalar (shape {})
};

struct Hoister {
  const Site& s;
  Graph& g = s.g;
  const Node& n = s.node;

  const Node& node(NodeId id) const { return g.node(id); }
  bool small(NodeId id) const { return graph::numel(node(id).shape) == 1; }
  NodeId scalar(NodeId id) const { return reshaped(g, id, {}); }
  NodeId constant(double v) const { return g.scalar(v, n.dtype); }
  NodeId op(Op o, NodeId x, NodeId y) const { return emit(g, o, {x, y}); }
  NodeId op(Op o, NodeId x) const { return emit(g, o, {x}); }
  // The size-1 node that a broadcast of one, or a constant array of equal elements, stands for;
  // the node itself otherwise.
  NodeId unbroadcast(NodeId id) const {
    const Node& m = node(id);
    if (m.op == Op::broadcast_to && small(m.inputs[0])) return m.inputs[0];
    if (m.op == Op::constant && !small(id) && graph::numel(m.shape) > 0) {
      if (auto v = uniform_value(g, id)) return g.scalar(*v, m.dtype);
    }
    return id;
  }

  // id as a * k when it is a product of an array and a size-1 factor, or a negation.
  std::optional<Chain> chain(NodeId id) const {
    if (small(id)) return std::nullopt;
    // A copy: unbroadcast adds to g (Note [node references] in graph/graph.cpp).
    const Node m = node(id);
    if (m.op == Op::neg) return Chain{m.inputs[0], constant(-1)};
    if (m.op != Op::mul) return std::nullopt;
    const NodeId x = unbroadcast(m.inputs[0]), y = unbroadcast(m.inputs[1]);
    if (small(y) && !small(x) && node(x).shape == m.shape) return Chain{x, scalar(y)};
    if (small(x) && !small(y) && node(y).shape == m.shape) return Chain{y, scalar(x)};
    return std::nullopt;
  }
  NodeId times(NodeId a, NodeId k) const { return conform(g, op(Op::mul, a, k), n.shape); }

  // Every operand of size 1 (or a broadcast of one): the op on scalars, broadcast once.
  Result lift() const {
    bool any_broadcast = false;
    std::vector<NodeId> scalars;
    for (NodeId i : s.in) {
      const NodeId u = unbroadcast(i);
      if (!small(u)) return std::nullopt;
      any_broadcast = any_broadcast || u != i;
      scalars.push_back(scalar(u));
    }
    if (!any_broadcast) return std::nullopt;
    return conform(g, emit(g, n.op, scalars, n.attrs.ints), n.shape);
  }

  // A broadcast operand beside one that already has the result's shape: the op broadcasts.
  Result drop_broadcast() const {
    if (s.in.size() != 2) return std::nullopt;
    const NodeId a = unbroadcast(s.in[0]), b = unbroadcast(s.in[1]);
    if (a != s.in[0] && node(s.in[1]).shape == n.shape) return emit(g, n.op, {a, s.in[1]});
    if (b != s.in[1] && node(s.in[0]).shape == n.shape) return emit(g, n.op, {s.in[0], b});
    return std::nullopt;
  }

  Result mul() const {
    const NodeId x = s.in[0], y = s.in[1];
    if (small(y) || small(x)) {
      const NodeId v = small(y) ? x : y, w = small(y) ? y : x;
      if (auto c = chain(v)) return times(c->a, op(Op::mul, c->k, scalar(w)));
      return std::nullopt;
    }
    const auto cx = chain(x), cy = chain(y);
    if (!cx && !cy) return std::nullopt;
    const NodeId a = cx ? cx->a : x, b = cy ? cy->a : y;
    NodeId k = cx ? cx->k : constant(1);
    if (cy) k = op(Op::mul, k, cy->k);
    const NodeId inner = a == b ? op(Op::square, a) : op(Op::mul, a, b);
    return times(inner, k);
  }

  Result div() const {
    const NodeId x = s.in[0], y = s.in[1];
    if (small(x)) return std::nullopt;
    if (small(y)) {
      const NodeId r = op(Op::div, constant(1), scalar(y));
      if (auto c = chain(x)) return times(c->a, op(Op::mul, c->k, r));
      return times(x, r);
    }
    if (auto c = chain(x)) return times(op(Op::div, c->a, y), c->k);
    return std::nullopt;
  }

  Result unary() const {
    const auto c = chain(s.in[0]);
    if (!c) return std::nullopt;
    if (n.op == Op::neg) return times(c->a, op(Op::neg, c->k));
    if (n.op == Op::square) return times(op(Op::square, c->a), op(Op::square, c->k));
    return std::nullopt;
  }

  Result sum() const { return sum_of(s.in[0], 0); }

  // The reduction of x (n's axis and keepdims) with factors and offsets moved out; recursive,
  // because sum(a * k - s) exposes sum(a * k) once the offset is out.
  std::optional<NodeId> sum_of(NodeId x, int depth) const {
    // An empty slice sums to 0, and 0 * k is not 0 for an infinite k.
    if (depth > 8 || small(x) || graph::numel(node(x).shape) == 0) return std::nullopt;
    const auto reduce = [&](NodeId a) {
      return sum_of(a, depth + 1).value_or(emit(g, Op::sum, {a}, n.attrs.ints));
    };
    if (auto c = chain(x)) return times(reduce(c->a), c->k);
    // A copy: op and reduce add to g (Note [node references] in graph/graph.cpp).
    const Node m = node(x);
    if (m.op != Op::add && m.op != Op::sub) return std::nullopt;
    const NodeId p = unbroadcast(m.inputs[0]), q = unbroadcast(m.inputs[1]);
    const bool p_small = small(p), q_small = small(q);
    if (p_small == q_small) return std::nullopt;
    const NodeId a = p_small ? q : p;
    if (node(a).shape != m.shape) return std::nullopt;
    const double per_slice =
        static_cast<double>(graph::numel(m.shape)) / static_cast<double>(graph::numel(n.shape));
    const NodeId offset = op(Op::mul, scalar(p_small ? p : q), constant(per_slice));
    const NodeId total = reduce(a);
    if (m.op == Op::add) return conform(g, op(Op::add, total, offset), n.shape);
    return conform(g, p_small ? op(Op::sub, offset, total) : op(Op::sub, total, offset), n.shape);
  }

  Result scatter() const {
    const auto c = chain(s.in[0]);
    if (!c) return std::nullopt;
    return times(emit(g, Op::scatter_add, {c->a, s.in[1]}, n.attrs.ints), c->k);
  }

  Result run() const {
    const auto kind = graph::op_kind(n.op);
    const bool elementwise = kind == graph::OpKind::Unary || kind == graph::OpKind::Binary ||
                             kind == graph::OpKind::Compare || kind == graph::OpKind::Logical ||
                             kind == graph::OpKind::Select || kind == graph::OpKind::Cast;
    if (elementwise && graph::numel(n.shape) > 1) {
      if (auto r = lift()) return r;
      if (auto r = drop_broadcast()) return r;
    }
    const bool floating = n.dtype == graph::DType::f64 || n.dtype == graph::DType::f32;
    if (!floating || graph::numel(n.shape) == 0) return std::nullopt;
    switch (n.op) {
      case Op::mul:
        return mul();
      case Op::div:
        return div();
      case Op::neg:
      case Op::square:
        return unary();
      case Op::sum:
        return sum();
      case Op::scatter_add:
        return scatter();
      default:
        return std::nullopt;
    }
  }
};

}  // namespace

Rewritten hoist(const Graph& src, std::span<const NodeId> outputs) {
  return rebuild(src, outputs, [](const Site& s) { return Hoister{s}.run(); });
}

}  // namespace stochos::rewrite
