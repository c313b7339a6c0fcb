// Numerically stable forms. Each rule computes the same mathematical function as the pattern it
// replaces, more accurately where the pattern cancels, underflows or overflows:
//   log(1 + x), log(x + 1)  -> log1p(x)          exact for |x| below the ulp of 1
//   log(1 - x)              -> log1p(-x)
//   log(sigmoid(x))         -> log_sigmoid(x)    finite down to x = -800 and below
//   1 - sigmoid(x)          -> sigmoid(-x)       no cancellation for large x
//   log(1 - sigmoid(x))     -> log_sigmoid(-x)   (through the two rules above)
//   log(exp(x))             -> x                 no overflow
//   log(sum(exp(x)))        -> logsumexp(x)      same axis and keepdims
//   log(1 + exp(x)), log1p(exp(x)) -> softplus(x)
//   exp(x) - 1, exp(x) + -1 -> expm1(x)
//   log(erfc(y) / 2)        -> log_ndtr(-sqrt(2) y), the normal log-CDF far in the left tail
// exp(log(x)) -> x is not among them: it is NaN for x < 0 before and x after.
#include <cmath>
#include <numbers>

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

struct Stabilizer {
  const Site& s;
  Graph& g = s.g;
  const Node& n = s.node;

  NodeId same(NodeId x) const { return conform(g, x, n.shape); }
  NodeId unary(Op op, NodeId x) const { return emit(g, op, {x}); }
  // The operand of op(x), when id is such a node.
  std::optional<NodeId> arg(NodeId id, Op op) const {
    if (const Node* m = match(g, id, op)) return m->inputs[0];
    return std::nullopt;
  }
  // For a + b with one side equal to v everywhere, the other side.
  std::optional<NodeId> other_than(NodeId a, NodeId b, double v) const {
    if (is_value(g, a, v)) return b;
    if (is_value(g, b, v)) return a;
    return std::nullopt;
  }

  // y as k * base, looking through negations and multiplications or divisions by a constant,
  // so that a scale written into the source is undone exactly rather than rounded once more.
  std::pair<NodeId, double> scaled(NodeId y) const {
    double k = 1;
    for (int depth = 0; depth < 4; ++depth) {
      const Node& m = g.node(y);
      if (m.op == Op::neg) {
        y = m.inputs[0];
        k = -k;
        continue;
      }
      if (m.op != Op::mul && m.op != Op::div) break;
      // Only a nonzero scale that does not broadcast the other operand (0 stands for none).
      const double c1 = uniform_value(g, m.inputs[1]).value_or(0);
      const double c0 = m.op == Op::mul ? uniform_value(g, m.inputs[0]).value_or(0) : 0;
      if (c1 != 0 && g.node(m.inputs[0]).shape == m.shape) {
        k = m.op == Op::mul ? k * c1 : k / c1;
        y = m.inputs[0];
      } else if (c0 != 0 && g.node(m.inputs[1]).shape == m.shape) {
        k *= c0;
        y = m.inputs[1];
      } else {
        break;
      }
    }
    return {y, k};
  }

  // log_ndtr(-sqrt(2) * y) for the y of log(erfc(y) / 2).
  NodeId ndtr_argument(NodeId y) const {
    const auto [base, k] = scaled(y);
    const double factor = -std::numbers::sqrt2 * k;
    // The scale was rounded to the dtype when it became a constant.
    const double tol = g.node(y).dtype == graph::DType::f32 ? 1e-6 : 1e-14;
    if (std::abs(factor - 1) < tol) return base;
    if (std::abs(factor + 1) < tol) return unary(Op::neg, base);
    return emit(g, Op::mul, {y, g.scalar(-std::numbers::sqrt2, g.node(y).dtype)});
  }

  // erfc(y) / 2 or erfc(y) * 0.5 or 0.5 * erfc(y): y.
  std::optional<NodeId> half_erfc(NodeId id) const {
    const Node& m = g.node(id);
    std::optional<NodeId> e;
    if (m.op == Op::div && is_value(g, m.inputs[1], 2)) e = m.inputs[0];
    if (m.op == Op::mul) e = other_than(m.inputs[0], m.inputs[1], 0.5);
    if (!e || g.node(*e).shape != m.shape) return std::nullopt;
    return arg(*e, Op::erfc);
  }

  Result log() const {
    const NodeId a = s.in[0];
    const Node& m = g.node(a);
    if (auto z = arg(a, Op::exp)) return *z;
    if (auto z = arg(a, Op::sigmoid)) return unary(Op::log_sigmoid, *z);
    if (m.op == Op::add) {
      if (auto y = other_than(m.inputs[0], m.inputs[1], 1)) {
        if (auto z = arg(*y, Op::exp)) return same(unary(Op::softplus, *z));
        return same(unary(Op::log1p, *y));
      }
    }
    if (m.op == Op::sub && is_value(g, m.inputs[0], 1))
      return same(unary(Op::log1p, unary(Op::neg, m.inputs[1])));
    if (m.op == Op::sum) {
      if (auto z = arg(m.inputs[0], Op::exp)) return emit(g, Op::logsumexp, {*z}, m.attrs.ints);
    }
    if (auto y = half_erfc(a)) return unary(Op::log_ndtr, ndtr_argument(*y));
    return std::nullopt;
  }

  Result log1p() const {
    const NodeId a = s.in[0];
    if (auto z = arg(a, Op::exp)) return unary(Op::softplus, *z);
    if (auto p = arg(a, Op::neg)) {  // log1p(-sigmoid(z)) = log(sigmoid(-z))
      if (auto z = arg(*p, Op::sigmoid)) return unary(Op::log_sigmoid, unary(Op::neg, *z));
    }
    return std::nullopt;
  }

  Result sub() const {
    const NodeId a = s.in[0], b = s.in[1];
    if (is_value(g, b, 1)) {
      if (auto z = arg(a, Op::exp)) return same(unary(Op::expm1, *z));
    }
    if (is_value(g, a, 1)) {
      if (auto z = arg(b, Op::sigmoid)) return same(unary(Op::sigmoid, unary(Op::neg, *z)));
    }
    return std::nullopt;
  }

  Result add() const {
    if (auto e = other_than(s.in[0], s.in[1], -1)) {
      if (auto z = arg(*e, Op::exp)) return same(unary(Op::expm1, *z));
    }
    return std::nullopt;
  }

  Result run() const {
    if (n.op == Op::log) return log();
    if (n.op == Op::log1p) return log1p();
    if (n.op == Op::sub) return sub();
    if (n.op == Op::add) return add();
    return std::nullopt;
  }
};

}  // namespace

Rewritten stabilize(const Graph& src, std::span<const NodeId> outputs) {
  return rebuild(src, outputs, [](const Site& s) { return Stabilizer{s}.run(); });
}

}  // namespace stochos::rewrite
