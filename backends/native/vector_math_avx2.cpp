// The avx2 half of vector_math, compiled with its target flags (backends/CMakeLists.txt); built
// only with SLEEF (STOCHOS_WITH_SLEEF).
#ifdef STOCHOS_WITH_SLEEF
#define STOCHOS_VM_ISA avx2
#define STOCHOS_VM_NAME avx2_kernels
#define STOCHOS_VM_WD 4
#define STOCHOS_VM_WF 8
#define STOCHOS_VM_LOAD_D _mm256_loadu_pd
#define STOCHOS_VM_STORE_D _mm256_storeu_pd
#define STOCHOS_VM_LOAD_F _mm256_loadu_ps
#define STOCHOS_VM_STORE_F _mm256_storeu_ps
#include "backends/native/vector_math_body.hpp"
#endif
