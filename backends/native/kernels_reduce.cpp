// Reductions and scans over one axis or all of them, in the [outer, len, inner] form: the
// reduced axis has `len` elements, `inner` is the product of the axes after it.
#include <cmath>
#include <limits>

#include "backends/native/step.hpp"
#include "backends/native/sum_row.hpp"
#include "stochos/error.hpp"

namespace stochos::backends::native {
namespace {

using graph::DType;
using graph::Op;

struct Sum {
  template <class T>
  static T init() {
    return T(0);
  }
  template <class T>
  static T step(T acc, T x) {
    return acc + x;
  }
};
struct Prod {
  template <class T>
  static T init() {
    return T(1);
  }
  template <class T>
  static T step(T acc, T x) {
    return acc * x;
  }
};
// NaN propagates, as in NumPy.
// Floats start from -inf/+inf so that slices of infinities reduce to themselves.
template <class T>
T lowest() {
  if constexpr (std::is_floating_point_v<T>) return -std::numeric_limits<T>::infinity();
  return std::numeric_limits<T>::lowest();
}
template <class T>
T highest() {
  if constexpr (std::is_floating_point_v<T>) return std::numeric_limits<T>::infinity();
  return std::numeric_limits<T>::max();
}
struct Max {
  template <class T>
  static T init() {
    return lowest<T>();
  }
  template <class T>
  static T step(T acc, T x) {
    return (x > acc || x != x) ? x : acc;
  }
};
struct Min {
  template <class T>
  static T init() {
    return highest<T>();
  }
  template <class T>
  static T step(T acc, T x) {
    return (x < acc || x != x) ? x : acc;
  }
};

// One contiguous row through R; float sums use the engine's summation loop.
template <class T, class R>
T reduce_row(const T* row, std::int64_t len) {
  if constexpr (std::is_same_v<R, Sum> && std::is_floating_point_v<T>) {
    return sum_row(row, len, [](T v) { return v; });
  } else {
    T acc = R::template init<T>();
    for (std::int64_t j = 0; j < len; ++j) acc = R::template step<T>(acc, row[j]);
    return acc;
  }
}

template <class T, class R>
void reduce(const Step& s, void** sl) {
  const T* x = static_cast<const T*>(sl[s.in[0]]);
  T* y = static_cast<T*>(sl[s.out]);
  const std::int64_t outer = s.p[0], len = s.p[1], inner = s.p[2];
  if (inner == 1) {
    for (std::int64_t o = 0; o < outer; ++o) y[o] = reduce_row<T, R>(x + o * len, len);
    return;
  }
  for (std::int64_t o = 0; o < outer; ++o) {
    T* dst = y + o * inner;
    for (std::int64_t i = 0; i < inner; ++i) dst[i] = R::template init<T>();
    for (std::int64_t j = 0; j < len; ++j) {
      const T* src = x + (o * len + j) * inner;
      for (std::int64_t i = 0; i < inner; ++i) dst[i] = R::template step<T>(dst[i], src[i]);
    }
  }
}

// log(sum(exp(x))) shifted by the maximum; an all -inf slice gives -inf, a +inf entry +inf.
template <class T>
void logsumexp(const Step& s, void** sl) {
  const T* x = static_cast<const T*>(sl[s.in[0]]);
  T* y = static_cast<T*>(sl[s.out]);
  const std::int64_t outer = s.p[0], len = s.p[1], inner = s.p[2];
  for (std::int64_t o = 0; o < outer; ++o)
    for (std::int64_t i = 0; i < inner; ++i) {
      const T* base = x + o * len * inner + i;
      T m = -std::numeric_limits<T>::infinity();
      bool nan = false;
      for (std::int64_t j = 0; j < len; ++j) {
        const T v = base[j * inner];
        nan = nan || v != v;
        m = v > m ? v : m;
      }
      if (nan) {
        y[o * inner + i] = std::numeric_limits<T>::quiet_NaN();
        continue;
      }
      if (std::isinf(m)) {
        y[o * inner + i] = m;
        continue;
      }
      // exp(0) is exactly 1: the maximum's term needs no call (a hidden Markov model's forward
      // step over K = 2 states makes half as many).
      T acc = 0;
      for (std::int64_t j = 0; j < len; ++j) {
        const T v = base[j * inner];
        acc += v == m ? T(1) : std::exp(v - m);
      }
      y[o * inner + i] = m + std::log(acc);
    }
}

template <class T>
void cumsum(const Step& s, void** sl) {
  const T* x = static_cast<const T*>(sl[s.in[0]]);
  T* y = static_cast<T*>(sl[s.out]);
  const std::int64_t outer = s.p[0], len = s.p[1], inner = s.p[2];
  for (std::int64_t o = 0; o < outer; ++o) {
    const T* src = x + o * len * inner;
    T* dst = y + o * len * inner;
    for (std::int64_t i = 0; i < inner; ++i) dst[i] = src[i];
    for (std::int64_t j = 1; j < len; ++j)
      for (std::int64_t i = 0; i < inner; ++i)
        dst[j * inner + i] = dst[(j - 1) * inner + i] + src[j * inner + i];
  }
}

template <class T>
Step::Fn reduce_fn(const graph::Node& n) {
  switch (n.op) {
    case Op::sum:
      return &reduce<T, Sum>;
    case Op::prod:
      return &reduce<T, Prod>;
    case Op::max:
      return &reduce<T, Max>;
    case Op::min:
      return &reduce<T, Min>;
    case Op::cumsum:
      return &cumsum<T>;
    case Op::logsumexp:
      if constexpr (std::is_floating_point_v<T>) return &logsumexp<T>;
      break;  // float only
    // The other shape ops are not reduction-shaped loops.
    case Op::reshape:
    case Op::broadcast_to:
    case Op::transpose:
    case Op::concat:
    case Op::slice:
    case Op::unslice:
    case Op::gather:
    case Op::scatter_add:
#define STOCHOS_REDUCE_OP(name)
#define STOCHOS_SHAPE_OP(name)
#define STOCHOS_OTHER_OP(name) case Op::name:
#include "graph/ops_by_kind.def"
      break;
  }
  throw InputError("native engine: no kernel for " + std::string(graph::op_name(n.op)) + " on " +
                   std::string(graph::dtype_name(n.dtype)));
}

}  // namespace

void lower_reduce(const graph::Graph& g, const graph::Node& n, Step& s) {
  const graph::Shape& x = g.node(n.inputs[0]).shape;
  const std::int64_t axis = n.attrs.ints[0];
  std::int64_t outer = 1, len = graph::numel(x), inner = 1;
  if (axis != graph::kAllAxes) {
    const auto a = static_cast<std::size_t>(axis);
    outer = 1;
    for (std::size_t k = 0; k < a; ++k) outer *= x[k];
    len = x[a];
    inner = 1;
    for (std::size_t k = a + 1; k < x.size(); ++k) inner *= x[k];
  }
  s.p = {outer, len, inner};
  switch (n.dtype) {
    case DType::f64:
      s.fn = reduce_fn<double>(n);
      return;
    case DType::f32:
      s.fn = reduce_fn<float>(n);
      return;
    case DType::i64:
      s.fn = reduce_fn<std::int64_t>(n);
      return;
    case DType::boolean:
      throw InputError("native engine: no kernel for " + std::string(graph::op_name(n.op)) +
                       " on bool");
  }
}

}  // namespace stochos::backends::native
