#include "infer/rng.hpp"

namespace stochos::infer {

Rng chain_rng(std::uint64_t seed, int stream) {
  // seed_seq's mixing is specified by the standard: the same streams on every platform.
  std::seed_seq seq{static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32),
                    static_cast<std::uint32_t>(stream), 0x5eedu};
  return Rng(seq);
}

}  // namespace stochos::infer
