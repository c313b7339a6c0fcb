// Static shapes, row-major (C order) strides and NumPy broadcasting.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace stochos::graph {

using Shape = std::vector<std::int64_t>;

std::int64_t numel(const Shape& s);
std::string shape_str(const Shape& s);  // "[3, 4]", "[]" for a scalar
Shape row_major_strides(const Shape& s);
// The NumPy broadcast of a and b, or nothing when they are incompatible.
std::optional<Shape> broadcast_shapes(const Shape& a, const Shape& b);
// Normalises a possibly negative axis against rank; nothing when out of range.
std::optional<int> normalize_axis(std::int64_t axis, std::size_t rank);

}  // namespace stochos::graph
