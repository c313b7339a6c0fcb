// The model as PyMC's pm.model_to_graphviz draws it: one node per named variable, an edge from
// each variable to those whose values or distribution parameters use it directly, and plates
// grouping the variables of the same dimensions (Note [model graph] in model_graph.cpp).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "model/model.hpp"

namespace stochos::model {

// Variable names -> their dimension names (PyMC's dims=), for plate labels; missing: by shape.
using DimNames = std::map<std::string, std::vector<std::string>>;
// Variable names -> the lengths of their dimensions, axis by axis (PyMC's dim_lengths, read per
// variable); missing, or of another rank: the variable's shape.
using DimLengths = std::map<std::string, std::vector<std::int64_t>>;

struct GraphNode {
  enum class Kind { free, observed, data, deterministic, potential };
  std::string name;
  Kind kind = Kind::free;
  std::string type;  // the third line of the label: "Normal", "Deterministic", "Potential", "Data"
  Shape shape = {};
  std::string plate;  // "school (8)", "3 x 2"; empty for a scalar
};

struct ModelGraph {
  std::vector<GraphNode> nodes;                            // declaration order
  std::vector<std::pair<std::string, std::string>> edges;  // (parent, child), by child then parent
};

// The nodes, edges and plates of the model.
ModelGraph model_graph(const Model& m, const DimNames& dims = {},
                       const DimLengths& dim_lengths = {});
// A ModelGraph as a Graphviz DOT digraph, in PyMC's styles.
std::string to_dot(const ModelGraph& g);
// The model as a Graphviz DOT digraph, the way PyMC's model_to_graphviz draws it.
std::string model_to_dot(const Model& m, const DimNames& dims = {},
                         const std::map<std::string, std::vector<std::int64_t>>& dim_lengths = {});

}  // namespace stochos::model
