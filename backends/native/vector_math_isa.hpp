// The per-instruction-set halves of vector_math.cpp: each file compiles with its own target
// flags (backends/CMakeLists.txt) and defines these for its ISA.
#pragma once

#include <cstdint>

namespace stochos::backends::native::vmath {

// The primitives over whole arrays; tails are padded to a full vector, so every element comes
// from the same vector code.
struct Kernels {
  void (*exp_d)(const double*, double*, std::int64_t);
  void (*log_d)(const double*, double*, std::int64_t);
  void (*log1p_d)(const double*, double*, std::int64_t);
  void (*expm1_d)(const double*, double*, std::int64_t);
  void (*exp_f)(const float*, float*, std::int64_t);
  void (*log_f)(const float*, float*, std::int64_t);
  void (*log1p_f)(const float*, float*, std::int64_t);
  void (*expm1_f)(const float*, float*, std::int64_t);
  void (*family_d)(const double*, double* const*, std::int64_t);  // vmath::exp_family
  void (*family_f)(const float*, float* const*, std::int64_t);
};

const Kernels& sse2_kernels();
const Kernels& avx2_kernels();
const Kernels& avx512_kernels();

}  // namespace stochos::backends::native::vmath
