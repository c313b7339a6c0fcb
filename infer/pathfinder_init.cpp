#include "infer/pathfinder_init.hpp"

#include <algorithm>

namespace stochos::infer {

PathfinderResult init_from_pathfinder(const model::LogDensity& density, SampleOptions& o) {
  PathfinderOptions po;
  po.num_paths = std::max(4, o.chains);
  // Pathfinder's own stream: seeds distinct from the chains' (chain_rng(seed, chain)).
  po.seed = o.seed ^ 0x9a7f1de5c0ffee11ULL;
  po.cores = o.cores;
  if (o.init) {
    po.init = o.init;
    po.init_radius = o.init_radius;
  }
  PathfinderResult pf = pathfinder(density, po);
  const Eigen::MatrixXd& draws = pf.trace.chains.at(0).draws;
  o.chain_inits.clear();
  o.chain_inverse_metrics.clear();
  for (int c = 0; c < o.chains; ++c) {
    // Draws spread over the resampled set, so chains start apart; a path per chain for the metric.
    const Eigen::Index row = draws.rows() * c / o.chains;
    o.chain_inits.emplace_back(draws.row(row).transpose());
    const PathSummary& path = pf.paths[static_cast<std::size_t>(c) % pf.paths.size()];
    Eigen::VectorXd variance = path.variance;
    for (Eigen::Index i = 0; i < variance.size(); ++i)
      if (!(std::isfinite(variance[i]) && variance[i] > 0)) variance[i] = 1.0;
    o.chain_inverse_metrics.push_back(variance);
  }
  return pf;
}

}  // namespace stochos::infer
