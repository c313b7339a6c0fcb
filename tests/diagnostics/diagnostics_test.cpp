// Diagnostics against the R package posterior 1.4.0 (Debian's r-cran-posterior) on fixed draws
// (tests/diagnostics/data/*.csv, generated once by a seeded script): R-hat to 1e-4, ESS and MCSE
// to 0.5%, quantiles exactly. The reference numbers were printed by
//   rhat(x), rhat_basic(x), ess_bulk(x), ess_tail(x), ess_mean(x), mcse_mean(x), mcse_sd(x),
//   quantile(c(x), c(0.05, 0.95), type = 7)
// with x the iterations-by-chains matrix.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <sstream>
#include <string>

#include "diagnostics/diagnostics.hpp"

namespace stochos::diagnostics {
namespace {

struct Reference {
  const char* name;
  double rhat, rhat_basic, ess_bulk, ess_tail, ess_mean, mcse_mean, mcse_sd, q05, q95;
};

// posterior 1.4.0.
const Reference kReferences[] = {
    {"ar1", 1.0100796799480745, 1.0101763183059618, 330.26543084165701, 759.51408023663384,
     328.23441045306782, 0.056095141171699975, 0.024625945062002594, -1.6939557322095227,
     1.602987400070581},
    {"iid", 1.0007429205234071, 1.000663303572572, 1612.8852631549667, 1614.8223919089769,
     1610.4660991856158, 0.023974910071789431, 0.017308612117649422, -1.6597406801214027,
     1.5707024228394877},
    {"shifted", 1.2148555510167829, 1.2287198946725761, 13.902754869503601, 62.332353104737933,
     13.157597409617138, 0.33368180725985008, 0.069850364685874855, -1.4138302479250833,
     2.5777448911448295},
    {"heavy", 1.0001957425640404, 0.99910295654532344, 1501.0036477138351, 1485.9120212206471,
     1519.9578400696428, 0.67852387609996379, 5.4596156262451192, -7.0501314278379423,
     7.0537743379901716},
    {"ties", 0.99818962363481389, 0.99608248892214979, 463.25257977036597, 349.72273954095158,
     459.13404475497947, 0.061467865914178355, 0.044389606341968951, 1, 5},
    {"antithetic", 1.0002153570345476, 0.99587538852084367, 2322.471989593555, 904.57988401683906,
     2322.471989593555, 0.020426240944562746, 0.023443053445213836, -1.5550316940013766,
     1.6755789834662724},
};

Chains load(const std::string& name) {
  std::ifstream in(std::string(STOCHOS_DIAGNOSTICS_DATA) + "/" + name + ".csv");
  std::string line;
  std::getline(in, line);  // header
  Chains c;
  while (std::getline(in, line)) {
    std::istringstream s(line);
    std::string chain, value;
    std::getline(s, chain, ',');
    std::getline(s, value);
    const auto k = static_cast<std::size_t>(std::stoi(chain));
    if (c.size() <= k) c.resize(k + 1);
    c[k].push_back(std::stod(value));
  }
  return c;
}

class AgainstPosterior : public ::testing::TestWithParam<Reference> {};

TEST_P(AgainstPosterior, RhatEssMcseAndQuantiles) {
  const Reference& r = GetParam();
  const Chains c = load(r.name);
  ASSERT_FALSE(c.empty());
  EXPECT_NEAR(rhat(c), r.rhat, 1e-4);
  EXPECT_NEAR(rhat_basic(c), r.rhat_basic, 1e-4);
  EXPECT_NEAR(ess_bulk(c), r.ess_bulk, 0.005 * r.ess_bulk);
  EXPECT_NEAR(ess_tail(c), r.ess_tail, 0.005 * r.ess_tail);
  EXPECT_NEAR(ess_mean(c), r.ess_mean, 0.005 * r.ess_mean);
  EXPECT_NEAR(mcse_mean(c), r.mcse_mean, 0.005 * r.mcse_mean);
  EXPECT_NEAR(mcse_sd(c), r.mcse_sd, 0.005 * r.mcse_sd);
  EXPECT_DOUBLE_EQ(quantile(c, 0.05), r.q05);
  EXPECT_DOUBLE_EQ(quantile(c, 0.95), r.q95);
}

INSTANTIATE_TEST_SUITE_P(Draws, AgainstPosterior, ::testing::ValuesIn(kReferences),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(Diagnostics, HdiIsTheNarrowestInterval) {
  // 0..99: every 94-wide window is equally narrow; the first wins, as in ArviZ.
  std::vector<double> x(100);
  for (int i = 0; i < 100; ++i) x[static_cast<std::size_t>(i)] = i;
  auto [lo, hi] = hdi({x}, 0.94);
  EXPECT_EQ(lo, 0);
  EXPECT_EQ(hi, 94);
  // A skewed sample: the interval hugs the dense end.
  std::vector<double> y;
  for (int i = 0; i < 1000; ++i) y.push_back(std::pow(i / 1000.0, 3));
  std::tie(lo, hi) = hdi({y}, 0.5);
  EXPECT_EQ(lo, 0);
  EXPECT_NEAR(hi, std::pow(0.5, 3), 1e-12);
}

TEST(Diagnostics, EbfmiOfAWhiteNoiseChainIsNearTwo) {
  // Successive differences of independent draws have twice the variance.
  std::vector<double> e;
  unsigned s = 1;
  for (int i = 0; i < 20000; ++i) {
    s = s * 1664525u + 1013904223u;
    e.push_back(static_cast<double>(s >> 8) / 16777216.0);
  }
  EXPECT_NEAR(ebfmi(e), 2.0, 0.05);
  // A slowly moving chain has a small E-BFMI.
  std::vector<double> slow;
  for (int i = 0; i < 1000; ++i) slow.push_back(std::sin(i / 100.0));
  EXPECT_LT(ebfmi(slow), 0.01);
}

TEST(Diagnostics, DegenerateInputsGiveNaNNotCrashes) {
  EXPECT_TRUE(std::isnan(rhat({})));
  EXPECT_TRUE(std::isnan(ess_bulk({{1.0, 2.0}})));
  EXPECT_TRUE(std::isnan(rhat({{1, 2, 3, 4}, {1, 2}})));  // ragged chains
  EXPECT_TRUE(std::isnan(ess_bulk({{1, 2, NAN, 4, 5}})));
  // Constant draws: the ESS is the number of draws.
  EXPECT_EQ(ess_of({{3, 3, 3, 3, 3, 3}}), 6);
}

}  // namespace
}  // namespace stochos::diagnostics
