#include "bench/handwritten.hpp"

#include <cmath>
#include <numbers>

namespace stochos::bench {
namespace {

const double kHalfLog2Pi = 0.5 * std::log(2.0 * std::numbers::pi);

}  // namespace

// --- Eight schools ----------------------------------------------------------------------------

EightSchoolsHand::EightSchoolsHand(const EightSchoolsData& data)
    : j_(static_cast<std::int64_t>(data.y.size())),
      y_(Eigen::Map<const Eigen::ArrayXd>(data.y.data(), j_)),
      inv_var_(Eigen::Map<const Eigen::ArrayXd>(data.sigma.data(), j_).square().inverse()) {
  const double jd = static_cast<double>(j_);
  // mu's normalising terms, HalfCauchy's log(2 / (5 pi)), theta_z's and y's normalising terms.
  constant_ = -std::log(5.0) - kHalfLog2Pi + std::log(2.0 / (5.0 * std::numbers::pi)) -
              jd * kHalfLog2Pi - jd * kHalfLog2Pi -
              Eigen::Map<const Eigen::ArrayXd>(data.sigma.data(), j_).log().sum();
}

double EightSchoolsHand::operator()(const double* theta, double* grad) const {
  const double mu = theta[0], tau_log = theta[1];
  const double tau = std::exp(tau_log);
  const double u = tau / 5.0;
  double lp = constant_ - 0.5 * mu * mu / 25.0 - std::log1p(u * u) + tau_log;
  double d_mu = -mu / 25.0, d_tau = 0.0;
  // One fused pass: the residual scaled by 1 / sigma^2 feeds the density and all three
  // gradient terms.
  for (std::int64_t j = 0; j < j_; ++j) {
    const double z = theta[2 + j];
    const double diff = y_[j] - (mu + tau * z);
    const double r = diff * inv_var_[j];
    lp -= 0.5 * (z * z + diff * r);
    d_mu += r;
    d_tau += r * z;
    grad[2 + j] = tau * r - z;
  }
  grad[0] = d_mu;
  // d/d tau_log of [-log1p(u^2) + tau_log] is 1 - 2u^2 / (1 + u^2); the likelihood adds
  // tau * sum(r z) by the chain rule through tau = exp(tau_log).
  grad[1] = tau * d_tau + 1.0 - 2.0 * u * u / (1.0 + u * u);
  return lp;
}

// --- Logistic regression ----------------------------------------------------------------------

LogisticHand::LogisticHand(const LogisticData& data)
    : n_(data.n),
      d_(data.d),
      x_(Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
          data.x.data(), data.n, data.d)),
      y_(Eigen::Map<const Eigen::ArrayXd>(data.y.data(), data.n)),
      constant_(-static_cast<double>(data.d + 1) * (std::log(2.5) + kHalfLog2Pi)),
      eta_(data.n),
      r_(data.n),
      e_(data.n) {}

double LogisticHand::operator()(const double* theta, double* grad) const {
  const double alpha = theta[0];
  const Eigen::Map<const Eigen::VectorXd> beta(theta + 1, d_);
  eta_.noalias() = x_ * beta;
  eta_.array() += alpha;
  const auto eta = eta_.array();
  // softplus(eta) = max(eta, 0) + log1p(exp(-|eta|)) and sigmoid(eta) share one exp. With
  // e in (0, 1], log(1 + e) is within an ulp of 1 of log1p(e) in absolute terms, far below the
  // rounding of a 10 000-term sum, and Eigen vectorises log but not log1p for doubles.
  e_ = (-eta.abs()).exp();
  const double lik = (y_ * eta - eta.max(0.0) - (1.0 + e_).log()).sum();
  r_.array() = y_ - (eta >= 0.0).select((1.0 + e_).inverse(), e_ / (1.0 + e_));

  const double inv_var = 1.0 / (2.5 * 2.5);
  Eigen::Map<Eigen::VectorXd> g_beta(grad + 1, d_);
  grad[0] = r_.sum() - alpha * inv_var;
  g_beta.noalias() = x_.transpose() * r_;
  g_beta -= inv_var * beta;
  return constant_ - 0.5 * inv_var * (alpha * alpha + beta.squaredNorm()) + lik;
}

// --- Hierarchical normal ----------------------------------------------------------------------

