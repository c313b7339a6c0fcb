// Element types of graph tensors.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace stochos::graph {

enum class DType : std::uint8_t { f64, f32, i64, boolean };

std::string_view dtype_name(DType d);
// Parses "float64", "float32", "int64", "bool"; throws GraphError listing the choices otherwise.
DType parse_dtype(std::string_view name);

inline bool is_float(DType d) {
  return d == DType::f64 || d == DType::f32;
}

// NumPy-style promotion for arithmetic: bool < int64 < float32 < float64.
DType promote(DType a, DType b);

}  // namespace stochos::graph
