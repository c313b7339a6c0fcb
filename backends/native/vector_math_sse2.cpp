// The sse2 half of vector_math, compiled with its target flags (backends/CMakeLists.txt); built
// only with SLEEF (STOCHOS_WITH_SLEEF).
#ifdef STOCHOS_WITH_SLEEF
#define STOCHOS_VM_ISA sse2
#define STOCHOS_VM_NAME sse2_kernels
#define STOCHOS_VM_WD 2
#define STOCHOS_VM_WF 4
#define STOCHOS_VM_LOAD_D _mm_loadu_pd
#define STOCHOS_VM_STORE_D _mm_storeu_pd
#define STOCHOS_VM_LOAD_F _mm_loadu_ps
#define STOCHOS_VM_STORE_F _mm_storeu_ps
#include "backends/native/vector_math_body.hpp"
#endif
