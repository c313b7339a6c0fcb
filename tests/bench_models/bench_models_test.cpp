// The benchmark models (bench/): the graph version compiled on the native engine and the
// hand-written Eigen version must compute the same log density and gradient, or the timings in
// docs/performance.md compare different work. The hand-written gradients are also checked
// against central finite differences of their own log density, so the two versions cannot
// agree on a shared mistake in the gradient.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numbers>
#include <vector>

#include "backends/registry.hpp"
#include "bench/handwritten.hpp"
#include "bench/models.hpp"

namespace stochos::bench {
namespace {

// Relative 1e-9, with |expected| floored at 1 so gradient entries near zero compare absolutely.
void expect_close(double actual, double expected, const char* what, std::size_t i) {
  EXPECT_NEAR(actual, expected, 1e-9 * std::max(1.0, std::abs(expected)))
      << what << " [" << i << "]";
}

template <class Hand>
void expect_agree(const DensityGraph& m, const Hand& hand) {
  ASSERT_EQ(hand.dim(), m.dim);
  const CompiledDensity native(m, backends::get_backend("native"));
  const auto dim = static_cast<std::size_t>(m.dim);
  for (std::uint64_t seed : {1, 2, 3, 4}) {
    const std::vector<double> theta = random_point(m.dim, seed);
    std::vector<double> g_native(dim), g_hand(dim);
    const double lp_native = native(theta.data(), g_native.data());
    const double lp_hand = hand(theta.data(), g_hand.data());
    ASSERT_TRUE(std::isfinite(lp_hand));
    expect_close(lp_native, lp_hand, "log p", seed);
    for (std::size_t i = 0; i < dim; ++i) expect_close(g_native[i], g_hand[i], "gradient", i);
  }
}

template <class Hand>
void expect_gradient_matches_differences(const Hand& hand, std::int64_t dim) {
  const auto n = static_cast<std::size_t>(dim);
  std::vector<double> theta = random_point(dim, 11), grad(n), scratch(n);
  hand(theta.data(), grad.data());
  for (std::size_t i = 0; i < n; ++i) {
    const double h = 1e-5, t = theta[i];
    theta[i] = t + h;
    const double up = hand(theta.data(), scratch.data());
    theta[i] = t - h;
    const double down = hand(theta.data(), scratch.data());
    theta[i] = t;
    const double fd = (up - down) / (2 * h);
    // Central differences lose about 1e-10 * |log p| / h to rounding.
    EXPECT_NEAR(grad[i], fd, 1e-5 * std::max({1.0, std::abs(fd), 1e-5 * std::abs(up)}))
        << "gradient [" << i << "]";
  }
}

TEST(BenchModels, EightSchoolsGraphMatchesHandwritten) {
  expect_agree(eight_schools_graph(), EightSchoolsHand());
}

TEST(BenchModels, EightSchoolsHandwrittenGradient) {
  const EightSchoolsHand hand;
  expect_gradient_matches_differences(hand, hand.dim());
}

TEST(BenchModels, EightSchoolsAtZero) {
  // At theta = 0: mu = 0, tau = 1, theta_z = 0, so log p is a sum of closed forms.
  const EightSchoolsData d;
  const double h = 0.5 * std::log(2.0 * std::numbers::pi);
  double expected =
      -std::log(5.0) - h + std::log(2.0 / (5.0 * std::numbers::pi)) - std::log1p(0.04);
  for (std::size_t j = 0; j < d.y.size(); ++j)
    expected += -h - 0.5 * (d.y[j] / d.sigma[j]) * (d.y[j] / d.sigma[j]) - std::log(d.sigma[j]) - h;
  std::vector<double> theta(10, 0.0), grad(10);
  EXPECT_NEAR(EightSchoolsHand()(theta.data(), grad.data()), expected, 1e-12 * std::abs(expected));
}

TEST(BenchModels, LogisticGraphMatchesHandwritten) {
  const LogisticData data = simulate_logistic();
  expect_agree(logistic_graph(data), LogisticHand(data));
}

TEST(BenchModels, LogisticHandwrittenGradient) {
  const LogisticData data = simulate_logistic(500, 5);
  const LogisticHand hand(data);
  expect_gradient_matches_differences(hand, hand.dim());
}

TEST(BenchModels, LogisticDataHasBothOutcomes) {
  const LogisticData data = simulate_logistic();
  const double ones = std::count(data.y.begin(), data.y.end(), 1.0);
  EXPECT_GT(ones, 0.2 * static_cast<double>(data.n));
  EXPECT_LT(ones, 0.8 * static_cast<double>(data.n));
  EXPECT_EQ(data.x.size(), static_cast<std::size_t>(data.n * data.d));
}

TEST(BenchModels, HierarchicalGraphMatchesHandwritten) {
  const HierarchicalData data = simulate_hierarchical();
  expect_agree(hierarchical_graph(data), HierarchicalHand(data));
}

TEST(BenchModels, HierarchicalHandwrittenGradient) {
  const HierarchicalData data = simulate_hierarchical(10, 300);
  const HierarchicalHand hand(data);
  expect_gradient_matches_differences(hand, hand.dim());
}

TEST(BenchModels, HierarchicalDataCoversEveryGroup) {
  const HierarchicalData data = simulate_hierarchical();
  std::vector<int> seen(static_cast<std::size_t>(data.groups), 0);
  for (std::int64_t g : data.g) {
    ASSERT_GE(g, 0);
    ASSERT_LT(g, data.groups);
    seen[static_cast<std::size_t>(g)] = 1;
  }
  EXPECT_EQ(std::count(seen.begin(), seen.end(), 1), data.groups);
}

TEST(BenchModels, GarchGraphMatchesHandwritten) {
  const GarchData data = simulate_garch();
  expect_agree(garch_graph(data), GarchHand(data));
}

TEST(BenchModels, GarchHandwrittenGradient) {
  const GarchHand hand(simulate_garch(30));
  expect_gradient_matches_differences(hand, hand.dim());
}

}  // namespace
}  // namespace stochos::bench
