// The one summation loop of the native engine's float sums, plain or fused with a map.
#pragma once

#include <cstdint>

namespace stochos::backends::native {

// sum over j < len of f(row[j]), with eight running totals so that the additions do not wait on
// each other (and the vectoriser may use them). The order differs from a left-to-right loop by
// rounding only, and is as accurate or better.
template <class T, class F>
T sum_row(const T* row, std::int64_t len, F f) {
  T acc[8] = {};
  std::int64_t j = 0;
  for (; j + 8 <= len; j += 8)
    for (int k = 0; k < 8; ++k) acc[k] += f(row[j + k]);
  for (; j < len; ++j) acc[0] += f(row[j]);
  return ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
}

}  // namespace stochos::backends::native
