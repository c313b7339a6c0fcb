// How far an adapted metric is from the covariance it estimates, for the metric tests.
#pragma once

#include <algorithm>

#include <Eigen/Dense>

namespace stochos::infer::test {

// The largest factor by which `estimate` is off `cov` in any direction: the eigenvalues of
// cov^-1/2 estimate cov^-1/2, as max(lambda, 1 / lambda).
inline double worst_ratio(const Eigen::MatrixXd& estimate, const Eigen::MatrixXd& cov) {
  const Eigen::LLT<Eigen::MatrixXd> l(cov);
  const Eigen::MatrixXd li = l.matrixL().solve(Eigen::MatrixXd::Identity(cov.rows(), cov.cols()));
  const Eigen::VectorXd ev =
      Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd>(li * estimate * li.transpose()).eigenvalues();
  return std::max(ev.maxCoeff(), 1 / ev.minCoeff());
}

}  // namespace stochos::infer::test
