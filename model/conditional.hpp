// A discrete variable's conditional log density given the rest of the model, for the discrete step
// methods (infer/discrete_steps.cpp).
//
// Note [conditionals]
// Updating one variable given the others needs only the terms that read it (its Markov
// blanket): its own prior, the likelihoods whose parameters it reaches, the priors of variables
// it parameterises. Compiled alone, they cost what they cost, not what the whole model costs.
// When every such term is *elementwise* in the variable (element i of the term reads element i of
// the variable and no other element of it: z[i] ~ Bernoulli(p), y[i] ~ Normal(mu[z[i]], sigma)),
// the blanket is kept unsummed, one value per element of the variable: given the rest of the
// model the elements are then independent, and one evaluation gives every element's conditional
// at once (a Gibbs sweep over N elements costs one evaluation per candidate value, not N). The
// check is structural, over the graph: elementwise ops, casts, comparisons, selects and gathers
// indexed by the variable keep element i at position i; anything else (a sum, a matmul, a
// reshape) makes the blanket one scalar, and the elements are updated one at a time.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "model/model.hpp"
#include "model/values.hpp"

namespace stochos::model {

class Conditional {
 public:
  const std::string& name() const { return slot_.name; }
  const VarSlot& slot() const { return slot_; }
  // One value per element of the variable (independent given the rest), or one in all.
  bool elementwise() const { return elementwise_; }
  std::int64_t outputs() const { return f_.size(); }
  // The terms it sums, by name (for messages and tests).
  const std::vector<std::string>& terms() const { return terms_; }
  std::unique_ptr<ValueWorkspace> make_workspace() const { return f_.make_workspace(); }
  // The blanket's log density at the packed point theta: outputs() values. Thread-safe with one
  // workspace per thread.
  void operator()(ValueWorkspace& ws, const double* theta, double* out) const {
    f_(ws, theta, out);
  }

 private:
  friend Conditional compile_conditional(const Model&, const std::string&, const CompileOptions&);
  ValueFunction f_;
  VarSlot slot_;
  bool elementwise_ = false;
  std::vector<std::string> terms_;
};

// The conditional of the free variable `name` (its Markov blanket; Note [conditionals]),
// including the log-Jacobians, as the sampled density has them. InputError when there is no such
// variable.
Conditional compile_conditional(const Model& m, const std::string& name,
                                const CompileOptions& o = {});

}  // namespace stochos::model
