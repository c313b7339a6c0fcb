#pragma once

#include "backends/torch/step.hpp"

namespace stochos::backends::torch {

// The step computing node n; an empty one for constants and inputs, which are bound to slots.
// Throws InputError when no kernel fits its dtypes.
Step lower(const graph::Graph& g, const graph::Node& n);

}  // namespace stochos::backends::torch
