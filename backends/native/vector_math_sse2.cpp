// The sse2 half of vector_math (compiled with its target flags: backends/CMakeLists.txt).
// Built only with SLEEF (STOCHOS_WITH_SLEEF, backends/CMakeLists.txt).
#ifdef STOCHOS_WITH_SLEEF
#include <immintrin.h>
#include <sleef.h>

#include <cstring>

#include "backends/native/vector_math_isa.hpp"

namespace stochos::backends::native::vmath {
namespace {

// Whole vectors in place, then the tail through a padded vector.
template <class T, int W, class Load, class Store, class F>
void run(const T* x, T* y, std::int64_t n, Load load, Store store, F f) {
  std::int64_t i = 0;
  for (; i + W <= n; i += W) store(y + i, f(load(x + i)));
  if (i < n) {
    T buf[W] = {};
    std::memcpy(buf, x + i, static_cast<std::size_t>(n - i) * sizeof(T));
    store(buf, f(load(buf)));
    std::memcpy(y + i, buf, static_cast<std::size_t>(n - i) * sizeof(T));
  }
}

#define STOCHOS_VMATH_D(name, sleef)                                                         \
  void name##_d(const double* x, double* y, std::int64_t n) {                                \
    run<double, 2>(                                                                          \
        x, y, n, [](const double* p) { return _mm_loadu_pd(p); },                            \
        [](double* p, __m128d v) { _mm_storeu_pd(p, v); }, [](auto v) { return sleef(v); }); \
  }
#define STOCHOS_VMATH_F(name, sleef)                                                       \
  void name##_f(const float* x, float* y, std::int64_t n) {                                \
    run<float, 4>(                                                                         \
        x, y, n, [](const float* p) { return _mm_loadu_ps(p); },                           \
        [](float* p, __m128 v) { _mm_storeu_ps(p, v); }, [](auto v) { return sleef(v); }); \
  }

STOCHOS_VMATH_D(exp, Sleef_expd2_u10sse2)
STOCHOS_VMATH_D(log, Sleef_logd2_u10sse2)
STOCHOS_VMATH_D(log1p, Sleef_log1pd2_u10sse2)
STOCHOS_VMATH_D(expm1, Sleef_expm1d2_u10sse2)
STOCHOS_VMATH_F(exp, Sleef_expf4_u10sse2)
STOCHOS_VMATH_F(log, Sleef_logf4_u10sse2)
STOCHOS_VMATH_F(log1p, Sleef_log1pf4_u10sse2)
STOCHOS_VMATH_F(expm1, Sleef_expm1f4_u10sse2)

}  // namespace

const Kernels& sse2_kernels() {
  static const Kernels k{exp_d, log_d, log1p_d, expm1_d, exp_f, log_f, log1p_f, expm1_f};
  return k;
}

}  // namespace stochos::backends::native::vmath

#endif  // STOCHOS_WITH_SLEEF
