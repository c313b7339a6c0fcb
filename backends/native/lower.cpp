// The one switch from op to kernel family. It names every op with no default, so a new op does
// not build until the native engine lowers it (-Werror=switch).
#include "backends/native/lower.hpp"

namespace stochos::backends::native {

void lower(const graph::Graph& g, const graph::Node& n, Step& s) {
  using graph::Op;
  switch (n.op) {
    case Op::constant:
    case Op::input:
      return;  // bound to storage by the planner, no step
    case Op::neg:
    case Op::abs:
    case Op::sign:
    case Op::square:
    case Op::exp:
    case Op::expm1:
    case Op::log:
    case Op::log1p:
    case Op::sqrt:
    case Op::sigmoid:
    case Op::log_sigmoid:
    case Op::softplus:
    case Op::tanh:
    case Op::sin:
    case Op::cos:
    case Op::lgamma:
    case Op::digamma:
    case Op::trigamma:
    case Op::erf:
    case Op::erfc:
    case Op::log_ndtr:
    case Op::add:
    case Op::sub:
    case Op::mul:
    case Op::div:
    case Op::pow:
    case Op::maximum:
    case Op::minimum:
    case Op::less:
    case Op::less_equal:
    case Op::greater:
    case Op::greater_equal:
    case Op::equal:
    case Op::not_equal:
    case Op::logical_and:
    case Op::logical_or:
    case Op::logical_not:
    case Op::where:
    case Op::cast:
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
  }
}

}  // namespace stochos::backends::native