HierarchicalHand::HierarchicalHand(const HierarchicalData& data)
    : groups_(data.groups), g_(data.g), y_(data.y), a_(data.groups), ga_(data.groups) {
  const double n = static_cast<double>(y_.size()), groups = static_cast<double>(groups_);
  // Normal(0, 5) on mu; HalfNormal(2) twice (log 2 - log 2 - log sqrt(2 pi)); a_z's and y's
  // log sqrt(2 pi). y's -log(sigma) depends on sigma_log and is added per call.
  constant_ = -std::log(5.0) - kHalfLog2Pi + 2.0 * (std::log(2.0) - std::log(2.0) - kHalfLog2Pi) -
              groups * kHalfLog2Pi - n * kHalfLog2Pi;
}

double HierarchicalHand::operator()(const double* theta, double* grad) const {
  const std::int64_t G = groups_;
  const double mu = theta[0], tau_log = theta[1], sigma_log = theta[G + 2];
  const double tau = std::exp(tau_log), sigma = std::exp(sigma_log);
  const Eigen::Map<const Eigen::ArrayXd> a_z(theta + 2, G);
  a_ = mu + tau * a_z;
  ga_.setZero();

  // The per-observation pass: gather a[g], accumulate the squared residuals for log p and
  // sigma, and scatter-add the residuals into their groups for the gradient of a.
  double ss = 0.0;
  const std::size_t n = y_.size();
  const std::int64_t* g = g_.data();
  const double* y = y_.data();
  double* a = a_.data();
  double* ga = ga_.data();
  for (std::size_t i = 0; i < n; ++i) {
    const double r = y[i] - a[g[i]];
    ss += r * r;
    ga[g[i]] += r;
  }

  const double inv_var = 1.0 / (sigma * sigma), nd = static_cast<double>(n);
  ga_ *= inv_var;  // d lik / d a
  const double lp = constant_ - 0.5 * mu * mu / 25.0 - 0.5 * tau * tau / 4.0 + tau_log -
                    0.5 * a_z.square().sum() - 0.5 * sigma * sigma / 4.0 + sigma_log -
                    0.5 * ss * inv_var - nd * sigma_log;

  grad[0] = -mu / 25.0 + ga_.sum();
  grad[1] = -tau * tau / 4.0 + 1.0 + tau * (ga_ * a_z).sum();
  Eigen::Map<Eigen::ArrayXd>(grad + 2, G) = tau * ga_ - a_z;
  grad[G + 2] = -sigma * sigma / 4.0 + 1.0 + ss * inv_var - nd;
  return lp;
}

// --- GARCH(1,1) ------------------------------------------------------------------------------

GarchHand::GarchHand(const GarchData& data) : y_(data.y), sigma1_(data.sigma1), s_(data.y.size()) {
  // mu's Normal(0, 10) and every y's log sqrt(2 pi).
  constant_ = -std::log(10.0) - kHalfLog2Pi - static_cast<double>(y_.size()) * kHalfLog2Pi;
}

double GarchHand::operator()(const double* theta, double* grad) const {
  const double mu = theta[0], a0_log = theta[1];
  const double a0 = std::exp(a0_log);
  const double a1 = 1.0 / (1.0 + std::exp(-theta[2])), b1 = 1.0 / (1.0 + std::exp(-theta[3]));
  const std::size_t n = y_.size();
  double lp = constant_ - 0.5 * mu * mu / 100.0 + a0_log + std::log(a1) + std::log1p(-a1) +
              std::log(b1) + std::log1p(-b1);
  double d_mu = -mu / 100.0;
  for (std::size_t t = 0; t < n; ++t) {
    s_[t] = t == 0 ? sigma1_ : a0 + a1 * (y_[t - 1] - mu) * (y_[t - 1] - mu) + b1 * s_[t - 1];
    const double e = y_[t] - mu;
    lp -= 0.5 * (e * e / s_[t] + std::log(s_[t]));
    d_mu += e / s_[t];
  }
  // lambda: the whole derivative of log p by sigma2[t], from the last step back.
  double lambda = 0, d_a0 = 0, d_a1 = 0, d_b1 = 0;
  for (std::size_t t = n; t-- > 1;) {
    const double e = y_[t] - mu, inv = 1.0 / s_[t];
    lambda = 0.5 * (e * e * inv - 1.0) * inv + b1 * lambda;
    const double lag = y_[t - 1] - mu;
    d_a0 += lambda;
    d_a1 += lambda * lag * lag;
    d_b1 += lambda * s_[t - 1];
    d_mu -= lambda * 2.0 * a1 * lag;
  }
  grad[0] = d_mu;
  grad[1] = d_a0 * a0 + 1.0;
  grad[2] = d_a1 * a1 * (1.0 - a1) + 1.0 - 2.0 * a1;
  grad[3] = d_b1 * b1 * (1.0 - b1) + 1.0 - 2.0 * b1;
  return lp;
}

}  // namespace stochos::bench
