// Loop fusion in the native plan: a node whose only reader can compute it element by element
// inside its own loop gets no step and no storage (Note [native fusion]).
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
struct Fusion {
  std::vector<char> absorbed;  // per node id of the graph
};
Fusion plan_fusion(const graph::Graph& g, std::span<const graph::NodeId> order,
                   std::span<const graph::NodeId> outputs);

// The nodes a step for n reads: n's inputs, with each absorbed one replaced by its own inputs.
std::vector<graph::NodeId> step_inputs(const graph::Graph& g, const graph::Node& n,
                                       const Fusion& f);

// Fills s.fn and s.p when n reads an absorbed node (s.in already follows step_inputs); false
// when it reads none.
bool lower_fused(const graph::Graph& g, const graph::Node& n, const Fusion& f, Step& s);

}  // namespace stochos::backends::native
