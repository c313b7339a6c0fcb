// The one path from a graph to something that runs: optional rewrites, then the engine's lowering.
#pragma once

#include "backends/backend.hpp"

namespace stochos::backends {

// Runs rewrite::optimize over what `outputs` need (when options.optimize), then backend.compile.
// The executable keeps nothing of `g`.
std::unique_ptr<Executable> compile(const Backend& backend, const graph::Graph& g,
                                    std::span<const graph::NodeId> inputs,
                                    std::span<const graph::NodeId> outputs,
                                    const CompileOptions& options = {});

}  // namespace stochos::backends
