// The body of each per-ISA half of vector_math (vector_math_sse2.cpp, _avx2.cpp, _avx512.cpp),
// included once by each after it defines: STOCHOS_VM_ISA (SLEEF's suffix: sse2, avx2, avx512f),
// STOCHOS_VM_NAME (the Kernels getter), STOCHOS_VM_WD / STOCHOS_VM_WF (double and float lanes,
// as literals) and STOCHOS_VM_LOAD_D/STORE_D/LOAD_F/STORE_F (the unaligned loads and stores).
#include <immintrin.h>
#include <sleef.h>

#include <cstring>

#include "backends/native/exp_family.hpp"
#include "backends/native/vector_math_isa.hpp"

// Sleef_expd4_u10avx2: the arguments expanded first (the indirection), then pasted.
#define STOCHOS_VM_CAT(a, b, c, d, e) a##b##c##d##e
#define STOCHOS_VM_XCAT(a, b, c, d, e) STOCHOS_VM_CAT(a, b, c, d, e)
#define STOCHOS_VM_SLEEF(fn, w, isa) STOCHOS_VM_XCAT(Sleef_, fn, w, _u10, isa)

namespace stochos::backends::native::vmath {
namespace {

// Whole vectors, then the tail through a padded vector, so every element comes from the same code.
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

#define STOCHOS_VM_D(name)                                                                   \
  void name##_d(const double* x, double* y, std::int64_t n) {                                \
    run<double, STOCHOS_VM_WD>(                                                              \
        x, y, n, [](const double* p) { return STOCHOS_VM_LOAD_D(p); },                       \
        [](double* p, auto v) { STOCHOS_VM_STORE_D(p, v); },                                 \
        [](auto v) { return STOCHOS_VM_SLEEF(name##d, STOCHOS_VM_WD, STOCHOS_VM_ISA)(v); }); \
  }
#define STOCHOS_VM_F(name)                                                                   \
  void name##_f(const float* x, float* y, std::int64_t n) {                                  \
    run<float, STOCHOS_VM_WF>(                                                               \
        x, y, n, [](const float* p) { return STOCHOS_VM_LOAD_F(p); },                        \
        [](float* p, auto v) { STOCHOS_VM_STORE_F(p, v); },                                  \
        [](auto v) { return STOCHOS_VM_SLEEF(name##f, STOCHOS_VM_WF, STOCHOS_VM_ISA)(v); }); \
  }

STOCHOS_VM_D(exp)
STOCHOS_VM_D(log)
STOCHOS_VM_D(log1p)
STOCHOS_VM_D(expm1)
STOCHOS_VM_F(exp)
STOCHOS_VM_F(log)
STOCHOS_VM_F(log1p)
STOCHOS_VM_F(expm1)

void family_d(const double* x, double* const* out, std::int64_t n) {
  exp_family_chunked(x, out, n, exp_d, log1p_d);
}
void family_f(const float* x, float* const* out, std::int64_t n) {
  exp_family_chunked(x, out, n, exp_f, log1p_f);
}

}  // namespace

const Kernels& STOCHOS_VM_NAME() {
  static const Kernels k{exp_d, log_d,   log1p_d, expm1_d,  exp_f,
                         log_f, log1p_f, expm1_f, family_d, family_f};
  return k;
}

}  // namespace stochos::backends::native::vmath
