// Transcendental functions over whole arrays, several lanes at a time (SLEEF, 1-ulp versions),
// with the widest instruction set the CPU offers chosen once at run time: AVX-512, AVX2 with FMA,
// or the SSE2 every x86-64 has. One binary stays correct everywhere and fast where it runs.
// Without SLEEF (STOCHOS_WITH_SLEEF unset) every function is the scalar loop of
// graph/elementwise.hpp.
#pragma once

#include <cstdint>
#include <string>

namespace stochos::backends::native::vmath {

enum class Fn { exp, log, log1p, expm1, sigmoid, softplus, log_sigmoid };

// y[i] = f(x[i]) for i < n (x and y may be the same array).
void apply(Fn f, const double* x, double* y, std::int64_t n);
void apply(Fn f, const float* x, float* y, std::int64_t n);

// The exp(-|x|) family: sigmoid, softplus and log sigmoid of x and of -x, any of them from one
// exponential (and one log1p when a softplus or log sigmoid is asked for) per element. Each
// output is bit for bit what apply() gives for its function (of -x: of the negated array).
// out[m] is the array for member m, or null when it is not wanted.
enum Member { sigmoid_x, softplus_x, log_sigmoid_x, sigmoid_neg, softplus_neg, log_sigmoid_neg };
inline constexpr int kMembers = 6;
void exp_family(const double* x, double* const* out, std::int64_t n);
void exp_family(const float* x, float* const* out, std::int64_t n);

// "avx512", "avx2", "sse2" or "scalar": what apply() uses on this machine.
std::string isa();

// Uses a narrower instruction set than the widest ("sse2", "avx2", "avx512"), for tests that
// cover each; false when this CPU (or this build) cannot run it. Not while kernels run.
bool use_isa(const std::string& name);

}  // namespace stochos::backends::native::vmath
