#include "model/conditional.hpp"

#include <algorithm>
#include <unordered_map>

#include "graph/op.hpp"
#include "stochos/error.hpp"

namespace stochos::model {

namespace {

using graph::NodeId;
using graph::Op;

// Which nodes read the input `var`, and which of those keep element i of their value a function
// of element i of var alone (Note [conditionals]).
class Alignment {
 public:
  Alignment(const graph::Graph& g, const Tensor& var)
      : g_(g), var_(var.id()), shape_(var.shape()) {}

  bool depends(NodeId id) { return visit(id).depends; }
  bool aligned(NodeId id) {
    const State s = visit(id);
    return s.depends && s.aligned;
  }

 private:
  struct State {
    bool depends = false, aligned = false;
  };

  State visit(NodeId id) {
    if (const auto it = memo_.find(id); it != memo_.end()) return it->second;
    const graph::Node& n = g_.node(id);
    State s;
    if (id == var_) {
      s = {true, true};
    } else {
      bool all_aligned = true;
      for (NodeId in : n.inputs) {
        const State si = visit(in);
        if (!si.depends) continue;
        s.depends = true;
        // Element i of the output must come from element i of each dependent input.
        all_aligned = all_aligned && si.aligned && g_.node(in).shape == n.shape;
      }
      s.aligned = s.depends && n.shape == shape_ && all_aligned && keeps_position(n);
    }
    memo_.emplace(id, s);
    return s;
  }

  // Ops whose element i is computed from element i of each input of the same shape.
  bool keeps_position(const graph::Node& n) {
    if (graph::is_elementwise(n.op)) return true;
    if (n.op == Op::broadcast_to || n.op == Op::reshape) return true;  // same shape: a copy
    // table[index]: element i reads index[i] and a table that does not depend on var.
    if (n.op == Op::gather) return !visit(n.inputs[0]).depends;
    return false;
  }

  const graph::Graph& g_;
  NodeId var_;
  Shape shape_;
  std::unordered_map<NodeId, State> memo_;
};

}  // namespace

Conditional compile_conditional(const Model& m, const std::string& name, const CompileOptions& o) {
  const Layout layout = m.layout();
  const VarSlot& slot = layout.find(name);
  const auto var = std::find_if(m.free_vars().begin(), m.free_vars().end(),
                                [&](const FreeVar& v) { return v.name == slot.name; });
  graph::Graph& g = const_cast<Model&>(m).graph();
  Alignment align(g, var->input);

  // The blanket: every part of every term that reads the variable.
  std::vector<Tensor> parts;
  Conditional c;
  for (const auto& term : m.term_parts(o.jacobian)) {
    bool reads = false;
    for (const Tensor& p : term.parts)
      if (align.depends(p.id())) {
        parts.push_back(p);
        reads = true;
      }
    if (reads) c.terms_.push_back(term.name);
  }
  c.elementwise_ =
      !var->shape.empty() && std::all_of(parts.begin(), parts.end(), [&](const Tensor& p) {
        return p.shape() == var->shape && align.aligned(p.id());
      });
  Tensor total = graph::constant(g, 0.0, m.floatx());
  if (c.elementwise_) total = graph::broadcast_to(total, var->shape);
  for (const Tensor& p : parts) total = total + (c.elementwise_ ? p : graph::sum(p));

  c.f_ = m.compile_outputs({{slot.name, total}}, o);
  c.slot_ = slot;
  return c;
}

}  // namespace stochos::model
