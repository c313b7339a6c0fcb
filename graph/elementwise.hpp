// Elementwise<op>::apply — the scalar meaning of every elementwise op, as a type the native
// engine's loops are instantiated with and constant folding dispatches to. Both instantiate it
// for every Unary, Binary and Compare op of ops.def (through graph/ops_by_kind.def), so an op
// of those kinds without its line here does not build.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "graph/op.hpp"
#include "graph/scalar_math.hpp"

namespace stochos::graph {

template <Op op>
struct Elementwise;

#define STOCHOS_UNARY(name, expr) \
  template <>                     \
  struct Elementwise<Op::name> {  \
    template <class T>            \
    static T apply(T x) {         \
      return expr;                \
    }                             \
  };
#define STOCHOS_BINARY(name, expr) \
  template <>                      \
  struct Elementwise<Op::name> {   \
    template <class T>             \
    static auto apply(T a, T b) {  \
      return expr;                 \
    }                              \
  };

STOCHOS_UNARY(neg, -x)
STOCHOS_UNARY(abs, x < T(0) ? -x : x)
STOCHOS_UNARY(sign, scalar::sign(x))
STOCHOS_UNARY(square, x* x)
STOCHOS_UNARY(exp, std::exp(x))
STOCHOS_UNARY(expm1, std::expm1(x))
STOCHOS_UNARY(log, std::log(x))
STOCHOS_UNARY(log1p, std::log1p(x))
STOCHOS_UNARY(sqrt, std::sqrt(x))
STOCHOS_UNARY(sigmoid, scalar::sigmoid(x))
STOCHOS_UNARY(log_sigmoid, scalar::log_sigmoid(x))
STOCHOS_UNARY(softplus, scalar::softplus(x))
STOCHOS_UNARY(tanh, std::tanh(x))
STOCHOS_UNARY(sin, std::sin(x))
STOCHOS_UNARY(cos, std::cos(x))
STOCHOS_UNARY(lgamma, scalar::lgamma(x))
STOCHOS_UNARY(digamma, scalar::digamma(x))
STOCHOS_UNARY(trigamma, scalar::trigamma(x))
STOCHOS_UNARY(erf, std::erf(x))
STOCHOS_UNARY(erfc, std::erfc(x))
STOCHOS_UNARY(log_ndtr, scalar::log_ndtr(x))

STOCHOS_BINARY(add, a + b)
STOCHOS_BINARY(sub, a - b)
STOCHOS_BINARY(mul, a* b)
STOCHOS_BINARY(div, a / b)
STOCHOS_BINARY(pow, std::pow(a, b))
// NaN propagates through maximum and minimum, as in NumPy and torch.
STOCHOS_BINARY(maximum, (a != a || b != b) ? a + b : std::max(a, b))
STOCHOS_BINARY(minimum, (a != a || b != b) ? a + b : std::min(a, b))
STOCHOS_BINARY(less, a < b)
STOCHOS_BINARY(less_equal, a <= b)
STOCHOS_BINARY(greater, a > b)
STOCHOS_BINARY(greater_equal, a >= b)
STOCHOS_BINARY(equal, a == b)
STOCHOS_BINARY(not_equal, a != b)

#undef STOCHOS_UNARY
#undef STOCHOS_BINARY

// Runtime dispatch over the same definitions, in double (constant folding): eval_unary takes
// the Unary ops and logical_not, eval_binary the Binary, Compare and two-input Logical ops.
// Any other op is a caller's bug (std::logic_error).
double eval_unary(Op op, double x);
double eval_binary(Op op, double a, double b);

}  // namespace stochos::graph
