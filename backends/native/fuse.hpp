// Loop fusion in the native plan: a node whose readers can compute it element by element inside
// their own loop gets no step and no storage (Note [native fusion]), and one loop may write
// several nodes (Note [multi-output steps]).
#pragma once

#include <span>
#include <vector>

#include "backends/native/step.hpp"

namespace stochos::backends::native {

// Note [native fusion]: two producers are folded into their reader, the passes over large arrays
// that log densities repeat most:
//   * gather(x, i) with constant indices, read by an elementwise binary op: the op reads
//     x[i[k]] in place of a gathered copy (y - a[group] in hierarchical models);
//   * a unary elementwise op read by a sum over all axes or the last one: the sum applies it as
//     it adds (sum(square(r)), sum(log(x))).
// A producer is absorbed only when it is not an output and its one reader uses it once.
//
// Note [multi-output steps]: a step may write several nodes, each with its own storage; the
// first of them in the plan's order leads and the others get no step of their own.
//   * The exp(-|x|) family: sigmoid, softplus and log_sigmoid of one array x, or of neg(x), are
//     computed together from one exponential per element (vmath::exp_family). A likelihood with
//     a logit (Bernoulli, Binomial) and its gradient read two to four of them. A neg(x) read only
//     by the family is absorbed too.
//   * Row sinks: a binary elementwise op P over n elements (each operand whole, a scalar or an
//     absorbed gather), all of whose readers are a sum of P or of square(P) over every element,
//     and a scatter-add of P with constant indices, runs as one loop that writes the sum and the
//     scattered rows and never stores P. This is the hierarchical likelihood's pass over its
//     observations: the residual y - a[group], its sum of squares for log p, and the scatter-add
//     of the residuals into the gradient of a.
// Both give bit for bit what the separate steps give: the same formulas, the same order of
// additions.
struct Group {
  enum class Kind { exp_family, row_sinks } kind;
  graph::NodeId source;               // exp_family: x; row_sinks: P
  std::vector<graph::NodeId> writes;  // in plan order; writes[0] leads
};

struct Fusion {
  std::vector<char> absorbed;  // per node id of the graph: computed inside a reader's step
  std::vector<int> group_of;   // per node id: the group whose step writes it, or -1
  std::vector<Group> groups;

  // A node written by another node's step: it gets storage but no step.
  bool follows(graph::NodeId id) const {
    return group_of[id] >= 0 && groups[static_cast<std::size_t>(group_of[id])].writes[0] != id;
  }
  const Group* led_by(graph::NodeId id) const {
    if (group_of[id] < 0) return nullptr;
    const Group& gr = groups[static_cast<std::size_t>(group_of[id])];
    return gr.writes[0] == id ? &gr : nullptr;
  }
};
Fusion plan_fusion(const graph::Graph& g, std::span<const graph::NodeId> order,
                   std::span<const graph::NodeId> outputs);

// The nodes a step for n reads: n's inputs, with each absorbed one replaced by its own inputs;
// for a group's leader, what the group's loop reads.
std::vector<graph::NodeId> step_inputs(const graph::Graph& g, graph::NodeId id, const Fusion& f);

// Fills s.fn and s.p when n reads an absorbed node or leads a group (s.in already follows
// step_inputs, s.out and s.also_out are set); false when it does neither.
bool lower_fused(const graph::Graph& g, graph::NodeId id, const Fusion& f, Step& s);

// The kernels (fused_kernels.cpp), each null where the fusion does not apply to these types.
namespace fused {
Step::Fn gather_binary(graph::DType d, graph::Op op, int side, bool scalar_other);
Step::Fn sum_unary(graph::DType d, graph::Op unary);
Step::Fn exp_family(graph::DType d);
// Operand modes of row_sinks.
enum Operand : int { whole = 0, scalar = 1, gathered = 2 };
// sum_of: 0 no sum, 1 sum(P), 2 sum(square(P)).
Step::Fn row_sinks(graph::DType d, graph::Op op, Operand a, Operand b, int sum_of, bool scatter);
}  // namespace fused

}  // namespace stochos::backends::native
