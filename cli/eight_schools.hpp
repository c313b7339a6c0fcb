// The eight-schools non-centred log density, built by hand with the graph API. It stands in for
// the model layer (issue 4) and the language (issue 5) until they land, so `make run` can show
// the whole graph -> gradient -> rewrite -> engine path on a real model. Kept in a library apart
// from the CLI so tests/cli/ can check it against a hand computation.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "graph/tensor.hpp"

namespace stochos::cli {

// The data of examples/eight_schools.data.json: J schools, effect estimates y and their
// standard errors sigma.
struct EightSchoolsData {
  std::int64_t J = 0;
  std::vector<double> y;
  std::vector<double> sigma;
};

// Parses CmdStan-style data JSON; `source` names the file in errors. Throws InputError (one line)
// for malformed JSON, a missing key, a wrong type or length, or a sigma that is not positive.
// Keys the model does not use are ignored, as CmdStan does.
EightSchoolsData parse_eight_schools_data(std::string_view json_text, std::string_view source);
// Reads and parses a data file; a file that cannot be read is an InputError too.
EightSchoolsData load_eight_schools_data(const std::string& path);

// Note [packed parameter layout]: the samplers see one flat unconstrained vector. For eight
// schools it is theta = [mu, tau_log__, theta_z[0], ..., theta_z[J-1]], length J + 2, with
// tau = exp(tau_log__) (PyMC's log transform and name).
struct EightSchoolsDensity {
  std::unique_ptr<graph::Graph> graph;  // heap-held: the tensors below point at it
  graph::Tensor theta;                  // the packed vector, float64[J + 2]
  graph::Tensor logp;                   // scalar: log p(theta, y) + log|d tau / d tau_log__|
  graph::Tensor grad;                   // d logp / d theta, float64[J + 2]
  std::vector<std::string> names;       // one per element of theta
};

// Full normalised densities: mu ~ Normal(0, 5), tau ~ HalfCauchy(5) (with the log-Jacobian of
// its log transform), theta_z ~ Normal(0, 1), y ~ Normal(mu + tau * theta_z, sigma).
EightSchoolsDensity build_eight_schools(const EightSchoolsData& data);

}  // namespace stochos::cli
