#include "graph/dtype.hpp"

#include "graph/error.hpp"

namespace stochos::graph {

std::string_view dtype_name(DType d) {
  switch (d) {
    case DType::f64:
      return "float64";
    case DType::f32:
      return "float32";
    case DType::i64:
      return "int64";
    case DType::boolean:
      return "bool";
  }
  return "?";
}

DType parse_dtype(std::string_view name) {
  if (name == "float64") return DType::f64;
  if (name == "float32") return DType::f32;
  if (name == "int64") return DType::i64;
  if (name == "bool") return DType::boolean;
  throw GraphError("unknown dtype '" + std::string(name) +
                   "'; valid dtypes are float64, float32, int64, bool");
}

DType promote(DType a, DType b) {
  auto rank = [](DType d) {
    switch (d) {
      case DType::boolean:
        return 0;
      case DType::i64:
        return 1;
      case DType::f32:
        return 2;
      case DType::f64:
        return 3;
    }
    return 3;
  };
  return rank(a) >= rank(b) ? a : b;
}

}  // namespace stochos::graph
