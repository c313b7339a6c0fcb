#pragma once

#include "backends/native/step.hpp"

namespace stochos::backends::native {

// Fills s.fn and s.p for node n; throws InputError when no kernel fits its dtypes.
void lower(const graph::Graph& g, const graph::Node& n, Step& s);

}  // namespace stochos::backends::native
