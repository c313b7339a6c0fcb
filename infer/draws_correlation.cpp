#include "infer/draws_correlation.hpp"

#include <vector>

namespace stochos::infer {

double draws_correlation_condition(const Trace& trace, const SampleOptions& o) {
  const bool hamiltonian = trace.method == "nuts" || trace.method == "hmc";
  if (!hamiltonian || o.dense_metric || o.adapt == "nutpie-lowrank") return 0;
  Eigen::Index rows = 0, d = 0;
  for (const auto& c : trace.chains) {
    rows += c.draws.rows();
    if (c.draws.rows() > 0) d = c.draws.cols();
  }
  if (d < 2 || d > kMaxCorrelationDim || rows <= d) return 0;
  Eigen::MatrixXd x(rows, d);
  Eigen::Index at = 0;
  for (const auto& c : trace.chains) {
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
  const Eigen::MatrixXd corr = z.transpose() * z / static_cast<double>(rows);
  const Eigen::VectorXd ev = Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd>(corr).eigenvalues();
  return ev.maxCoeff() / std::max(ev.minCoeff(), ev.maxCoeff() * 1e-16);
}

}  // namespace stochos::infer
