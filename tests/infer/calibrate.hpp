// Simulation-based calibration (Talts et al. 2018): for each of `sims` simulations, draw the
// parameters from their prior and data from the model (`build` does both, and returns the true
// value of traced element 0), sample the posterior, and count posterior draws below the true
// value (thinned by `thin` to L = 99 nearly independent draws). The ranks are uniform on 0..L
// when the sampler is right; a chi-squared test on 10 bins at the 0.1% level (fixed seeds).
// `steps` (VAR=METHOD pairs) and discrete variables run compound steps (infer/compound.hpp).
#pragma once

#include <gtest/gtest.h>

#include <boost/math/distributions/chi_squared.hpp>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "infer/compound.hpp"
#include "infer/sample.hpp"
#include "model/model.hpp"
#include "traced.hpp"

namespace stochos::infer::test {

template <class Build>
void calibrate(Build build, int sims, std::uint64_t seed, const std::string& sampler = "nuts",
               int thin = 10, const std::vector<std::pair<std::string, std::string>>& steps = {}) {
  std::mt19937_64 rng(seed);
  const int L = 99, bins = 10;
  std::vector<int> counts(bins, 0);
  for (int s = 0; s < sims; ++s) {
    model::Model m;
    const double truth = build(m, rng);
    const auto r = sample(m.compile(), {.chains = 1,
                                        .draws = thin * L,
                                        .tune = 300,
                                        .seed = seed + static_cast<std::uint64_t>(s),
                                        .sampler = sampler,
                                        .compound = plan_compound(m, steps, sampler)});
    const auto c = traced(m, r, 0);
    int rank = 0;
    for (int i = 0; i < L; ++i) rank += c[0][static_cast<std::size_t>(thin * i + thin - 1)] < truth;
    ++counts[static_cast<std::size_t>(rank * bins / (L + 1))];
  }
  double chi2 = 0;
  const double expected = static_cast<double>(sims) / bins;
  for (int k : counts) chi2 += (k - expected) * (k - expected) / expected;
  const double p = 1 - boost::math::cdf(boost::math::chi_squared(bins - 1), chi2);
  EXPECT_GT(p, 0.001) << "chi2 " << chi2;
}

}  // namespace stochos::infer::test
