#include "bench/models.hpp"

#include <cmath>
#include <numbers>
#include <random>

#include "autodiff/grad.hpp"
#include "backends/compile.hpp"
#include "backends/native/executable.hpp"
#include "graph/print.hpp"
#include "graph/scan.hpp"
#include "rewrite/rewrite.hpp"

namespace stochos::bench {
namespace {

using graph::DType;
using graph::Tensor;

const double kHalfLog2Pi = 0.5 * std::log(2.0 * std::numbers::pi);

// log Normal(x | mean, sd) elementwise, with every constant, written the way a distribution
// file would (distributions/ is not built yet): no hand-hoisting of log(sd) out of sums, so the
// rewrites and the engine are measured on the graph a model will really produce.
Tensor normal_lpdf(const Tensor& x, const Tensor& mean, const Tensor& sd) {
  return -0.5 * graph::square((x - mean) / sd) - graph::log(sd) - kHalfLog2Pi;
}
Tensor normal_lpdf(const Tensor& x, double mean, double sd) {
  graph::Graph& g = x.graph();
  return normal_lpdf(x, graph::constant(g, mean), graph::constant(g, sd));
}
// log HalfNormal(x | s) for x > 0: log(2) + log Normal(x | 0, s).
Tensor half_normal_lpdf(const Tensor& x, double s) {
  return std::log(2.0) + normal_lpdf(x, 0.0, s);
}

DensityGraph finish(DensityGraph m) {
  m.grad = autodiff::grad(m.logp, {m.theta}).at(0);
  return m;
}

}  // namespace

LogisticData simulate_logistic(std::int64_t n, std::int64_t d, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::uniform_real_distribution<double> unif(0.0, 1.0);
  // True coefficients of moderate size, so y is neither all 0 nor all 1 and the posterior is
  // well identified.
  const double alpha = 0.3;
  std::vector<double> beta(static_cast<std::size_t>(d));
  for (double& b : beta) b = 0.5 * normal(rng);
  LogisticData data;
  data.n = n;
  data.d = d;
  data.x.resize(static_cast<std::size_t>(n * d));
  data.y.resize(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) {
    double eta = alpha;
    for (std::int64_t j = 0; j < d; ++j) {
      const double xij = normal(rng);
      data.x[static_cast<std::size_t>(i * d + j)] = xij;
      eta += xij * beta[static_cast<std::size_t>(j)];
    }
    data.y[static_cast<std::size_t>(i)] = unif(rng) < 1.0 / (1.0 + std::exp(-eta)) ? 1.0 : 0.0;
  }
  return data;
}

HierarchicalData simulate_hierarchical(std::int64_t groups, std::int64_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::uniform_int_distribution<std::int64_t> group(0, groups - 1);
  const double mu = 1.0, tau = 2.0, sigma = 1.5;
  std::vector<double> a(static_cast<std::size_t>(groups));
  for (double& aj : a) aj = mu + tau * normal(rng);
  HierarchicalData data;
  data.groups = groups;
  data.g.resize(static_cast<std::size_t>(n));
  data.y.resize(static_cast<std::size_t>(n));
  for (std::size_t i = 0; i < data.g.size(); ++i) {
    data.g[i] = group(rng);
    data.y[i] = a[static_cast<std::size_t>(data.g[i])] + sigma * normal(rng);
  }
  return data;
}

DensityGraph eight_schools_graph(const EightSchoolsData& data) {
  DensityGraph m;
  m.graph = std::make_unique<graph::Graph>();
  graph::Graph& g = *m.graph;
  const auto J = static_cast<std::int64_t>(data.y.size());
  m.dim = J + 2;
  m.theta = graph::input(g, "theta", DType::f64, {m.dim});
  const Tensor mu = graph::index(m.theta, 0);
  const Tensor tau_log = graph::index(m.theta, 1);
  const Tensor theta_z = graph::slice(m.theta, 0, 2, std::nullopt);
  const Tensor tau = graph::exp(tau_log);

  const Tensor y = graph::constant(g, {J}, data.y);
  const Tensor sigma = graph::constant(g, {J}, data.sigma);

  // HalfCauchy(5) on tau > 0: log(2 / (5 pi)) - log1p((tau / 5)^2); the log transform adds
  // log|d tau / d tau_log__| = tau_log__.
  const Tensor lp_tau =
      std::log(2.0 / (5.0 * std::numbers::pi)) - graph::log1p(graph::square(tau / 5.0)) + tau_log;
  m.logp = normal_lpdf(mu, 0.0, 5.0) + lp_tau + graph::sum(normal_lpdf(theta_z, 0.0, 1.0)) +
           graph::sum(normal_lpdf(y, mu + tau * theta_z, sigma));

  m.names = {"mu", "tau_log__"};
  for (std::int64_t j = 0; j < J; ++j) m.names.push_back("theta_z[" + std::to_string(j) + "]");
  return finish(std::move(m));
}

DensityGraph logistic_graph(const LogisticData& data) {
  DensityGraph m;
  m.graph = std::make_unique<graph::Graph>();
  graph::Graph& g = *m.graph;
  m.dim = data.d + 1;
  m.theta = graph::input(g, "theta", DType::f64, {m.dim});
  const Tensor alpha = graph::index(m.theta, 0);
  const Tensor beta = graph::slice(m.theta, 0, 1, std::nullopt);

  const Tensor x = graph::constant(g, {data.n, data.d}, data.x);
  const Tensor y = graph::constant(g, {data.n}, data.y);

  // Bernoulli with logit p = eta: y log sigmoid(eta) + (1 - y) log sigmoid(-eta)
  // = y eta - softplus(eta), stable at any eta.
  const Tensor eta = alpha + graph::matmul(x, beta);
  m.logp = normal_lpdf(alpha, 0.0, 2.5) + graph::sum(normal_lpdf(beta, 0.0, 2.5)) +
           graph::sum(y * eta - graph::softplus(eta));

  m.names = {"alpha"};
  for (std::int64_t j = 0; j < data.d; ++j) m.names.push_back("beta[" + std::to_string(j) + "]");
  return finish(std::move(m));
}

DensityGraph hierarchical_graph(const HierarchicalData& data) {
  DensityGraph m;
  m.graph = std::make_unique<graph::Graph>();
  graph::Graph& g = *m.graph;
  const std::int64_t G = data.groups;
  const auto n = static_cast<std::int64_t>(data.y.size());
  m.dim = G + 3;
  m.theta = graph::input(g, "theta", DType::f64, {m.dim});
  const Tensor mu = graph::index(m.theta, 0);
  const Tensor tau_log = graph::index(m.theta, 1);
  const Tensor a_z = graph::slice(m.theta, 0, 2, G + 2);
  const Tensor sigma_log = graph::index(m.theta, G + 2);
  const Tensor tau = graph::exp(tau_log);
  const Tensor sigma = graph::exp(sigma_log);

  const std::vector<double> gd(data.g.begin(), data.g.end());
  const Tensor groups = graph::constant(g, {n}, gd, DType::i64);
  const Tensor y = graph::constant(g, {n}, data.y);

  const Tensor a = mu + tau * a_z;
  // Each log transform adds its log-Jacobian, the unconstrained value itself.
  m.logp = normal_lpdf(mu, 0.0, 5.0) + half_normal_lpdf(tau, 2.0) + tau_log +
           graph::sum(normal_lpdf(a_z, 0.0, 1.0)) + half_normal_lpdf(sigma, 2.0) + sigma_log +
           graph::sum(normal_lpdf(y, graph::gather(a, groups), sigma));

  m.names = {"mu", "tau_log__"};
  for (std::int64_t j = 0; j < G; ++j) m.names.push_back("a_z[" + std::to_string(j) + "]");
  m.names.push_back("sigma_log__");
  return finish(std::move(m));
}

GarchData simulate_garch(std::int64_t t, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal(0.0, 1.0);
  const double mu = 0.1, a0 = 0.2, a1 = 0.3, b1 = 0.5;
  GarchData d;
  double s = d.sigma1;
  for (std::int64_t i = 0; i < t; ++i) {
    if (i > 0) s = a0 + a1 * std::pow(d.y.back() - mu, 2) + b1 * s;
    d.y.push_back(mu + std::sqrt(s) * normal(rng));
  }
  return d;
}

DensityGraph garch_graph(const GarchData& data) {
  DensityGraph m;
  m.graph = std::make_unique<graph::Graph>();
  graph::Graph& g = *m.graph;
  const auto t = static_cast<std::int64_t>(data.y.size());
  m.dim = 4;
  m.theta = graph::input(g, "theta", DType::f64, {m.dim});
  const Tensor mu = graph::index(m.theta, 0);
  const Tensor a0_log = graph::index(m.theta, 1);
  const Tensor a1_logit = graph::index(m.theta, 2);
  const Tensor b1_logit = graph::index(m.theta, 3);
  const Tensor a0 = graph::exp(a0_log);
  const Tensor a1 = graph::sigmoid(a1_logit);
  const Tensor b1 = graph::sigmoid(b1_logit);
  const Tensor y = graph::constant(g, {t}, data.y);
  const Tensor sigma1 = graph::constant(g, data.sigma1);

  // sigma2[1:] by the recurrence, reading y[t-1] as the sequence y[:-1].
  const std::vector<Tensor> init = {sigma1}, seqs = {graph::slice(y, 0, 0, -1)},
                            consts = {a0, a1, b1, mu};
  const auto r = graph::scan(
      [](const graph::ScanArgs& s) {
        const Tensor e = s.sequences[0] - s.constants[3];
        return graph::ScanStep{
            {s.constants[0] + s.constants[1] * graph::square(e) + s.constants[2] * s.carries[0]},
            {}};
      },
      init, seqs, consts);
  const Tensor sigma2 = graph::concat({graph::reshape(sigma1, {1}), r.carries[0]});

  // Log-Jacobians: a0 = exp(x) adds x; p = sigmoid(x) adds log p + log(1 - p).
  const auto logodds_jacobian = [](const Tensor& x) {
    return graph::log_sigmoid(x) + graph::log_sigmoid(-x);
  };
  m.logp = normal_lpdf(mu, 0.0, 10.0) + a0_log + logodds_jacobian(a1_logit) +
           logodds_jacobian(b1_logit) + graph::sum(normal_lpdf(y, mu, graph::sqrt(sigma2)));
  m.names = {"mu", "alpha0_log__", "alpha1_logodds__", "beta1_logodds__"};
  return finish(std::move(m));
}

CompiledDensity::CompiledDensity(const DensityGraph& m, const backends::Backend& backend,
                                 bool optimize)
    : dim_(m.dim) {
  const graph::NodeId inputs[] = {m.theta.id()};
  const graph::NodeId outputs[] = {m.logp.id(), m.grad.id()};
  backends::CompileOptions options;
  options.optimize = optimize;
  exe_ = backends::compile(backend, *m.graph, inputs, outputs, options);
  ws_ = exe_->make_workspace();
}

double CompiledDensity::operator()(const double* theta, double* grad) const {
  double logp = 0.0;
  const void* in[] = {theta};
  void* out[] = {&logp, grad};
  exe_->run(*ws_, in, out);
  return logp;
}

GraphSizes graph_sizes(const DensityGraph& m, const backends::Executable& exe) {
  const graph::NodeId outputs[] = {m.logp.id(), m.grad.id()};
  GraphSizes s;
  s.nodes = graph::reachable(*m.graph, outputs).size();
  s.optimized_nodes = rewrite::optimize(*m.graph, outputs).graph->size();
  if (const auto* native = dynamic_cast<const backends::native::NativeExecutable*>(&exe))
    s.steps = native->step_count();
  return s;
}

std::vector<double> random_point(std::int64_t dim, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> init(-2.0, 2.0);
  std::vector<double> theta(static_cast<std::size_t>(dim));
  for (double& t : theta) t = init(rng);
  return theta;
}

}  // namespace stochos::bench
