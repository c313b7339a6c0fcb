#include "model/model_graph.hpp"

#include <algorithm>
#include <set>
#include <unordered_map>

namespace stochos::model {

// Note [model graph]
// PyMC's ModelGraph, over this model's graph. A variable stands for some nodes of the graph: a
// free variable for its value and its unconstrained input, a data container for its input, a
// deterministic for its tensor, an observed variable for its value when that is not a constant
// (a data container, or an expression of one); a potential stands for none (nothing can use it),
// nor does an observed constant, which the graph may share with an equal constant elsewhere.
// B's parents are found by walking backwards from what B is computed from (its distribution's
// parameters, nested distributions' included, an observed variable's value, a deterministic's or
// potential's tensor), stopping at each node that stands for another variable: that variable is
// a parent, and what it depends on is its own business, so mu -> theta -> y and not mu -> y.
//
// The graph shares equal nodes, so one node can stand for several variables (a deterministic
// that is just x, an observed variable whose value is a data container), and which name B's
// author used is lost. The parent is the first of them declared before B, the one that made the
// node (x, the data container); a variable declared after B is no parent (a deterministic named
// later for an expression B used: PyMC draws the expression's own parents), except a free
// variable, which missing data declares after the deterministic NAME that uses it (Note [missing
// data]).

namespace {

using Kind = GraphNode::Kind;

struct Entry {
  GraphNode node;
  std::vector<Tensor> sources;     // what its value or distribution is computed from
  std::vector<graph::NodeId> own;  // the nodes that stand for it
};

void add_params(const distributions::Params& p, std::vector<Tensor>& out) {
  for (const auto& [name, t] : p.all()) out.push_back(t);
  for (const auto& [name, n] : p.all_nested())
    for (const distributions::Nested& item : n.items)
      if (item.params) add_params(*item.params, out);
}

// PyMC's plate label: "school (8)" per named dimension, "8" per unnamed one, joined by " x ".
std::string plate_label(const std::string& name, const Shape& shape, const DimNames& dims,
                        const DimLengths& lengths) {
  if (shape.empty()) return {};
  const auto d = dims.find(name);
  const bool named = d != dims.end() && d->second.size() == shape.size();
  const auto l = lengths.find(name);
  const bool sized = l != lengths.end() && l->second.size() == shape.size();
  std::string out;
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (i > 0) out += " x ";
    const std::string length = std::to_string(sized ? l->second[i] : shape[i]);
    if (named && !d->second[i].empty()) {
      out += d->second[i];
      out += " (";
      out += length;
      out += ')';
    } else {
      out += length;
    }
  }
  return out;
}

// A DOT quoted string; a newline becomes DOT's \n (a centred line break in a label).
std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (const char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c != '\r') {
      out += c;
    }
  }
  out += '"';
  return out;
}

std::string node_line(const GraphNode& n) {
  std::string out = quoted(n.name);
  out += " [label=";
  std::string label = n.name;
  label += "\n~\n";
  label += n.type;
  out += quoted(label);
  switch (n.kind) {
    case Kind::free:
      out += " shape=ellipse";
      break;
    case Kind::observed:
      out += " shape=ellipse style=filled fillcolor=gray";
      break;
    case Kind::data:
      out += " shape=box style=\"rounded, filled\" fillcolor=white";
      break;
    case Kind::deterministic:
      out += " shape=box";
      break;
    case Kind::potential:
      out += " shape=octagon";
      break;
  }
  out += ']';
  return out;
}

}  // namespace

