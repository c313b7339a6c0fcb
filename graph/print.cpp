#include "graph/print.hpp"

#include <algorithm>
#include <sstream>

#include "graph/scan.hpp"

namespace stochos::graph {
namespace {

std::string label(const Node& n) {
  std::ostringstream os;
  os << op_name(n.op);
  if (n.op == Op::input) os << " '" << n.attrs.name << "'";
  if (n.op == Op::constant) {
    const auto& d = *n.attrs.data;
    if (d.size() == 1)
      os << " " << d[0];
    else
      os << " {" << d.size() << " values}";
  }
  if (!n.attrs.ints.empty() && n.op != Op::input) {
    os << " [";
    for (std::size_t i = 0; i < n.attrs.ints.size(); ++i) {
      if (i) os << ",";
      if (n.attrs.ints[i] == kAllAxes)
        os << "all";
      else
        os << n.attrs.ints[i];
    }
    os << "]";
  }
  if (n.attrs.body)
    os << " {" << n.attrs.body->carries << " carries, " << n.attrs.body->sequences << " sequences, "
       << n.attrs.body->constants() << " constants}";
  return os.str();
}

// A scan's body is listed under it, indented, with its outputs named.
void list(std::ostringstream& os, const Graph& g, const std::string& indent) {
  for (NodeId i = 0; i < g.size(); ++i) {
    const Node& n = g.node(i);
    os << indent << "%" << i << " = " << label(n);
    if (!n.inputs.empty()) {
      os << "(";
      for (std::size_t k = 0; k < n.inputs.size(); ++k) os << (k ? ", %" : "%") << n.inputs[k];
      os << ")";
    }
    os << " : " << dtype_name(n.dtype) << shape_str(n.shape) << "\n";
    if (const auto& b = n.attrs.body) {
      list(os, b->graph, indent + "    | ");
      os << indent << "    | outputs:";
      for (NodeId o : b->outputs) os << " %" << o;
      os << "\n";
    }
  }
}

}  // namespace

std::string to_string(const Graph& g) {
  std::ostringstream os;
  list(os, g, "");
  return os.str();
}

std::vector<NodeId> reachable(const Graph& g, std::span<const NodeId> outputs) {
  std::vector<char> live(g.size(), 0);
  for (auto o : outputs) live[o] = 1;
  for (NodeId i = static_cast<NodeId>(g.size()); i-- > 0;)
    if (live[i])
      for (auto in : g.node(i).inputs) live[in] = 1;
  std::vector<NodeId> ids;
  for (NodeId i = 0; i < g.size(); ++i)
    if (live[i]) ids.push_back(i);
  return ids;
}

std::string to_dot(const Graph& g, std::span<const NodeId> outputs) {
  std::ostringstream os;
  os << "digraph stochos {\n  rankdir=TB;\n  node [shape=box, fontname=\"Helvetica\", "
        "fontsize=10];\n";
  for (NodeId i : reachable(g, outputs)) {
    const Node& n = g.node(i);
    std::string text = label(n);
    std::replace(text.begin(), text.end(), '"', '\'');
    const bool out = std::find(outputs.begin(), outputs.end(), i) != outputs.end();
    os << "  n" << i << " [label=\"%" << i << " " << text << "\\n"
       << dtype_name(n.dtype) << shape_str(n.shape) << "\"";
    if (n.op == Op::input) os << ", style=filled, fillcolor=lightblue";
    if (n.op == Op::constant) os << ", style=filled, fillcolor=lightgrey";
    if (out) os << ", peripheries=2";
    os << "];\n";
    for (auto in : n.inputs) os << "  n" << in << " -> n" << i << ";\n";
  }
  os << "}\n";
  return os.str();
}

}  // namespace stochos::graph
