// PyMC's step methods for discrete variables, each updating one variable through its
// conditional (model/conditional.hpp, Note [conditionals]) rather than the whole model:
//   - binary_gibbs (PyMC's BinaryGibbsMetropolis): each 0/1 entry proposes its flip, accepted
//     with probability min(1, p(flipped) / p(current));
//   - categorical_gibbs (CategoricalGibbsMetropolis, proportional proposal): each entry drawn
//     from its conditional over every category, p(z_i = k | rest) for k in the support;
//   - metropolis (Metropolis on a discrete variable): each entry moves by a rounded
//     N(0, scaling^2) step, accepted by the Metropolis rule, scaling tuned during warm-up.
// Where the conditional is elementwise, every entry is updated at once from one evaluation per
// candidate (the entries are independent given the rest); otherwise entry by entry (Metropolis:
// the whole vector jointly, as PyMC's blocked proposal).
#pragma once

#include <Eigen/Dense>
#include <memory>
#include <string>
#include <vector>

#include "infer/rng.hpp"
#include "model/conditional.hpp"

namespace stochos::infer {

class DiscreteStep {
 public:
  virtual ~DiscreteStep() = default;
  // One update of the variable's entries in the packed state x; true when any changed.
  virtual bool update(Eigen::VectorXd& x, Rng& rng) = 0;
  // The statistics of the last update, in discrete_stat_names(method)'s order.
  virtual void stats(double* /*out*/) const {}
  // Called after each warm-up update.
  virtual void tune() {}
};

// The discrete step methods, by the names --step takes.
const std::vector<std::string>& discrete_methods();
// Their statistics, PyMC's names as CSV columns.
std::vector<std::string> discrete_stat_names(const std::string& method);

// `first` and `categories`: the candidates of categorical_gibbs, first, ..., first + categories
// - 1.
std::unique_ptr<DiscreteStep> make_discrete_step(const std::string& method,
                                                 std::shared_ptr<const model::Conditional> c,
                                                 std::int64_t first, std::int64_t categories);

}  // namespace stochos::infer
