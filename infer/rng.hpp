// The random streams of every method: one per chain (or path, or worker), from (seed, stream)
// alone, so the same seed gives the same draws whatever the number of threads.
#pragma once

#include <cstdint>
#include <random>

namespace stochos::infer {

using Rng = std::mt19937_64;

// The random stream number `stream` of `seed`.
Rng chain_rng(std::uint64_t seed, int stream);

}  // namespace stochos::infer
