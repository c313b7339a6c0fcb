// Reverse-mode accumulation over the graph. Node ids are a topological order, so walking ids
// downwards from the output visits every user of a node before the node itself: when the walk
// reaches a node, its cotangent is complete and can be pulled back to its inputs.
#include <algorithm>
#include <stdexcept>
#include <string>

#include "autodiff/grad.hpp"
#include "autodiff/vjp_rules.hpp"
#include "graph/error.hpp"

namespace stochos::autodiff {
namespace {

using namespace stochos::graph;

// Zeros for a wrt that takes no cotangent: its own float dtype, or float64 for int64/bool.
Tensor zeros_like_wrt(const Tensor& w) {
  const Shape shape = w.shape();
  return full(w.graph(), shape, 0.0, is_float(w.dtype()) ? w.dtype() : DType::f64);
}

void check_same_graph(const Graph& g, const Tensor& t, const std::string& what) {
  if (!t.valid()) throw GraphError("vjp: " + what + " is an empty tensor handle");
  if (&t.graph() != &g) throw GraphError("vjp: " + what + " belongs to another graph");
}

// leaves: no cotangent flows through one wrt into another (partial_grad).
std::vector<Tensor> vjp_impl(const std::vector<Tensor>& outputs,
                             const std::vector<Tensor>& cotangents, const std::vector<Tensor>& wrt,
                             bool leaves) {
  if (outputs.empty()) throw GraphError("vjp: no outputs");
  if (cotangents.size() != outputs.size())
    throw GraphError("vjp: " + std::to_string(cotangents.size()) + " cotangents for " +
                     std::to_string(outputs.size()) + " outputs");
  for (std::size_t j = 0; j < outputs.size(); ++j)
    if (!outputs[j].valid()) throw GraphError("vjp: the output is an empty tensor handle");
  Graph& g = outputs[0].graph();
  for (std::size_t j = 0; j < outputs.size(); ++j) {
    check_same_graph(g, outputs[j], "output " + std::to_string(j));
    check_same_graph(g, cotangents[j], "the cotangent");
    if (cotangents[j].shape() != outputs[j].shape())
      throw GraphError("vjp: the cotangent's shape " + shape_str(cotangents[j].shape()) +
                       " differs from the output's shape " + shape_str(outputs[j].shape()));
  }
  for (std::size_t k = 0; k < wrt.size(); ++k)
    check_same_graph(g, wrt[k], "wrt[" + std::to_string(k) + "]");

  std::vector<Tensor> result(wrt.size());
  const auto fill_zeros = [&] {
    for (std::size_t k = 0; k < wrt.size(); ++k)
      if (!result[k].valid()) result[k] = zeros_like_wrt(wrt[k]);
    return result;
  };

  // Int64/bool outputs, or float wrts all later than the outputs, leave nothing to do.
  NodeId out = 0;
  bool any_float = false;
  for (const auto& o : outputs)
    if (is_float(o.dtype())) {
      out = any_float ? std::max(out, o.id()) : o.id();
      any_float = true;
    }
  NodeId lo = out + 1;
  for (const auto& w : wrt)
    if (is_float(w.dtype()) && w.id() <= out) lo = std::min(lo, w.id());
  if (!any_float || lo > out) return fill_zeros();

  // dep: the node is float and depends on some float wrt through float nodes only (an int64 or
  // bool node carries no cotangent, so a dependence through one does not count). Indexed id - lo.
  const std::size_t span = out + 1 - lo;
  std::vector<char> dep(span, 0);
  for (const auto& w : wrt)
    if (is_float(w.dtype()) && w.id() <= out) dep[w.id() - lo] = 1;
  for (NodeId id = lo; id <= out; ++id) {
    if (dep[id - lo]) continue;
    const Node& n = g.node(id);
    if (!is_float(n.dtype)) continue;
    for (NodeId in : n.inputs)
      if (in >= lo && dep[in - lo]) {
        dep[id - lo] = 1;
        break;
      }
  }

  std::vector<Tensor> cot(span);
  for (std::size_t j = 0; j < outputs.size(); ++j) {
    const NodeId o = outputs[j].id();
    if (!is_float(outputs[j].dtype()) || o < lo || !dep[o - lo]) continue;
    const Tensor c = cast(cotangents[j], outputs[j].dtype());
    cot[o - lo] = cot[o - lo].valid() ? add(cot[o - lo], c) : c;
  }
  std::vector<char> is_wrt(leaves ? span : 0, 0);
  if (leaves)
    for (const auto& w : wrt)
      if (w.id() >= lo && w.id() <= out) is_wrt[w.id() - lo] = 1;
  for (NodeId id = out + 1; id-- > lo;) {
    if (!dep[id - lo] || !cot[id - lo].valid()) continue;
    if (leaves && is_wrt[id - lo]) continue;
    const Node n = g.node(id);  // a copy: the rules add nodes (Note [node references] in graph.cpp)
    std::vector<bool> need(n.inputs.size());
    bool any = false;
    for (std::size_t i = 0; i < n.inputs.size(); ++i) {
      need[i] = n.inputs[i] >= lo && dep[n.inputs[i] - lo];
      any = any || need[i];
    }
    if (!any) continue;  // a wrt itself, or a node reached only through its non-float inputs
    std::vector<Tensor> ins;
    ins.reserve(n.inputs.size());
    for (NodeId in : n.inputs) ins.emplace_back(g, in);
    const std::vector<Tensor> d =
        detail::pullback_needed(n, ins, Tensor(g, id), cot[id - lo], need);
    for (std::size_t i = 0; i < n.inputs.size(); ++i) {
      if (!need[i] || !d[i].valid()) continue;
      const Node& in = g.node(n.inputs[i]);
      // A rule that gets a shape or dtype wrong is a bug here, not in the caller's model.
      if (d[i].shape() != in.shape || d[i].dtype() != in.dtype)
        throw std::logic_error("autodiff: the " + std::string(op_name(n.op)) + " rule gave " +
                               std::string(dtype_name(d[i].dtype())) + shape_str(d[i].shape()) +
                               " for input " + std::to_string(i) + " of " +
                               std::string(dtype_name(in.dtype)) + shape_str(in.shape));
      Tensor& c = cot[n.inputs[i] - lo];
      c = c.valid() ? add(c, d[i]) : d[i];
    }
  }

  for (std::size_t k = 0; k < wrt.size(); ++k) {
    const NodeId id = wrt[k].id();
    if (is_float(wrt[k].dtype()) && id >= lo && id <= out && cot[id - lo].valid())
      result[k] = cot[id - lo];
  }
  return fill_zeros();
}

}  // namespace

std::vector<Tensor> vjp(const std::vector<Tensor>& outputs, const std::vector<Tensor>& cotangents,
                        const std::vector<Tensor>& wrt) {
  return vjp_impl(outputs, cotangents, wrt, false);
}

std::vector<Tensor> vjp(const Tensor& output, const Tensor& cotangent,
                        const std::vector<Tensor>& wrt) {
  if (!output.valid()) throw GraphError("vjp: the output is an empty tensor handle");
  check_same_graph(output.graph(), cotangent, "the cotangent");
  return vjp(std::vector<Tensor>{output}, std::vector<Tensor>{cotangent}, wrt);
}

namespace {

// d output / d wrt for a scalar output; `leaves` as in vjp_impl.
std::vector<Tensor> scalar_grad(const Tensor& output, const std::vector<Tensor>& wrt, bool leaves) {
  if (!output.valid()) throw GraphError("grad: the output is an empty tensor handle");
  if (output.rank() != 0)
    throw GraphError("grad: the output must be a scalar, got shape " + shape_str(output.shape()) +
                     "; use vjp with a cotangent for a non-scalar output");
  const DType d = is_float(output.dtype()) ? output.dtype() : DType::f64;
  return vjp_impl({output}, {constant(output.graph(), 1.0, d)}, wrt, leaves);
}

}  // namespace

std::vector<Tensor> grad(const Tensor& output, const std::vector<Tensor>& wrt) {
  return scalar_grad(output, wrt, false);
}

std::vector<Tensor> partial_grad(const Tensor& output, const std::vector<Tensor>& wrt) {
  return scalar_grad(output, wrt, true);
}

}  // namespace stochos::autodiff
