// Internal to autodiff/: the per-op pull-back rules with a mask of the inputs that need a
// cotangent, so that grad() emits no nodes for inputs nothing asks about (data matrices, constant
// exponents) and never reaches a rule that could not be differentiated anyway.
#pragma once

#include <vector>

#include "graph/tensor.hpp"

namespace stochos::autodiff::detail {

// Like pullback(), but leaves result[i] invalid when need[i] is false.
std::vector<graph::Tensor> pullback_needed(const graph::Node& node,
                                           const std::vector<graph::Tensor>& inputs,
                                           const graph::Tensor& value,
                                           const graph::Tensor& cotangent,
                                           const std::vector<bool>& need);

// scan's rule, a reverse scan over the body's vector-Jacobian product (scan_vjp.cpp).
std::vector<graph::Tensor> scan_pullback(const graph::Node& node,
                                         const std::vector<graph::Tensor>& inputs,
                                         const graph::Tensor& value, const graph::Tensor& cotangent,
                                         const std::vector<bool>& need);

}  // namespace stochos::autodiff::detail
