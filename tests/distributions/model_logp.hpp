// Distributions seen through the model layer, as a user meets them: the log density of observed
// data, a fixed parameter's value, draws, and the message a bad model gets.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "distributions/distribution.hpp"
#include "model/log_density.hpp"

namespace stochos::distributions::testing {

// A list of numbers as a vector argument, [n].
Arg vec(std::vector<double> v);

// (log p(theta + h e_i) - log p(theta - h e_i)) / 2h of a compiled density.
double central_difference(const model::LogDensity& d, model::DensityWorkspace& ws,
                          std::vector<double> theta, std::size_t i, double h);

// Sum of log p(x) over xs, observed on a model compiled by the engine under test
// (tests/support's test_backend; a dummy free Normal(0, 1) at 0 carries the model; its term is
// subtracted).
double observed_logp(const Distribution& d, const std::vector<double>& xs);

// The values of a tensor whose value is fixed (no graph inputs), by the engine under test.
std::vector<double> values(const graph::Tensor& t);

// n draws with a fixed seed, from the distribution's canonical parameters (scalars).
std::vector<double> draws(const Distribution& d, std::size_t n, std::uint64_t seed = 12345);

// The InputError message of observing `x` under the variable name "obs" ("" when none).
std::string observe_error(const Distribution& d, double x);

}  // namespace stochos::distributions::testing
