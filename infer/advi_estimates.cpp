#include "infer/advi_estimates.hpp"

#include <algorithm>
#include <boost/random/normal_distribution.hpp>
#include <chrono>
#include <cmath>
#include <numeric>

#include "infer/parallel.hpp"

namespace stochos::infer {

struct AdviEstimates::Worker {
  std::unique_ptr<model::DensityWorkspace> ws;
  Eigen::VectorXd eta, zeta, grad;
  long evaluations = 0;
};

namespace {

void standard_normals(Rng& rng, Eigen::VectorXd& eta) {
  boost::random::normal_distribution<double> normal(0.0, 1.0);
  for (Eigen::Index i = 0; i < eta.size(); ++i) eta[i] = normal(rng);
}

}  // namespace

AdviEstimates::AdviEstimates(const model::LogDensity& density, int grad_samples, int elbo_samples,
                             std::uint64_t seed, int cores, double spread_gradient_s)
    : density_(density),
      grad_samples_(grad_samples),
      elbo_samples_(elbo_samples),
      spread_gradient_s_(spread_gradient_s) {
  for (int k = 0; k < grad_samples; ++k) grad_rng_.push_back(chain_rng(seed, 2 + k));
  for (int k = 0; k < elbo_samples; ++k) elbo_rng_.push_back(chain_rng(seed, 2 + grad_samples + k));
  const Eigen::Index n = density.dim();
  const int threads = thread_count(std::max(grad_samples, elbo_samples), cores);
  for (int t = 0; t < threads; ++t) {
    auto w = std::make_unique<Worker>();
    w->ws = density.make_workspace();
    w->eta.resize(n);
    w->zeta.resize(n);
    w->grad.resize(n);
    workers_.push_back(std::move(w));
  }
  eta_.resize(n, grad_samples);
  grad_logp_.resize(n, grad_samples);
  logp_.resize(static_cast<std::size_t>(elbo_samples));
  drops_.resize(static_cast<std::size_t>(std::max(grad_samples, elbo_samples)));
}

AdviEstimates::~AdviEstimates() = default;

template <class Slot>
void AdviEstimates::for_slots(int slots, int threads, const Slot& slot) {
  const int batches = std::min({static_cast<int>(workers_.size()), threads, slots});
  run_parallel(batches, batches, [&](int b) {
    Worker& w = *workers_[static_cast<std::size_t>(b)];
    const long first = static_cast<long>(b) * slots / batches;
    const long last = static_cast<long>(b + 1) * slots / batches;
    for (long k = first; k < last; ++k) slot(static_cast<int>(k), w);
  });
  for (auto& w : workers_) {
    evaluations_ += w->evaluations;
    w->evaluations = 0;
  }
}

std::optional<double> AdviEstimates::elbo(const GaussianApproximation& q) {
  if (!q.params().allFinite()) return std::nullopt;
  const int max_drops = elbo_samples_;
  for_slots(elbo_samples_, static_cast<int>(workers_.size()), [&](int k, Worker& w) {
    int drops = 0;
    double lp = 0;
    do {
      standard_normals(elbo_rng_[static_cast<std::size_t>(k)], w.eta);
      q.transform(w.eta, w.zeta);
      lp = density_(*w.ws, w.zeta.data(), w.grad.data());
      ++w.evaluations;
    } while (!std::isfinite(lp) && ++drops < max_drops);
    logp_[static_cast<std::size_t>(k)] = lp;
    drops_[static_cast<std::size_t>(k)] = drops;
  });
  if (std::accumulate(drops_.begin(), drops_.begin() + elbo_samples_, 0L) >= max_drops)
    return std::nullopt;
  const double sum = std::accumulate(logp_.begin(), logp_.end(), 0.0);
  const double value = sum / elbo_samples_ + q.entropy();
  if (!std::isfinite(value)) return std::nullopt;
  return value;
}

bool AdviEstimates::gradient(const GaussianApproximation& q, Eigen::VectorXd& grad) {
  const int max_drops = 10 * grad_samples_;
  const auto t0 = std::chrono::steady_clock::now();
  for_slots(grad_samples_, spread_gradient_ ? static_cast<int>(workers_.size()) : 1,
            [&](int k, Worker& w) {
              int drops = 0;
              bool finite = false;
              do {
                standard_normals(grad_rng_[static_cast<std::size_t>(k)], w.eta);
                q.transform(w.eta, w.zeta);
                const double lp = density_(*w.ws, w.zeta.data(), w.grad.data());
                ++w.evaluations;
                finite = std::isfinite(lp) && w.grad.allFinite();
              } while (!finite && ++drops < max_drops);
              eta_.col(k) = w.eta;
              grad_logp_.col(k) = w.grad;
              drops_[static_cast<std::size_t>(k)] = drops;
            });
  if (!gradient_timed_) {
    gradient_timed_ = true;
    spread_gradient_ =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() >=
        spread_gradient_s_;
  }
  if (std::accumulate(drops_.begin(), drops_.begin() + grad_samples_, 0L) >= max_drops)
    return false;
  grad = Eigen::VectorXd::Zero(q.params().size());
  for (int k = 0; k < grad_samples_; ++k) q.add_draw_gradient(eta_.col(k), grad_logp_.col(k), grad);
  grad /= static_cast<double>(grad_samples_);
  q.add_entropy_gradient(grad);
  return grad.allFinite();
}

void AdviEstimates::draw(const GaussianApproximation& q, int n, Rng& rng, Eigen::MatrixXd& draws,
                         Eigen::VectorXd& log_p, Eigen::VectorXd& log_g) {
  const Eigen::Index dim = q.dim();
  draws.resize(n, dim);
  log_p.resize(n);
  log_g.resize(n);
  Eigen::VectorXd eta(dim), zeta(dim);
  for (int i = 0; i < n; ++i) {
    standard_normals(rng, eta);
    log_g[i] = -0.5 * eta.squaredNorm();
    q.transform(eta, zeta);
    draws.row(i) = zeta.transpose();
  }
  for_slots(n, static_cast<int>(workers_.size()), [&](int i, Worker& w) {
    w.zeta = draws.row(i).transpose();
    log_p[i] = density_(*w.ws, w.zeta.data(), w.grad.data());
    ++w.evaluations;
  });
}

}  // namespace stochos::infer
