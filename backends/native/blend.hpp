// A select between two values as bit operations: the same bits as `c ? a : b`, without the
// branch a compiler may keep (it does not speculate a float multiplication or a load that only
// one side needs), so loops of it vectorise and a random condition costs no mispredictions.
#pragma once

#include <bit>
#include <cstdint>
#include <type_traits>

namespace stochos::backends::native {

template <class T>
T blend(bool c, T a, T b) {
  if constexpr (sizeof(T) == 8 || sizeof(T) == 4) {
    using U = std::conditional_t<sizeof(T) == 8, std::uint64_t, std::uint32_t>;
    const U m = U(0) - static_cast<U>(c);
    return std::bit_cast<T>((std::bit_cast<U>(a) & m) | (std::bit_cast<U>(b) & ~m));
  } else {
    return c ? a : b;
  }
}

}  // namespace stochos::backends::native
