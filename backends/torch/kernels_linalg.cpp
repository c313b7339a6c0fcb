// Linear-algebra kernels on matrices. A Cholesky factor of a matrix that is not positive
// definite is all NaN (a rejected proposal), not an exception, as native's is.
#include <cmath>

#include "backends/torch/step.hpp"

namespace stochos::backends::torch {

using graph::DType;
using graph::Node;
using graph::Op;

Step lower_linalg(const graph::Graph&, const Node& n) {
  const auto& ints = n.attrs.ints;
  switch (n.op) {
    case Op::matmul: {
      if (!graph::is_float(n.dtype)) no_kernel(n, n.dtype);
      const bool ta = ints[0] != 0, tb = ints[1] != 0;
      return {STOCHOS_FN2(::at::mm(ta ? x.t() : x, tb ? y.t() : y)),
              STOCHOS_INTO2(::at::mm_out(o, ta ? x.t() : x, tb ? y.t() : y))};
    }
    case Op::diag_part:
      return {STOCHOS_FN1(::at::diagonal(x)), nullptr, true};
    case Op::diag_embed:
      return {STOCHOS_FN1(::at::diag_embed(x))};
    case Op::cholesky: {
      if (!graph::is_float(n.dtype)) no_kernel(n, n.dtype);
      // Not positive definite: every entry NaN (a rejected proposal), not an exception.
      return {[](Args a) {
        auto [l, info] = ::at::linalg_cholesky_ex(*a[0], /*upper=*/false, /*check_errors=*/false);
        return ::at::where(info.ne(0), std::nan(""), l);
      }};
    }
    case Op::trsolve: {
      if (!graph::is_float(n.dtype)) no_kernel(n, n.dtype);
      // op(A) X = B. A transposed lower triangle is an upper one.
      const bool lower = ints[0] != 0, trans = ints[1] != 0;
      const bool upper = trans ? lower : !lower;
      return {STOCHOS_FN2(::at::linalg_solve_triangular(trans ? x.t() : x, y, upper)),
              STOCHOS_INTO2(::at::linalg_solve_triangular_out(o, trans ? x.t() : x, y, upper))};
    }
#define STOCHOS_LINALG_OP(name)
#define STOCHOS_OTHER_OP(name) case Op::name:
#include "graph/ops_by_kind.def"
    break;
  }
  no_kernel(n, n.dtype);
}

}  // namespace stochos::backends::torch
