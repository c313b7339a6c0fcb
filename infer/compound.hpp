// Compound steps (SPEC.md §3, PyMC's CompoundStep): each iteration runs several step methods in
// turn, each updating its own variables given the others.
//
// Note [compound steps]
// The chain's state is the whole packed vector, discrete slots included (Note [discrete
// slots]). Each discrete variable has a step of its own (infer/discrete_steps.hpp) that reads
// only its conditional (model/conditional.hpp). Continuous variables are moved in blocks over the
// whole log density: the Hamiltonian block (NUTS or static HMC, with Stan's warm-up of step size
// and metric) and any blocks the user gave to Metropolis or Slice; a block's Hamiltonian sees
// only its coordinates, the others held (infer/hamiltonian.hpp). A block re-evaluates its
// starting point when another step moved the state since its last transition. Order within an
// iteration: the discrete steps in declaration order, then Metropolis and Slice blocks, then the
// Hamiltonian block, so that the last full evaluation is the recorded state's lp__ (a chain with
// no continuous block evaluates lp__ once per draw).
//
// Assignment follows PyMC's rule (each variable to its most competent method): continuous
// variables to NUTS (or the kernel --sampler names), Bernoulli to binary_gibbs, Categorical to
// categorical_gibbs, every other discrete family to metropolis. `--step VAR=METHOD` overrides it
// per variable. Statistics: lp__, the Hamiltonian block's under CmdStan's names, each other
// step's under PyMC's (accept__, accepted__, scaling__, nstep_out__, ...); a name two steps
// share gets the step's first variable before its "__" (accept_s__, accept_k__).
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "infer/sample.hpp"
#include "model/conditional.hpp"
#include "model/model.hpp"

namespace stochos::infer {

struct CompoundStep {
  std::string method;                  // "nuts", "hmc", "metropolis", "slice", "binary_gibbs", ...
  std::vector<std::string> vars = {};  // what it updates
  bool discrete = false;               // one discrete variable, through its conditional
  std::int64_t first = 0, categories = 0;  // categorical_gibbs: the candidates
  std::shared_ptr<const model::Conditional> conditional = nullptr;
};

struct Compound {
  std::vector<CompoundStep> steps;  // in the order an iteration runs them
  std::vector<double> start;        // the model's initial point: where discrete variables start
  std::vector<std::string> stat_names;
  // "NUTS: [early, late], metropolis: [s]": for the log.
  std::string describe() const;
};

// "VAR=METHOD" -> (VAR, METHOD); InputError for anything else.
std::pair<std::string, std::string> parse_step(const std::string& spec);

// The steps by PyMC's rule with the overrides (variable, method) applied; null when the model has
// no discrete variable and no override, so the plain kernel `sampler` runs the whole vector.
// InputError naming the variable for an override that does not fit it.
std::shared_ptr<const Compound> plan_compound(
    const model::Model& m, const std::vector<std::pair<std::string, std::string>>& overrides,
    const std::string& sampler, const model::CompileOptions& o = {});

// One chain of compound steps (sample() calls it when SampleOptions::compound is set).
ChainTrace run_compound_chain(const model::LogDensity& density, const SampleOptions& o, int chain);

}  // namespace stochos::infer
