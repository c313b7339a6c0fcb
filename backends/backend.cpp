#include "backends/backend.hpp"

namespace stochos::backends {

std::size_t element_size(graph::DType d) {
  switch (d) {
    case graph::DType::f64:
      return sizeof(double);
    case graph::DType::f32:
      return sizeof(float);
    case graph::DType::i64:
      return sizeof(std::int64_t);
    case graph::DType::boolean:
      return sizeof(std::uint8_t);
  }
  return 8;
}

}  // namespace stochos::backends
