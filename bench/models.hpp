// The three benchmark models as graphs: each log density is a graph over ONE packed
// unconstrained float64 vector theta, with its gradient from autodiff::grad, the shape the
// samplers see (Note [packed parameter layout] in model/log_density.hpp). The data are
// simulated here with fixed seeds so the graph and the hand-written versions (handwritten.hpp)
// see the same numbers.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "backends/backend.hpp"
#include "graph/tensor.hpp"

namespace stochos::bench {

// --- Data -----------------------------------------------------------------------------------

// The classic eight-schools data (Rubin 1981).
struct EightSchoolsData {
  std::vector<double> y{28, 8, -3, 7, -1, 1, 18, 12};
  std::vector<double> sigma{15, 10, 16, 11, 9, 11, 10, 18};
};

struct LogisticData {
  std::int64_t n = 0, d = 0;
  std::vector<double> x;  // n x d, row-major
  std::vector<double> y;  // 0 or 1
};
// X ~ Normal(0, 1); y ~ Bernoulli(logit_p = alpha + X beta) at fixed true values.
LogisticData simulate_logistic(std::int64_t n = 10000, std::int64_t d = 20,
                               std::uint64_t seed = 20261124);

struct HierarchicalData {
  std::int64_t groups = 0;
  std::vector<std::int64_t> g;  // the group of each observation, in [0, groups)
  std::vector<double> y;
};
// Groups drawn uniformly (so the gather is not sequential), a_j ~ Normal(mu, tau),
// y_i ~ Normal(a[g_i], sigma) at fixed true values.
HierarchicalData simulate_hierarchical(std::int64_t groups = 100, std::int64_t n = 5000,
                                       std::uint64_t seed = 20261125);

struct GarchData {
  std::vector<double> y;
  double sigma1 = 1.0;  // the variance at t = 0
};
// GARCH(1,1) returns at fixed true values (mu 0.1, alpha0 0.2, alpha1 0.3, beta1 0.5), starting
// from the stationary variance alpha0 / (1 - alpha1 - beta1) = 1.
GarchData simulate_garch(std::int64_t t = 200, std::uint64_t seed = 20261203);

// --- Graphs ---------------------------------------------------------------------------------

// A log density and its gradient over the packed vector theta.
struct DensityGraph {
  std::unique_ptr<graph::Graph> graph;  // heap-held: the tensors below point at it
  graph::Tensor theta;                  // float64[dim]
  graph::Tensor logp;                   // scalar
  graph::Tensor grad;                   // float64[dim]
  std::int64_t dim = 0;
  std::vector<std::string> names;  // one per element of theta
};

// theta = [mu, tau_log__, theta_z[0..7]]. mu ~ Normal(0, 5), tau ~ HalfCauchy(5) with
// tau = exp(tau_log__) (+ log-Jacobian), theta_z ~ Normal(0, 1),
// y ~ Normal(mu + tau * theta_z, sigma).
DensityGraph eight_schools_graph(const EightSchoolsData& data = {});
// theta = [alpha, beta[0..d-1]]. alpha, beta ~ Normal(0, 2.5);
// y ~ Bernoulli(logit_p = alpha + X beta), written as y * eta - softplus(eta).
DensityGraph logistic_graph(const LogisticData& data);
// theta = [mu, tau_log__, a_z[0..G-1], sigma_log__]. mu ~ Normal(0, 5); tau, sigma ~
// HalfNormal(2) with log transforms; a_z ~ Normal(0, 1); a = mu + tau * a_z;
// y ~ Normal(a[g], sigma) (a gather).
DensityGraph hierarchical_graph(const HierarchicalData& data);
// theta = [mu, alpha0_log__, alpha1_logodds__, beta1_logodds__]. mu ~ Normal(0, 10); alpha0 > 0,
// alpha1 and beta1 in (0, 1), flat (+ log-Jacobians); sigma2[0] = sigma1, sigma2[t] = alpha0 +
// alpha1 (y[t-1] - mu)^2 + beta1 sigma2[t-1] (a scan); y ~ Normal(mu, sqrt(sigma2)).
DensityGraph garch_graph(const GarchData& data);

// --- Compiled -------------------------------------------------------------------------------

// A compiled density with its own workspace: theta -> (log p, gradient). One per thread.
class CompiledDensity {
 public:
  CompiledDensity(const DensityGraph& m, const backends::Backend& backend, bool optimize = true);
  // Writes dim() gradient entries to grad and returns log p. Allocates nothing.
  double operator()(const double* theta, double* grad) const;
  std::int64_t dim() const { return dim_; }
  const backends::Executable& executable() const { return *exe_; }

 private:
  std::unique_ptr<backends::Executable> exe_;
  std::unique_ptr<backends::Workspace> ws_;
  std::int64_t dim_ = 0;
};

// Sizes of a density's graph, for reports: nodes the outputs need as built, nodes after
// rewrite::optimize, and the native plan's steps (0 when the backend is not native).
struct GraphSizes {
  std::size_t nodes = 0, optimized_nodes = 0, steps = 0;
};
GraphSizes graph_sizes(const DensityGraph& m, const backends::Executable& exe);

// A point like Stan's default initialisation: theta_i ~ uniform(-2, 2).
std::vector<double> random_point(std::int64_t dim, std::uint64_t seed);

}  // namespace stochos::bench
