// The one switch from op to kernel family. It names every op with no default, so a new op does
// not build until the torch engine lowers it (-Werror=switch). Elementwise ops are named by
// their kind (graph/ops_by_kind.def); kernels_elementwise.cpp's own switches then name each op.
#include "backends/torch/lower.hpp"

namespace stochos::backends::torch {

Step lower(const graph::Graph& g, const graph::Node& n) {
  using graph::Op;
  switch (n.op) {
    case Op::constant:
    case Op::input:
      return {};  // bound to slots, no instruction
#define STOCHOS_UNARY_OP(name) case Op::name:
#define STOCHOS_BINARY_OP(name) case Op::name:
#define STOCHOS_COMPARE_OP(name) case Op::name:
#define STOCHOS_LOGICAL_OP(name) case Op::name:
#define STOCHOS_SELECT_OP(name) case Op::name:
#define STOCHOS_CAST_OP(name) case Op::name:
#include "graph/ops_by_kind.def"
      return lower_elementwise(g, n);
    case Op::sum:
    case Op::prod:
    case Op::max:
    case Op::min:
    case Op::logsumexp:
      return lower_reduce(g, n);
    case Op::reshape:
    case Op::broadcast_to:
    case Op::transpose:
    case Op::concat:
    case Op::slice:
    case Op::unslice:
    case Op::gather:
    case Op::scatter_add:
    case Op::cumsum:
      return lower_shape(g, n);
    case Op::matmul:
    case Op::diag_part:
    case Op::diag_embed:
    case Op::cholesky:
    case Op::trsolve:
      return lower_linalg(g, n);
    case Op::scan:
      return lower_scan(g, n);  // the body's steps in a loop (kernels_scan.cpp)
  }
  return {};
}

}  // namespace stochos::backends::torch
