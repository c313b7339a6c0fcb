// Elementwise kernels: each op's ATen function, with native's semantics where ATen differs
// (Note [torch plan] in step.hpp): trigamma and log_ndtr's far tail are written out here, and
// digamma, trigamma and log_ndtr of a float32 run in double, as native's do.
#include <cmath>
#include <limits>
#include <numbers>

#include "backends/torch/step.hpp"

namespace stochos::backends::torch {

using graph::DType;
using graph::Node;
using graph::Op;

namespace {

// trigamma(x) = psi'(x), as exactly as Boost's (native's): the recurrence
// psi'(z) = sum_{k<10} 1/(z+k)^2 + psi'(z+10), then the asymptotic series at w = z + 10 >= 10,
// whose first omitted term is below 1e-15 relative; x < 0 reflects through
// psi'(x) + psi'(1-x) = pi^2 / sin^2(pi x), with sin(pi x) taken of x minus its nearest integer
// so that it stays exact near the poles, which are +inf.
::at::Tensor trigamma(const ::at::Tensor& x) {
  constexpr double pi = std::numbers::pi;
  const ::at::Tensor neg = x.lt(0);
  const ::at::Tensor z = ::at::where(neg, 1 - x, x);
  const ::at::Tensor k = ::at::arange(10, x.options());
  const ::at::Tensor head = (z.unsqueeze(-1) + k).square().reciprocal().sum(-1);
  const ::at::Tensor w = z + 10;
  const ::at::Tensor iw = w.reciprocal(), iw2 = iw.square();
  // 1/w + 1/(2w^2) + sum_k B_2k / w^(2k+1), B_2..B_14 = 1/6, -1/30, 1/42, -1/30, 5/66,
  // -691/2730, 7/6.
  ::at::Tensor series = 7.0 / 6.0 * iw2 - 691.0 / 2730.0;
  series = series * iw2 + 5.0 / 66.0;
  series = series * iw2 - 1.0 / 30.0;
  series = series * iw2 + 1.0 / 42.0;
  series = series * iw2 - 1.0 / 30.0;
  series = series * iw2 + 1.0 / 6.0;
  const ::at::Tensor positive = head + iw + 0.5 * iw2 + series * iw2 * iw;
  const ::at::Tensor s = ::at::sin(pi * (x - ::at::round(x)));
  const ::at::Tensor reflected = pi * pi / s.square() - positive;
  const ::at::Tensor pole = neg.logical_or(x.eq(0)).logical_and(x.eq(::at::floor(x)));
  return ::at::where(pole, std::numeric_limits<double>::infinity(),
                     ::at::where(neg, reflected, positive));
}

// log Phi(x) as native computes it (graph/scalar_math.cpp): ATen's special_log_ndtr (as
// accurate) down to -20, and below, native's asymptotic series, op for op. The gradient rule
// takes phi/Phi as exp((-x^2/2 - log sqrt(2 pi)) - log_ndtr(x)), a difference of two numbers of
// size x^2/2; computing the tail with native's rounding makes that difference as exact here as
// there. The tail is evaluated at min(x, -20), so it stays finite (and its autograd zero)
// where it is not selected.
::at::Tensor log_ndtr(const ::at::Tensor& x) {
  const ::at::Tensor t = ::at::clamp_max(x, -20.0);
  const ::at::Tensor z = (t * t).reciprocal();
  ::at::Tensor series = 1 - 9 * z;
  series = 1 - 7 * z * series;
  series = 1 - 5 * z * series;
  series = 1 - 3 * z * series;
  series = 1 - z * series;
  const ::at::Tensor tail =
      -0.5 * t * t - ::at::log(-t) - 0.91893853320467274178 + ::at::log(series);
  return ::at::where(x.le(-20.0), tail, ::at::special_log_ndtr(x));
}

// Native computes digamma, trigamma and log_ndtr of a float32 in double and rounds the result.
template <class F>
::at::Tensor in_double(const ::at::Tensor& x, const F& f) {
  if (x.scalar_type() != ::at::kFloat) return f(x);
  return f(x.to(::at::kDouble)).to(::at::kFloat);
}

Step lower_unary(const Node& n, DType in) {
  // int64 takes the ops that are exact on integers, whose kernels below serve every dtype.
  if (in == DType::i64) {
    switch (n.op) {
      case Op::neg:
      case Op::abs:
      case Op::sign:
      case Op::square:
        break;
#define STOCHOS_UNARY_OP(name)
#define STOCHOS_FLOAT_UNARY_OP(name) case Op::name:
#include "graph/ops_by_kind.def"
        no_kernel(n, in);  // float only
#define STOCHOS_UNARY_OP(name)
#define STOCHOS_FLOAT_UNARY_OP(name)
#define STOCHOS_OTHER_OP(name) case Op::name:
#include "graph/ops_by_kind.def"
        no_kernel(n, in);
    }
  } else if (!graph::is_float(in)) {
    no_kernel(n, in);
  }
  const bool f32 = in == DType::f32;
  switch (n.op) {
    case Op::neg:
      return STOCHOS_E1(neg);
    case Op::abs:
      return STOCHOS_E1(abs);
    case Op::sign:
      return STOCHOS_E1(sign);  // sign(NaN) = 0, as (0 < x) - (x < 0)
    case Op::square:
      return {STOCHOS_FN1(::at::mul(x, x)), STOCHOS_INTO1(::at::mul_out(o, x, x))};
    case Op::exp:
      return STOCHOS_E1(exp);
    case Op::expm1:
      return STOCHOS_E1(expm1);
    case Op::log:
      return STOCHOS_E1(log);
    case Op::log1p:
      return STOCHOS_E1(log1p);
    case Op::sqrt:
      return STOCHOS_E1(sqrt);
    case Op::sigmoid:
      return STOCHOS_E1(sigmoid);
    case Op::log_sigmoid:
      return STOCHOS_E1(log_sigmoid);  // min(x, 0) - log1p(exp(-|x|))
    case Op::softplus: {
      // Past the threshold log1p(exp(-x)) is below half an ulp of x, so x is the exact answer.
      const double t = f32 ? 17.0 : 37.0;
      return {STOCHOS_FN1(::at::softplus(x, 1.0, t)),
              STOCHOS_INTO1(::at::softplus_out(o, x, 1.0, t))};
    }
    case Op::tanh:
      return STOCHOS_E1(tanh);
    case Op::sin:
      return STOCHOS_E1(sin);
    case Op::cos:
      return STOCHOS_E1(cos);
    case Op::lgamma:
      return STOCHOS_E1(lgamma);
    case Op::digamma:
      // Native (Boost) is NaN at every pole; torch gives -inf at 0.
      return {STOCHOS_FN1(in_double(x, [](const ::at::Tensor& d) {
        return ::at::digamma(d).masked_fill(d.eq(0), std::nan(""));
      }))};
    case Op::trigamma:
      return {STOCHOS_FN1(in_double(x, trigamma))};
    case Op::erf:
      return STOCHOS_E1(erf);
    case Op::erfc:
      return STOCHOS_E1(erfc);
    case Op::log_ndtr:
      return {STOCHOS_FN1(in_double(x, log_ndtr))};
#define STOCHOS_UNARY_OP(name)
#define STOCHOS_OTHER_OP(name) case Op::name:
#include "graph/ops_by_kind.def"
      break;
  }
  no_kernel(n, in);
}

Step lower_binary(const Node& n, DType in) {
  const bool boolean = in == DType::boolean, integer = in == DType::i64;
  switch (n.op) {
    case Op::add:
      if (boolean) break;
      return STOCHOS_E2(add);
    case Op::sub:
      if (boolean) break;
      return STOCHOS_E2(sub);
    case Op::mul:
      if (boolean) break;
      return STOCHOS_E2(mul);
    case Op::div:
      if (boolean || integer) break;
      return STOCHOS_E2(div);
    case Op::pow:
      if (boolean || integer) break;
      return STOCHOS_E2(pow);
    case Op::maximum:  // NaN propagates in both engines
      if (boolean) break;
      return STOCHOS_E2(maximum);
    case Op::minimum:
      if (boolean) break;
      return STOCHOS_E2(minimum);
    case Op::less:
      return STOCHOS_E2(lt);
    case Op::less_equal:
      return STOCHOS_E2(le);
    case Op::greater:
      return STOCHOS_E2(gt);
    case Op::greater_equal:
      return STOCHOS_E2(ge);
    case Op::equal:
      return STOCHOS_E2(eq);
    case Op::not_equal:
      return STOCHOS_E2(ne);
    case Op::logical_and:
      if (!boolean) break;
      return STOCHOS_E2(logical_and);
    case Op::logical_or:
      if (!boolean) break;
      return STOCHOS_E2(logical_or);
    case Op::logical_not:  // one input: lower_elementwise takes it
#define STOCHOS_BINARY_OP(name)
#define STOCHOS_COMPARE_OP(name)
#define STOCHOS_LOGICAL_OP(name)
#define STOCHOS_OTHER_OP(name) case Op::name:
#include "graph/ops_by_kind.def"
      break;
  }
  no_kernel(n, in);
}

Step lower_cast(DType from, DType to) {
  const ::at::ScalarType t = scalar_type(to);
  if (from == to) return {STOCHOS_FN1(x), nullptr, true};
  if (to == DType::i64 && graph::is_float(from)) {
    // NaN and floats outside [-2^63, 2^63) have no int64 value: INT64_MIN, as native (NumPy).
    return {STOCHOS_FN1(x.to(t).masked_fill(
        ::at::logical_not(x.ge(-9.2233720368547758e18).logical_and(x.lt(9.2233720368547758e18))),
        std::numeric_limits<std::int64_t>::min()))};
  }
  // To bool: x != 0 (NaN is true); otherwise C++'s conversion, as native.
  return {STOCHOS_FN1(x.to(t)), STOCHOS_INTO1(o.copy_(x))};
}

}  // namespace

Step lower_elementwise(const graph::Graph& g, const Node& n) {
  const DType in0 = g.node(n.inputs[0]).dtype;
  switch (graph::op_kind(n.op)) {
    case graph::OpKind::Unary:
      return lower_unary(n, in0);
    case graph::OpKind::Binary:
    case graph::OpKind::Compare:
      return lower_binary(n, in0);
    case graph::OpKind::Logical:
      if (n.op == Op::logical_not) return STOCHOS_E1(logical_not);
      return lower_binary(n, in0);
    case graph::OpKind::Select:
      return {[](Args a) { return ::at::where(*a[0], *a[1], *a[2]); },
              [](Args a, ::at::Tensor& o) { ::at::where_out(o, *a[0], *a[1], *a[2]); }};
    case graph::OpKind::Cast:
      return lower_cast(in0, n.dtype);
    case graph::OpKind::Source:
    case graph::OpKind::Reduce:
    case graph::OpKind::Shape:
    case graph::OpKind::LinAlg:
    case graph::OpKind::Loop:
      break;  // not elementwise: lower() sends these elsewhere
  }
  no_kernel(n, in0);
}

}  // namespace stochos::backends::torch
