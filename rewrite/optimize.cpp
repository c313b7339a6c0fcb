// eliminate_dead and the optimize pipeline.
#include "rewrite/driver.hpp"

namespace stochos::rewrite {

Rewritten eliminate_dead(const graph::Graph& src, std::span<const graph::NodeId> outputs) {
  return rebuild(src, outputs);
}

Rewritten optimize(const graph::Graph& src, std::span<const graph::NodeId> outputs) {
  return eliminate_dead(src, outputs);
}

}  // namespace stochos::rewrite
