#include "infer/nutpie_low_rank.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

namespace stochos::infer {

namespace {
constexpr double kLower = 1e-20, kUpper = 1e20;  // nuts-rs's limits on the diagonal

Eigen::MatrixXd eigen_function(const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd>& e,
                               double (*f)(double)) {
  return e.eigenvectors() * e.eigenvalues().unaryExpr(f).asDiagonal() *
         e.eigenvectors().transpose();
}
}  // namespace

Eigen::MatrixXd spd_mean(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) {
  const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eb(b);
  const Eigen::MatrixXd b_sqrt = eigen_function(eb, [](double v) { return std::sqrt(v); });
  const Eigen::MatrixXd b_isqrt = eigen_function(eb, [](double v) { return 1 / std::sqrt(v); });
  const Eigen::MatrixXd m = b_sqrt * a * b_sqrt;
  const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> em(0.5 * (m + m.transpose()));
  const Eigen::MatrixXd m_sqrt =
      eigen_function(em, [](double v) { return std::sqrt(std::max(v, 0.0)); });
  return b_isqrt * m_sqrt * b_isqrt;
}

std::optional<LowRankMetric> estimate_low_rank_metric(const Eigen::MatrixXd& draws,
                                                      const Eigen::MatrixXd& grads,
                                                      const LowRankOptions& o) {
  const Eigen::Index d = draws.rows(), n = draws.cols();
  if (n < 2) return std::nullopt;
  // 1. The diagonal scaling, and the centred draws and gradients in the scaled space.
  Eigen::MatrixXd x = draws.colwise() - draws.rowwise().mean();
  Eigen::MatrixXd g = grads.colwise() - grads.rowwise().mean();
  Eigen::VectorXd diag(d);
  for (Eigen::Index i = 0; i < d; ++i) {
    const double v = std::sqrt(x.row(i).squaredNorm() / g.row(i).squaredNorm());
    if (!std::isfinite(v) || v <= 0) return std::nullopt;
    diag[i] = std::min(std::max(v, kLower), kUpper);
    const double s = std::sqrt(diag[i]);
    x.row(i) /= s;
    g.row(i) *= s;
  }
  // 2. An orthonormal basis of the span of the draws and gradients.
  Eigen::MatrixXd both(d, 2 * n);
  both << x, g;
  const Eigen::ColPivHouseholderQR<Eigen::MatrixXd> qr(both);
  const Eigen::Index r = qr.rank();
  if (r == 0) return LowRankMetric(diag, Eigen::MatrixXd(d, 0), Eigen::VectorXd(0));
  const Eigen::MatrixXd q = qr.householderQ() * Eigen::MatrixXd::Identity(d, r);
  // 3. The SPD mean of the draws' covariance and the gradients' inverse covariance there.
  const Eigen::MatrixXd p = q.transpose() * x, s = q.transpose() * g;
  const Eigen::MatrixXd id = Eigen::MatrixXd::Identity(r, r);
  const Eigen::MatrixXd cx = p * p.transpose() / o.gamma + id;
  const Eigen::MatrixXd cg = s * s.transpose() / o.gamma + id;
  const Eigen::MatrixXd mean = spd_mean(cx, cg);
  const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> e(0.5 * (mean + mean.transpose()));
  if (e.info() != Eigen::Success || !e.eigenvalues().allFinite()) return std::nullopt;
  // 4. The eigenvalues outside [1/c, c], the farthest from 1 first, at most max_rank.
  std::vector<Eigen::Index> keep;
  for (Eigen::Index j = 0; j < r; ++j) {
    const double l = e.eigenvalues()[j];
    if (l > 0 && (l > o.cutoff || l < 1 / o.cutoff)) keep.push_back(j);
  }
  const auto distance = [&](Eigen::Index j) { return std::abs(std::log(e.eigenvalues()[j])); };
  std::stable_sort(keep.begin(), keep.end(),
                   [&](Eigen::Index a, Eigen::Index b) { return distance(a) > distance(b); });
  if (static_cast<Eigen::Index>(keep.size()) > o.max_rank)
    keep.resize(static_cast<std::size_t>(o.max_rank));
  const auto k = static_cast<Eigen::Index>(keep.size());
  Eigen::MatrixXd vecs(d, k);
  Eigen::VectorXd vals(k);
  for (Eigen::Index j = 0; j < k; ++j) {
    const Eigen::Index at = keep[static_cast<std::size_t>(j)];
    vecs.col(j) = q * e.eigenvectors().col(at);
    vals[j] = e.eigenvalues()[at];
  }
  return LowRankMetric(diag, vecs, vals);
}

}  // namespace stochos::infer
