#include "model_logp.hpp"

#include <cmath>
#include <numbers>

#include "backends/registry.hpp"
#include "model/model.hpp"
#include "stochos/error.hpp"
#include "support/evaluate.hpp"

namespace stochos::distributions::testing {

Arg vec(std::vector<double> v) {
  const auto n = static_cast<std::int64_t>(v.size());
  return Arg(std::move(v), {n});
}

double central_difference(const model::LogDensity& d, model::DensityWorkspace& ws,
                          std::vector<double> theta, std::size_t i, double h) {
  std::vector<double> scratch(theta.size());
  const double v = theta[i];
  theta[i] = v + h;
  const double up = d(ws, theta.data(), scratch.data());
  theta[i] = v - h;
  const double down = d(ws, theta.data(), scratch.data());
  return (up - down) / (2 * h);
}

double observed_logp(const Distribution& d, const std::vector<double>& xs) {
  model::Model m;
  m.rv("dummy", Normal(0, 1));
  m.observe("x", d, xs, {static_cast<std::int64_t>(xs.size())});
  const auto c = m.compile({.backend = stochos::testing::test_backend_name(), .jacobian = false});
  auto ws = c.make_workspace();
  const double zero = 0;
  double g = 0;
  return c(*ws, &zero, &g) + 0.5 * std::log(2 * std::numbers::pi);
}

std::vector<double> values(const graph::Tensor& t) {
  return stochos::testing::evaluate(stochos::testing::test_backend(), {}, {}, {t})[0];
}

std::vector<double> draws(const Distribution& d, std::size_t n, std::uint64_t seed) {
  graph::Graph g;
  const Params p = d.resolve(g, graph::DType::f64);
  std::vector<std::string> names;
  std::vector<double> scalars;
  for (const auto& [name, t] : p.all()) {
    names.push_back(name);
    scalars.push_back(values(t).at(0));
  }
  const ScalarParams sp{names, scalars};
  Rng rng(seed);
  std::vector<double> out(n);
  for (double& x : out) x = d.family().draw(rng, sp);
  return out;
}

std::string observe_error(const Distribution& d, double x) {
  model::Model m;
  try {
    m.observe("obs", d, {x}, {1});
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

}  // namespace stochos::distributions::testing
