// Predictive draws (SPEC.md §3), PyMC's sample_prior_predictive and sample_posterior_predictive:
// ancestral sampling through the model, each variable drawn from its distribution at the values
// of those it depends on, by the distributions' own random-draw routines.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model/model.hpp"
#include "model/values.hpp"

namespace stochos::model {

struct PredictiveDraws {
  std::vector<TracedVariable> variables;  // in output order; offsets into one draw
  std::int64_t size = 0;                  // scalars per draw
  std::vector<double> values;             // draws x size, row-major
  std::int64_t draws() const { return size ? static_cast<std::int64_t>(values.size()) / size : 0; }
  // "theta[0]" style, one per scalar of a draw.
  std::vector<std::string> column_names() const;
};

// Prior predictive: every free variable in declaration order given those before it, the
// deterministics at them, then every observed variable given them all. Draws are reproducible
// for a seed.
PredictiveDraws prior_predictive(const Model& m, std::int64_t draws, std::uint64_t seed);

// Posterior predictive: the observed variables drawn at each point of a trace. A point holds
// every free variable's constrained values (row-major, in declaration order), as a trace's row
// does. InputError naming the variable when a point has the wrong number of values.
PredictiveDraws posterior_predictive(const Model& m,
                                     const std::vector<std::vector<std::vector<double>>>& points,
                                     std::uint64_t seed);

}  // namespace stochos::model