ModelGraph model_graph(const Model& m, const DimNames& dims, const DimLengths& dim_lengths) {
  std::vector<Entry> entries;
  for (const FreeVar& v : m.free_vars()) {
    Entry e{{v.name, Kind::free, v.family->name, v.shape, {}}, {}, {v.value.id(), v.input.id()}};
    add_params(v.params, e.sources);
    entries.push_back(std::move(e));
  }
  for (const ObservedVar& v : m.observed_vars()) {
    Entry e{{v.name, Kind::observed, v.family->name, v.value.shape(), {}}, {v.value}, {}};
    if (!v.value.is_constant()) e.own.push_back(v.value.id());
    add_params(v.params, e.sources);
    entries.push_back(std::move(e));
  }
  for (const DataVar& v : m.data_vars())
    entries.push_back({{v.name, Kind::data, "Data", v.input.shape(), {}}, {}, {v.input.id()}});
  for (const auto& [name, t] : m.deterministics())
    entries.push_back({{name, Kind::deterministic, "Deterministic", t.shape(), {}}, {t}, {t.id()}});
  for (const auto& [name, t] : m.potentials())
    entries.push_back({{name, Kind::potential, "Potential", t.shape(), {}}, {t}, {}});

  // Declaration order: the order the model claimed the names in.
  const std::vector<std::string>& names = m.names();
  const auto order = [&](const Entry& e) {
    return std::find(names.begin(), names.end(), e.node.name) - names.begin();
  };
  std::stable_sort(entries.begin(), entries.end(),
                   [&](const Entry& a, const Entry& b) { return order(a) < order(b); });

  std::unordered_map<graph::NodeId, std::vector<std::size_t>> owners;  // ascending entries
  for (std::size_t i = 0; i < entries.size(); ++i)
    for (const graph::NodeId id : entries[i].own) {
      std::vector<std::size_t>& o = owners[id];
      if (o.empty() || o.back() != i) o.push_back(i);
    }
  // The variable node `id` stands for, as B's parent (Note [model graph]); entries.size() if none.
  const auto parent_at = [&](graph::NodeId id, std::size_t b) {
    const auto it = owners.find(id);
    if (it == owners.end()) return entries.size();
    for (const std::size_t o : it->second)
      if (o < b || (o > b && entries[o].node.kind == Kind::free)) return o;
    return entries.size();
  };

  ModelGraph out;
  for (std::size_t b = 0; b < entries.size(); ++b) {
    Entry& e = entries[b];
    e.node.plate = plate_label(e.node.name, e.node.shape, dims, dim_lengths);
    std::set<std::size_t> parents;
    std::vector<graph::NodeId> stack;
    for (const Tensor& t : e.sources) stack.push_back(t.id());
    std::set<graph::NodeId> seen;
    const graph::Graph* g = e.sources.empty() ? nullptr : &e.sources.front().graph();
    while (!stack.empty()) {
      const graph::NodeId id = stack.back();
      stack.pop_back();
      if (!seen.insert(id).second) continue;
      if (const std::size_t p = parent_at(id, b); p < entries.size()) {
        parents.insert(p);
        continue;
      }
      for (const graph::NodeId in : g->node(id).inputs) stack.push_back(in);
    }
    for (const std::size_t p : parents) out.edges.emplace_back(entries[p].node.name, e.node.name);
  }
  for (Entry& e : entries) out.nodes.push_back(std::move(e.node));
  return out;
}

std::string to_dot(const ModelGraph& g) {
  // The plates in the order of their first variable; scalars outside any.
  std::vector<std::string> plates;
  for (const GraphNode& n : g.nodes)
    if (std::find(plates.begin(), plates.end(), n.plate) == plates.end()) plates.push_back(n.plate);
  std::string out = "digraph {\n";
  for (const std::string& plate : plates) {
    const std::string indent = plate.empty() ? "\t" : "\t\t";
    if (!plate.empty()) {
      std::string cluster = "cluster";  // the prefix that makes Graphviz draw a box
      cluster += plate;
      out += "\tsubgraph ";
      out += quoted(cluster);
      out += " {\n";
    }
    for (const GraphNode& n : g.nodes)
      if (n.plate == plate) {
        out += indent;
        out += node_line(n);
        out += '\n';
      }
    if (!plate.empty()) {
      out += "\t\tlabel=";
      out += quoted(plate);
      out += "\n\t\tlabeljust=r\n\t\tlabelloc=b\n\t\tstyle=rounded\n\t}\n";
    }
  }
  for (const auto& [parent, child] : g.edges) {
    out += '\t';
    out += quoted(parent);
    out += " -> ";
    out += quoted(child);
    out += '\n';
  }
  out += "}\n";
  return out;
}

std::string model_to_dot(const Model& m, const DimNames& dims,
                         const std::map<std::string, std::vector<std::int64_t>>& dim_lengths) {
  return to_dot(model_graph(m, dims, dim_lengths));
}

}  // namespace stochos::model
