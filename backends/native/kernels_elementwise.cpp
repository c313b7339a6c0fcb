// Elementwise kernels: one loop per op and dtype, instantiated from graph/elementwise.hpp so the
// engine computes exactly what constant folding computes. Broadcasting picks, at compile time,
// a flat loop (equal sizes), a scalar-operand loop, or the general strided walk.
#include <cmath>
#include <limits>

#include "backends/native/blend.hpp"
#include "backends/native/strided.hpp"
#include "backends/native/vector_math.hpp"
#include "graph/elementwise.hpp"
#include "stochos/error.hpp"

namespace stochos::backends::native {
namespace {

using graph::DType;
using graph::Op;

template <class T>
const T* in(void** slots, const Step& s, std::size_t k) {
  return static_cast<const T*>(slots[s.in[k]]);
}
template <class T>
T* out(void** slots, const Step& s) {
  return static_cast<T*>(slots[s.out]);
}

template <class T, class F>
void unary(const Step& s, void** sl) {
  const T* x = in<T>(sl, s, 0);
  T* y = out<T>(sl, s);
  for (std::int64_t i = 0; i < s.n; ++i) y[i] = F::template apply<T>(x[i]);
}

// Binary modes: both operands as long as the output, a scalar on the left or the right, or
// general broadcasting.
enum Mode : std::int64_t { kFlat, kScalarA, kScalarB, kGeneral };

template <class T, class R, class F>
void binary_flat(const Step& s, void** sl) {
  const T* a = in<T>(sl, s, 0);
  const T* b = in<T>(sl, s, 1);
  R* y = out<R>(sl, s);
  for (std::int64_t i = 0; i < s.n; ++i) y[i] = static_cast<R>(F::template apply<T>(a[i], b[i]));
}
template <class T, class R, class F>
void binary_scalar_a(const Step& s, void** sl) {
  const T a = *in<T>(sl, s, 0);
  const T* b = in<T>(sl, s, 1);
  R* y = out<R>(sl, s);
  for (std::int64_t i = 0; i < s.n; ++i) y[i] = static_cast<R>(F::template apply<T>(a, b[i]));
}
template <class T, class R, class F>
void binary_scalar_b(const Step& s, void** sl) {
  const T* a = in<T>(sl, s, 0);
  const T b = *in<T>(sl, s, 1);
  R* y = out<R>(sl, s);
  for (std::int64_t i = 0; i < s.n; ++i) y[i] = static_cast<R>(F::template apply<T>(a[i], b));
}
template <class T, class R, class F>
void binary_general(const Step& s, void** sl) {
  const T* a = in<T>(sl, s, 0);
  const T* b = in<T>(sl, s, 1);
  R* y = out<R>(sl, s);
  for_each_strided<2>(s.p, 1, [&](std::int64_t i, const std::array<std::int64_t, 2>& o) {
    y[i] = static_cast<R>(F::template apply<T>(a[o[0]], b[o[1]]));
  });
}

template <class T, class R, class F>
Step::Fn binary_fn(Mode m) {
  switch (m) {
    case kFlat:
      return &binary_flat<T, R, F>;
    case kScalarA:
      return &binary_scalar_a<T, R, F>;
    case kScalarB:
      return &binary_scalar_b<T, R, F>;
    case kGeneral:
      return &binary_general<T, R, F>;
  }
  return nullptr;
}

struct LogicalAnd {
  template <class T>
  static bool apply(T a, T b) {
    return a && b;
  }
};
struct LogicalOr {
  template <class T>
  static bool apply(T a, T b) {
    return a || b;
  }
};
struct LogicalNot {
  template <class T>
  static T apply(T a) {
    return !a;
  }
};

template <class T>
void select_flat(const Step& s, void** sl) {
  const std::uint8_t* c = in<std::uint8_t>(sl, s, 0);
  const T* a = in<T>(sl, s, 1);
  const T* b = in<T>(sl, s, 2);
  T* y = out<T>(sl, s);
  for (std::int64_t i = 0; i < s.n; ++i) y[i] = c[i] ? a[i] : b[i];
}
// Each input either has every element or is a scalar (a -inf fallback, a scalar condition,
// a selection between two constants by a mask): one loop per pattern of strides, so that each
// compiles to blends rather than branches (a random mask would mispredict half of them).
template <class T, int kC, int kA, int kB>
void select_pattern(const Step& s, void** sl) {
  const std::uint8_t* c = in<std::uint8_t>(sl, s, 0);
  const T* a = in<T>(sl, s, 1);
  const T* b = in<T>(sl, s, 2);
  T* y = out<T>(sl, s);
  for (std::int64_t i = 0; i < s.n; ++i) y[i] = blend(c[i * kC] != 0, a[i * kA], b[i * kB]);
}
template <class T>
Step::Fn select_scalars(std::int64_t sc, std::int64_t sa, std::int64_t sb) {
  switch (4 * sc + 2 * sa + sb) {
    case 0:
      return &select_pattern<T, 0, 0, 0>;
    case 1:
      return &select_pattern<T, 0, 0, 1>;
    case 2:
      return &select_pattern<T, 0, 1, 0>;
    case 3:
      return &select_pattern<T, 0, 1, 1>;
    case 4:
      return &select_pattern<T, 1, 0, 0>;
    case 5:
      return &select_pattern<T, 1, 0, 1>;
    case 6:
      return &select_pattern<T, 1, 1, 0>;
    default:
      return &select_pattern<T, 1, 1, 1>;
  }
}
template <class T>
void select_general(const Step& s, void** sl) {
  const std::uint8_t* c = in<std::uint8_t>(sl, s, 0);
  const T* a = in<T>(sl, s, 1);
  const T* b = in<T>(sl, s, 2);
  T* y = out<T>(sl, s);
  for_each_strided<3>(s.p, 1, [&](std::int64_t i, const std::array<std::int64_t, 3>& o) {
    y[i] = c[o[0]] ? a[o[1]] : b[o[2]];
  });
}

template <class To, class From>
To convert(From x) {
  if constexpr (std::is_same_v<To, std::uint8_t>) {
    return x != From(0) ? 1 : 0;
  } else if constexpr (std::is_integral_v<To> && std::is_floating_point_v<From>) {
    // NaN and out-of-range floats have no int64 value; NumPy gives INT64_MIN, so do we.
    if (!(x >= From(-9.2233720368547758e18) && x < From(9.2233720368547758e18)))
      return std::numeric_limits<To>::min();
    return static_cast<To>(x);
  } else {
    return static_cast<To>(x);
  }
}
template <class From, class To>
void cast_kernel(const Step& s, void** sl) {
  const From* x = in<From>(sl, s, 0);
  To* y = out<To>(sl, s);
  for (std::int64_t i = 0; i < s.n; ++i) y[i] = convert<To>(x[i]);
}

template <class From>
Step::Fn cast_from(DType to) {
  switch (to) {
    case DType::f64:
      return &cast_kernel<From, double>;
    case DType::f32:
      return &cast_kernel<From, float>;
    case DType::i64:
      return &cast_kernel<From, std::int64_t>;
    case DType::boolean:
      return &cast_kernel<From, std::uint8_t>;
  }
  return nullptr;
}

[[noreturn]] void unsupported(const graph::Node& n) {
  throw InputError("native engine: no kernel for " + std::string(graph::op_name(n.op)) + " on " +
                   std::string(graph::dtype_name(n.dtype)));
}

// Chooses the broadcast mode of a binary step and records strides for the general walk.
Mode binary_mode(const graph::Graph& g, const graph::Node& n, Step& s) {
  const auto na = graph::numel(g.node(n.inputs[0]).shape);
  const auto nb = graph::numel(g.node(n.inputs[1]).shape);
  if (na == s.n && nb == s.n) return kFlat;
  if (na == 1 && nb == s.n) return kScalarA;
  if (nb == 1 && na == s.n) return kScalarB;
  s.p.push_back(0);  // p[0] unused; the strided layout starts at p[1]
  pack_strided(s.p, n.shape,
               {broadcast_strides(n.shape, g.node(n.inputs[0]).shape),
                broadcast_strides(n.shape, g.node(n.inputs[1]).shape)});
  return kGeneral;
}

// The transcendental unary ops over whole arrays, vectorised (vector_math.hpp); a few elements
// (a scalar parameter's log) cost less through the scalar loop than through a padded vector.
template <class T, graph::Op O, vmath::Fn F>
void unary_vector(const Step& s, void** sl) {
  if (s.n < 8) return unary<T, graph::Elementwise<O>>(s, sl);
  vmath::apply(F, in<T>(sl, s, 0), out<T>(sl, s), s.n);
}

template <class T>
Step::Fn unary_fn(const graph::Node& n) {
  switch (n.op) {
    case Op::exp:
      return &unary_vector<T, Op::exp, vmath::Fn::exp>;
    case Op::log:
      return &unary_vector<T, Op::log, vmath::Fn::log>;
    case Op::log1p:
      return &unary_vector<T, Op::log1p, vmath::Fn::log1p>;
    case Op::expm1:
      return &unary_vector<T, Op::expm1, vmath::Fn::expm1>;
    case Op::sigmoid:
      return &unary_vector<T, Op::sigmoid, vmath::Fn::sigmoid>;
    case Op::softplus:
      return &unary_vector<T, Op::softplus, vmath::Fn::softplus>;
    case Op::log_sigmoid:
      return &unary_vector<T, Op::log_sigmoid, vmath::Fn::log_sigmoid>;
    default:
      break;
  }
  switch (n.op) {
#define STOCHOS_UNARY_OP(name) \
  case Op::name:               \
    return &unary<T, graph::Elementwise<Op::name>>;
#define STOCHOS_OTHER_OP(name) case Op::name:
#include "graph/ops_by_kind.def"
    unsupported(n);
  }
  unsupported(n);
}

template <class T>
Step::Fn arithmetic_fn(const graph::Node& n, Mode m) {
  switch (n.op) {
#define STOCHOS_BINARY_OP(name) \
  case Op::name:                \
    return binary_fn<T, T, graph::Elementwise<Op::name>>(m);
#define STOCHOS_COMPARE_OP(name) \
  case Op::name:                 \
    return binary_fn<T, std::uint8_t, graph::Elementwise<Op::name>>(m);
#define STOCHOS_OTHER_OP(name) case Op::name:
#include "graph/ops_by_kind.def"
    unsupported(n);
  }
  unsupported(n);
}

// Integer arithmetic: the ops whose meaning needs no float (div, pow and the transcendental
// functions take floats by the shape rules). The float-only unary ops come from ops.def's
// FloatUnary kind; the others and the binary ops are named one by one, so a new one is placed on
// either side.
Step::Fn int_unary_fn(const graph::Node& n) {
  switch (n.op) {
    case Op::neg:
      return &unary<std::int64_t, graph::Elementwise<Op::neg>>;
    case Op::abs:
      return &unary<std::int64_t, graph::Elementwise<Op::abs>>;
    case Op::sign:
      return &unary<std::int64_t, graph::Elementwise<Op::sign>>;
    case Op::square:
      return &unary<std::int64_t, graph::Elementwise<Op::square>>;
#define STOCHOS_FLOAT_UNARY_OP(name) case Op::name:
#include "graph/ops_by_kind.def"
      unsupported(n);  // float only
#define STOCHOS_UNARY_OP(name)
#define STOCHOS_FLOAT_UNARY_OP(name)
#define STOCHOS_OTHER_OP(name) case Op::name:
#include "graph/ops_by_kind.def"
      unsupported(n);
  }
  unsupported(n);
}
Step::Fn int_binary_fn(const graph::Node& n, Mode m) {
  using I = std::int64_t;
  switch (n.op) {
    case Op::add:
      return binary_fn<I, I, graph::Elementwise<Op::add>>(m);
    case Op::sub:
      return binary_fn<I, I, graph::Elementwise<Op::sub>>(m);
    case Op::mul:
      return binary_fn<I, I, graph::Elementwise<Op::mul>>(m);
    case Op::maximum:
      return binary_fn<I, I, graph::Elementwise<Op::maximum>>(m);
    case Op::minimum:
      return binary_fn<I, I, graph::Elementwise<Op::minimum>>(m);
    case Op::div:
    case Op::pow:
      unsupported(n);  // float only
#define STOCHOS_BINARY_OP(name)
#define STOCHOS_COMPARE_OP(name) \
  case Op::name:                 \
    return binary_fn<I, std::uint8_t, graph::Elementwise<Op::name>>(m);
#define STOCHOS_OTHER_OP(name) case Op::name:
#include "graph/ops_by_kind.def"
      unsupported(n);
  }
  unsupported(n);
}
Step::Fn bool_binary_fn(const graph::Node& n, Mode m) {
  using B = std::uint8_t;
  switch (n.op) {
    case Op::logical_and:
      return binary_fn<B, B, LogicalAnd>(m);
    case Op::logical_or:
      return binary_fn<B, B, LogicalOr>(m);
    case Op::logical_not:
      unsupported(n);  // one input: lower_elementwise takes it
#define STOCHOS_COMPARE_OP(name) \
  case Op::name:                 \
    return binary_fn<B, B, graph::Elementwise<Op::name>>(m);
#define STOCHOS_LOGICAL_OP(name)
#define STOCHOS_OTHER_OP(name) case Op::name:
#include "graph/ops_by_kind.def"
      unsupported(n);
  }
  unsupported(n);
}

template <class T>
Step::Fn select_fn(const graph::Graph& g, const graph::Node& n, Step& s) {
  bool flat = true;
  for (auto id : n.inputs) flat = flat && graph::numel(g.node(id).shape) == s.n;
  if (flat) return &select_flat<T>;
  bool scalars = true;
  for (auto id : n.inputs) {
    const std::int64_t k = graph::numel(g.node(id).shape);
    scalars = scalars && (k == s.n || k == 1);
  }
  if (scalars) {
    auto stride = [&](std::size_t k) {
      return graph::numel(g.node(n.inputs[k]).shape) == s.n ? 1 : 0;
    };
    return select_scalars<T>(stride(0), stride(1), stride(2));
  }
  s.p.push_back(0);
  std::vector<Strides> views;
  for (auto id : n.inputs) views.push_back(broadcast_strides(n.shape, g.node(id).shape));
  pack_strided(s.p, n.shape, views);
  return &select_general<T>;
}

}  // namespace

void lower_elementwise(const graph::Graph& g, const graph::Node& n, Step& s) {
  const DType in0 = g.node(n.inputs[0]).dtype;
  switch (graph::op_kind(n.op)) {
    case graph::OpKind::Unary:
      switch (in0) {
        case DType::f64:
          s.fn = unary_fn<double>(n);
          return;
        case DType::f32:
          s.fn = unary_fn<float>(n);
          return;
        case DType::i64:
          s.fn = int_unary_fn(n);
          return;
        case DType::boolean:
          unsupported(n);
      }
      return;
    case graph::OpKind::Binary:
    case graph::OpKind::Compare: {
      const Mode m = binary_mode(g, n, s);
      switch (in0) {
        case DType::f64:
          s.fn = arithmetic_fn<double>(n, m);
          return;
        case DType::f32:
          s.fn = arithmetic_fn<float>(n, m);
          return;
        case DType::i64:
          s.fn = int_binary_fn(n, m);
          return;
        case DType::boolean:
          s.fn = bool_binary_fn(n, m);
          return;
      }
      return;
    }
    case graph::OpKind::Logical:
      if (n.op == Op::logical_not) {
        s.fn = &unary<std::uint8_t, LogicalNot>;
        return;
      }
      s.fn = bool_binary_fn(n, binary_mode(g, n, s));
      return;
    case graph::OpKind::Select:
      switch (n.dtype) {
        case DType::f64:
          s.fn = select_fn<double>(g, n, s);
          return;
        case DType::f32:
          s.fn = select_fn<float>(g, n, s);
          return;
        case DType::i64:
          s.fn = select_fn<std::int64_t>(g, n, s);
          return;
        case DType::boolean:
          s.fn = select_fn<std::uint8_t>(g, n, s);
          return;
      }
      return;
    case graph::OpKind::Cast:
      switch (in0) {
        case DType::f64:
          s.fn = cast_from<double>(n.dtype);
          return;
        case DType::f32:
          s.fn = cast_from<float>(n.dtype);
          return;
        case DType::i64:
          s.fn = cast_from<std::int64_t>(n.dtype);
          return;
        case DType::boolean:
          s.fn = cast_from<std::uint8_t>(n.dtype);
          return;
      }
      return;
    case graph::OpKind::Source:
    case graph::OpKind::Reduce:
    case graph::OpKind::Shape:
    case graph::OpKind::LinAlg:
    case graph::OpKind::Loop:
      unsupported(n);  // not elementwise: lower() sends these elsewhere
  }
}

}  // namespace stochos::backends::native
