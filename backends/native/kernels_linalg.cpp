// Linear algebra through Eigen, on row-major maps of the slot buffers. Factorisations run in
// place in the output buffer, so a call allocates nothing; a matrix that is not positive
// definite yields NaN (a rejected proposal for a sampler), not an exception.
#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <cstring>
#include <limits>

#include "backends/native/step.hpp"
#include "stochos/error.hpp"

namespace stochos::backends::native {
namespace {

using graph::DType;
using graph::Op;

template <class T>
using Mat = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
template <class T>
using CMap = Eigen::Map<const Mat<T>>;
template <class T>
using MMap = Eigen::Map<Mat<T>>;

// p = {rows a, cols a, rows b, cols b, transpose_a, transpose_b}
template <class T>
void matmul(const Step& s, void** sl) {
  CMap<T> a(static_cast<const T*>(sl[s.in[0]]), s.p[0], s.p[1]);
  CMap<T> b(static_cast<const T*>(sl[s.in[1]]), s.p[2], s.p[3]);
  const std::int64_t m = s.p[4] ? s.p[1] : s.p[0];
  const std::int64_t k = s.p[5] ? s.p[2] : s.p[3];
  MMap<T> y(static_cast<T*>(sl[s.out]), m, k);
  if (s.p[0] * s.p[1] == 0 || s.p[2] * s.p[3] == 0) {
    y.setZero();
    return;
  }
  if (!s.p[4] && !s.p[5])
    y.noalias() = a * b;
  else if (s.p[4] && !s.p[5])
    y.noalias() = a.transpose() * b;
  else if (!s.p[4] && s.p[5])
    y.noalias() = a * b.transpose();
  else
    y.noalias() = a.transpose() * b.transpose();
}

// p = {rows, cols}
template <class T>
void diag_part(const Step& s, void** sl) {
  const T* x = static_cast<const T*>(sl[s.in[0]]);
  T* y = static_cast<T*>(sl[s.out]);
  for (std::int64_t i = 0; i < s.n; ++i) y[i] = x[i * s.p[1] + i];
}

// p = {n}
template <class T>
void diag_embed(const Step& s, void** sl) {
  const T* x = static_cast<const T*>(sl[s.in[0]]);
  T* y = static_cast<T*>(sl[s.out]);
  const std::int64_t n = s.p[0];
  for (std::int64_t i = 0; i < n * n; ++i) y[i] = T(0);
  for (std::int64_t i = 0; i < n; ++i) y[i * n + i] = x[i];
}

// p = {n}: the lower Cholesky factor, zeros above the diagonal.
template <class T>
void cholesky(const Step& s, void** sl) {
  const std::int64_t n = s.p[0];
  T* y = static_cast<T*>(sl[s.out]);
  std::memcpy(static_cast<void*>(y), sl[s.in[0]], static_cast<std::size_t>(n * n) * sizeof(T));
  MMap<T> m(y, n, n);
  Eigen::LLT<Eigen::Ref<Mat<T>>, Eigen::Lower> llt(m);
  if (llt.info() != Eigen::Success) {
    m.setConstant(std::numeric_limits<T>::quiet_NaN());
    return;
  }
  m.template triangularView<Eigen::StrictlyUpper>().setZero();
}

// p = {n, cols of b, lower, transpose_a}: solves op(A) X = B in the output buffer.
template <class T>
void trsolve(const Step& s, void** sl) {
  const std::int64_t n = s.p[0], k = s.p[1];
  T* y = static_cast<T*>(sl[s.out]);
  std::memcpy(static_cast<void*>(y), sl[s.in[1]], static_cast<std::size_t>(n * k) * sizeof(T));
  if (n == 0 || k == 0) return;
  CMap<T> a(static_cast<const T*>(sl[s.in[0]]), n, n);
  MMap<T> x(y, n, k);
  const bool lower = s.p[2] != 0, trans = s.p[3] != 0;
  if (lower && !trans)
    a.template triangularView<Eigen::Lower>().solveInPlace(x);
  else if (lower && trans)
    a.transpose().template triangularView<Eigen::Upper>().solveInPlace(x);
  else if (!lower && !trans)
    a.template triangularView<Eigen::Upper>().solveInPlace(x);
  else
    a.transpose().template triangularView<Eigen::Lower>().solveInPlace(x);
}

template <template <class> class K>
Step::Fn floats(const graph::Node& n) {
  switch (n.dtype) {
    case DType::f64:
      return &K<double>::run;
    case DType::f32:
      return &K<float>::run;
    case DType::i64:
    case DType::boolean:
      break;
  }
  throw InputError("native engine: no kernel for " + std::string(graph::op_name(n.op)) + " on " +
                   std::string(graph::dtype_name(n.dtype)));
}
template <template <class> class K>
Step::Fn any_dtype(const graph::Node& n) {
  switch (n.dtype) {
    case DType::f64:
      return &K<double>::run;
    case DType::f32:
      return &K<float>::run;
    case DType::i64:
      return &K<std::int64_t>::run;
    case DType::boolean:
      return &K<std::uint8_t>::run;
  }
  return nullptr;
}
template <class T>
struct Matmul {
  static void run(const Step& s, void** sl) { matmul<T>(s, sl); }
};
template <class T>
struct DiagPart {
  static void run(const Step& s, void** sl) { diag_part<T>(s, sl); }
};
template <class T>
struct DiagEmbed {
  static void run(const Step& s, void** sl) { diag_embed<T>(s, sl); }
};
template <class T>
struct Cholesky {
  static void run(const Step& s, void** sl) { cholesky<T>(s, sl); }
};
template <class T>
struct Trsolve {
  static void run(const Step& s, void** sl) { trsolve<T>(s, sl); }
};

}  // namespace

void lower_linalg(const graph::Graph& g, const graph::Node& n, Step& s) {
  const graph::Shape& a = g.node(n.inputs[0]).shape;
  switch (n.op) {
    case Op::matmul: {
      const graph::Shape& b = g.node(n.inputs[1]).shape;
      s.p = {a[0], a[1], b[0], b[1], n.attrs.ints[0], n.attrs.ints[1]};
      s.fn = floats<Matmul>(n);
      return;
    }
    case Op::diag_part:
      s.p = {a[0], a[1]};
      s.fn = any_dtype<DiagPart>(n);
      return;
    case Op::diag_embed:
      s.p = {a[0]};
      s.fn = any_dtype<DiagEmbed>(n);
      return;
    case Op::cholesky:
      s.p = {a[0]};
      s.fn = floats<Cholesky>(n);
      return;
    case Op::trsolve:
      s.p = {a[0], g.node(n.inputs[1]).shape[1], n.attrs.ints[0], n.attrs.ints[1]};
      s.fn = floats<Trsolve>(n);
      return;
#define STOCHOS_LINALG_OP(name)
#define STOCHOS_OTHER_OP(name) case Op::name:
#include "graph/ops_by_kind.def"
      break;
  }
  throw InputError("native engine: no kernel for " + std::string(graph::op_name(n.op)));
}

}  // namespace stochos::backends::native
