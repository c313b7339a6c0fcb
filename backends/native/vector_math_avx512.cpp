// The avx512 half of vector_math, compiled with its target flags (backends/CMakeLists.txt); built
// only with SLEEF (STOCHOS_WITH_SLEEF).
#ifdef STOCHOS_WITH_SLEEF
#define STOCHOS_VM_ISA avx512f
#define STOCHOS_VM_NAME avx512_kernels
#define STOCHOS_VM_WD 8
#define STOCHOS_VM_WF 16
#define STOCHOS_VM_LOAD_D _mm512_loadu_pd
#define STOCHOS_VM_STORE_D _mm512_storeu_pd
#define STOCHOS_VM_LOAD_F _mm512_loadu_ps
#define STOCHOS_VM_STORE_F _mm512_storeu_ps
#include "backends/native/vector_math_body.hpp"
#endif
