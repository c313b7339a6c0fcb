// The choice of what to fuse in a native plan (Note [native fusion], Note [multi-output steps] in
// fuse.hpp); the kernels are in fused_kernels.cpp.
#include "backends/native/fuse.hpp"

#include <algorithm>

#include "backends/native/vector_math.hpp"

namespace stochos::backends::native {
namespace {

using graph::DType;
using graph::Node;
using graph::NodeId;
using graph::Op;

bool floating(DType d) {
  return d == DType::f64 || d == DType::f32;
}

bool indices_in_range(const graph::Graph& g, NodeId idx, std::int64_t size) {
  if (!g.is_constant(idx)) return false;
  for (double v : *g.node(idx).attrs.data)
    if (v < 0 || v >= static_cast<double>(size)) return false;
  return true;
}

// A gather the reader can index through: one value per index from a 1-D array, with constant
// indices that are all in range (a bad index is left to the plain gather, which reports it).
bool fusible_gather(const graph::Graph& g, const Node& p) {
  if (p.op != Op::gather || !floating(p.dtype)) return false;
  const Node& x = g.node(p.inputs[0]);
  return x.shape.size() == 1 && indices_in_range(g, p.inputs[1], x.shape[0]);
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

bool sums_every_element(const Node& sum) {
  return sum.op == Op::sum && (sum.attrs.ints[0] == graph::kAllAxes || sum.shape.empty() ||
                               graph::numel(sum.shape) == 1);
}

// The member of the exp(-|x|) family that node n is, or -1; `negated` is whether its argument is
// neg(x) rather than x.
int family_member(Op op, bool negated) {
  const int base = negated ? vmath::sigmoid_neg : vmath::sigmoid_x;
  switch (op) {
    case Op::sigmoid:
      return base;
    case Op::softplus:
      return base + 1;
    case Op::log_sigmoid:
      return base + 2;
    default:
      return -1;
  }
}

// A row_sinks operand: absorbed gather, scalar or whole array.
fused::Operand operand_mode(const graph::Graph& g, NodeId in, const Fusion& f) {
  if (f.absorbed[in]) return fused::gathered;
  return graph::numel(g.node(in).shape) == 1 ? fused::scalar : fused::whole;
}

class Planner {
 public:
  Planner(const graph::Graph& g, std::span<const NodeId> order, std::span<const NodeId> outputs)
      : g_(g), order_(order), readers_(g.size()), rank_(g.size(), 0), output_(g.size(), 0) {
    f_.absorbed.assign(g.size(), 0);
    f_.group_of.assign(g.size(), -1);
    for (std::size_t i = 0; i < order.size(); ++i) {
      rank_[order[i]] = i;
      for (NodeId in : g.node(order[i]).inputs) readers_[in].push_back(order[i]);
    }
    for (NodeId id : outputs) output_[id] = 1;
  }

  Fusion run() {
    for (NodeId id : order_) plan_exp_family(id);
    for (NodeId id : order_) plan_absorbed(id);
    for (NodeId id : order_) plan_row_sinks(id);
    return std::move(f_);
  }

 private:
  // Stored only for its one reader, which uses it once.
  bool single(NodeId id) const { return !output_[id] && readers_[id].size() == 1; }

  void add_group(Group::Kind kind, NodeId source, std::vector<NodeId> writes) {
    std::sort(writes.begin(), writes.end(),
              [&](NodeId a, NodeId b) { return rank_[a] < rank_[b]; });
    for (NodeId w : writes) f_.group_of[w] = static_cast<int>(f_.groups.size());
    f_.groups.push_back({kind, source, std::move(writes)});
  }

  // sigmoid / softplus / log_sigmoid of x and of neg(x), two or more of them, over arrays long
  // enough for the vector functions (shorter ones take the scalar loop, unfused).
  void plan_exp_family(NodeId x) {
    const Node& n = g_.node(x);
    if (!floating(n.dtype) || graph::numel(n.shape) < 8) return;
    std::vector<NodeId> members;
    std::vector<NodeId> negs;
    auto take = [&](NodeId arg, bool negated) {
      for (NodeId r : readers_[arg])
        if (family_member(g_.node(r).op, negated) >= 0 && f_.group_of[r] < 0 &&
            std::find(members.begin(), members.end(), r) == members.end())
          members.push_back(r);
    };
    take(x, false);
    for (NodeId r : readers_[x])
      if (g_.node(r).op == Op::neg && std::find(negs.begin(), negs.end(), r) == negs.end()) {
        negs.push_back(r);
        take(r, true);
      }
    if (members.size() < 2) return;
    // A neg(x) that only the family reads is never stored.
    for (NodeId ng : negs)
      if (!output_[ng] && std::all_of(readers_[ng].begin(), readers_[ng].end(), [&](NodeId r) {
            return std::find(members.begin(), members.end(), r) != members.end();
          }))
        f_.absorbed[ng] = 1;
    add_group(Group::Kind::exp_family, x, std::move(members));
  }

  // Note [native fusion]'s two single-reader absorptions.
  void plan_absorbed(NodeId id) {
    const Node& n = g_.node(id);
    if (!floating(n.dtype) || f_.group_of[id] >= 0) return;
    if (graph::op_kind(n.op) == graph::OpKind::Binary) {
      for (std::size_t k = 0; k < 2; ++k) {
        const NodeId p = n.inputs[k];
        const auto other = graph::numel(g_.node(n.inputs[1 - k]).shape);
        if (single(p) && fusible_gather(g_, g_.node(p)) &&
            fused::gather_binary(DType::f64, n.op, 0, false) != nullptr &&
            graph::numel(g_.node(p).shape) == graph::numel(n.shape) &&
            (other == 1 || other == graph::numel(n.shape))) {
          f_.absorbed[p] = 1;
          break;
        }
      }
    } else if (n.op == Op::sum) {
      const NodeId p = n.inputs[0];
      const Node& u = g_.node(p);
      const auto axis = n.attrs.ints[0];
      const bool rows =
          axis == graph::kAllAxes || axis + 1 == static_cast<std::int64_t>(u.shape.size());
      if (single(p) && f_.group_of[p] < 0 && rows && graph::op_kind(u.op) == graph::OpKind::Unary &&
          u.dtype == n.dtype && graph::numel(u.shape) > 0 &&
          fused::sum_unary(DType::f64, u.op) != nullptr)
        f_.absorbed[p] = 1;
    }
  }

  // A binary P read only by whole sums (of P or of an absorbed square(P)) and a scatter-add.
  void plan_row_sinks(NodeId p) {
    const Node& n = g_.node(p);
    if (n.dtype != DType::f64 || graph::op_kind(n.op) != graph::OpKind::Binary || output_[p] ||
        graph::numel(n.shape) == 0)
      return;
    const auto count = graph::numel(n.shape);
    for (NodeId in : n.inputs) {
      const auto m = graph::numel(g_.node(in).shape);
      if (m != 1 && m != count) return;
    }
    int sum_of = 0;
    NodeId sum = 0, scatter = 0;
    bool has_scatter = false;
    for (NodeId r : readers_[p]) {
      const Node& rn = g_.node(r);
      if (sum_of == 0 && sums_every_element(rn) && f_.group_of[r] < 0) {
        sum_of = 1, sum = r;
      } else if (sum_of == 0 && f_.absorbed[r] && rn.op == Op::square && readers_[r].size() == 1 &&
                 sums_every_element(g_.node(readers_[r][0]))) {
        sum_of = 2, sum = readers_[r][0];
      } else if (!has_scatter && rn.op == Op::scatter_add && rn.inputs[0] == p &&
                 n.shape.size() == 1 && indices_in_range(g_, rn.inputs[1], rn.attrs.ints[0])) {
        has_scatter = true, scatter = r;
      } else {
        return;
      }
    }
    if (!has_scatter && sum_of == 0) return;
    if (!fused::row_sinks(n.dtype, n.op, operand_mode(g_, n.inputs[0], f_),
                          operand_mode(g_, n.inputs[1], f_), sum_of, has_scatter))
      return;
    std::vector<NodeId> writes;
    if (sum_of) writes.push_back(sum);
    if (has_scatter) writes.push_back(scatter);
    f_.absorbed[p] = 1;
    add_group(Group::Kind::row_sinks, p, std::move(writes));
  }

  const graph::Graph& g_;
  std::span<const NodeId> order_;
  std::vector<std::vector<NodeId>> readers_;  // each reader once per input it reads
  std::vector<std::size_t> rank_;
  std::vector<char> output_;
  Fusion f_;
};

void append_expanded(const graph::Graph& g, NodeId in, const Fusion& f, std::vector<NodeId>& ins) {
  if (f.absorbed[in]) {
    const auto& inner = g.node(in).inputs;
    ins.insert(ins.end(), inner.begin(), inner.end());
  } else {
    ins.push_back(in);
  }
}

}  // namespace

Fusion plan_fusion(const graph::Graph& g, std::span<const NodeId> order,
                   std::span<const NodeId> outputs) {
  return Planner(g, order, outputs).run();
}

std::vector<NodeId> step_inputs(const graph::Graph& g, NodeId id, const Fusion& f) {
  std::vector<NodeId> ins;
  if (const Group* gr = f.led_by(id)) {
    if (gr->kind == Group::Kind::exp_family) return {gr->source};
    for (NodeId in : g.node(gr->source).inputs) append_expanded(g, in, f, ins);
    for (NodeId w : gr->writes)
      if (g.node(w).op == Op::scatter_add) ins.push_back(g.node(w).inputs[1]);
    return ins;
  }
  for (NodeId in : g.node(id).inputs) append_expanded(g, in, f, ins);
  return ins;
}

bool lower_fused(const graph::Graph& g, NodeId id, const Fusion& f, Step& s) {
  const Node& n = g.node(id);
  if (const Group* gr = f.led_by(id)) {
    const Node& src = g.node(gr->source);
    auto slot_of = [&](std::size_t k) { return k == 0 ? s.out : s.also_out[k - 1]; };
    if (gr->kind == Group::Kind::exp_family) {
      s.p.assign(vmath::kMembers + 1, -1);
      for (std::size_t k = 0; k < gr->writes.size(); ++k) {
        const Node& w = g.node(gr->writes[k]);
        s.p[static_cast<std::size_t>(family_member(w.op, w.inputs[0] != gr->source))] = slot_of(k);
      }
      s.p[vmath::kMembers] = graph::numel(src.shape);
      s.fn = fused::exp_family(src.dtype);
      return s.fn != nullptr;
    }
    s.p = {graph::numel(src.shape), -1, -1, 0};
    int sum_of = 0;
    for (std::size_t k = 0; k < gr->writes.size(); ++k) {
      const Node& w = g.node(gr->writes[k]);
      if (w.op == Op::scatter_add) {
        s.p[2] = slot_of(k);
        s.p[3] = w.attrs.ints[0];
      } else {
        s.p[1] = slot_of(k);
        sum_of = w.inputs[0] == gr->source ? 1 : 2;
      }
    }
    s.fn = fused::row_sinks(src.dtype, src.op, operand_mode(g, src.inputs[0], f),
                            operand_mode(g, src.inputs[1], f), sum_of, s.p[2] >= 0);
    return s.fn != nullptr;
  }
  if (const int side = gathered_operand(n, f); side >= 0) {
    const bool scalar_other =
        graph::numel(g.node(n.inputs[static_cast<std::size_t>(1 - side)]).shape) == 1;
    s.fn = fused::gather_binary(n.dtype, n.op, side, scalar_other);
    return s.fn != nullptr;
  }
  if (reads_absorbed_unary(n, f)) {
    const graph::Shape& x = g.node(n.inputs[0]).shape;
    const std::int64_t total = graph::numel(x);
    const std::int64_t len =
        n.attrs.ints[0] == graph::kAllAxes ? total : (x.empty() ? 1 : x.back());
    s.p = {len ? total / len : 0, len};
    s.fn = fused::sum_unary(n.dtype, g.node(n.inputs[0]).op);
    return s.fn != nullptr;
  }
  return false;
}

}  // namespace stochos::backends::native
