// Strided iteration for broadcasting, transposes, slices and scatters.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "backends/native/step.hpp"
#include "graph/shape.hpp"

namespace stochos::backends::native {

// A strided view: element idx of an output of `shape` reads base + sum_k idx[k] * strides[k].
struct Strides {
  std::int64_t base = 0;
  std::vector<std::int64_t> strides;
};

// The view of an input of shape `in` broadcast to `out` (NumPy rules: stride 0 on size-1 axes).
Strides broadcast_strides(const graph::Shape& out, const graph::Shape& in);

// Packs (shape, views...) into step parameters: [rank, shape..., then per view base, strides...].
void pack_strided(std::vector<std::int64_t>& p, const graph::Shape& shape,
                  const std::vector<Strides>& views);

// Calls f(i, offsets) for each output element i, in row-major order, where offsets[k] is view
// k's element offset; reads the layout written by pack_strided starting at p[at].
template <std::size_t K, class F>
inline void for_each_strided(const std::vector<std::int64_t>& p, std::size_t at, F&& f) {
  const int rank = static_cast<int>(p[at]);
  const std::int64_t* shape = p.data() + at + 1;
  std::array<std::int64_t, K> off{};
  std::array<const std::int64_t*, K> st{};
  for (std::size_t k = 0; k < K; ++k) {
    const std::int64_t* v = shape + rank + k * static_cast<std::size_t>(rank + 1);
    off[k] = v[0];
    st[k] = v + 1;
  }
  if (rank == 0) {
    f(std::int64_t{0}, off);
    return;
  }
  for (int a = 0; a < rank; ++a)
    if (shape[a] == 0) return;
  std::int64_t idx[kMaxRank] = {};
  const std::int64_t inner = shape[rank - 1];
  std::array<std::int64_t, K> inner_st{};
  for (std::size_t k = 0; k < K; ++k) inner_st[k] = st[k][rank - 1];
  std::int64_t i = 0;
  for (;;) {
    std::array<std::int64_t, K> o = off;
    for (std::int64_t j = 0; j < inner; ++j) {
      f(i++, o);
      for (std::size_t k = 0; k < K; ++k) o[k] += inner_st[k];
    }
    int a = rank - 2;
    for (; a >= 0; --a) {
      for (std::size_t k = 0; k < K; ++k) off[k] += st[k][a];
      if (++idx[a] < shape[a]) break;
      for (std::size_t k = 0; k < K; ++k) off[k] -= st[k][a] * shape[a];
      idx[a] = 0;
    }
    if (a < 0) return;
  }
}

}  // namespace stochos::backends::native
