// Fused kernels and the choice of what to fuse (Note [native fusion] in fuse.hpp).
#include "backends/native/fuse.hpp"

#include <type_traits>

#include "backends/native/sum_row.hpp"
#include "graph/elementwise.hpp"

namespace stochos::backends::native {
namespace {

using graph::DType;
using graph::Node;
using graph::NodeId;
using graph::Op;

bool floating(DType d) {
  return d == DType::f64 || d == DType::f32;
}

// A gather the reader can index through: one value per index from a 1-D array, with constant
// indices that are all in range (a bad index is left to the plain gather, which reports it).
bool fusible_gather(const graph::Graph& g, const Node& p) {
  if (p.op != Op::gather || !floating(p.dtype)) return false;
  const Node& x = g.node(p.inputs[0]);
  if (x.shape.size() != 1 || !g.is_constant(p.inputs[1])) return false;
  for (double v : *g.node(p.inputs[1]).attrs.data)
    if (v < 0 || v >= static_cast<double>(x.shape[0])) return false;
  return true;
}

// The operand (0 or 1) of binary node n that is an absorbed gather, or -1.
int gathered_operand(const Node& n, const Fusion& f) {
  if (graph::op_kind(n.op) != graph::OpKind::Binary) return -1;
  for (int k = 0; k < 2; ++k)
    if (f.absorbed[n.inputs[static_cast<std::size_t>(k)]]) return k;
  return -1;
}

bool reads_absorbed_unary(const Node& n, const Fusion& f) {
  return n.op == Op::sum && f.absorbed[n.inputs[0]];
}

// y[i] = F(x[idx[i]], b) with the gathered value on side kSide; s.in = {x, idx, b} for side 0
// and {a, x, idx} for side 1.
template <class T, class F, int kSide, bool kScalarOther>
void gather_binary(const Step& s, void** sl) {
  constexpr std::size_t gx = kSide == 0 ? 0 : 1, other = kSide == 0 ? 2 : 0;
  const T* x = static_cast<const T*>(sl[s.in[gx]]);
  const auto* idx = static_cast<const std::int64_t*>(sl[s.in[gx + 1]]);
  const T* b = static_cast<const T*>(sl[s.in[other]]);
  T* y = static_cast<T*>(sl[s.out]);
  for (std::int64_t i = 0; i < s.n; ++i) {
    const T v = x[idx[i]];
    const T w = kScalarOther ? b[0] : b[i];
    y[i] = kSide == 0 ? F::template apply<T>(v, w) : F::template apply<T>(w, v);
  }
}

template <class T, class F>
Step::Fn gather_binary_fn(int side, bool scalar_other) {
  if (side == 0)
    return scalar_other ? &gather_binary<T, F, 0, true> : &gather_binary<T, F, 0, false>;
  return scalar_other ? &gather_binary<T, F, 1, true> : &gather_binary<T, F, 1, false>;
}

template <class T>
Step::Fn gather_binary_for(Op op, int side, bool scalar_other) {
  switch (op) {
#define STOCHOS_BINARY_OP(name) \
  case Op::name:                \
    return gather_binary_fn<T, graph::Elementwise<Op::name>>(side, scalar_other);
#define STOCHOS_OTHER_OP(name) case Op::name:
#include "graph/ops_by_kind.def"
    return nullptr;  // not fused
  }
  return nullptr;
}

// Rows of p = {outer, len}: y[o] = sum over the row of F(x).
template <class T, class F>
void sum_unary(const Step& s, void** sl) {
  const T* x = static_cast<const T*>(sl[s.in[0]]);
  T* y = static_cast<T*>(sl[s.out]);
  const std::int64_t outer = s.p[0], len = s.p[1];
  for (std::int64_t o = 0; o < outer; ++o)
    y[o] = sum_row(x + o * len, len, [](T v) { return F::template apply<T>(v); });
}

template <class T>
Step::Fn sum_unary_for(Op op) {
  switch (op) {
#define STOCHOS_UNARY_OP(name) \
  case Op::name:               \
    return &sum_unary<T, graph::Elementwise<Op::name>>;
#define STOCHOS_OTHER_OP(name) case Op::name:
#include "graph/ops_by_kind.def"
    return nullptr;  // not fused
  }
  return nullptr;
}

}  // namespace

Fusion plan_fusion(const graph::Graph& g, std::span<const NodeId> order,
                   std::span<const NodeId> outputs) {
  Fusion f;
  f.absorbed.assign(g.size(), 0);
  std::vector<int> uses(g.size(), 0);
  for (NodeId id : order)
    for (NodeId in : g.node(id).inputs) ++uses[in];
  for (NodeId id : outputs) uses[id] += 2;  // an output is stored whatever reads it
  auto single = [&](NodeId id) { return uses[id] == 1; };

  for (NodeId id : order) {
    const Node& n = g.node(id);
    if (!floating(n.dtype)) continue;
    if (graph::op_kind(n.op) == graph::OpKind::Binary) {
      for (std::size_t k = 0; k < 2; ++k) {
        const NodeId p = n.inputs[k];
        const auto other = graph::numel(g.node(n.inputs[1 - k]).shape);
        if (single(p) && fusible_gather(g, g.node(p)) &&
            gather_binary_for<double>(n.op, 0, false) != nullptr &&
            graph::numel(g.node(p).shape) == graph::numel(n.shape) &&
            (other == 1 || other == graph::numel(n.shape))) {
          f.absorbed[p] = 1;
          break;
        }
      }
    } else if (n.op == Op::sum) {
      const NodeId p = n.inputs[0];
      const Node& u = g.node(p);
      const auto axis = n.attrs.ints[0];
      const bool rows =
          axis == graph::kAllAxes || axis + 1 == static_cast<std::int64_t>(u.shape.size());
      if (single(p) && rows && graph::op_kind(u.op) == graph::OpKind::Unary && u.dtype == n.dtype &&
          graph::numel(u.shape) > 0 && sum_unary_for<double>(u.op) != nullptr)
        f.absorbed[p] = 1;
    }
  }
  return f;
}

std::vector<NodeId> step_inputs(const graph::Graph& g, const Node& n, const Fusion& f) {
  std::vector<NodeId> ins;
  for (NodeId in : n.inputs) {
    if (f.absorbed[in]) {
      const auto& inner = g.node(in).inputs;
      ins.insert(ins.end(), inner.begin(), inner.end());
    } else {
      ins.push_back(in);
    }
  }
  return ins;
}

bool lower_fused(const graph::Graph& g, const Node& n, const Fusion& f, Step& s) {
  if (const int side = gathered_operand(n, f); side >= 0) {
    const bool scalar_other =
        graph::numel(g.node(n.inputs[static_cast<std::size_t>(1 - side)]).shape) == 1;
    s.fn = n.dtype == DType::f64 ? gather_binary_for<double>(n.op, side, scalar_other)
                                 : gather_binary_for<float>(n.op, side, scalar_other);
    return s.fn != nullptr;
  }
  if (reads_absorbed_unary(n, f)) {
    const graph::Shape& x = g.node(n.inputs[0]).shape;
    const std::int64_t total = graph::numel(x);
    const std::int64_t len =
        n.attrs.ints[0] == graph::kAllAxes ? total : (x.empty() ? 1 : x.back());
    s.p = {len ? total / len : 0, len};
    const Op op = g.node(n.inputs[0]).op;
    s.fn = n.dtype == DType::f64 ? sum_unary_for<double>(op) : sum_unary_for<float>(op);
    return s.fn != nullptr;
  }
  return false;
}

}  // namespace stochos::backends::native
