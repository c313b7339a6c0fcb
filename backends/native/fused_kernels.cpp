// The fused kernels of the native plan (Note [native fusion], Note [multi-output steps] in
// fuse.hpp). Each repeats, inside one loop, the arithmetic and the order of additions of the steps
// it replaces, so fusing changes no result.
#include <type_traits>

#include "backends/native/fuse.hpp"
#include "backends/native/sum_row.hpp"
#include "backends/native/vector_math.hpp"
#include "graph/elementwise.hpp"

namespace stochos::backends::native::fused {
namespace {

using graph::DType;
using graph::Op;

// y[i] = F(x[idx[i]], b) with the gathered value on side kSide; s.in = {x, idx, b} for side 0
// and {a, x, idx} for side 1.
template <class T, class F, int kSide, bool kScalarOther>
void gather_binary_k(const Step& s, void** sl) {
  constexpr std::size_t gx = kSide == 0 ? 0 : 1, other = kSide == 0 ? 2 : 0;
  const T* x = static_cast<const T*>(sl[s.in[gx]]);
  const auto* idx = static_cast<const std::int64_t*>(sl[s.in[gx + 1]]);
  const T* b = static_cast<const T*>(sl[s.in[other]]);
  T* y = static_cast<T*>(sl[s.out]);
  for (std::int64_t i = 0; i < s.n; ++i) {
    const T v = x[idx[i]];
    const T w = kScalarOther ? b[0] : b[i];
    y[i] = kSide == 0 ? F::template apply<T>(v, w) : F::template apply<T>(w, v);
  }
}

template <class T, class F>
Step::Fn gather_binary_fn(int side, bool scalar_other) {
  if (side == 0)
    return scalar_other ? &gather_binary_k<T, F, 0, true> : &gather_binary_k<T, F, 0, false>;
  return scalar_other ? &gather_binary_k<T, F, 1, true> : &gather_binary_k<T, F, 1, false>;
}

template <class T>
Step::Fn gather_binary_for(Op op, int side, bool scalar_other) {
  switch (op) {
#define STOCHOS_BINARY_OP(name) \
  case Op::name:                \
    return gather_binary_fn<T, graph::Elementwise<Op::name>>(side, scalar_other);
#define STOCHOS_OTHER_OP(name) case Op::name:
#include "graph/ops_by_kind.def"
    return nullptr;  // not fused
  }
  return nullptr;
}

// Rows of p = {outer, len}: y[o] = sum over the row of F(x).
template <class T, class F>
void sum_unary_k(const Step& s, void** sl) {
  const T* x = static_cast<const T*>(sl[s.in[0]]);
  T* y = static_cast<T*>(sl[s.out]);
  const std::int64_t outer = s.p[0], len = s.p[1];
  for (std::int64_t o = 0; o < outer; ++o)
    y[o] = sum_row(x + o * len, len, [](T v) { return F::template apply<T>(v); });
}

template <class T>
Step::Fn sum_unary_for(Op op) {
  switch (op) {
#define STOCHOS_UNARY_OP(name) \
  case Op::name:               \
    return &sum_unary_k<T, graph::Elementwise<Op::name>>;
#define STOCHOS_OTHER_OP(name) case Op::name:
#include "graph/ops_by_kind.def"
    return nullptr;  // not fused
  }
  return nullptr;
}

// s.in = {x}; p[m] is the slot of family member m (vmath::Member), or -1.
template <class T>
void exp_family_k(const Step& s, void** sl) {
  T* out[vmath::kMembers];
  for (int m = 0; m < vmath::kMembers; ++m)
    out[m] = s.p[static_cast<std::size_t>(m)] < 0
                 ? nullptr
                 : static_cast<T*>(sl[s.p[static_cast<std::size_t>(m)]]);
  vmath::exp_family(static_cast<const T*>(sl[s.in[0]]), out, s.p[vmath::kMembers]);
}

// One operand of a row loop, read at element i: a whole array, a scalar, or x[idx[i]]. It takes
// one or two of the step's inputs, from `next` on.
template <class T, int kMode>
struct Access {
  const T* x;
  const std::int64_t* idx = nullptr;
  Access(const Step& s, void** sl, std::size_t& next) {
    x = static_cast<const T*>(sl[s.in[next++]]);
    if constexpr (kMode == gathered) idx = static_cast<const std::int64_t*>(sl[s.in[next++]]);
  }
  T operator[](std::int64_t i) const {
    if constexpr (kMode == whole) return x[i];
    if constexpr (kMode == scalar) return x[0];
    if constexpr (kMode == gathered) return x[idx[i]];
  }
};

// Splitting the scatter into four partial sums pays for few rows (scatter_add's own rule,
// kernels_shape.cpp, which this loop reproduces).
constexpr std::int64_t kSplitRows = 512;

// v = F(a[i], b[i]) for i < count; the sum of U(v) (kSum 1: v, 2: square(v)) in sum_row's eight
// running totals, and v scatter-added into rows by idx as scatter_add does. s.in = {a..., b...,
// idx (with kScatter)}; s.p = {count, sum slot or -1, scatter slot or -1, rows}.
template <class T, class F, int kA, int kB, int kSum, bool kScatter>
void row_sinks_k(const Step& s, void** sl) {
  std::size_t next = 0;
  const Access<T, kA> a(s, sl, next);
  const Access<T, kB> b(s, sl, next);
  const std::int64_t count = s.p[0], rows = s.p[3];
  const std::int64_t* idx = kScatter ? static_cast<const std::int64_t*>(sl[s.in[next]]) : nullptr;
  T* y = kScatter ? static_cast<T*>(sl[s.p[2]]) : nullptr;
  auto value = [&](std::int64_t i) { return F::template apply<T>(a[i], b[i]); };
  auto summand = [](T v) {
    if constexpr (kSum == 2) return graph::Elementwise<Op::square>::apply<T>(v);
    return v;
  };
  T acc[8] = {};
  const bool split = kScatter && rows <= kSplitRows && count >= 4 * rows;
  T part[4][kScatter ? kSplitRows : 1];
  if (kScatter) {
    for (std::int64_t r = 0; r < rows; ++r) y[r] = T(0);
    if (split)
      for (auto& p : part)
        for (std::int64_t r = 0; r < rows; ++r) p[r] = T(0);
  }
  // scatter_add's partial of element i: i mod 4 up to the last whole block of four, then 0.
  const std::int64_t quads = count / 4 * 4;
  auto scatter = [&](std::int64_t i, T v) {
    if constexpr (kScatter) {
      if (split)
        part[i < quads ? i % 4 : 0][idx[i]] += v;
      else
        y[idx[i]] += v;
    }
  };
  std::int64_t i = 0;
  for (; i + 8 <= count; i += 8)
    for (int k = 0; k < 8; ++k) {
      const T v = value(i + k);
      if constexpr (kSum != 0) acc[k] += summand(v);
      scatter(i + k, v);
    }
  for (; i < count; ++i) {
    const T v = value(i);
    if constexpr (kSum != 0) acc[0] += summand(v);
    scatter(i, v);
  }
  if constexpr (kSum != 0)
    static_cast<T*>(sl[s.p[1]])[0] =
        ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
  if (split)
    for (std::int64_t r = 0; r < rows; ++r)
      y[r] = (part[0][r] + part[1][r]) + (part[2][r] + part[3][r]);
}

template <class F, int kA, int kB>
Step::Fn row_sinks_modes(int sum_of, bool scatter) {
  if (scatter) {
    switch (sum_of) {
      case 0:
        return &row_sinks_k<double, F, kA, kB, 0, true>;
      case 1:
        return &row_sinks_k<double, F, kA, kB, 1, true>;
      default:
        return &row_sinks_k<double, F, kA, kB, 2, true>;
    }
  }
  if (sum_of == 0) return nullptr;
  return sum_of == 1 ? &row_sinks_k<double, F, kA, kB, 1, false>
                     : &row_sinks_k<double, F, kA, kB, 2, false>;
}

template <class F>
Step::Fn row_sinks_op(Operand a, Operand b, int sum_of, bool scatter) {
  const int mode = 3 * a + b;
  switch (mode) {
    case 3 * whole + whole:
      return row_sinks_modes<F, whole, whole>(sum_of, scatter);
    case 3 * whole + scalar:
      return row_sinks_modes<F, whole, scalar>(sum_of, scatter);
    case 3 * whole + gathered:
      return row_sinks_modes<F, whole, gathered>(sum_of, scatter);
    case 3 * scalar + whole:
      return row_sinks_modes<F, scalar, whole>(sum_of, scatter);
    case 3 * scalar + gathered:
      return row_sinks_modes<F, scalar, gathered>(sum_of, scatter);
    case 3 * gathered + whole:
      return row_sinks_modes<F, gathered, whole>(sum_of, scatter);
    case 3 * gathered + scalar:
      return row_sinks_modes<F, gathered, scalar>(sum_of, scatter);
    case 3 * gathered + gathered:
      return row_sinks_modes<F, gathered, gathered>(sum_of, scatter);
    default:
      return nullptr;  // two scalars: nothing to loop over
  }
}

}  // namespace

Step::Fn gather_binary(DType d, Op op, int side, bool scalar_other) {
  if (d == DType::f64) return gather_binary_for<double>(op, side, scalar_other);
  if (d == DType::f32) return gather_binary_for<float>(op, side, scalar_other);
  return nullptr;
}

Step::Fn sum_unary(DType d, Op unary) {
  if (d == DType::f64) return sum_unary_for<double>(unary);
  if (d == DType::f32) return sum_unary_for<float>(unary);
  return nullptr;
}

Step::Fn exp_family(DType d) {
  if (d == DType::f64) return &exp_family_k<double>;
  if (d == DType::f32) return &exp_family_k<float>;
  return nullptr;
}

// float64 only: float32 plans keep their separate steps (row sinks are for the large float64
// likelihoods of the CPU engine; each dtype would double the instantiations).
Step::Fn row_sinks(DType d, Op op, Operand a, Operand b, int sum_of, bool scatter) {
  if (d != DType::f64) return nullptr;
  switch (op) {
#define STOCHOS_BINARY_OP(name) \
  case Op::name:                \
    return row_sinks_op<graph::Elementwise<Op::name>>(a, b, sum_of, scatter);
#define STOCHOS_OTHER_OP(name) case Op::name:
#include "graph/ops_by_kind.def"
    return nullptr;
  }
  return nullptr;
}

}  // namespace stochos::backends::native::fused
