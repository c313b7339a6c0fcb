// One pull-back rule per op (Note [op attributes] in graph/node.hpp says what each op's ints
// mean). The switch has no `default:` on purpose: built with -Werror=switch, a new op in
// graph/ops.def does not build until it has a rule here.
//
// Rules emit ordinary graph nodes through the Tensor API and, on the path that carries the
// cotangent or the node's inputs, use only differentiable ops: that is what makes gradients of
// gradients (Hessians for MAP/Laplace) work. Masks built from comparisons are fine, since they
// take no cotangent and are constant almost everywhere.
//
// Shapes are copied out of the graph before any node is added: Tensor::shape() refers into the
// graph's node storage, which moves when the graph grows.
#include <cstdint>
#include <optional>
#include <string>

#include "autodiff/grad.hpp"
#include "autodiff/vjp_rules.hpp"
#include "graph/error.hpp"

namespace stochos::autodiff {
namespace detail {
namespace {

using namespace stochos::graph;

constexpr double kTwoOverSqrtPi = 1.1283791670955126;     // 2 / sqrt(pi)
constexpr double kHalfLogTwoPi = 0.91893853320467274178;  // log(sqrt(2 pi))

Tensor matmul_flags(const Tensor& a, const Tensor& b, bool ta, bool tb) {
  return apply(Op::matmul, {a, b}, {ta ? 1 : 0, tb ? 1 : 0});
}

Tensor trsolve_flags(const Tensor& a, const Tensor& b, bool lower, bool transpose_a) {
  return apply(Op::trsolve, {a, b}, {lower ? 1 : 0, transpose_a ? 1 : 0});
}

// The lower (or upper) triangle of a square matrix, zeros elsewhere. trsolve reads only that
// triangle, so only it takes a cotangent.
Tensor triangle(const Tensor& m, bool lower) {
  if (lower) return tril(m);
  const std::int64_t n = m.shape()[0];
  std::vector<double> mask(static_cast<std::size_t>(n * n));
  for (std::int64_t i = 0; i < n; ++i)
    for (std::int64_t j = 0; j < n; ++j) mask[static_cast<std::size_t>(i * n + j)] = j >= i;
  return where(constant(m.graph(), {n, n}, std::move(mask), DType::boolean), m,
               scalar_like(m, 0.0));
}

// A reduction's output (or its cotangent) reshaped to the keepdims shape, so that it broadcasts
// against the reduced input.
Tensor keep_reduced(const Tensor& t, const Node& n, const Shape& in_shape) {
  const std::int64_t axis = n.attrs.ints[0];
  Shape kept;
  if (axis == kAllAxes) {
    kept = Shape(in_shape.size(), 1);
  } else {
    kept = in_shape;
    kept[static_cast<std::size_t>(axis)] = 1;
  }
  return reshape(t, kept);
}

// True when b is a constant with no zero element (pow's d/da then needs no b == 0 guard).
bool constant_without_zero(const Tensor& b) {
  if (!b.is_constant()) return false;
  for (double v : *b.node().attrs.data)
    if (v == 0.0) return false;
  return true;
}

}  // namespace

std::vector<Tensor> pullback_needed(const Node& node_ref, const std::vector<Tensor>& in,
                                    const Tensor& value, const Tensor& g,
                                    const std::vector<bool>& need) {
  // Copy the node: the caller may pass a reference into the graph, which moves as rules add nodes.
  const Node n = node_ref;
  if (in.size() != n.inputs.size() || need.size() != n.inputs.size())
    throw GraphError(std::string(op_name(n.op)) + " pullback: expected " +
                     std::to_string(n.inputs.size()) + " inputs, got " + std::to_string(in.size()));
  std::vector<Tensor> d(in.size());
  bool any = false;
  for (bool b : need) any = any || b;
  // Only float nodes carry cotangents.
  if (!any || !g.valid() || !is_float(n.dtype)) return d;

  std::vector<Shape> s;
  s.reserve(in.size());
  for (const auto& t : in) s.push_back(t.shape());
  const Tensor& y = value;
  const auto zero = [&] { return scalar_like(g, 0.0); };
  const auto& ints = n.attrs.ints;

  switch (n.op) {
    case Op::constant:
    case Op::input:
      return d;

    // Unary elementwise: d[0] = g * f'(x), written with the value y where that is cheaper.
    case Op::neg:
      d[0] = -g;
      return d;
    case Op::abs:
      d[0] = g * sign(in[0]);  // 0 at x = 0, the subgradient frameworks agree on
      return d;
    case Op::sign:
      return d;  // piecewise constant: zero derivative almost everywhere
    case Op::square:
      d[0] = g * (2.0 * in[0]);
      return d;
    case Op::exp:
      d[0] = g * y;
      return d;
    case Op::expm1:
      d[0] = g * (y + 1.0);
      return d;
    case Op::log:
      d[0] = g / in[0];
      return d;
    case Op::log1p:
      d[0] = g / (in[0] + 1.0);
      return d;
    case Op::sqrt:
      d[0] = (0.5 * g) / y;
      return d;
    case Op::sigmoid:
      d[0] = g * (y * (1.0 - y));
      return d;
    case Op::log_sigmoid:
      d[0] = g * sigmoid(-in[0]);
      return d;
    case Op::softplus:
      d[0] = g * sigmoid(in[0]);
      return d;
    case Op::tanh:
      d[0] = g * (1.0 - square(y));
      return d;
    case Op::sin:
      d[0] = g * cos(in[0]);
      return d;
    case Op::cos:
      d[0] = -(g * sin(in[0]));
      return d;
    case Op::lgamma:
      d[0] = g * digamma(in[0]);
      return d;
    case Op::digamma:
      d[0] = g * trigamma(in[0]);
      return d;
    case Op::trigamma:
      throw GraphError(
          "trigamma: no gradient, since its derivative needs tetragamma, which is not in the op "
          "set (input " +
          shape_str(s[0]) + ")");
    case Op::erf:
      d[0] = g * (kTwoOverSqrtPi * exp(-square(in[0])));
      return d;
    case Op::erfc:
      d[0] = -(g * (kTwoOverSqrtPi * exp(-square(in[0]))));
      return d;
    case Op::log_ndtr:
      // phi(x) / Phi(x) = exp(log phi(x) - log Phi(x)): the log form stays finite far in the left
      // tail, where phi and Phi both underflow but the ratio is about -x.
      d[0] = g * exp((-0.5 * square(in[0]) - kHalfLogTwoPi) - y);
      return d;

    // Binary elementwise: sum_to undoes the broadcast of each input.
    case Op::add:
      if (need[0]) d[0] = sum_to(g, s[0]);
      if (need[1]) d[1] = sum_to(g, s[1]);
      return d;
    case Op::sub:
      if (need[0]) d[0] = sum_to(g, s[0]);
      if (need[1]) d[1] = sum_to(-g, s[1]);
      return d;
    case Op::mul:
      if (need[0]) d[0] = sum_to(g * in[1], s[0]);
      if (need[1]) d[1] = sum_to(g * in[0], s[1]);
      return d;
    case Op::div:
      if (need[0]) d[0] = sum_to(g / in[1], s[0]);
      if (need[1]) d[1] = sum_to(-(g * y) / in[1], s[1]);  // -g a / b^2 = -g y / b
      return d;
    case Op::pow: {
      const Tensor& a = in[0];
      const Tensor& b = in[1];
      if (need[0]) {
        // b a^(b-1) rather than b y / a, which is 0/0 at a = 0.
        Tensor da = g * (b * pow(a, b - 1.0));
        // d/da a^0 = 0, but 0 * a^-1 is NaN at a = 0.
        if (!constant_without_zero(b)) da = where(equal(b, scalar_like(b, 0.0)), zero(), da);
        d[0] = sum_to(da, s[0]);
      }
      if (need[1]) {
        // d/db a^b = y log(a). For a <= 0 it is 0 at a = 0 (y vanishes faster than log a) and
        // not real for a < 0; either way 0, never NaN. The inner where keeps log's argument
        // positive, so the second derivative (1/a through the masked branch) is NaN-free too.
        const Tensor pos = greater(a, scalar_like(a, 0.0));
        const Tensor log_a = where(pos, log(where(pos, a, scalar_like(a, 1.0))), zero());
        d[1] = sum_to(g * (y * log_a), s[1]);
      }
      return d;
    }
    case Op::maximum:
    case Op::minimum: {
      // The winner takes the cotangent; a tie goes to the first input.
      const Tensor first =
          n.op == Op::maximum ? greater_equal(in[0], in[1]) : less_equal(in[0], in[1]);
      if (need[0]) d[0] = sum_to(where(first, g, zero()), s[0]);
      if (need[1]) d[1] = sum_to(where(first, zero(), g), s[1]);
      return d;
    }

    // Bool results and logic take no cotangent.
    case Op::less:
    case Op::less_equal:
    case Op::greater:
    case Op::greater_equal:
    case Op::equal:
    case Op::not_equal:
    case Op::logical_and:
    case Op::logical_or:
    case Op::logical_not:
      return d;

    case Op::where:
      // The condition is a mask: no cotangent.
      if (need[1]) d[1] = sum_to(where(in[0], g, zero()), s[1]);
      if (need[2]) d[2] = sum_to(where(in[0], zero(), g), s[2]);
      return d;

    case Op::cast:
      // float -> float casts back; from int/bool there is nothing to differentiate.
      if (is_float(in[0].dtype())) d[0] = cast(g, in[0].dtype());
      return d;

    // Reductions: bring the cotangent back to keepdims shape, then broadcast.
    case Op::sum:
      d[0] = broadcast_to(keep_reduced(g, n, s[0]), s[0]);
      return d;
    case Op::prod: {
      // d prod / d x_i is the product of the others: prod / x_i where x_i != 0. At a zero it is
      // the product of the non-zero entries when x_i is the slice's only zero, else 0 (prod / x
      // alone would be 0/0 = NaN there).
      const Tensor x = in[0];
      const Tensor is_zero = equal(x, scalar_like(x, 0.0));
      const Tensor safe = where(is_zero, scalar_like(x, 1.0), x);
      const Tensor others_nz = apply(Op::prod, {safe}, {ints[0], 1});
      const Tensor zeros = apply(Op::sum, {cast(is_zero, x.dtype())}, {ints[0], 1});
      const Tensor at_zero =
          where(equal(zeros, scalar_like(zeros, 1.0)), others_nz, scalar_like(x, 0.0));
      const Tensor py = keep_reduced(y, n, s[0]);
      d[0] = keep_reduced(g, n, s[0]) * where(is_zero, broadcast_to(at_zero, s[0]), py / safe);
      return d;
    }
    case Op::max:
    case Op::min: {
      // Every element equal to the extreme shares the cotangent evenly (the subgradient that
      // keeps ties symmetric, as JAX and PyTorch do).
      const Tensor at = cast(equal(in[0], keep_reduced(y, n, s[0])), in[0].dtype());
      const Tensor count = apply(Op::sum, {at}, {ints[0], 1});
      d[0] = at * (keep_reduced(g, n, s[0]) / count);
      return d;
    }
    case Op::logsumexp:
      // softmax(x) * g. Entries of -inf get exp(-inf) = 0.
      d[0] = keep_reduced(g, n, s[0]) * exp(in[0] - keep_reduced(y, n, s[0]));
      return d;

    // Shape ops move the cotangent back to where each element came from.
    case Op::reshape:
      d[0] = reshape(g, s[0]);
      return d;
    case Op::broadcast_to:
      d[0] = sum_to(g, s[0]);
      return d;
    case Op::transpose: {
      std::vector<std::int64_t> inverse(ints.size());
      for (std::size_t i = 0; i < ints.size(); ++i)
        inverse[static_cast<std::size_t>(ints[i])] = static_cast<std::int64_t>(i);
      d[0] = transpose(g, std::move(inverse));
      return d;
    }
    case Op::concat: {
      const std::int64_t axis = ints[0];
      std::int64_t offset = 0;
      for (std::size_t i = 0; i < in.size(); ++i) {
        const std::int64_t len = s[i][static_cast<std::size_t>(axis)];
        if (need[i]) d[i] = slice(g, axis, offset, offset + len, 1);
        offset += len;
      }
      return d;
    }
    case Op::slice: {
      std::vector<std::int64_t> un = ints;  // the triples, then the full shape
      un.insert(un.end(), s[0].begin(), s[0].end());
      d[0] = apply(Op::unslice, {g}, std::move(un));
      return d;
    }
    case Op::unslice: {
      const std::vector<std::int64_t> triples(
          ints.begin(), ints.begin() + static_cast<std::ptrdiff_t>(3 * s[0].size()));
      d[0] = apply(Op::slice, {g}, triples);
      return d;
    }
    case Op::gather:
      // Rows picked several times collect every pick's cotangent; the indices take none.
      if (need[0]) d[0] = apply(Op::scatter_add, {g, in[1]}, {s[0][0]});
      return d;
    case Op::scatter_add:
      if (need[0]) d[0] = apply(Op::gather, {g, in[1]});
      return d;
    case Op::cumsum: {
      // The adjoint of an inclusive prefix sum is the suffix sum: reverse, cumsum, reverse.
      const std::int64_t axis = ints[0];
      const Tensor reversed = slice(g, axis, std::nullopt, std::nullopt, -1);
      d[0] = slice(cumsum(reversed, axis), axis, std::nullopt, std::nullopt, -1);
      return d;
    }

    // Linear algebra.
    case Op::matmul: {
      // C = op(A) op(B) with op = identity or transpose per flag.
      const bool ta = ints[0] != 0, tb = ints[1] != 0;
      const Tensor& a = in[0];
      const Tensor& b = in[1];
      if (need[0]) {
        if (!ta)
          d[0] = tb ? matmul_flags(g, b, false, false)  // G B
                    : matmul_flags(g, b, false, true);  // G B^T
        else
          d[0] = tb ? matmul_flags(b, g, true, true)    // B^T G^T
                    : matmul_flags(b, g, false, true);  // B G^T
      }
      if (need[1]) {
        if (!tb)
          d[1] = ta ? matmul_flags(a, g, false, false)  // A G
                    : matmul_flags(a, g, true, false);  // A^T G
        else
          d[1] = ta ? matmul_flags(g, a, true, true)    // G^T A^T
                    : matmul_flags(g, a, true, false);  // G^T A
      }
      return d;
    }
    case Op::diag_part: {
      Tensor e = apply(Op::diag_embed, {g});
      const std::int64_t rows = s[0][0], cols = s[0][1], k = g.shape()[0];
      if (rows != cols)  // place the k x k block in the corner of the rectangular input
        e = apply(Op::unslice, {e}, {0, 1, k, 0, 1, k, rows, cols});
      d[0] = e;
      return d;
    }
    case Op::diag_embed:
      d[0] = apply(Op::diag_part, {g});
      return d;
    case Op::cholesky: {
      // Murray (2016), arXiv:1602.07527, in PyTorch's symmetric form: with P = tril(L^T Lbar),
      // Abar = L^-T (P + tril(P, -1)^T) / 2 L^-1. Only tril(Lbar) matters, and L^T triu(Lbar, 1)
      // is strictly upper, so no explicit tril of the cotangent is needed. The result is
      // symmetric: a perturbation of A is taken to be symmetric, as cholesky's input must be.
      const Tensor& l = y;
      const Tensor p = tril(matmul_flags(l, g, true, false));
      const Tensor phi = 0.5 * (p + transpose(tril(p, -1)));
      const Tensor left = trsolve_flags(l, phi, true, true);            // L^-T phi
      d[0] = transpose(trsolve_flags(l, transpose(left), true, true));  // (L^-T left^T)^T
      return d;
    }
    case Op::trsolve: {
      // X = op(A)^-1 B: Bbar = op(A)^-T G, and op(A)bar = -Bbar X^T, restricted to the triangle
      // of A that the solve reads.
      const bool lower = ints[0] != 0, ta = ints[1] != 0;
      const Tensor gb = trsolve_flags(in[0], g, lower, !ta);
      if (need[1]) d[1] = gb;
      if (need[0])
        d[0] = triangle(ta ? -matmul_flags(y, gb, false, true) : -matmul_flags(gb, y, false, true),
                        lower);
      return d;
    }

    case Op::scan:
      return scan_pullback(n, in, y, g, need);  // a reverse scan (Note [scan])
  }
  throw GraphError("pullback: unknown op " + std::to_string(static_cast<int>(n.op)));
}

}  // namespace detail

std::vector<graph::Tensor> pullback(const graph::Node& node,
                                    const std::vector<graph::Tensor>& inputs,
                                    const graph::Tensor& value, const graph::Tensor& cotangent) {
  std::vector<bool> need(inputs.size());
  for (std::size_t i = 0; i < inputs.size(); ++i)
    need[i] = inputs[i].valid() && graph::is_float(inputs[i].dtype());
  return detail::pullback_needed(node, inputs, value, cotangent, need);
}

}  // namespace stochos::autodiff
