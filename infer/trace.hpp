// Note [the trace]: what every inference method returns, and all that the outputs read. A method
// (NUTS, HMC, compound steps, L-BFGS, Laplace, ADVI, Pathfinder) runs against a
// model::LogDensity and fills one ChainTrace per chain (or per path, or one for an
// approximation): the packed unconstrained draws, one row each, and beside them the statistics
// the method declares in Trace::stat_names, named as CmdStan's CSV columns (NUTS: lp__,
// accept_stat__, stepsize__, treedepth__, n_leapfrog__, divergent__, energy__; Laplace: log_p__,
// log_g__; ...). The CSV writer, the summary, predictive draws and the Python package take a
// Trace; none of them knows which method made it.
#pragma once

#include <Eigen/Dense>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "infer/low_rank_metric.hpp"

namespace stochos::infer {

struct ChainTrace {
  int chain = 0;
  Eigen::MatrixXd draws;                       // one row per draw: the packed unconstrained vector
  Eigen::MatrixXd stats;                       // one row per draw: Trace::stat_names' values
  Eigen::MatrixXd warmup_draws, warmup_stats;  // when warm-up is kept
  // MCMC's adaptation (step_size 0 and the metric empty for other methods).
  double step_size = 0;
  Eigen::VectorXd inverse_metric;  // the diagonal (dense: the matrix's diagonal)
  Eigen::MatrixXd inverse_metric_dense;
  LowRankMetric inverse_metric_low_rank;  // --adapt nutpie-lowrank's (rank 0 otherwise)
  double warmup_seconds = 0, sampling_seconds = 0;
  long gradient_evaluations = 0;
  bool interrupted = false;   // stopped early: draws holds only the draws made
  bool started = true;        // false: stopped before it began (it has no initial point even)
  int warmup_iterations = 0;  // warm-up iterations done
};

struct Trace {
  std::string method;                   // "nuts", "hmc", "lbfgs", "laplace", "meanfield", ...
  std::vector<std::string> stat_names;  // the columns of every ChainTrace::stats
  // The draws are Markov chains (MCMC): R-hat, ESS and MCSE apply. Draws of an approximation
  // (Laplace, ADVI, Pathfinder) are independent, and those diagnostics are left out.
  bool markov = false;
  std::vector<ChainTrace> chains;
  // A method's point estimate, packed unconstrained (the mode of L-BFGS and Laplace, the mean of
  // an ADVI approximation), or empty.
  Eigen::VectorXd point;
  // Method-wide figures for the reports, in order ("elbo", "pareto_k", "iterations", ...).
  std::vector<std::pair<std::string, double>> figures;
  std::string message;  // what the method has to say (why L-BFGS stopped, ...), or empty

  // A figure's value, or NaN when the method has none of that name.
  double figure(const std::string& name) const {
    for (const auto& [k, v] : figures)
      if (k == name) return v;
    return std::numeric_limits<double>::quiet_NaN();
  }

  // The column of a statistic, or -1 when the method has none of that name.
  int stat_index(const std::string& name) const {
    for (std::size_t i = 0; i < stat_names.size(); ++i)
      if (stat_names[i] == name) return static_cast<int>(i);
    return -1;
  }
};

}  // namespace stochos::infer
