// Elementwise<op>::apply — the scalar meaning of every elementwise op, as a type the native
// engine's loops are instantiated with and constant folding dispatches to.
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

// The elementwise ops by arity, for code that instantiates a kernel per op.
#define STOCHOS_UNARY_OPS(X)                                                                 \
  X(neg)                                                                                     \
  X(abs) X(sign) X(square) X(exp) X(expm1) X(log) X(log1p) X(sqrt) X(sigmoid) X(log_sigmoid) \
      X(softplus) X(tanh) X(sin) X(cos) X(lgamma) X(digamma) X(trigamma) X(erf) X(erfc)      \
          X(log_ndtr)
#define STOCHOS_BINARY_OPS(X) X(add) X(sub) X(mul) X(div) X(pow) X(maximum) X(minimum)
#define STOCHOS_COMPARE_OPS(X) \
  X(less) X(less_equal) X(greater) X(greater_equal) X(equal) X(not_equal)

// Runtime dispatch over the same definitions, in double (constant folding).
double eval_unary(Op op, double x);
double eval_binary(Op op, double a, double b);

}  // namespace stochos::graph
