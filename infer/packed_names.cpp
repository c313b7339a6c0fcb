#include "infer/packed_names.hpp"

#include <cmath>

namespace stochos::infer {

std::string packed_name(const model::Layout& layout, Eigen::Index i) {
  for (const model::VarSlot& v : layout.vars) {
    if (i < v.offset || i >= v.offset + v.size) continue;
    if (v.unconstrained_shape.empty()) return v.value_name;
    // Row-major indices of element i - offset.
    std::int64_t rest = i - v.offset;
    std::string index;
    for (std::size_t d = v.unconstrained_shape.size(); d-- > 0;) {
      const std::int64_t extent = v.unconstrained_shape[d];
      index = std::to_string(rest % extent) + (index.empty() ? "" : ", ") + index;
      rest /= extent;
    }
    return v.value_name + "[" + index + "]";
  }
  return "entry " + std::to_string(i);
}

std::string nonfinite_gradient_variables(const model::Layout& layout, const Eigen::VectorXd& grad) {
  std::string names;
  for (const model::VarSlot& v : layout.vars) {
    bool bad = false;
    for (std::int64_t k = 0; k < v.size; ++k)
      bad = bad || !std::isfinite(grad[static_cast<Eigen::Index>(v.offset + k)]);
    if (bad) names += (names.empty() ? "" : ", ") + v.value_name;
  }
  return names.empty() ? "(every gradient is finite; log p itself is not)" : names;
}

}  // namespace stochos::infer
