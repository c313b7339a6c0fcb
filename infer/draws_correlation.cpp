#include "infer/draws_correlation.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

namespace stochos::infer {

namespace {

// The ratio of a correlation matrix's extreme eigenvalues.
double condition(const Eigen::MatrixXd& corr) {
  const Eigen::VectorXd ev = Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd>(corr).eigenvalues();
  return ev.maxCoeff() / std::max(ev.minCoeff(), ev.maxCoeff() * 1e-16);
}

}  // namespace

double draws_correlation_condition(const Trace& trace, const SampleOptions& o) {
  const bool hamiltonian = trace.method == "nuts" || trace.method == "hmc";
  if (!hamiltonian || o.dense_metric || o.metric == "dense" || o.adapt == "nutpie-lowrank")
    return 0;
  // Only the chains that sampled with a diagonal metric: `--metric auto` decides per chain.
  const auto diagonal = [](const ChainTrace& c) { return c.inverse_metric_dense.size() == 0; };
  Eigen::Index rows = 0, d = 0;
  for (const auto& c : trace.chains) {
    if (!diagonal(c)) continue;
    rows += c.draws.rows();
    if (c.draws.rows() > 0) d = c.draws.cols();
  }
  if (d < 2 || d > kMaxCorrelationDim || rows <= d) return 0;
  Eigen::MatrixXd x(rows, d);
  Eigen::Index at = 0;
  for (const auto& c : trace.chains) {
    if (!diagonal(c)) continue;
    x.middleRows(at, c.draws.rows()) = c.draws;
    at += c.draws.rows();
  }
  x.rowwise() -= x.colwise().mean();
  // Only the coordinates that vary: a constant one has no correlation to speak of.
  std::vector<Eigen::Index> varying;
  const Eigen::VectorXd sd = (x.colwise().squaredNorm() / static_cast<double>(rows)).cwiseSqrt();
  for (Eigen::Index j = 0; j < d; ++j)
    if (sd[j] > 0) varying.push_back(j);
  if (varying.size() < 2) return 0;
  const auto k = static_cast<Eigen::Index>(varying.size());
  Eigen::MatrixXd z(rows, k);
  for (Eigen::Index j = 0; j < k; ++j) {
    const Eigen::Index c = varying[static_cast<std::size_t>(j)];
    z.col(j) = x.col(c) / sd[c];
  }
  return condition(z.transpose() * z / static_cast<double>(rows));
}

double covariance_correlation_condition(const Eigen::MatrixXd& cov) {
  std::vector<Eigen::Index> varying;
  for (Eigen::Index j = 0; j < cov.rows(); ++j)
    if (cov(j, j) > 0) varying.push_back(j);
  const auto k = static_cast<Eigen::Index>(varying.size());
  if (k < 2) return 0;
  Eigen::MatrixXd corr(k, k);
  for (Eigen::Index a = 0; a < k; ++a)
    for (Eigen::Index b = 0; b < k; ++b) {
      const Eigen::Index i = varying[static_cast<std::size_t>(a)],
                         j = varying[static_cast<std::size_t>(b)];
      corr(a, b) = cov(i, j) / std::sqrt(cov(i, i) * cov(j, j));
    }
  return condition(corr);
}

}  // namespace stochos::infer
