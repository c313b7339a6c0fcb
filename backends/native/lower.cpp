// The one switch from op to kernel family. It names every op with no default, so a new op does
// not build until the native engine lowers it (-Werror=switch). Elementwise ops are named by
// their kind (graph/ops_by_kind.def): their loops are instantiated from graph/elementwise.hpp,
// and kernels_elementwise.cpp's own switches name each op where the dtypes differ.
#include "backends/native/lower.hpp"

namespace stochos::backends::native {

void lower(const graph::Graph& g, const graph::Node& n, Step& s) {
  using graph::Op;
  switch (n.op) {
    case Op::constant:
    case Op::input:
      return;  // bound to storage by the planner, no step
#define STOCHOS_UNARY_OP(name) case Op::name:
#define STOCHOS_BINARY_OP(name) case Op::name:
#define STOCHOS_COMPARE_OP(name) case Op::name:
#define STOCHOS_LOGICAL_OP(name) case Op::name:
#define STOCHOS_SELECT_OP(name) case Op::name:
#define STOCHOS_CAST_OP(name) case Op::name:
#include "graph/ops_by_kind.def"
      lower_elementwise(g, n, s);
      return;
    case Op::sum:
    case Op::prod:
    case Op::max:
    case Op::min:
    case Op::logsumexp:
      lower_reduce(g, n, s);
      return;
    case Op::cumsum: {
      // A scan is a reduction-shaped loop: reuse the [outer, len, inner] form.
      graph::Node as_reduce = n;
      as_reduce.attrs.ints = {n.attrs.ints[0], 0};
      lower_reduce(g, as_reduce, s);
      return;
    }
    case Op::reshape:
    case Op::broadcast_to:
    case Op::transpose:
    case Op::concat:
    case Op::slice:
    case Op::unslice:
    case Op::gather:
    case Op::scatter_add:
      lower_shape(g, n, s);
      return;
    case Op::matmul:
    case Op::diag_part:
    case Op::diag_embed:
    case Op::cholesky:
    case Op::trsolve:
      lower_linalg(g, n, s);
      return;
    case Op::scan:
      lower_scan(g, n, s);  // the body's own plan, run per step (scan.cpp)
      return;
  }
}

}  // namespace stochos::backends::native
