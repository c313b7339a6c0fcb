#include "backends/native/vector_math.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <type_traits>

#include "graph/elementwise.hpp"
#ifdef STOCHOS_WITH_SLEEF
#include "backends/native/vector_math_isa.hpp"
#endif

namespace stochos::backends::native::vmath {
namespace {

#ifdef STOCHOS_WITH_SLEEF
bool has_avx512() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f");
}
bool has_avx2() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

// The widest instruction set this CPU runs, chosen once; STOCHOS_NATIVE_ISA (sse2, avx2) or
// use_isa can narrow it, to measure or test each.
const Kernels*& chosen() {
  static const Kernels* k = [] {
    const char* want = std::getenv("STOCHOS_NATIVE_ISA");
    const std::string w = want ? want : "";
    if (w == "sse2") return &sse2_kernels();
    if (w == "avx2" && has_avx2()) return &avx2_kernels();
    return has_avx512() ? &avx512_kernels() : has_avx2() ? &avx2_kernels() : &sse2_kernels();
  }();
  return k;
}
const Kernels* kernels() {
  return chosen();
}

template <class T>
struct Prims;
template <>
struct Prims<double> {
  static auto exp() { return kernels()->exp_d; }
  static auto log() { return kernels()->log_d; }
  static auto log1p() { return kernels()->log1p_d; }
  static auto expm1() { return kernels()->expm1_d; }
};
template <>
struct Prims<float> {
  static auto exp() { return kernels()->exp_f; }
  static auto log() { return kernels()->log_f; }
  static auto log1p() { return kernels()->log1p_f; }
  static auto expm1() { return kernels()->expm1_f; }
};

template <class T>
void family_t(const T* x, T* const* out, std::int64_t n) {
  if constexpr (std::is_same_v<T, double>)
    kernels()->family_d(x, out, n);
  else
    kernels()->family_f(x, out, n);
}

// sigmoid, softplus and log sigmoid alone: the family with one member.
template <class T>
void composite(Fn f, const T* x, T* y, std::int64_t n) {
  T* out[kMembers] = {};
  out[f == Fn::sigmoid ? sigmoid_x : f == Fn::softplus ? softplus_x : log_sigmoid_x] = y;
  family_t(x, out, n);
}

template <class T>
void apply_t(Fn f, const T* x, T* y, std::int64_t n) {
  switch (f) {
    case Fn::exp:
      return Prims<T>::exp()(x, y, n);
    case Fn::log:
      return Prims<T>::log()(x, y, n);
    case Fn::log1p:
      return Prims<T>::log1p()(x, y, n);
    case Fn::expm1:
      return Prims<T>::expm1()(x, y, n);
    default:
      return composite(f, x, y, n);
  }
}
#else
template <class T>
void family_t(const T* x, T* const* out, std::int64_t n) {
  using graph::Elementwise;
  using graph::Op;
  for (std::int64_t i = 0; i < n; ++i) {
    const T v = x[i];
    if (out[sigmoid_x]) out[sigmoid_x][i] = Elementwise<Op::sigmoid>::apply<T>(v);
    if (out[softplus_x]) out[softplus_x][i] = Elementwise<Op::softplus>::apply<T>(v);
    if (out[log_sigmoid_x]) out[log_sigmoid_x][i] = Elementwise<Op::log_sigmoid>::apply<T>(v);
    if (out[sigmoid_neg]) out[sigmoid_neg][i] = Elementwise<Op::sigmoid>::apply<T>(-v);
    if (out[softplus_neg]) out[softplus_neg][i] = Elementwise<Op::softplus>::apply<T>(-v);
    if (out[log_sigmoid_neg]) out[log_sigmoid_neg][i] = Elementwise<Op::log_sigmoid>::apply<T>(-v);
  }
}

template <class T>
void apply_t(Fn f, const T* x, T* y, std::int64_t n) {
  using graph::Op;
  for (std::int64_t i = 0; i < n; ++i) {
    const T v = x[i];
    switch (f) {
      case Fn::exp:
        y[i] = graph::Elementwise<Op::exp>::apply<T>(v);
        break;
      case Fn::log:
        y[i] = graph::Elementwise<Op::log>::apply<T>(v);
        break;
      case Fn::log1p:
        y[i] = graph::Elementwise<Op::log1p>::apply<T>(v);
        break;
      case Fn::expm1:
        y[i] = graph::Elementwise<Op::expm1>::apply<T>(v);
        break;
      case Fn::sigmoid:
        y[i] = graph::Elementwise<Op::sigmoid>::apply<T>(v);
        break;
      case Fn::softplus:
        y[i] = graph::Elementwise<Op::softplus>::apply<T>(v);
        break;
      case Fn::log_sigmoid:
        y[i] = graph::Elementwise<Op::log_sigmoid>::apply<T>(v);
        break;
    }
  }
}
#endif

}  // namespace

void apply(Fn f, const double* x, double* y, std::int64_t n) {
  apply_t(f, x, y, n);
}
void apply(Fn f, const float* x, float* y, std::int64_t n) {
  apply_t(f, x, y, n);
}

void exp_family(const double* x, double* const* out, std::int64_t n) {
  family_t(x, out, n);
}
void exp_family(const float* x, float* const* out, std::int64_t n) {
  family_t(x, out, n);
}

bool use_isa(const std::string& name) {
#ifdef STOCHOS_WITH_SLEEF
  if (name == "avx512" && has_avx512()) return chosen() = &avx512_kernels(), true;
  if (name == "avx2" && has_avx2()) return chosen() = &avx2_kernels(), true;
  if (name == "sse2") return chosen() = &sse2_kernels(), true;
#else
  (void)name;
#endif
  return false;
}

std::string isa() {
#ifdef STOCHOS_WITH_SLEEF
  const Kernels* k = kernels();
  if (k == &avx512_kernels()) return "avx512";
  if (k == &avx2_kernels()) return "avx2";
  return "sse2";
#else
  return "scalar";
#endif
}

}  // namespace stochos::backends::native::vmath
