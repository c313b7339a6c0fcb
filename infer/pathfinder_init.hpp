// Pathfinder as NUTS's initialiser (`stochos sample --init pathfinder`): multi-path Pathfinder
// runs first; each chain starts at its own draw from the resampled approximation and takes the
// diagonal of a path's normal approximation as its first inverse metric, so warm-up begins near
// the typical set with the scales roughly right and can be shorter (kPathfinderTune).
#pragma once

#include "infer/pathfinder.hpp"
#include "infer/sample.hpp"

namespace stochos::infer {

// The warm-up length `--init pathfinder` uses unless --tune is given (docs/performance.md,
// "Pathfinder as the initialiser", has the measurements behind it).
constexpr int kPathfinderTune = 500;

// Runs Pathfinder (its seed and threads from `o`; one path per chain, at least CmdStan's four)
// and sets o.chain_inits and o.chain_inverse_metrics. Returns Pathfinder's result for reports.
PathfinderResult init_from_pathfinder(const model::LogDensity& density, SampleOptions& o);

}  // namespace stochos::infer
