// The functions a .stoch expression can call (SPEC.md §1.1), by name.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "graph/tensor.hpp"

namespace stochos::lang {

struct Function {
  std::size_t min_args, max_args;
  std::size_t tensors;  // the first `tensors` arguments are values; the rest integers (an axis)
  bool list_argument = false;  // concat([a, b]), stack([a, b])
  // The graph is given for functions of integers alone (eye(n), arange(n)).
  std::function<graph::Tensor(graph::Graph&, const std::vector<graph::Tensor>&,
                              const std::vector<std::int64_t>&, graph::DType floatx)>
      apply;
};

const std::map<std::string, Function>& functions();

}  // namespace stochos::lang
