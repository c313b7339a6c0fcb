// The sampler-wide warnings: a run at the maximum tree depth, or a posterior too correlated for
// its diagonal metric, names the metrics that follow the correlation (Note [nutpie low-rank
// adaptation]); a clean run has nothing to say.
#include <gtest/gtest.h>

#include "diagnostics/summary.hpp"

namespace stochos::diagnostics {
namespace {

TEST(Warnings, TreeDepthHitsPointAtTheLowRankAndDenseMetrics) {
  SamplerReport clean;
  clean.chains = 4;
  clean.draws_per_chain = 1000;
  EXPECT_TRUE(warnings({}, clean).empty());
  SamplerReport deep = clean;
  deep.max_treedepth_hits = 3900;
  const auto w = warnings({}, deep);
  ASSERT_EQ(w.size(), 1u);
  EXPECT_NE(w[0].find("3900 transitions hit the maximum tree depth (10)"), std::string::npos);
  EXPECT_NE(w[0].find("low-rank"), std::string::npos) << w[0];
  EXPECT_NE(w[0].find("dense metric"), std::string::npos) << w[0];
}

TEST(Warnings, AStronglyCorrelatedPosteriorPointsAtTheLowRankAdaptation) {
  SamplerReport s;
  s.chains = 4;
  s.draws_per_chain = 1000;
  s.correlation_condition = kCorrelatedCondition;  // at the threshold: nothing to say
  EXPECT_TRUE(warnings({}, s).empty());
  s.correlation_condition = 457.3;
  const auto w = warnings({}, s);
  ASSERT_EQ(w.size(), 1u);
  EXPECT_NE(w[0].find("condition number 457 "), std::string::npos) << w[0];
  EXPECT_NE(w[0].find("about 21 steps"), std::string::npos) << w[0];
  EXPECT_NE(w[0].find("--adapt nutpie-lowrank"), std::string::npos) << w[0];
}

}  // namespace
}  // namespace stochos::diagnostics
