// The exp(-|x|) family over an array (vmath::exp_family), written once and compiled by each
// per-ISA half of vector_math (vector_math_body.hpp), so that its plain loops vectorise for the
// instruction set that runs them. Included only there.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "backends/native/blend.hpp"
#include "backends/native/vector_math.hpp"

namespace stochos::backends::native::vmath {

// Every member from the same e = exp(-|x|) and l = log1p(e) (the stable forms of
// graph/scalar_math.hpp): sigmoid(x) is 1 / (1 + e) for x >= 0 and e / (1 + e) below, sigmoid(-x)
// the other way round (a negated zero takes x >= 0's side, as -x would), softplus(+-x) =
// max(+-x, 0) + l and log_sigmoid(+-x) = min(+-x, 0) - l. A chunk at a time through buffers on
// the stack; one plain loop per member asked for. Exp and Log1p map arrays (x, y, n).
template <class T, class Exp, class Log1p>
void exp_family_chunked(const T* x, T* const* out, std::int64_t n, Exp exp, Log1p log1p) {
  constexpr std::int64_t kChunk = 256;
  const bool logs =
      out[softplus_x] || out[log_sigmoid_x] || out[softplus_neg] || out[log_sigmoid_neg];
  const bool ratio = out[sigmoid_x] || out[sigmoid_neg];
  T e[kChunk], l[kChunk], r[kChunk];
  for (std::int64_t at = 0; at < n; at += kChunk) {
    const std::int64_t m = std::min(kChunk, n - at);
    const T* xs = x + at;
    for (std::int64_t i = 0; i < m; ++i) e[i] = -std::abs(xs[i]);
    exp(e, e, m);
    if (logs) log1p(e, l, m);
    if (ratio)
      for (std::int64_t i = 0; i < m; ++i) r[i] = T(1) / (T(1) + e[i]);
    if (T* y = out[sigmoid_x])
      for (std::int64_t i = 0; i < m; ++i) y[at + i] = blend(xs[i] >= T(0), r[i], e[i] * r[i]);
    if (T* y = out[sigmoid_neg])
      for (std::int64_t i = 0; i < m; ++i) y[at + i] = blend(-xs[i] >= T(0), r[i], e[i] * r[i]);
    if (T* y = out[softplus_x])
      for (std::int64_t i = 0; i < m; ++i) y[at + i] = std::max(xs[i], T(0)) + l[i];
    if (T* y = out[log_sigmoid_x])
      for (std::int64_t i = 0; i < m; ++i) y[at + i] = std::min(xs[i], T(0)) - l[i];
    if (T* y = out[softplus_neg])
      for (std::int64_t i = 0; i < m; ++i) y[at + i] = std::max(-xs[i], T(0)) + l[i];
    if (T* y = out[log_sigmoid_neg])
      for (std::int64_t i = 0; i < m; ++i) y[at + i] = std::min(-xs[i], T(0)) - l[i];
  }
}

}  // namespace stochos::backends::native::vmath
