#include "backends/compile.hpp"

#include <algorithm>

#include "graph/print.hpp"
#include "rewrite/rewrite.hpp"
#include "stochos/error.hpp"

namespace stochos::backends {

namespace {

// Every op the outputs need must be one the engine lowers: found here, before the engine starts,
// and named with the backend.
void check_supported(const Backend& backend, const graph::Graph& g,
                     std::span<const graph::NodeId> outputs) {
  for (graph::NodeId id : graph::reachable(g, outputs)) {
    const graph::Node& n = g.node(id);
    if (!backend.supports(g, n))
      throw InputError("backend " + backend.name() + " does not support op '" +
                       std::string(graph::op_name(n.op)) + "' (node %" + std::to_string(id) + ", " +
                       std::string(graph::dtype_name(n.dtype)) + graph::shape_str(n.shape) + ")");
  }
}

}  // namespace

std::unique_ptr<Executable> compile(const Backend& backend, const graph::Graph& g,
                                    std::span<const graph::NodeId> inputs,
                                    std::span<const graph::NodeId> outputs,
                                    const CompileOptions& options) {
  if (!options.optimize) {
    check_supported(backend, g, outputs);
    return backend.compile(g, inputs, outputs, options);
  }
  const rewrite::Rewritten r = rewrite::optimize(g, outputs);
  // Rewrites keep every input, in the source graph's order: map the caller's input ids across.
  std::vector<graph::NodeId> mapped;
  mapped.reserve(inputs.size());
  for (graph::NodeId id : inputs) {
    const auto& all = g.inputs();
    const auto it = std::find(all.begin(), all.end(), id);
    if (it == all.end())
      throw InputError("compile: node %" + std::to_string(id) + " is not an input of the graph");
    mapped.push_back(r.inputs[static_cast<std::size_t>(it - all.begin())]);
  }
  check_supported(backend, *r.graph, r.outputs);
  return backend.compile(*r.graph, mapped, r.outputs, options);
}

}  // namespace stochos::backends
