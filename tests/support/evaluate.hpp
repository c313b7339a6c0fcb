// Test helper: compiles outputs of a graph on a backend and runs them once on double data,
// converting to and from each node's dtype.
#pragma once

#include <vector>

#include "backends/backend.hpp"
#include "graph/tensor.hpp"

namespace stochos::testing {

using Values = std::vector<double>;

// Evaluates `outputs` given a value for each of `inputs` (flattened row-major). With
// optimize=false the graph goes to the engine as built, without rewrites.
std::vector<Values> evaluate(const backends::Backend& backend,
                             const std::vector<graph::Tensor>& inputs,
                             const std::vector<Values>& values,
                             const std::vector<graph::Tensor>& outputs, bool optimize = true);

}  // namespace stochos::testing
