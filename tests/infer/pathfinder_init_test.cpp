// Pathfinder as NUTS's initialiser: each chain its own start and a positive first metric, the
// same whatever the thread count, and chains that then sample the posterior.
#include <gtest/gtest.h>

#include <cmath>

#include "infer/pathfinder_init.hpp"
#include "model/model.hpp"

namespace stochos::infer {
namespace {

using namespace distributions;
using model::Model;

class PathfinderInit : public ::testing::Test {};

TEST_F(PathfinderInit, EachChainStartsAtItsOwnDrawWithAPositiveMetric) {
  Model m;
  const std::vector<double> scales = {0.1, 1, 10};
  m.rv("x", Normal(3, Arg(scales, {3})));
  const auto d = m.compile();
  SampleOptions one{.chains = 4, .draws = 500, .tune = kPathfinderTune, .seed = 7, .cores = 1};
  SampleOptions two = one;
  two.cores = 2;
  const PathfinderResult pf = init_from_pathfinder(d, one);
  init_from_pathfinder(d, two);
  ASSERT_EQ(one.chain_inits.size(), 4u);
  ASSERT_EQ(one.chain_inverse_metrics.size(), 4u);
  EXPECT_GE(pf.paths.size(), 4u);
  for (std::size_t c = 0; c < 4; ++c) {
    EXPECT_EQ(one.chain_inits[c], two.chain_inits[c]) << c;
    EXPECT_EQ(one.chain_inverse_metrics[c], two.chain_inverse_metrics[c]) << c;
    for (std::size_t e = c + 1; e < 4; ++e) EXPECT_NE(one.chain_inits[c], one.chain_inits[e]);
    for (Eigen::Index i = 0; i < 3; ++i) {
      const double s = scales[static_cast<std::size_t>(i)];
      // Starts within the posterior's bulk, metric on the posterior's scale (a Gaussian: the
      // approximation is close to exact).
      EXPECT_LT(std::fabs(one.chain_inits[c][i] - 3), 5 * s) << c << " " << i;
      EXPECT_GT(one.chain_inverse_metrics[c][i], 0.25 * s * s) << c << " " << i;
      EXPECT_LT(one.chain_inverse_metrics[c][i], 4 * s * s) << c << " " << i;
    }
  }
  // The chains then sample the posterior.
  const Trace t = sample(d, one);
  for (Eigen::Index i = 0; i < 3; ++i) {
    double mean = 0;
    for (const auto& c : t.chains) mean += c.draws.col(i).mean() / 4;
    const double s = scales[static_cast<std::size_t>(i)];
    EXPECT_NEAR(mean, 3.0, 5 * s / std::sqrt(2000.0)) << i;
  }
}

}  // namespace
}  // namespace stochos::infer
