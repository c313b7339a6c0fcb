// Test helper: compiles outputs of a graph on a backend and runs them once on double data,
// converting to and from each node's dtype.
#pragma once

#include <string>
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

// The engine a suite written for one engine runs on: $STOCHOS_TEST_BACKEND, else "native".
// tests/CMakeLists.txt runs the distribution and transform suites once more per module engine
// (distributions.torch, transforms.torch) with it set.
std::string test_backend_name();
const backends::Backend& test_backend();

}  // namespace stochos::testing
