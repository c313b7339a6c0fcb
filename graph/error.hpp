// Graph construction errors: a bad shape, dtype or attribute names the op and the shapes involved.
#pragma once

#include "stochos/error.hpp"

namespace stochos::graph {

class GraphError : public InputError {
 public:
  using InputError::InputError;
};

}  // namespace stochos::graph
