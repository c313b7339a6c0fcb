// Helpers for the distributions whose values are arrays (time series, mixtures): the log density
// of observed data of any shape, a compiled model's gradient against central differences, and
// whole values drawn through the family's draw_value.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <vector>

#include "model/model.hpp"
#include "model_logp.hpp"
#include "support/evaluate.hpp"

namespace stochos::distributions::testing {

// log p of `xs` (shape `shape`) observed under d, on the engine under test.
inline double observed_logp(const Distribution& d, const std::vector<double>& xs,
                            const graph::Shape& shape) {
  model::Model m;
  m.rv("dummy", Normal(0, 1));
  m.observe("x", d, xs, shape);
  const auto c = m.compile({.backend = stochos::testing::test_backend_name(), .jacobian = false});
  auto ws = c.make_workspace();
  const double zero = 0;
  double g = 0;
  return c(*ws, &zero, &g) + 0.5 * std::log(2 * std::numbers::pi);
}

// Every coordinate of the compiled density's gradient at `point` against central differences.
inline void expect_gradient_matches_differences(const model::Model& m, std::vector<double> point) {
  const auto d = m.compile({.backend = stochos::testing::test_backend_name()});
  auto ws = d.make_workspace();
  std::vector<double> g(point.size());
  ASSERT_TRUE(std::isfinite(d(*ws, point.data(), g.data())));
  for (std::size_t i = 0; i < point.size(); ++i) {
    const double fd =
        central_difference(d, *ws, point, i, 1e-6 * std::max(1.0, std::abs(point[i])));
    EXPECT_NEAR(g[i], fd, 1e-6 * std::max(1.0, std::abs(fd))) << "coordinate " << i;
  }
}

// n whole values of `shape` (row-major, one after another) from d's draw_value.
inline std::vector<std::vector<double>> draw_values(const Distribution& d,
                                                    const graph::Shape& shape, std::size_t n,
                                                    std::uint64_t seed) {
  graph::Graph g;
  const Params p = d.resolve(g, graph::DType::f64);
  const NumericDist nd =
      numeric_dist(d.family(), p, [](const graph::Tensor& t) { return values(t); });
  Rng rng(seed);
  std::vector<std::vector<double>> out(
      n, std::vector<double>(static_cast<std::size_t>(graph::numel(shape))));
  for (auto& v : out) d.family().draw_value(rng, nd, shape, v);
  return out;
}

// Column k of draws (element k of every value).
inline std::vector<double> column(const std::vector<std::vector<double>>& draws, std::size_t k) {
  std::vector<double> c;
  for (const auto& v : draws) c.push_back(v[k]);
  return c;
}

}  // namespace stochos::distributions::testing
