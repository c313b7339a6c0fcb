#include "infer/laplace.hpp"

#include <algorithm>
#include <boost/random/normal_distribution.hpp>
#include <chrono>
#include <cmath>
#include <iomanip>
#include <set>
#include <sstream>
#include <string>

#include "infer/packed_names.hpp"
#include "infer/parallel.hpp"
#include "infer/rng.hpp"
#include "stochos/error.hpp"

namespace stochos::infer {

namespace {

// The unconstrained variables with a large share (above 1/(2n), n the dimension, and at least
// the largest's tenth) of the unit direction v.
std::string names_along(const model::Layout& layout, const Eigen::VectorXd& v) {
  const Eigen::VectorXd share = v.cwiseAbs2() / v.squaredNorm();
  const double cut = std::max(0.5 / static_cast<double>(v.size()), 0.1 * share.maxCoeff());
  std::set<std::string> seen;
  std::string names;
  for (Eigen::Index i = 0; i < v.size(); ++i) {
    if (share[i] < cut) continue;
    const std::string name = packed_name(layout, i);
    if (seen.insert(name).second) names += (names.empty() ? "" : ", ") + name;
  }
  return names;
}

// Why -H has no Cholesky factor: the entries that are not finite, or the directions of
// curvature that is not negative.
std::string not_negative_definite(const model::Layout& layout, const Eigen::MatrixXd& h) {
  if (!h.allFinite()) {
    std::set<std::string> seen;
    std::string names;
    for (Eigen::Index j = 0; j < h.cols(); ++j)
      for (Eigen::Index i = 0; i < h.rows(); ++i)
        if (!std::isfinite(h(i, j)) && seen.insert(packed_name(layout, i)).second)
          names += (names.empty() ? "" : ", ") + packed_name(layout, i);
    return "laplace: the Hessian at the mode is not finite in " + names;
  }
  const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(h);
  std::string where;
  int count = 0;
  const double tiny = 1e-12 * std::max(1.0, eig.eigenvalues().cwiseAbs().maxCoeff());
  for (Eigen::Index k = 0; k < h.rows(); ++k) {
    const double lambda = eig.eigenvalues()[k];
    if (lambda < -tiny) continue;
    ++count;
    if (!where.empty()) where += "; ";
    std::ostringstream curvature;
    curvature << std::setprecision(3) << lambda;
    where +=
        names_along(layout, eig.eigenvectors().col(k)) + " (curvature " + curvature.str() + ")";
  }
  return "laplace: the Hessian at the mode is not negative definite (a saddle point or a flat "
         "direction, not a mode): log p does not fall away along " +
         std::to_string(count) + " direction" + (count == 1 ? "" : "s") + ", in " + where;
}

}  // namespace

Trace laplace(const model::LogDensity& density, const model::Hessian& hessian,
              const Eigen::VectorXd& mode, int draws, std::uint64_t seed, int cores) {
  const Eigen::Index n = density.dim();
  if (draws < 1)
    throw InputError("laplace: draws must be at least 1, got " + std::to_string(draws));
  if (mode.size() != n || hessian.dim() != n)
    throw InputError("laplace: the mode has " + std::to_string(mode.size()) +
                     " values and the Hessian " + std::to_string(hessian.dim()) +
                     "; the model has " + std::to_string(n) + " unconstrained");

  const auto t0 = std::chrono::steady_clock::now();
  Eigen::MatrixXd h(n, n);
  auto hws = hessian.make_workspace();
  const double logp_mode = hessian(*hws, mode.data(), h.data());
  const Eigen::LLT<Eigen::MatrixXd> llt(-h);
  if (!h.allFinite() || llt.info() != Eigen::Success)
    throw RuntimeError(not_negative_definite(density.layout(), h));
  // -H = L L': x = mode + L'^-1 z has covariance (L L')^-1 for z standard normal.
  const Eigen::MatrixXd upper = llt.matrixU();

  Trace t;
  t.method = "laplace";
  t.stat_names = {"log_p__", kLaplaceApproxColumn};
  t.point = mode;
  ChainTrace chain;
  chain.draws.resize(draws, n);
  chain.stats.resize(draws, 2);
  Rng rng = chain_rng(seed, 0);
  boost::random::normal_distribution<double> normal;
  // The draws from one stream, in order; then log p at each, the costly part, in blocks on
  // `cores` threads (each with its workspace), so no value depends on the thread count.
  Eigen::VectorXd z(n);
  for (int d = 0; d < draws; ++d) {
    for (Eigen::Index i = 0; i < n; ++i) z[i] = normal(rng);
    const Eigen::VectorXd diff = upper.triangularView<Eigen::Upper>().solve(z);
    chain.draws.row(d) = (mode + diff).transpose();
    chain.stats(d, 1) = -0.5 * z.squaredNorm();  // = (x - mode)' H (x - mode) / 2
  }
  const int blocks = std::min(draws, 64);
  run_parallel(blocks, thread_count(blocks, cores), [&](int b) {
    auto ws = density.make_workspace();
    Eigen::VectorXd x(n), grad(n);
    for (int d = draws * b / blocks; d < draws * (b + 1) / blocks; ++d) {
      x = chain.draws.row(d).transpose();
      chain.stats(d, 0) = density(*ws, x.data(), grad.data());
    }
  });
  chain.gradient_evaluations = draws;
  chain.sampling_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  t.chains.push_back(std::move(chain));
  t.figures = {{"log_density", logp_mode}};
  return t;
}

}  // namespace stochos::infer
